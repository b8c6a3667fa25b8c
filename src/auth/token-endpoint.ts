/**
 * POST /oauth/token: the client credentials grant through @node-oauth/oauth2-server, with the
 * checks the library leaves to us (credentials sent twice, malformed Basic, repeated
 * parameters, content type) and RFC 6749 answers carrying the envelope fields beside them.
 */
import OAuth2Server, { OAuthError, Request as OAuthRequest, Response as OAuthResponse } from '@node-oauth/oauth2-server';
import type { Request, RequestHandler } from 'express';
import { codeCatalog } from '../../generated/codes';
import { AppError, type ErrorCodeName } from '../domain/app-error';
import { answerIn } from '../request/language';
import { messageFor } from '../domain/messages';
import { authenticateClient, invalidClient, precheckOAuthRequest } from './client-auth';
import { sourceOf, type ClientGuard } from './client-guard';
import { oauthModel } from './oauth-model';

const CODE_BY_OAUTH_ERROR: Record<string, ErrorCodeName> = {
  invalid_client: 'CLIENT_AUTHENTICATION_FAILED',
  invalid_scope: 'INVALID_SCOPE',
  unsupported_grant_type: 'UNSUPPORTED_GRANT_TYPE',
  invalid_request: 'INVALID_TOKEN_REQUEST',
  invalid_grant: 'INVALID_TOKEN_REQUEST',
};

/** The token request's own check: the library knows other grants; this server offers only client credentials. */
function precheckGrant(req: Request): void {
  const grantType = (req.body ?? {}).grant_type;
  if (grantType !== undefined && grantType !== 'client_credentials') {
    throw new AppError('UNSUPPORTED_GRANT_TYPE', 'Only the client_credentials grant type is supported', { oauthError: 'unsupported_grant_type' });
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

export function tokenEndpoint(guard: ClientGuard, tokenTtlSeconds: number): RequestHandler {
  return async (req, res, next) => {
    try {
      precheckOAuthRequest(req);
      precheckGrant(req);
      const partner = await authenticateClient(guard, req);
      await guard.consume('token', partner.id, true);
      const method = req.headers.authorization ? 'basic' : 'body';
      const server = new OAuth2Server({
        model: oauthModel(guard.db, partner, sourceOf(req), method),
        accessTokenLifetime: tokenTtlSeconds,
        requireClientAuthentication: { client_credentials: true },
      });
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
        message: messageFor('TOKEN_ISSUED', answerIn(req, res)),
      });
    } catch (error) {
      next(translate(error, req));
    }
  };
}
