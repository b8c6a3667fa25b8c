/** Service points (stations, merchants); each is created with its E-service card (cards/service-point-cards.ts). */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { cursorPosition, pageSize, toPage, whereClause, type Page, type PageInput } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findNetwork } from './networks';
import { checkTimeZone } from '../time-zones';

export type ServicePoint = components['schemas']['ServicePoint'];
type ServicePointCreate = components['schemas']['ServicePointCreate'];
type ServicePointUpdate = components['schemas']['ServicePointUpdate'];
type OfflinePolicy = components['schemas']['OfflinePolicy'];
type PriceTolerance = components['schemas']['PriceTolerance'];

interface ServicePointRow {
  seq: string;
  id: string;
  code: string;
  name: string;
  address: string;
  network_id: string;
  time_zone: string;
  offline_policy: OfflinePolicy;
  price_tolerance: PriceTolerance | null;
  card_id: string;
  masked_number: string;
  created_at: Date;
  updated_at: Date;
}

/** Service points joined with their E-service card. */
const SELECT = `SELECT s.*, c.id AS card_id, c.masked_number FROM service_points s JOIN cards c ON c.service_point_id = s.id`;

const toServicePoint = (row: ServicePointRow): ServicePoint => ({
  id: row.id,
  code: row.code,
  name: row.name,
  address: row.address,
  networkId: row.network_id,
  timeZone: row.time_zone,
  offlinePolicy: row.offline_policy,
  priceTolerance: row.price_tolerance,
  eServiceCard: { id: row.card_id, maskedNumber: row.masked_number },
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What an unknown service point answers (and one outside an operator's scope of authority). */
export const servicePointNotFound = (id: string) => new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${id}`);

export async function findServicePoint(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<ServicePoint> {
  const [row] = await db.query<ServicePointRow>(`${SELECT} WHERE s.id = $1${forUpdate ? ' FOR UPDATE OF s' : ''}`, [id]);
  if (!row) throw servicePointNotFound(id);
  return toServicePoint(row);
}

/** The id of the service point with this code, or null. */
export async function servicePointIdByCode(db: Queryable, code: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM service_points WHERE code = $1', [code]);
  return row?.id ?? null;
}

export async function listServicePoints(db: Queryable, actor: Actor, filters: { networkId?: string }, page: PageInput): Promise<Page<ServicePoint>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const where = whereClause([['s.seq > ?', cursorPosition(page.cursor)], ['s.network_id = ?', filters.networkId], authorityFilter(actor, ['s.id'])], params);
  const rows = await db.query<ServicePointRow>(`${SELECT} ${where} ORDER BY s.seq LIMIT ${limit + 1}`, params);
  return toPage(rows, limit, toServicePoint);
}

/** Adds a service point, in the caller's transaction (whose E-service card the caller issues next); returns its id. */
export async function addServicePoint(tx: Queryable, actor: Actor, input: ServicePointCreate): Promise<string> {
  checkTimeZone(input.timeZone, '/body/timeZone');
  const network = await findNetwork(tx, actor, input.networkId);
  const id = newId('spt');
  try {
    await tx.query('INSERT INTO service_points (id, code, name, address, network_id, time_zone) VALUES ($1, $2, $3, $4, $5, $6)', [
      id,
      input.code,
      input.name.trim(),
      input.address.trim(),
      input.networkId,
      input.timeZone ?? network.timeZone,
    ]);
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A service point with code ${input.code} exists`);
    throw error;
  }
  return id;
}

/** Refuses an offline policy whose money ceilings name a unit that does not exist. */
async function checkOfflinePolicy(tx: Queryable, policy: OfflinePolicy | undefined): Promise<void> {
  if (!policy) return;
  const named = (['perFill', 'perDay'] as const).flatMap((ceiling) => {
    const amount = policy[ceiling].amount;
    return amount ? [{ ceiling, unit: amount.unit }] : [];
  });
  if (named.length === 0) return;
  const known = new Set(
    (await tx.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1::text[])', [named.map((item) => item.unit)])).map((row) => row.code),
  );
  const errors = named
    .filter((item) => !known.has(item.unit))
    .map((item) => ({ path: `/body/offlinePolicy/${item.ceiling}/amount/unit`, message: `unknown unit ${item.unit}` }));
  if (errors.length)
    throw new AppError('VALIDATION_FAILED', `Unknown units in the offline policy: ${errors.map((error) => error.path).join(', ')}`, { errors });
}

export async function updateServicePoint(db: Database, actor: Actor, id: string, changes: ServicePointUpdate): Promise<ServicePoint> {
  checkTimeZone(changes.timeZone, '/body/timeZone');
  return db.transaction(async (tx) => {
    const before = await findServicePoint(tx, actor, id, true);
    await checkOfflinePolicy(tx, changes.offlinePolicy);
    await tx.query(
      `UPDATE service_points SET name = COALESCE($2, name), address = COALESCE($3, address), time_zone = COALESCE($4, time_zone), offline_policy = COALESCE($5::jsonb, offline_policy),
              price_tolerance = CASE WHEN $6 THEN $7::jsonb ELSE price_tolerance END, updated_at = now() WHERE id = $1`,
      [
        id,
        changes.name?.trim(),
        changes.address?.trim(),
        changes.timeZone,
        changes.offlinePolicy ? JSON.stringify(changes.offlinePolicy) : null,
        changes.priceTolerance !== undefined,
        changes.priceTolerance ? JSON.stringify(changes.priceTolerance) : null,
      ],
    );
    const after = await findServicePoint(tx, actor, id);
    await recordAudit(tx, actor, { action: 'service-point.updated', resourceType: 'service-point', resourceId: id, before, after });
    return after;
  });
}
