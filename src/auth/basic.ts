/** Parses an HTTP Basic `Authorization` header (RFC 7617). */
import { refusedText } from '../domain/text';
export interface BasicCredentials {
  key: string;
  secret: string;
}

/** Returns the credentials, or null when the header is not a well-formed Basic header. */
export function parseBasic(header: string | undefined): BasicCredentials | null {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) return null;
  try {
    // RFC 6749 §2.3.1: OAuth clients form-encode the id and secret before Basic.
    const credentials = { key: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    // Text the contract refuses (a NUL, a control character...) is a malformed credential.
    return refusedText(credentials.key) || refusedText(credentials.secret) ? null : credentials;
  } catch {
    return null;
  }
}

/** True when the header uses the Basic scheme at all (well-formed or not). */
export const isBasicScheme = (header: string | undefined) => /^Basic(\s|$)/i.test(header ?? '');
