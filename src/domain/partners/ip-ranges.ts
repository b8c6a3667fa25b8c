/**
 * Partner IP allow-lists: IPv4 and IPv6 CIDR ranges, checked at the OAuth endpoints and on
 * every resource call. An empty list allows every address.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { AppError } from '../app-error';

/** The canonical text of an IPv6 address (RFC 5952: lower case, shortest form); other text as is. */
function canonicalIp(address: string): string {
  if (!address.includes(':')) return address;
  try {
    return new URL(`http://[${address}]`).hostname.slice(1, -1);
  } catch {
    return address;
  }
}

/**
 * An address as it is compared, shown and recorded: IPv6 canonical, and an IPv4-mapped IPv6
 * address (::ffff:203.0.113.7) as the IPv4 address it carries.
 */
export function plainAddress(address: string): string {
  const canonical = canonicalIp(address);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1], 16), parseInt(mapped[2], 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** The unit failed authentications are counted by: an IPv4 address, or an IPv6 /64 (what one subscriber gets). */
export function addressBucketOf(address: string | null): string {
  if (!address || !isIPv6(address)) return address ?? 'unknown';
  return `${expandIPv6(address)
    .slice(0, 4)
    .map((word) => word.toString(16))
    .join(':')}::/64`;
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** The address bits beyond the prefix are zero? (203.0.113.7/24 is a typo, not a range.) */
function hostBitsClear(address: string, family: 'ipv4' | 'ipv6', prefix: number): boolean {
  return bitsOf(address, family).every((bit, index) => index < prefix || bit === 0);
}

function expandIPv6(address: string): number[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').flatMap(groupWords));
  const headWords = parse(head);
  const tailWords = tail === undefined ? [] : parse(tail);
  const zeros = tail === undefined ? [] : new Array(8 - headWords.length - tailWords.length).fill(0);
  return [...headWords, ...zeros, ...tailWords];
}

/** One IPv6 group, or an embedded IPv4 address as two groups. */
function groupWords(group: string): number[] {
  if (!group.includes('.')) return [parseInt(group, 16)];
  const [a, b, c, d] = group.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function bitsOf(address: string, family: 'ipv4' | 'ipv6'): number[] {
  const words = family === 'ipv4' ? address.split('.').map(Number) : expandIPv6(address);
  const width = family === 'ipv4' ? 8 : 16;
  return words.flatMap((word) => Array.from({ length: width }, (_, bit) => (word >> (width - 1 - bit)) & 1));
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
