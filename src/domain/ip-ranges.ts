/**
 * IP addresses and ranges, a neutral module of the domain: partner IP allow-lists (IPv4 and
 * IPv6 CIDR ranges, checked at the OAuth endpoints and on every resource call; an empty list
 * allows every address), the form an address is compared, shown and recorded in, and the unit
 * failed authentications are counted by. The domain (partners, security events, lock-outs),
 * auth/, http/ and the configuration read them here.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from './app-error';

/** The canonical text of an IPv6 address (RFC 5952: lower case, shortest form); other text as is. */
function canonicalIp(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]`).hostname.slice(1, -1);
  } catch {
    return address; // not an address, or one with a zone id (fe80::1%eth0), which URLs do not carry
  }
}

/**
 * The IPv6 address of the text (its zone id left out), or null. Read from its canonical text,
 * whose embedded IPv4 part (if any) is in hex: ipaddr.js alone reads `::a.b.c.d`
 * (IPv4-compatible) as IPv4-mapped.
 */
function ipv6Of(address: string): ipaddr.IPv6 | null {
  if (!isIPv6(address)) return null;
  try {
    return ipaddr.IPv6.parse(canonicalIp(address.split('%')[0]));
  } catch {
    return null;
  }
}

/**
 * An address as it is compared, shown and recorded: IPv6 canonical, and an IPv4-mapped IPv6
 * address (::ffff:203.0.113.7) as the IPv4 address it carries.
 */
export function plainAddress(address: string): string {
  const ipv6 = ipv6Of(address);
  return ipv6?.isIPv4MappedAddress() ? ipv6.toIPv4Address().toString() : canonicalIp(address);
}

/**
 * The unit failed authentications are counted by: an IPv4 address, or an IPv6 /64 (what one
 * subscriber gets), written as its four leading groups then `::/64` (a key of rate_counters,
 * shared by every instance: its form stays as it was).
 */
export function addressBucketOf(address: string | null): string {
  const ipv6 = address === null ? null : ipv6Of(address);
  if (!ipv6) return address ?? 'unknown';
  return `${ipv6.parts
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The address bits beyond the prefix are zero? (203.0.113.7/24 is a typo, not a range.) */
function hostBitsClear(address: string, family: 'ipv4' | 'ipv6', prefix: number): boolean {
  const kind = family === 'ipv4' ? ipaddr.IPv4 : ipaddr.IPv6;
  return kind.networkAddressFromCIDR(`${address}/${prefix}`).toNormalizedString() === kind.parse(address).toNormalizedString();
}

/** Parses "203.0.113.0/24", "2001:db8::/32" or a single address; returns a reason when invalid. */
export function parseCidr(text: string): Cidr | string {
  const [address, prefixText, extra] = text.split('/');
  if (extra !== undefined) return 'must be an address or address/prefix';
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : null;
  if (!family) return 'is not an IPv4 or IPv6 address';
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return `prefix must be an integer from 0 to ${max}`;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return `prefix must be an integer from 0 to ${max}`;
  if (prefix === 0) return 'allows every address (/0); leave the list empty instead';
  if (!hostBitsClear(address, family, prefix)) return 'has bits set beyond the prefix (give the first address of the range)';
  return { address, prefix, family };
}

/** Checks a partner's allow-list; VALIDATION_FAILED names each faulty entry. Returns it canonical. */
export function checkAllowList(entries: string[], path = '/body/allowedIps'): string[] {
  const errors: { path: string; message: string }[] = [];
  const canonical = entries.map((entry, index) => {
    const parsed = parseCidr(entry);
    if (typeof parsed === 'string') {
      errors.push({ path: `${path}/${index}`, message: `"${entry}" ${parsed}` });
      return entry;
    }
    return `${canonicalIp(parsed.address)}/${parsed.prefix}`;
  });
  if (new Set(canonical).size !== canonical.length && errors.length === 0) errors.push({ path, message: 'must not contain the same range twice' });
  if (errors.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid IP allow-list: ${errors.map((error) => error.message).join('; ')}`, { errors });
  return canonical;
}

const compiled = new Map<string, BlockList>();

function blockListOf(entries: readonly string[]): BlockList {
  const key = entries.join(',');
  let list = compiled.get(key);
  if (!list) {
    list = new BlockList();
    for (const entry of entries) {
      const parsed = parseCidr(entry);
      if (typeof parsed !== 'string') list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(key, list);
  }
  return list;
}

/** True when the address is in one of the ranges (or the list is empty). */
export function addressAllowed(entries: readonly string[], address: string | undefined): boolean {
  if (entries.length === 0) return true;
  if (!address) return false;
  const plain = plainAddress(address);
  const family = isIPv4(plain) ? 'ipv4' : 'ipv6';
  return blockListOf(entries).check(plain, family);
}
