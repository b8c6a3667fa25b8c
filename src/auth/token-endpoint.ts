/**
 * POST /oauth/token: the client credentials grant through @node-oauth/oauth2-server, with the
 * checks the library leaves to us (credentials sent twice, malformed Basic, repeated
 * parameters, content type) and RFC 6749 answers carrying the envelope fields beside them.
 */
import OAuth2Server, { OAuthError, Request as OAuthRequest, Response as OAuthResponse } from '@node-oauth/oauth2-server';
import type { Request, RequestHandler } from 'express';
import { codeCatalog } from '../../generated/codes';
import type { Database } from '../db/database';
import { AppError, type ErrorCodeName } from '../http/app-error';
import { languageOf, messageFor } from '../http/envelope';
import { isBasicScheme, parseBasic } from './basic';
import { basicChallenge } from './challenges';
import { oauthModel } from './oauth-model';

const CODE_BY_OAUTH_ERROR: Record<string, ErrorCodeName> = {
  invalid_client: 'CLIENT_AUTHENTICATION_FAILED',
  invalid_scope: 'INVALID_SCOPE',
  unsupported_grant_type: 'UNSUPPORTED_GRANT_TYPE',
  invalid_request: 'INVALID_TOKEN_REQUEST',
  invalid_grant: 'INVALID_TOKEN_REQUEST',
};

const invalidClient = (status: number) =>
  new AppError('CLIENT_AUTHENTICATION_FAILED', 'Client authentication failed', {
    status,
    oauthError: 'invalid_client',
    headers: status === 401 ? { 'WWW-Authenticate': basicChallenge() } : {},
  });

/** RFC 6749 §2.3.1 and §3.2: these travel in the body only (a URL ends up in logs and histories). */
const OAUTH_PARAMETERS = ['grant_type', 'scope', 'client_id', 'client_secret', 'access_token'];

/** Rejects what the library would misread; returns nothing when the request may proceed. */
function precheck(req: Request): void {
  if (!req.is('application/x-www-form-urlencoded')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The token request must be application/x-www-form-urlencoded', { oauthError: 'invalid_request' });
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
  if (body.grant_type !== undefined && body.grant_type !== 'client_credentials') {
    // The library knows other grants; this server offers only client credentials.
    throw new AppError('UNSUPPORTED_GRANT_TYPE', 'Only the client_credentials grant type is supported', { oauthError: 'unsupported_grant_type' });
  }
  const header = req.headers.authorization;
  if (header === undefined) return;
  if (!isBasicScheme(header) || !parseBasic(header)) throw invalidClient(401);
  if ('client_id' in body || 'client_secret' in body) {
    throw new AppError('CREDENTIALS_SENT_TWICE', 'Client credentials must be sent either with HTTP Basic or in the body, not both', {
      oauthError: 'invalid_request',
    });
  }
}

/** Translates the library's OAuth errors into AppErrors; anything else is rethrown as is. */
function translate(error: unknown, req: Request): unknown {
  if (!(error instanceof OAuthError)) return error;
  if (error.name === 'server_error') return (error as OAuthError & { inner?: unknown }).inner ?? error;
  if (error.name === 'invalid_client') return invalidClient(req.headers.authorization ? 401 : 400);
  const codeName = CODE_BY_OAUTH_ERROR[error.name] ?? 'INVALID_TOKEN_REQUEST';
  const description = error.name === 'invalid_scope' ? 'The requested scope is invalid, unknown or not granted' : error.message;
  return new AppError(codeName, description, { status: error.code, oauthError: error.name });
}

export function tokenEndpoint(db: Database, tokenTtlSeconds: number): RequestHandler {
  const server = new OAuth2Server({ model: oauthModel(db), accessTokenLifetime: tokenTtlSeconds, requireClientAuthentication: { client_credentials: true } });
  return async (req, res, next) => {
    try {
      precheck(req);
      const oauthResponse = new OAuthResponse();
      await server.token(new OAuthRequest(req), oauthResponse);
      const body = oauthResponse.body as Record<string, unknown>;
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      res.status(200).json({
        ...body,
        scope: body.scope ?? '',
        success: true,
        code: codeCatalog.TOKEN_ISSUED.code,
        message: messageFor('TOKEN_ISSUED', languageOf(req)),
      });
    } catch (error) {
      next(translate(error, req));
    }
  };
}
