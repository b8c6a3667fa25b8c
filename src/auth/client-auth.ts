/**
 * Client authentication and request checks shared by the OAuth endpoints (token, revoke,
 * introspect): form bodies only, OAuth parameters never in the query, no repeated parameter,
 * credentials by HTTP Basic or in the body but never both, and one answer for any failure.
 */
import type { Request } from 'express';
import { AppError } from '../domain/app-error';
import { refusedText } from '../domain/text';
import { isBasicScheme, parseBasic } from './basic';
import type { AuthenticatedPartner, ClientGuard } from './client-guard';
import { basicChallenge } from './challenges';

/** invalid_client: 401 with a Basic challenge after Basic, 400 after body credentials (RFC 6749 §5.2). */
export const invalidClient = (status: number) =>
  new AppError('CLIENT_AUTHENTICATION_FAILED', 'Client authentication failed', {
    status,
    oauthError: 'invalid_client',
    headers: status === 401 ? { 'WWW-Authenticate': basicChallenge() } : {},
  });

/** RFC 6749 §2.3.1 and §3.2: these travel in the body only (a URL ends up in logs and histories). */
const OAUTH_PARAMETERS = ['grant_type', 'scope', 'client_id', 'client_secret', 'access_token', 'token'];
const CREDENTIAL_PARAMETERS = ['client_id', 'client_secret'];

/** Rejects a malformed OAuth request; returns when it may proceed. */
export function precheckOAuthRequest(req: Request): void {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The request must be application/x-www-form-urlencoded', { oauthError: 'invalid_request' });
  }
  const inQuery = OAUTH_PARAMETERS.filter((name) => name in (req.query as object));
  if (inQuery.length > 0) {
    throw new AppError('INVALID_TOKEN_REQUEST', `Send ${inQuery.join(', ')} in the form body, never in the query string`, { oauthError: 'invalid_request' });
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const repeated = Object.keys(body).filter((name) => typeof body[name] !== 'string');
  if (repeated.length > 0) {
    throw new AppError('INVALID_TOKEN_REQUEST', `Parameters must not be repeated: ${repeated.join(', ')}`, { oauthError: 'invalid_request' });
  }
  // The contract's text rule (domain/text.ts); client credentials are judged by authenticateClient.
  const refused = Object.keys(body).filter((name) => !CREDENTIAL_PARAMETERS.includes(name) && refusedText(String(body[name])));
  if (refused.length > 0) {
    throw new AppError('INVALID_TOKEN_REQUEST', `Text refused in ${refused.join(', ')}`, {
      oauthError: 'invalid_request',
      errors: refused.map((name) => ({ path: `/body/${name}`, message: refusedText(String(body[name])) ?? '' })),
    });
  }
  const header = req.headers.authorization;
  if (header === undefined) return;
  // Another scheme is refused here; a malformed Basic header is a failed authentication (ClientGuard).
  if (!isBasicScheme(header)) throw invalidClient(401);
  if ('client_id' in body || 'client_secret' in body) {
    throw new AppError('CREDENTIALS_SENT_TWICE', 'Client credentials must be sent either with HTTP Basic or in the body, not both', {
      oauthError: 'invalid_request',
    });
  }
}

/**
 * The active partner the request's client credentials authenticate (see ClientGuard: lock-out,
 * allow-list, client certificate, security events), or invalid_client: 401 after Basic, 400 after body
 * credentials. Call after precheckOAuthRequest.
 */
export function authenticateClient(guard: ClientGuard, req: Request): Promise<AuthenticatedPartner> {
  const viaBasic = req.headers.authorization !== undefined; // precheckOAuthRequest let only Basic through
  const body = (req.body ?? {}) as Record<string, string | undefined>;
  const offered = body.client_id && body.client_secret ? { key: body.client_id, secret: body.client_secret } : null;
  // Text the contract refuses in an offered credential makes it malformed: a failed authentication, counted and recorded.
  const bodyCredentials = offered && !refusedText(offered.key) && !refusedText(offered.secret) ? offered : null;
  const credentials = viaBasic ? parseBasic(req.headers.authorization) : bodyCredentials;
  return guard.authenticate(req, {
    credentials,
    method: viaBasic ? 'basic' : 'body',
    oauth: true,
    failure: () => invalidClient(viaBasic ? 401 : 400),
  });
}
