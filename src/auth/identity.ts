/**
 * Who is calling, and with which scopes: the one door from a credential to its partner. A
 * bearer token (on every secured call) and a consumer-key with its secret (HTTP Basic on
 * resources; Basic or the form body at the OAuth endpoints, through ClientGuard) both come out
 * here as the partner and the scopes the call may use, by one rule: effectiveScopes() in
 * src/domain/partners/privilege.ts. Nothing is cached: every call reads the partner's status,
 * scopes and allow-list, so disabling a partner or taking scopes from it applies to the next call.
 */
import type { Queryable } from '../db/database';
import { batchedStatement } from '../db/batched';
import { AppError } from '../domain/app-error';
import { effectiveScopes } from '../domain/partners/privilege';
import { liveSecretsOf } from '../domain/partners/partners';
import { hashSecret, sameHash } from '../domain/partners/secrets';
import { bearerChallenge } from './challenges';
import type { Credential } from './credential';

/** A partner authenticated by its consumer-key and secret, as the authentication code needs it. */
export interface Partner {
  id: string;
  name: string;
  consumerKey: string;
  /** The scopes it effectively holds: Core scopes only if it is internal. */
  scopes: string[];
  allowedIps: string[];
  /** The thumbprints of the client certificates it must present (mutual TLS); empty: none. */
  certificateThumbprints: string[];
  basicAllowed: boolean;
  status: 'active' | 'disabled';
}

/** What a credential's scopes are judged against: its partner as stored. */
interface HolderColumns {
  partner_scopes: string[];
  internal: boolean;
}

const scopesOf = (carried: readonly string[], row: HolderColumns) => effectiveScopes(carried, { scopes: row.partner_scopes, internal: row.internal });

/** A hash no secret produces, compared against when the key is unknown so timing says nothing. */
const UNKNOWN_KEY_HASH = hashSecret('unknown consumer key');

/** The outcome of a client authentication; on failure, the partner the key names (for the security events only). */
export type Authentication = { partner: Partner } | { partner: null; partnerId: string | null; reason: 'wrong-credentials' | 'partner-disabled' };

/**
 * The active partner these credentials authenticate, or why not. Every live secret of the key
 * is compared in constant time (a dummy one when the key is unknown); callers must answer an
 * unknown key, a wrong secret and a disabled partner alike. Its scopes are those it holds
 * (the credential carries them all), by the one rule.
 */
export async function authenticatePartner(db: Queryable, consumerKey: string, consumerSecret: string): Promise<Authentication> {
  const rows = await liveSecretsOf(db, consumerKey);
  const offered = hashSecret(consumerSecret);
  const hashes = rows.map((row) => row.secret_hash).filter((hash): hash is string => hash !== null);
  let matches = false;
  for (const hash of hashes.length ? hashes : [UNKNOWN_KEY_HASH]) matches = sameHash(offered, hash) || matches;
  const row = rows[0];
  if (!row || !matches) return { partner: null, partnerId: row?.id ?? null, reason: 'wrong-credentials' };
  if (row.status !== 'active') return { partner: null, partnerId: row.id, reason: 'partner-disabled' };
  return {
    partner: {
      id: row.id,
      name: row.name,
      consumerKey: row.consumer_key,
      scopes: scopesOf(row.partner_scopes, row),
      allowedIps: row.allowed_ips,
      certificateThumbprints: row.certificate_thumbprints,
      basicAllowed: row.basic_allowed,
      status: row.status,
    },
  };
}

/** The credential of a partner that authenticated with HTTP Basic on a resource call: every scope it holds. */
export function basicCredential(partner: Partner): Credential {
  return {
    partnerId: partner.id,
    partnerName: partner.name,
    scopes: partner.scopes,
    allowedIps: partner.allowedIps,
    method: 'basic',
    tokenExpiresAt: null,
    certificates: { boundTo: null, registered: partner.certificateThumbprints },
  };
}

/** Live tokens: not revoked, of an active partner. */
const LIVE_TOKENS = `access_tokens t JOIN partners p ON p.id = t.partner_id
      WHERE t.revoked_at IS NULL AND p.status = 'active'`;

interface TokenRow extends HolderColumns {
  ord: string;
  partner_id: string;
  name: string;
  token_scopes: string[];
  allowed_ips: string[];
  certificate_thumbprints: string[];
  certificate_thumbprint: string | null;
  expires_at: Date;
}

/**
 * The live token of each hash (unknown, revoked and disabled-partner tokens have no row), the
 * look-ups of one turn of the event loop sent as one statement (src/db/batched.ts): a revoked
 * token or a disabled partner is refused on the very next call, as with one statement per call.
 */
const lookUpToken = batchedStatement<[hash: string], TokenRow>(
  `SELECT batch.ord, t.partner_id, p.name, t.scopes AS token_scopes, p.scopes AS partner_scopes, p.internal, p.allowed_ips, p.certificate_thumbprints, t.certificate_thumbprint, t.expires_at
     FROM unnest($1::text[]) WITH ORDINALITY AS batch (hash, ord), ${LIVE_TOKENS} AND t.token_hash = batch.hash`,
);

/**
 * The credential of a bearer token. Unknown, revoked and disabled-partner tokens are
 * TOKEN_INVALID; expired ones TOKEN_EXPIRED. Disabling a partner, and taking scopes from it,
 * take effect at once because every call reads the partner's status and scopes.
 */
export async function verifyAccessToken(db: Queryable, token: string, now = new Date()): Promise<Credential> {
  const [row] = await lookUpToken(db, [hashSecret(token)]);
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
  // Its own scopes and date: requests sharing a token in one batch share its row.
  return {
    partnerId: row.partner_id,
    partnerName: row.name,
    scopes: scopesOf(row.token_scopes, row),
    allowedIps: row.allowed_ips,
    method: 'bearer',
    tokenExpiresAt: new Date(row.expires_at),
    certificates: { boundTo: row.certificate_thumbprint, registered: row.certificate_thumbprints },
  };
}

/** What a live, unexpired token carries, for introspection (RFC 7662). */
export interface TokenGrant {
  partnerId: string;
  consumerKey: string;
  scopes: string[];
  issuedAt: Date;
  expiresAt: Date;
  /** The thumbprint of the client certificate the token is bound to (cnf.x5t#S256), or null. */
  certificateThumbprint: string | null;
}

interface GrantRow extends HolderColumns {
  partner_id: string;
  consumer_key: string;
  token_scopes: string[];
  issued_at: Date;
  expires_at: Date;
  certificate_thumbprint: string | null;
}

/** The grant of a live token not yet expired (by the database's clock), or null. */
export async function liveTokenGrant(db: Queryable, token: string): Promise<TokenGrant | null> {
  const [row] = await db.query<GrantRow>(
    `SELECT t.scopes AS token_scopes, p.scopes AS partner_scopes, p.internal, t.issued_at, t.expires_at, t.certificate_thumbprint, t.partner_id, p.consumer_key
       FROM ${LIVE_TOKENS} AND t.token_hash = $1 AND t.expires_at > now()`,
    [hashSecret(token)],
  );
  return row
    ? {
        partnerId: row.partner_id,
        consumerKey: row.consumer_key,
        scopes: scopesOf(row.token_scopes, row),
        issuedAt: row.issued_at,
        expiresAt: row.expires_at,
        certificateThumbprint: row.certificate_thumbprint,
      }
    : null;
}
