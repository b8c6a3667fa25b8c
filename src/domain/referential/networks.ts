/** Networks: groups of clients, each with its time zone (time-zones.ts). */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { checkTimeZone, DEFAULT_TIME_ZONE } from '../time-zones';

export type Network = components['schemas']['Network'];
type NetworkCreate = components['schemas']['NetworkCreate'];
type NetworkUpdate = components['schemas']['NetworkUpdate'];

interface NetworkRow {
  seq: string;
  id: string;
  code: string;
  name: string;
  time_zone: string;
  price_tolerance: Network['priceTolerance'];
  created_at: Date;
  updated_at: Date;
}

const toNetwork = (row: NetworkRow): Network => ({
  id: row.id,
  code: row.code,
  name: row.name,
  timeZone: row.time_zone,
  priceTolerance: row.price_tolerance,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What an unknown network answers (and one outside an operator's scope of authority). */
export const networkNotFound = (id: string) => new AppError('NETWORK_NOT_FOUND', `No network ${id}`);

/** The network, or NETWORK_NOT_FOUND; `forUpdate` locks its row for the transaction. */
export async function findNetwork(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<Network> {
  const [row] = await db.query<NetworkRow>(`SELECT * FROM networks WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw networkNotFound(id);
  return toNetwork(row);
}

/** The ids of the client companies and service points of these networks: what a grant over a network covers besides the network. */
export async function networkMembers(db: Queryable, networkIds: readonly string[]): Promise<string[]> {
  if (networkIds.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    'SELECT id FROM clients WHERE network_id = ANY($1::text[]) UNION ALL SELECT id FROM service_points WHERE network_id = ANY($1::text[])',
    [networkIds],
  );
  return rows.map((row) => row.id);
}

/** The id of the network with this code, or null. */
export async function networkIdByCode(db: Queryable, code: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM networks WHERE code = $1', [code]);
  return row?.id ?? null;
}

export async function listNetworks(db: Queryable, actor: Actor, page: PageInput): Promise<Page<Network>> {
  return pageOfRows(db, 'networks', [], page, toNetwork);
}

export async function createNetwork(db: Queryable, actor: Actor, input: NetworkCreate): Promise<Network> {
  checkTimeZone(input.timeZone, '/body/timeZone');
  return db.transaction(async (tx) => {
    try {
      const [row] = await tx.query<NetworkRow>('INSERT INTO networks (id, code, name, time_zone) VALUES ($1, $2, $3, $4) RETURNING *', [
        newId('net'),
        input.code,
        input.name.trim(),
        input.timeZone ?? DEFAULT_TIME_ZONE,
      ]);
      const network = toNetwork(row);
      await recordAudit(tx, actor, { action: 'network.created', resourceType: 'network', resourceId: network.id, before: null, after: network });
      return network;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A network with code ${input.code} exists`);
      throw error;
    }
  });
}

/** Changes the name, the time zone or the price tolerance of the network's service points (replaced whole; null: the default). */
export async function updateNetwork(db: Database, actor: Actor, id: string, changes: NetworkUpdate): Promise<Network> {
  checkTimeZone(changes.timeZone, '/body/timeZone');
  return db.transaction(async (tx) => {
    const before = await findNetwork(tx, actor, id, true);
    const [row] = await tx.query<NetworkRow>(
      `UPDATE networks SET name = COALESCE($2, name), price_tolerance = CASE WHEN $3 THEN $4::jsonb ELSE price_tolerance END, time_zone = COALESCE($5, time_zone), updated_at = now()
        WHERE id = $1 RETURNING *`,
      [
        id,
        changes.name?.trim(),
        changes.priceTolerance !== undefined,
        changes.priceTolerance ? JSON.stringify(changes.priceTolerance) : null,
        changes.timeZone,
      ],
    );
    const after = toNetwork(row);
    await recordAudit(tx, actor, { action: 'network.updated', resourceType: 'network', resourceId: id, before, after });
    return after;
  });
}
