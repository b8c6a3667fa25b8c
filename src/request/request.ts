/**
 * What http/ and auth/ both read from an express request: the client's address, its TLS
 * client certificate and the operation the validator matched. Beneath both, it imports neither.
 */
import { createHash } from 'node:crypto';
import { TLSSocket } from 'node:tls';
import { plainAddress } from '../domain/ip-ranges';

/** The operationId the validator matched for this request, if any. */
export function operationIdOf(req: Express.Request): string | undefined {
  return (req as { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
}

/** The path parameters of the operation the validator matched (decoded), or none. */
export function pathParamsOf(req: Express.Request): Record<string, string> {
  return (req as { openapi?: { pathParams?: Record<string, string> } }).openapi?.pathParams ?? {};
}

/** The client's IP address: the socket's, or through a trusted proxy (TRUST_PROXY) the forwarded one; IPv4-mapped IPv6 shown as IPv4. */
export function clientAddressOf(req: Express.Request & { ip?: string }): string | null {
  return req.ip ? plainAddress(req.ip) : null;
}

/**
 * The SHA-256 thumbprint (`x5t#S256`, base64url, RFC 8705 §3.1) of the client certificate the
 * request's TLS connection presented, or null: plain HTTP (including whatever a proxy in front
 * forwards: no header is believed), or no certificate. The certificate is not checked against
 * any authority: the partner's registered thumbprints are the trust (self-signed method).
 * Called only where a certificate matters (a partner requiring one, a bound token).
 */
export function clientCertificateThumbprint(req: { socket: unknown }): string | null {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) return null;
  // Read on every call, not cached per connection: a TLS 1.2 renegotiation may change it.
  const raw = (socket.getPeerCertificate(false) as { raw?: Buffer } | null)?.raw;
  return raw ? createHash('sha256').update(raw).digest('base64url') : null;
}
