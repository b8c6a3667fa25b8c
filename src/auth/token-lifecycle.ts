/**
 * POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662). Both authenticate the
 * client like the token endpoint. Revocation is written to the database, which every secured
 * call reads: a revoked token is refused on the next call, on every server instance.
 */
import type { Request, RequestHandler } from 'express';
import { codeCatalog } from '../../generated/codes';
import { recordSecurityEvent } from '../domain/security/security-events';
import { AppError } from '../domain/app-error';
import { answerIn } from '../request/language';
import { messageFor } from '../domain/messages';
import { bearerChallenge } from './challenges';
import { authenticateClient, precheckOAuthRequest } from './client-auth';
import { sourceOf, type ClientGuard } from './client-guard';
import { liveTokenGrant } from './identity';
import { hashSecret } from '../domain/partners/secrets';

/** The scope an internal client needs to introspect tokens. */
const INTROSPECT_SCOPE = 'core:tokens.introspect';

function tokenParameter(req: Request): string {
  const token = (req.body ?? {}).token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new AppError('INVALID_TOKEN_REQUEST', 'The token parameter is required', { oauthError: 'invalid_request' });
  }
  return token;
}

const noStore = (res: Parameters<RequestHandler>[1]) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
};

/** RFC 7009: a partner revokes its own tokens; an unknown token (or another partner's) is answered 200 all the same. */
export function revocationEndpoint(guard: ClientGuard): RequestHandler {
  return async (req, res, next) => {
    try {
      precheckOAuthRequest(req);
      const partner = await authenticateClient(guard, req);
      const token = tokenParameter(req);
      await guard.db.transaction(async (tx) => {
        const revoked = await tx.query(
          'UPDATE access_tokens SET revoked_at = now() WHERE token_hash = $1 AND partner_id = $2 AND revoked_at IS NULL RETURNING partner_id',
          [hashSecret(token), partner.id],
        );
        if (revoked.length > 0) {
          await recordSecurityEvent(tx, sourceOf(req), {
            type: 'token.revoked',
            partnerId: partner.id,
            actorId: partner.id,
            authMethod: req.headers.authorization ? 'basic' : 'body',
          });
        }
      });
      noStore(res);
      res.status(200).json({ success: true, code: codeCatalog.TOKEN_REVOKED.code, message: messageFor('TOKEN_REVOKED', answerIn(req, res)) });
    } catch (error) {
      next(error);
    }
  };
}

/** RFC 7662 for internal clients holding core:tokens.introspect: `active` and, when active, what the token carries. */
export function introspectionEndpoint(guard: ClientGuard): RequestHandler {
  const db = guard.db;
  return async (req, res, next) => {
    try {
      precheckOAuthRequest(req);
      const caller = await authenticateClient(guard, req);
      if (!caller.scopes.includes(INTROSPECT_SCOPE)) {
        throw new AppError('INSUFFICIENT_SCOPE', `Introspection requires the scope ${INTROSPECT_SCOPE}`, {
          oauthError: 'insufficient_scope',
          headers: { 'WWW-Authenticate': bearerChallenge('insufficient_scope', 'The client lacks a required scope', INTROSPECT_SCOPE) },
        });
      }
      const grant = await liveTokenGrant(db, tokenParameter(req));
      const envelope = { success: true, code: codeCatalog.OK.code, message: messageFor('OK', answerIn(req, res)) };
      noStore(res);
      res.status(200).json(
        grant
          ? {
              active: true,
              scope: grant.scopes.join(' '),
              client_id: grant.consumerKey,
              sub: grant.partnerId,
              token_type: 'Bearer',
              iat: Math.floor(grant.issuedAt.getTime() / 1000),
              exp: Math.floor(grant.expiresAt.getTime() / 1000),
              ...(grant.certificateThumbprint ? { cnf: { 'x5t#S256': grant.certificateThumbprint } } : {}),
              ...envelope,
            }
          : { active: false, ...envelope },
      );
    } catch (error) {
      next(error);
    }
  };
}
