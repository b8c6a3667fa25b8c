/** Partners: API consumers holding a consumer-key and consumer-secret. */
import { oauthScopes } from '../../../generated/operations';
import type { Queryable } from '../../db/database';
import { hashSecret, newConsumerKey, newConsumerSecret, newId, sameHash } from '../../auth/secrets';

export interface Partner {
  id: string;
  name: string;
  consumerKey: string;
  scopes: string[];
  basicAllowed: boolean;
  status: 'active' | 'disabled';
  createdAt: Date;
}

interface PartnerRow {
  id: string;
  name: string;
  consumer_key: string;
  secret_hash: string;
  scopes: string[];
  basic_allowed: boolean;
  status: 'active' | 'disabled';
  created_at: Date;
}

const toPartner = (row: PartnerRow): Partner => ({
  id: row.id,
  name: row.name,
  consumerKey: row.consumer_key,
  scopes: row.scopes,
  basicAllowed: row.basic_allowed,
  status: row.status,
  createdAt: row.created_at,
});

/** A bad argument to a partner command (unknown scope, empty name...). */
export class PartnerInputError extends Error {}

export function checkScopes(scopes: string[]): void {
  const unknown = scopes.filter((scope) => !(scope in oauthScopes));
  if (unknown.length > 0) {
    throw new PartnerInputError(`unknown scope(s): ${unknown.join(', ')}; known: ${Object.keys(oauthScopes).join(', ')}`);
  }
}

export interface NewPartner {
  name: string;
  scopes: string[];
  basicAllowed?: boolean;
}

/** Creates a partner; the consumer secret is returned here and never again. */
export async function createPartner(db: Queryable, input: NewPartner): Promise<{ partner: Partner; consumerSecret: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new PartnerInputError('name must have 1 to 200 characters');
  checkScopes(input.scopes);
  const consumerSecret = newConsumerSecret();
  const [row] = await db.query<PartnerRow>(
    `INSERT INTO partners (id, name, consumer_key, secret_hash, scopes, basic_allowed)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [newId('ptn'), name, newConsumerKey(), hashSecret(consumerSecret), [...new Set(input.scopes)], input.basicAllowed ?? false],
  );
  return { partner: toPartner(row), consumerSecret };
}

export async function listPartners(db: Queryable): Promise<Partner[]> {
  return (await db.query<PartnerRow>('SELECT * FROM partners ORDER BY created_at, id')).map(toPartner);
}

/** Disables a partner by id or consumer-key; its tokens stop working at once. Null if unknown. */
export async function disablePartner(db: Queryable, idOrKey: string): Promise<Partner | null> {
  const [row] = await db.query<PartnerRow>(
    `UPDATE partners SET status = 'disabled', updated_at = now()
     WHERE id = $1 OR consumer_key = $1 RETURNING *`,
    [idOrKey],
  );
  return row ? toPartner(row) : null;
}

/** A hash no secret produces, compared against when the key is unknown so timing says nothing. */
const UNKNOWN_KEY_HASH = hashSecret('unknown consumer key');

/**
 * The active partner these credentials authenticate, or null. The same work is done whether the
 * key is unknown or the secret wrong, and nothing tells the two apart.
 */
export async function authenticatePartner(db: Queryable, consumerKey: string, consumerSecret: string): Promise<Partner | null> {
  const [row] = await db.query<PartnerRow>('SELECT * FROM partners WHERE consumer_key = $1', [consumerKey]);
  const matches = sameHash(hashSecret(consumerSecret), row?.secret_hash ?? UNKNOWN_KEY_HASH);
  return row && matches && row.status === 'active' ? toPartner(row) : null;
}
