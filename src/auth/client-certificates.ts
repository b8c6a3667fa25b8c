/**
 * Mutual TLS for partners (RFC 8705, self-signed certificate method): a partner whose record
 * lists certificate thumbprints authenticates only on a connection presenting one of those
 * certificates, and its tokens are bound to the certificate they were issued on. The
 * thumbprint is the trust; no certificate authority is consulted. The certificate comes from
 * the server's own TLS connection (src/request/request.ts); a proxy's header never stands for it.
 */
import type { Request } from 'express';
import { AppError } from '../domain/app-error';
import { clientCertificateThumbprint } from '../request/request';
import { basicChallenge, bearerChallenge } from './challenges';

/** Why a required certificate was refused: none presented, or one not registered for the partner. */
export type CertificateRefusal = 'certificate-missing' | 'certificate-not-registered';

/**
 * The thumbprint of the connection's certificate when the partner requires one of `registered`
 * (null when it requires none), or the refusal.
 */
export function certificateOf(req: Request, registered: readonly string[]): { thumbprint: string | null } | { refusal: CertificateRefusal } {
  if (registered.length === 0) return { thumbprint: null };
  const thumbprint = clientCertificateThumbprint(req);
  if (thumbprint === null) return { refusal: 'certificate-missing' };
  return registered.includes(thumbprint) ? { thumbprint } : { refusal: 'certificate-not-registered' };
}

/**
 * The answer to a client authentication refused for its certificate: 401 with the Basic
 * challenge after HTTP Basic; at the OAuth endpoints `invalid_client`, 400 after form
 * parameters (RFC 6749 §5.2, as for wrong credentials).
 */
export function certificateRefused(req: Request, refusal: CertificateRefusal, oauth: boolean): AppError {
  const viaBasic = req.headers.authorization !== undefined;
  const options = {
    status: oauth && !viaBasic ? 400 : 401,
    oauthError: oauth ? 'invalid_client' : undefined,
    headers: viaBasic ? { 'WWW-Authenticate': basicChallenge() } : ({} as Record<string, string>),
  };
  if (refusal === 'certificate-missing')
    return new AppError('CLIENT_CERTIFICATE_REQUIRED', 'This partner must present its client certificate (mutual TLS, RFC 8705)', options);
  return new AppError(
    'CLIENT_CERTIFICATE_NOT_REGISTERED',
    `The client certificate presented (x5t#S256 ${clientCertificateThumbprint(req) ?? ''}) is not registered for this partner`,
    options,
  );
}

/** What a bearer token's use needs: the certificate it is bound to, and the partner's registered ones. */
export interface TokenCertificates {
  /** The thumbprint the token is bound to (its cnf.x5t#S256), or null. */
  boundTo: string | null;
  /** The partner's registered thumbprints (empty: it requires none). */
  registered: readonly string[];
}

/**
 * TOKEN_CERTIFICATE_MISMATCH (401, invalid_token, RFC 8705 §3) unless the connection presents
 * the certificate the token is bound to and, when the partner requires mutual TLS, one still
 * registered for it (a token issued before the requirement, or bound to a certificate since
 * removed, is refused too).
 */
export function checkTokenCertificate(req: Request, token: TokenCertificates): void {
  if (token.boundTo === null && token.registered.length === 0) return;
  const thumbprint = clientCertificateThumbprint(req);
  const bound = token.boundTo === null || thumbprint === token.boundTo;
  const registered = token.registered.length === 0 || (thumbprint !== null && token.registered.includes(thumbprint));
  if (bound && registered) return;
  const description = token.boundTo
    ? 'The access token is bound to a client certificate this connection does not present'
    : "The access token's partner must present its client certificate (mutual TLS)";
  throw new AppError('TOKEN_CERTIFICATE_MISMATCH', description, {
    headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', description) },
  });
}
