/**
 * Which addresses a webhook may reach. Only public unicast addresses: private, loopback,
 * link-local, shared (CGNAT), multicast, reserved, unspecified, IPv4-mapped and the like are
 * refused, as `request-filtering-agent` refuses them at every connection (ipaddr.js ranges: all
 * but `unicast`; cloud metadata addresses are link-local). A server in test mode
 * (WEBHOOK_ALLOW_LOOPBACK_HTTP) also reaches 127.0.0.1 and ::1, and over plain http.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../app-error';

/** What the server allows beyond public HTTPS targets. */
export interface AddressPolicy {
  /** Test mode: http:// to a loopback address, and connections to 127.0.0.1 and ::1. */
  allowLoopbackHttp: boolean;
}

/** The loopback addresses a server in test mode may connect to (exact addresses: the agent compares them as strings). */
export const TEST_LOOPBACK_ADDRESSES = ['127.0.0.1', '::1'];

/** Resolves a host name to every address it has. */
export type HostResolver = (host: string) => Promise<string[]>;

const systemResolver: HostResolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** What kind of address `address` is when it may not be reached (`a loopback address`), or null when it may. */
export function addressRefusal(address: string, policy: AddressPolicy): string | null {
  if (policy.allowLoopbackHttp && TEST_LOOPBACK_ADDRESSES.includes(address)) return null;
  let range: string;
  try {
    range = ipaddr.parse(address).range();
  } catch {
    return 'not an IP address';
  }
  return range === 'unicast' ? null : `a ${range} address`;
}

const refused = (reason: string) =>
  new AppError('WEBHOOK_URL_REFUSED', `The webhook URL is refused: ${reason}`, { errors: [{ path: '/body/url', message: reason }] });

/**
 * Checks a webhook URL at registration (and at every change): https (http only to a loopback
 * address in test mode), no credentials, a host whose every address may be reached. Connections
 * are checked again, by the address actually connected to (transport.ts), against DNS rebinding.
 */
export async function checkWebhookUrl(raw: string, policy: AddressPolicy, resolve: HostResolver = systemResolver): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused('not an absolute URL');
  }
  if (url.username || url.password) throw refused('a user or password in the URL');
  if (url.hash) throw refused('a fragment in the URL');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (url.protocol === 'http:') {
    if (!policy.allowLoopbackHttp) throw refused('plain http; use https');
    if (!TEST_LOOPBACK_ADDRESSES.includes(host)) throw refused('plain http is accepted only to 127.0.0.1 or [::1] in test mode');
  } else if (url.protocol !== 'https:') throw refused(`the ${url.protocol} scheme; use https`);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    addresses = await resolve(host).catch(() => []);
    if (addresses.length === 0) throw refused(`${host} does not resolve`);
  }
  for (const address of addresses) {
    const reason = addressRefusal(address, policy);
    if (reason) throw refused(isIP(host) ? `${address} is ${reason}` : `${host} resolves to ${address}, ${reason}`);
  }
  return url.href;
}
