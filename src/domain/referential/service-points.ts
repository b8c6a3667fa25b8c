/** Service points (stations, merchants), each created with its E-service card. */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { cursorPosition, pageSize, toPage, whereClause, type Page, type PageInput } from '../pagination';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import type { CardVault } from '../cards/card-numbers';
import { issueEServiceCard } from '../cards/cards';
import { findNetwork } from './networks';

export type ServicePoint = components['schemas']['ServicePoint'];
type ServicePointCreate = components['schemas']['ServicePointCreate'];

interface ServicePointRow {
  seq: string;
  id: string;
  code: string;
  name: string;
  address: string;
  network_id: string;
  time_zone: string;
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
  eServiceCard: { id: row.card_id, maskedNumber: row.masked_number },
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

export async function findServicePoint(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<ServicePoint> {
  const [row] = await db.query<ServicePointRow>(`${SELECT} WHERE s.id = $1${forUpdate ? ' FOR UPDATE OF s' : ''}`, [id]);
  if (!row) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${id}`);
  return toServicePoint(row);
}

export async function listServicePoints(db: Queryable, actor: Actor, filters: { networkId?: string }, page: PageInput): Promise<Page<ServicePoint>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const where = whereClause([['s.seq > ?', cursorPosition(page.cursor)], ['s.network_id = ?', filters.networkId]], params);
  const rows = await db.query<ServicePointRow>(`${SELECT} ${where} ORDER BY s.seq LIMIT ${limit + 1}`, params);
  return toPage(rows, limit, toServicePoint);
}

/** The time zone a service point keeps if none is given. */
const DEFAULT_TIME_ZONE = 'Africa/Abidjan';
const KNOWN_TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

/** Refuses a time zone name the runtime's IANA database does not know (the contract checks only its shape). */
function checkTimeZone(timeZone: string | undefined): void {
  if (timeZone !== undefined && !KNOWN_TIME_ZONES.has(timeZone)) {
    throw new AppError('VALIDATION_FAILED', `Unknown time zone ${timeZone}`, { errors: [{ path: '/body/timeZone', message: 'not an IANA time zone this server knows' }] });
  }
}

/** Creates the service point and its E-service card in one transaction. */
export async function createServicePoint(db: Database, vault: CardVault, actor: Actor, input: ServicePointCreate, reveal: boolean): Promise<ServicePoint> {
  checkTimeZone(input.timeZone);
  return db.transaction(async (tx) => {
    await findNetwork(tx, actor, input.networkId);
    const id = newId('spt');
    try {
      await tx.query('INSERT INTO service_points (id, code, name, address, network_id, time_zone) VALUES ($1, $2, $3, $4, $5, $6)', [
        id, input.code, input.name.trim(), input.address.trim(), input.networkId, input.timeZone ?? DEFAULT_TIME_ZONE,
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A service point with code ${input.code} exists`);
      throw error;
    }
    const { number } = await issueEServiceCard(tx, vault, actor, id);
    const servicePoint = await findServicePoint(tx, actor, id);
    await recordAudit(tx, actor, { action: 'service-point.created', resourceType: 'service-point', resourceId: id, before: null, after: servicePoint });
    return reveal ? { ...servicePoint, eServiceCard: { ...servicePoint.eServiceCard, number } } : servicePoint;
  });
}

export async function updateServicePoint(db: Database, actor: Actor, id: string, changes: { name?: string; address?: string; timeZone?: string }): Promise<ServicePoint> {
  checkTimeZone(changes.timeZone);
  return db.transaction(async (tx) => {
    const before = await findServicePoint(tx, actor, id, true);
    await tx.query('UPDATE service_points SET name = COALESCE($2, name), address = COALESCE($3, address), time_zone = COALESCE($4, time_zone), updated_at = now() WHERE id = $1', [
      id, changes.name?.trim(), changes.address?.trim(), changes.timeZone,
    ]);
    const after = await findServicePoint(tx, actor, id);
    await recordAudit(tx, actor, { action: 'service-point.updated', resourceType: 'service-point', resourceId: id, before, after });
    return after;
  });
}
