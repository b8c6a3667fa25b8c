/** Clients: the companies that own member cards, each in one network. */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import { findNetwork } from './networks';
import { checkTimeZone } from '../time-zones';

export type Client = components['schemas']['Client'];
type ClientStatus = Client['status'];

interface ClientRow {
  seq: string;
  id: string;
  network_id: string;
  code: string;
  name: string;
  phone: string | null;
  time_zone: string | null;
  status: ClientStatus;
  created_at: Date;
  updated_at: Date;
}

const toClient = (row: ClientRow): Client => ({
  id: row.id,
  networkId: row.network_id,
  code: row.code,
  name: row.name,
  ...(row.phone ? { phone: row.phone } : {}),
  timeZone: row.time_zone,
  status: row.status,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** What an unknown client answers (and one outside an operator's scope of authority). */
export const clientNotFound = (id: string) => new AppError('CLIENT_NOT_FOUND', `No client ${id}`);

/** The client, or CLIENT_NOT_FOUND; `forUpdate` locks its row for the transaction. */
export async function findClient(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<Client> {
  const [row] = await db.query<ClientRow>(`SELECT * FROM clients WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw clientNotFound(id);
  return toClient(row);
}

/**
 * Holds a share lock on an active client for the transaction, so that a concurrent
 * deactivation waits for what the caller adds to it: CLIENT_NOT_FOUND, or CLIENT_INACTIVE
 * naming what the client must be activated for.
 */
export async function lockActiveClient(tx: Queryable, clientId: string, before: string): Promise<void> {
  const [client] = await tx.query<{ status: ClientStatus }>('SELECT status FROM clients WHERE id = $1 FOR SHARE', [clientId]);
  if (!client) throw new AppError('CLIENT_NOT_FOUND', `No client ${clientId}`);
  if (client.status !== 'active') throw new AppError('CLIENT_INACTIVE', `The client is inactive; activate it before ${before}`);
}

/** The id of the client with this code, or null. */
export async function clientIdByCode(db: Queryable, code: string): Promise<string | null> {
  const [row] = await db.query<{ id: string }>('SELECT id FROM clients WHERE code = $1', [code]);
  return row?.id ?? null;
}

export async function listClients(db: Queryable, actor: Actor, filters: { networkId?: string; status?: ClientStatus }, page: PageInput): Promise<Page<Client>> {
  return pageOfRows(db, 'clients', [authorityFilter(actor, ['id']), ['network_id = ?', filters.networkId], ['status = ?', filters.status]], page, toClient);
}

export interface NewClient {
  networkId: string;
  code: string;
  name: string;
  phone?: string;
  /** The client's own time zone; without it its cards follow their network's (cards/spends.ts cardTimeZoneOf). */
  timeZone?: string;
}

export async function createClient(db: Queryable, actor: Actor, input: NewClient): Promise<Client> {
  return db.transaction(async (tx) => {
    await findNetwork(tx, actor, input.networkId);
    checkTimeZone(input.timeZone, '/body/timeZone');
    try {
      const [row] = await tx.query<ClientRow>(
        'INSERT INTO clients (id, network_id, code, name, phone, time_zone) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
        [newId('cli'), input.networkId, input.code, input.name.trim(), input.phone ?? null, input.timeZone ?? null],
      );
      const client = toClient(row);
      await recordAudit(tx, actor, { action: 'client.created', resourceType: 'client', resourceId: client.id, before: null, after: client });
      return client;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A client with code ${input.code} exists`);
      throw error;
    }
  });
}

/**
 * Changes a client's name, phone or time zone (`timeZone` null: its cards follow their
 * network's again). A new zone applies from the next call on: a card's period counters are
 * summed from its posted payments and open holds at each call, never stored, so they follow.
 */
export async function updateClient(
  db: Database,
  actor: Actor,
  id: string,
  changes: { name?: string; phone?: string; timeZone?: string | null },
): Promise<Client> {
  checkTimeZone(changes.timeZone ?? undefined, '/body/timeZone');
  return db.transaction(async (tx) => {
    const before = await findClient(tx, actor, id, true);
    const [row] = await tx.query<ClientRow>(
      `UPDATE clients SET name = COALESCE($2, name), phone = COALESCE($3, phone), time_zone = CASE WHEN $4 THEN $5 ELSE time_zone END, updated_at = now()
        WHERE id = $1 RETURNING *`,
      [id, changes.name?.trim(), changes.phone, changes.timeZone !== undefined, changes.timeZone ?? null],
    );
    const after = toClient(row);
    await recordAudit(tx, actor, { action: 'client.updated', resourceType: 'client', resourceId: id, before, after });
    return after;
  });
}

/** Activates or deactivates a client; asking for the status it already has is STATE_CONFLICT. */
export async function setClientStatus(db: Database, actor: Actor, id: string, status: ClientStatus): Promise<Client> {
  return db.transaction(async (tx) => {
    const before = await findClient(tx, actor, id, true);
    if (before.status === status) throw new AppError('STATE_CONFLICT', `The client is already ${status}`);
    const [row] = await tx.query<ClientRow>('UPDATE clients SET status = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, status]);
    const after = toClient(row);
    await recordAudit(tx, actor, {
      action: status === 'active' ? 'client.activated' : 'client.deactivated',
      resourceType: 'client',
      resourceId: id,
      before,
      after,
    });
    return after;
  });
}
