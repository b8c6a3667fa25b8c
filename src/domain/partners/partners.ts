/** Partners: API consumers holding a consumer-key and one or more consumer-secrets. */
import type { components } from '../../../generated/schema';
import { oauthScopes } from '../../../generated/operations';
import type { Database, Queryable } from '../../db/database';
import { batchedStatement } from '../../db/batched';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { hashSecret, newConsumerKey, newConsumerSecret } from './secrets';
import { deploymentMode } from '../deployment';
import { newId } from '../ids';
import { checkAllowList } from '../ip-ranges';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { recordSecurityEvent, type SecurityEventType } from '../security/security-events';
import { authorityOf, checkGrant, checkInternalFlag, checkNewPartnerAccess, checkNotOwnAccess, checkReach, type Authority, type OwnAccess } from './privilege';

export type PartnerView = components['schemas']['Partner'];

interface PartnerRow {
  seq: string;
  id: string;
  name: string;
  consumer_key: string;
  scopes: string[];
  allowed_ips: string[];
  certificate_thumbprints: string[];
  basic_allowed: boolean;
  legacy_balance_allowed: boolean;
  internal: boolean;
  created_by: string | null;
  status: 'active' | 'disabled';
  created_at: Date;
  updated_at: Date;
}

interface CredentialRow {
  id: string;
  partner_id: string;
  created_at: Date;
  expires_at: Date | null;
  created_by: string | null;
}

/** A partner change goes to the audit trail (with before and after) and to the security events. */
async function recordPartnerChange(
  tx: Queryable,
  actor: Actor,
  type: SecurityEventType & `partner.${string}`,
  id: string,
  before: PartnerView | null,
  after: PartnerView,
): Promise<void> {
  await recordAudit(tx, actor, { action: type, resourceType: 'partner', resourceId: id, before, after });
  await recordSecurityEvent(tx, actor, { type, partnerId: id, actorId: actor.id });
}

/** The secrets that still work (of `partner_credentials` aliased `credential`): the current one, and during a rotation the previous one. */
const liveCredential = (credential: string) => `(${credential}.expires_at IS NULL OR ${credential}.expires_at > now())`;

async function withCredentials(db: Queryable, rows: PartnerRow[]): Promise<PartnerView[]> {
  if (rows.length === 0) return [];
  const credentials = await db.query<CredentialRow>(
    `SELECT id, partner_id, created_at, expires_at, created_by FROM partner_credentials WHERE partner_id = ANY($1) AND ${liveCredential('partner_credentials')} ORDER BY seq DESC`,
    [rows.map((row) => row.id)],
  );
  return rows.map((row) =>
    toPartnerView(
      row,
      credentials.filter((credential) => credential.partner_id === row.id),
    ),
  );
}

/** A partner in the contract's shape, with its live credentials (newest first). */
function toPartnerView(row: PartnerRow, credentials: CredentialRow[]): PartnerView {
  return {
    id: row.id,
    name: row.name,
    consumerKey: row.consumer_key,
    scopes: row.scopes,
    allowedIps: row.allowed_ips,
    certificateThumbprints: row.certificate_thumbprints,
    basicAllowed: row.basic_allowed,
    legacyBalanceAllowed: row.legacy_balance_allowed,
    internal: row.internal,
    createdBy: row.created_by,
    status: row.status,
    credentials: credentials.map((credential) => ({
      id: credential.id,
      createdAt: credential.created_at.toISOString(),
      expiresAt: credential.expires_at?.toISOString() ?? null,
      createdBy: credential.created_by,
    })),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** SQL true when the partner whose id is `partner` (a column or placeholder) is active (not disabled): for a statement that must check it in place. */
export const partnerIsActive = (partner: string): string => `EXISTS (SELECT 1 FROM partners p WHERE p.id = ${partner} AND p.status = 'active')`;

/** The partner's row, or PARTNER_NOT_FOUND; `lock` locks it for the transaction (true: FOR UPDATE, 'share': FOR SHARE). */
export async function partnerRow(db: Queryable, id: string, lock: boolean | 'share' = false): Promise<PartnerRow> {
  const [row] = await db.query<PartnerRow>(`SELECT * FROM partners WHERE id = $1${lock === 'share' ? ' FOR SHARE' : lock ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw new AppError('PARTNER_NOT_FOUND', `No partner ${id}`);
  return row;
}

/** The partner a consumer-key names, once per live secret (expired ones left out; once with a null hash when none is live). */
export interface SecretRow {
  id: string;
  name: string;
  consumer_key: string;
  partner_scopes: string[];
  internal: boolean;
  allowed_ips: string[];
  certificate_thumbprints: string[];
  basic_allowed: boolean;
  status: PartnerRow['status'];
  secret_hash: string | null;
}

/** The partner of a consumer-key with each of its live secrets' hashes, as a client authentication compares them (src/auth/identity.ts); none for an unknown key. */
export function liveSecretsOf(db: Queryable, consumerKey: string): Promise<SecretRow[]> {
  return db.query<SecretRow>(
    `SELECT p.id, p.name, p.consumer_key, p.scopes AS partner_scopes, p.internal, p.allowed_ips, p.certificate_thumbprints, p.basic_allowed, p.status, c.secret_hash
       FROM partners p
       LEFT JOIN partner_credentials c ON c.partner_id = p.id AND ${liveCredential('c')}
      WHERE p.consumer_key = $1`,
    [consumerKey],
  );
}

/** Whether a partner of this name exists. */
export async function partnerNamed(db: Queryable, name: string): Promise<boolean> {
  const [row] = await db.query('SELECT 1 FROM partners WHERE name = $1 LIMIT 1', [name]);
  return row !== undefined;
}

/** A partner's columns, named (a prepared statement must not change its result when a column is added). */
const PARTNER_COLUMNS = [
  'seq',
  'id',
  'name',
  'consumer_key',
  'scopes',
  'allowed_ips',
  'certificate_thumbprints',
  'basic_allowed',
  'legacy_balance_allowed',
  'internal',
  'created_by',
  'status',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof PartnerRow)[];

/** The partner, once per live secret, newest first (once with null credential columns when none is live). */
type PartnerWithCredentialRow = PartnerRow & { ord: string } & { [Column in keyof CredentialRow as `credential_${Column}`]: CredentialRow[Column] | null };

/**
 * The partners with their live secrets, by id: one statement for the reads of a turn of the event
 * loop (src/db/batched.ts). GET /partner/v1/me reads the caller's own on every call.
 */
const partnersWithCredentials = batchedStatement<[id: string], PartnerWithCredentialRow>(
  `SELECT batch.ord, ${PARTNER_COLUMNS.map((column) => `p.${column}`).join(', ')},
          c.id AS credential_id, c.partner_id AS credential_partner_id, c.created_at AS credential_created_at, c.expires_at AS credential_expires_at, c.created_by AS credential_created_by
     FROM unnest($1::text[]) WITH ORDINALITY AS batch (id, ord)
     JOIN partners p ON p.id = batch.id
     LEFT JOIN partner_credentials c ON c.partner_id = p.id AND ${liveCredential('c')}
    ORDER BY batch.ord, c.seq DESC`,
);

export async function findPartner(db: Queryable, actor: Actor, id: string): Promise<PartnerView> {
  const rows = await partnersWithCredentials(db, [id]);
  if (rows.length === 0) throw new AppError('PARTNER_NOT_FOUND', `No partner ${id}`);
  return toPartnerView(
    rows[0],
    rows.flatMap((row): CredentialRow[] =>
      row.credential_id === null
        ? []
        : [
            {
              id: row.credential_id,
              partner_id: row.id,
              created_at: row.credential_created_at as Date,
              expires_at: row.credential_expires_at,
              created_by: row.credential_created_by,
            },
          ],
    ),
  );
}

export async function listPartners(db: Queryable, actor: Actor, page: PageInput): Promise<Page<PartnerView>> {
  const result = await pageOfRows(db, 'partners', [], page, (row: PartnerRow) => row);
  return { items: await withCredentials(db, result.items), nextCursor: result.nextCursor };
}

/** Scopes must be the contract's, each once; otherwise VALIDATION_FAILED on the field. */
function checkScopes(scopes: string[], path = '/body/scopes'): void {
  const unknown = scopes.filter((scope) => !(scope in oauthScopes));
  const repeated = new Set(scopes).size !== scopes.length;
  if (unknown.length || repeated) {
    throw new AppError(
      'VALIDATION_FAILED',
      unknown.length ? `Unknown scope(s): ${unknown.join(', ')}; known: ${Object.keys(oauthScopes).join(', ')}` : 'A scope is repeated',
      {
        errors: [{ path, message: unknown.length ? `unknown scope(s): ${unknown.join(', ')}` : 'must not contain the same scope twice' }],
      },
    );
  }
}

export interface NewPartner {
  name: string;
  scopes: string[];
  allowedIps?: string[];
  /** Mutual TLS: the thumbprints (x5t#S256) of the client certificates it must present; none by default. */
  certificateThumbprints?: string[];
  basicAllowed?: boolean;
  internal?: boolean;
}

/** Makes a secret for the partner, recording whose call made it (null: the system's). */
async function addCredential(tx: Queryable, actor: Actor, partnerId: string): Promise<string> {
  const consumerSecret = newConsumerSecret();
  await tx.query('INSERT INTO partner_credentials (id, partner_id, secret_hash, created_by) VALUES ($1, $2, $3, $4)', [
    newId('sec'),
    partnerId,
    hashSecret(consumerSecret),
    actor.kind === 'system' ? null : actor.id,
  ]);
  return consumerSecret;
}

/** The caller's authority over the locked partner row: PARTNER_OUT_OF_REACH when the partner is stronger. */
async function authorityOver(tx: Queryable, actor: Actor, row: PartnerRow): Promise<Authority> {
  const authority = await authorityOf(tx, actor);
  checkReach(authority, row);
  return authority;
}

/**
 * The partner, locked, when the caller may change what concerns it (PARTNER_NOT_FOUND,
 * PARTNER_OUT_OF_REACH); `ownAccess` names what the change touches that a partner never
 * changes on its own record (SELF_ADMINISTRATION_FORBIDDEN).
 */
export async function partnerInReach(tx: Queryable, actor: Actor, id: string, ownAccess?: OwnAccess): Promise<{ id: string; status: PartnerRow['status'] }> {
  const row = await partnerRow(tx, id, true);
  const authority = await authorityOver(tx, actor, row);
  if (ownAccess) await checkNotOwnAccess(tx, authority, id, [ownAccess]);
  return row;
}

/**
 * Creates a partner; the consumer secret is returned here and never again. The caller grants
 * only scopes it holds, Core scopes only to an internal partner, and only an internal caller
 * creates an internal partner (src/domain/partners/privilege.ts). A partner's call records the
 * partner as the creator (src/domain/partners/lines.ts); CYNOD's records none.
 */
export async function createPartner(db: Queryable, actor: Actor, input: NewPartner): Promise<{ partner: PartnerView; consumerSecret: string }> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200)
    throw new AppError('VALIDATION_FAILED', 'name must have 1 to 200 characters', { errors: [{ path: '/body/name', message: '1 to 200 characters' }] });
  checkScopes(input.scopes);
  const allowedIps = checkAllowList(input.allowedIps ?? []);
  const internal = input.internal ?? false;
  return db.transaction(async (tx) => {
    const authority = await authorityOf(tx, actor);
    if (internal) checkInternalFlag(authority, null);
    checkGrant(authority, input.scopes, { id: null, internal });
    checkNewPartnerAccess(authority, input.basicAllowed ?? false);
    const [row] = await tx.query<PartnerRow>(
      `INSERT INTO partners (id, name, consumer_key, scopes, allowed_ips, basic_allowed, internal, created_by, certificate_thumbprints)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        newId('ptn'),
        name,
        newConsumerKey(await deploymentMode(tx)),
        input.scopes,
        allowedIps,
        input.basicAllowed ?? false,
        internal,
        actor.kind === 'partner' ? actor.id : null,
        input.certificateThumbprints ?? [],
      ],
    );
    const consumerSecret = await addCredential(tx, actor, row.id);
    const [partner] = await withCredentials(tx, [row]);
    await recordPartnerChange(tx, actor, 'partner.created', row.id, null, partner);
    return { partner, consumerSecret };
  });
}

export interface PartnerChanges {
  name?: string;
  scopes?: string[];
  allowedIps?: string[];
  certificateThumbprints?: string[];
  basicAllowed?: boolean;
  legacyBalanceAllowed?: boolean;
  internal?: boolean;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

/** The options of the partner's access that the changes would really change (the same value sent back changes nothing). */
function ownAccessChanged(current: PartnerRow, changes: PartnerChanges): OwnAccess[] {
  const changed: OwnAccess[] = [];
  if (
    changes.allowedIps !== undefined &&
    (changes.allowedIps.length !== current.allowed_ips.length || changes.allowedIps.some((range, index) => range !== current.allowed_ips[index]))
  ) {
    changed.push('allowedIps');
  }
  if (changes.certificateThumbprints !== undefined && !sameSet(changes.certificateThumbprints, current.certificate_thumbprints)) {
    changed.push('certificateThumbprints');
  }
  if (changes.basicAllowed !== undefined && changes.basicAllowed !== current.basic_allowed) changed.push('basicAllowed');
  if (changes.legacyBalanceAllowed !== undefined && changes.legacyBalanceAllowed !== current.legacy_balance_allowed) changed.push('legacyBalanceAllowed');
  return changed;
}

/**
 * Changes a partner the caller may reach (one whose scopes it carries). New scopes obey the
 * rules of creation, so a partner never widens its own; the internal flag is the internal
 * callers' to change, never on their own record, and Core scopes need it. A partner never
 * changes its own allow-list, client certificates (mutual TLS), Basic or legacy balance
 * options (SELF_ADMINISTRATION_FORBIDDEN). New client certificates apply to the next
 * authentication; tokens already bound to a certificate no longer listed are refused.
 */
export async function updatePartner(db: Database, actor: Actor, id: string, changes: PartnerChanges): Promise<PartnerView> {
  if (changes.scopes) checkScopes(changes.scopes);
  const allowedIps = changes.allowedIps && checkAllowList(changes.allowedIps);
  return db.transaction(async (tx) => {
    const current = await partnerRow(tx, id, true);
    const authority = await authorityOver(tx, actor, current);
    const internal = changes.internal ?? current.internal;
    if (internal !== current.internal) checkInternalFlag(authority, id);
    checkGrant(authority, changes.scopes ?? current.scopes, { id, internal });
    await checkNotOwnAccess(tx, authority, id, ownAccessChanged(current, { ...changes, allowedIps }));
    const [before] = await withCredentials(tx, [current]);
    const [row] = await tx.query<PartnerRow>(
      `UPDATE partners SET name = COALESCE($2, name), scopes = COALESCE($3, scopes), allowed_ips = COALESCE($4, allowed_ips),
              basic_allowed = COALESCE($5, basic_allowed), internal = $6, legacy_balance_allowed = COALESCE($7, legacy_balance_allowed),
              certificate_thumbprints = COALESCE($8, certificate_thumbprints), updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, changes.name?.trim(), changes.scopes, allowedIps, changes.basicAllowed, internal, changes.legacyBalanceAllowed, changes.certificateThumbprints],
    );
    const [after] = await withCredentials(tx, [row]);
    await recordPartnerChange(tx, actor, 'partner.updated', id, before, after);
    return after;
  });
}

const DEFAULT_SECRET_OVERLAP_SECONDS = 86_400;

/**
 * Makes a new secret. The current one keeps working for `overlapSeconds`, then stops; a
 * secret already on its way out stops now. Tokens already issued live out their lifetime.
 * Only for a partner the caller may reach; the new secret records who made it, which the
 * owner reads in /partner/v1/me, and the security event names the caller.
 */
export async function rotatePartnerSecret(
  db: Database,
  actor: Actor,
  id: string,
  overlapSeconds = DEFAULT_SECRET_OVERLAP_SECONDS,
): Promise<PartnerView & { consumerSecret: string }> {
  return db.transaction(async (tx) => {
    const row = await partnerRow(tx, id, true);
    await authorityOver(tx, actor, row);
    if (row.status !== 'active') throw new AppError('STATE_CONFLICT', 'Enable the partner before rotating its secret');
    const [before] = await withCredentials(tx, [row]);
    await tx.query(`UPDATE partner_credentials SET expires_at = now() WHERE partner_id = $1 AND expires_at > now()`, [id]);
    await tx.query(`UPDATE partner_credentials SET expires_at = now() + make_interval(secs => $2) WHERE partner_id = $1 AND expires_at IS NULL`, [
      id,
      overlapSeconds,
    ]);
    const consumerSecret = await addCredential(tx, actor, id);
    const [updated] = await tx.query<PartnerRow>('UPDATE partners SET updated_at = now() WHERE id = $1 RETURNING *', [id]);
    const [after] = await withCredentials(tx, [updated]);
    await recordPartnerChange(tx, actor, 'partner.secret-rotated', id, before, after);
    return { ...after, consumerSecret };
  });
}

/**
 * Disables or enables a partner. Disabling also revokes every token it holds, so they stay
 * refused if it is enabled again. Asking for the status it has is STATE_CONFLICT. Only for a
 * partner the caller may reach.
 */
export async function setPartnerStatus(db: Database, actor: Actor, id: string, status: PartnerRow['status']): Promise<PartnerView> {
  return db.transaction(async (tx) => {
    const row = await partnerRow(tx, id, true);
    await authorityOver(tx, actor, row);
    if (row.status === status) throw new AppError('STATE_CONFLICT', `The partner is already ${status}`);
    const [before] = await withCredentials(tx, [row]);
    const [updated] = await tx.query<PartnerRow>('UPDATE partners SET status = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, status]);
    if (status === 'disabled') await tx.query('UPDATE access_tokens SET revoked_at = now() WHERE partner_id = $1 AND revoked_at IS NULL', [id]);
    const [after] = await withCredentials(tx, [updated]);
    await recordPartnerChange(tx, actor, status === 'disabled' ? 'partner.disabled' : 'partner.enabled', id, before, after);
    return after;
  });
}

/** The partner with this id or consumer-key, or null (for the CLI). */
export async function findPartnerByIdOrKey(db: Queryable, actor: Actor, idOrKey: string): Promise<PartnerView | null> {
  const [row] = await db.query<PartnerRow>('SELECT * FROM partners WHERE id = $1 OR consumer_key = $1', [idOrKey]);
  return row ? (await withCredentials(db, [row]))[0] : null;
}
