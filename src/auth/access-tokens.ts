/** Access tokens: issued by the token endpoint, verified on every secured call. */
import type { Queryable } from '../db/database';
import { AppError } from '../domain/app-error';
import { bearerChallenge } from './challenges';
import type { Credential } from './credential';
import { hashSecret } from '../domain/partners/secrets';

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
  token_hash: string;
  partner_id: string;
  name: string;
  scopes: string[];
  allowed_ips: string[];
  expires_at: Date;
}

/**
 * A token's effective scopes: those it was issued with that its partner still holds, in the
 * token's order, Core scopes only while the partner is internal (as effectiveScopes() in
 * src/domain/partners/privilege.ts). Scopes taken from a partner stop working on its live
 * tokens at the next call.
 */
export const EFFECTIVE_SCOPES_SQL =
  "ARRAY(SELECT u.scope FROM unnest(t.scopes) WITH ORDINALITY AS u(scope, n) WHERE u.scope = ANY(p.scopes) AND (p.internal OR u.scope NOT LIKE 'core:%') ORDER BY u.n)";

/** The live tokens among the given hashes (unknown, revoked and disabled-partner tokens are absent). */
const LOOKUP_SQL = `SELECT t.token_hash, t.partner_id, p.name, ${EFFECTIVE_SCOPES_SQL} AS scopes, p.allowed_ips, t.expires_at
       FROM access_tokens t JOIN partners p ON p.id = t.partner_id
      WHERE t.token_hash = ANY($1::text[]) AND t.revoked_at IS NULL AND p.status = 'active'`;

/** Bounds the size of one lookup query; a full batch is sent at once. */
const MAX_BATCH = 100;

interface PendingLookup {
  hash: string;
  resolve(row: TokenRow | undefined): void;
  reject(error: unknown): void;
}

/**
 * Looks token hashes up, sending the lookups made in the same turn of the event loop as one
 * query. Under load the round trip to the database, not the query, is what a lookup costs
 * (it used to be the largest cost of a secured call), and a few dozen requests arrive in the
 * same turn. This is batching, not caching: every lookup is answered by a query sent after
 * the lookup was made, so a revoked token or a disabled partner is refused on the very next
 * call, exactly as with one query per call.
 */
function batchedLookup(db: Queryable): (hash: string) => Promise<TokenRow | undefined> {
  let pending: PendingLookup[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    db.query<TokenRow>(LOOKUP_SQL, [[...new Set(batch.map((lookup) => lookup.hash))]], { prepare: true }).then(
      (rows) => {
        const byHash = new Map(rows.map((row) => [row.token_hash, row]));
        for (const lookup of batch) lookup.resolve(byHash.get(lookup.hash));
      },
      (error: unknown) => {
        for (const lookup of batch) lookup.reject(error);
      },
    );
  };
  return (hash) =>
    new Promise((resolve, reject) => {
      pending.push({ hash, resolve, reject });
      // setImmediate runs once the I/O callbacks of this turn (the other requests) are done.
      if (pending.length === 1) setImmediate(flush);
      else if (pending.length >= MAX_BATCH) flush();
    });
}

/** One batching lookup per database handle (the app and the tests each have their own). */
const lookups = new WeakMap<Queryable, (hash: string) => Promise<TokenRow | undefined>>();

/**
 * The credential of a bearer token. Unknown, revoked and disabled-partner tokens are
 * TOKEN_INVALID; expired ones TOKEN_EXPIRED. Disabling a partner, and taking scopes from it,
 * take effect at once because every call reads the partner's status and scopes.
 */
export async function verifyAccessToken(db: Queryable, token: string, now = new Date()): Promise<Credential> {
  let lookup = lookups.get(db);
  if (!lookup) lookups.set(db, (lookup = batchedLookup(db)));
  const row = await lookup(hashSecret(token));
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
  // Copies: requests sharing a token in one batch share its row.
  return { partnerId: row.partner_id, partnerName: row.name, scopes: [...row.scopes], allowedIps: row.allowed_ips, method: 'bearer', tokenExpiresAt: new Date(row.expires_at) };
}
