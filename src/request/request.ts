/**
 * What http/ and auth/ both read from an express request: the client's address and the
 * operation the validator matched. Beneath both, it imports neither.
 */
import { plainAddress } from '../domain/ip-ranges';

/** The operationId the validator matched for this request, if any. */
export function operationIdOf(req: Express.Request): string | undefined {
  return (req as { openapi?: { schema?: { operationId?: string } } }).openapi?.schema?.operationId;
}

/** The client's IP address: the socket's, or through a trusted proxy (TRUST_PROXY) the forwarded one; IPv4-mapped IPv6 shown as IPv4. */
export function clientAddressOf(req: Express.Request & { ip?: string }): string | null {
  return req.ip ? plainAddress(req.ip) : null;
}
