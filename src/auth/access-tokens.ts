/** Access tokens: issued by the token endpoint, verified on every secured call. */
import type { Queryable } from '../db/database';
import { AppError } from '../http/app-error';
import { bearerChallenge } from './challenges';
import type { Principal } from './principal';
import { hashSecret } from './secrets';

export interface IssuedToken {
  token: string;
  partnerId: string;
  scopes: string[];
  expiresAt: Date;
}

/** Stores a newly issued token (its hash only). */
export async function saveAccessToken(db: Queryable, issued: IssuedToken): Promise<void> {
  await db.query('INSERT INTO access_tokens (token_hash, partner_id, scopes, expires_at) VALUES ($1, $2, $3, $4)', [
    hashSecret(issued.token),
    issued.partnerId,
    issued.scopes,
    issued.expiresAt,
  ]);
}

interface TokenRow {
  partner_id: string;
  name: string;
  scopes: string[];
  expires_at: Date;
}

/**
 * The principal of a bearer token. Unknown, revoked and disabled-partner tokens are
 * TOKEN_INVALID; expired ones TOKEN_EXPIRED. Disabling a partner takes effect at once
 * because every call reads the partner's status.
 */
export async function verifyAccessToken(db: Queryable, token: string, now = new Date()): Promise<Principal> {
  const [row] = await db.query<TokenRow>(
    `SELECT t.partner_id, p.name, t.scopes, t.expires_at
       FROM access_tokens t JOIN partners p ON p.id = t.partner_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND p.status = 'active'`,
    [hashSecret(token)],
  );
  if (!row) {
    throw new AppError('TOKEN_INVALID', 'The access token is invalid', {
      headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', 'The access token is invalid') },
    });
  }
  if (row.expires_at.getTime() <= now.getTime()) {
    throw new AppError('TOKEN_EXPIRED', 'The access token expired; get a new one from /oauth/token', {
      headers: { 'WWW-Authenticate': bearerChallenge('invalid_token', 'The access token expired') },
    });
  }
  return { partnerId: row.partner_id, partnerName: row.name, scopes: row.scopes, method: 'bearer', tokenExpiresAt: row.expires_at };
}
