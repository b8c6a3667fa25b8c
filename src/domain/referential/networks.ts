/** Networks: groups of clients. */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';

export type Network = components['schemas']['Network'];

interface NetworkRow {
  seq: string;
  id: string;
  code: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

const toNetwork = (row: NetworkRow): Network => ({
  id: row.id,
  code: row.code,
  name: row.name,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const notFound = (id: string) => new AppError('NETWORK_NOT_FOUND', `No network ${id}`);

/** The network, or NETWORK_NOT_FOUND; `forUpdate` locks its row for the transaction. */
export async function findNetwork(db: Queryable, actor: Actor, id: string, forUpdate = false): Promise<Network> {
  const [row] = await db.query<NetworkRow>(`SELECT * FROM networks WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  if (!row) throw notFound(id);
  return toNetwork(row);
}

export async function listNetworks(db: Queryable, actor: Actor, page: PageInput): Promise<Page<Network>> {
  return pageOfRows(db, 'networks', [], page, toNetwork);
}

export async function createNetwork(db: Database, actor: Actor, input: { code: string; name: string }): Promise<Network> {
  return db.transaction(async (tx) => {
    try {
      const [row] = await tx.query<NetworkRow>('INSERT INTO networks (id, code, name) VALUES ($1, $2, $3) RETURNING *', [newId('net'), input.code, input.name.trim()]);
      const network = toNetwork(row);
      await recordAudit(tx, actor, { action: 'network.created', resourceType: 'network', resourceId: network.id, before: null, after: network });
      return network;
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('DUPLICATE_CODE', `A network with code ${input.code} exists`);
      throw error;
    }
  });
}

export async function updateNetwork(db: Database, actor: Actor, id: string, changes: { name?: string }): Promise<Network> {
  return db.transaction(async (tx) => {
    const before = await findNetwork(tx, actor, id, true);
    const [row] = await tx.query<NetworkRow>('UPDATE networks SET name = COALESCE($2, name), updated_at = now() WHERE id = $1 RETURNING *', [id, changes.name?.trim()]);
    const after = toNetwork(row);
    await recordAudit(tx, actor, { action: 'network.updated', resourceType: 'network', resourceId: id, before, after });
    return after;
  });
}
