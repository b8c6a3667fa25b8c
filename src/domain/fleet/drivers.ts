/**
 * Drivers of a client's fleet: name, phone and a driver code of 4 to 8
 * digits, distinct from the card number. The code is a secret: stored only as a keyed hash
 * (CardVault.secretHash, salted with the driver's id), never in an answer, the audit trail
 * or a log. Payment-time checks read a card's driver through cardDriver() and compare the
 * code given at the pump with driverCodeMatches().
 */
import { timingSafeEqual } from 'node:crypto';
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { newId } from '../ids';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import type { Actor } from '../actor';
import type { CardVault } from '../cards/card-numbers';
import { clearDriverCodeFailures, countDriverCodeFailure, fleetLinks } from '../cards/fleet-links';
import { lockActiveClient } from '../referential/clients';
import { recordSecurityEvent } from '../security/security-events';

export type Driver = components['schemas']['Driver'];
type DriverCreate = components['schemas']['DriverCreate'];
type DriverUpdate = components['schemas']['DriverUpdate'];
type FleetStatus = components['schemas']['FleetStatus'];

interface DriverRow {
  seq: string;
  id: string;
  client_id: string;
  name: string;
  phone: string;
  code_hash: string;
  code_set_at: Date;
  status: FleetStatus;
  created_at: Date;
  updated_at: Date;
}

/** What payment-time checks need of a card's driver. */
export interface CardDriver {
  id: string;
  status: FleetStatus;
  codeHash: string;
}

/** The answer: everything but the code's hash. */
const toDriver = (row: DriverRow): Driver => ({
  id: row.id,
  clientId: row.client_id,
  name: row.name,
  phone: row.phone,
  status: row.status,
  codeSetAt: row.code_set_at.toISOString(),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const codeHash = (vault: CardVault, driverId: string, code: string) => vault.secretHash('driver-code', driverId, code);

/**
 * True when `code` is the code of the driver whose id and stored hash are given; compared in
 * constant time. What payment-time checks call with the code given at the pump.
 */
export function driverCodeMatches(vault: CardVault, driver: Pick<CardDriver, 'id' | 'codeHash'>, code: string): boolean {
  const expected = Buffer.from(driver.codeHash, 'hex');
  const given = Buffer.from(codeHash(vault, driver.id, code), 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * Counts a wrong driver code on the card, in the transaction that keeps its decline; the
 * failure that reaches the profile's `driverCodeMaxFailures` locks the code and is recorded as
 * a `driver-code.locked` security event (once: later attempts are refused before the code is
 * compared).
 */
export async function driverCodeFailed(tx: Queryable, actor: Actor, cardId: string): Promise<void> {
  const count = await countDriverCodeFailure(tx, cardId);
  if (!count || count.failures !== count.maxFailures) return;
  await recordSecurityEvent(
    tx,
    { channel: actor.channel, address: actor.address, requestId: actor.requestId },
    {
      type: 'driver-code.locked',
      partnerId: actor.kind === 'partner' ? actor.id : null,
      actorId: actor.id,
      reason: 'too-many-failures',
      cardId,
    },
  );
}

/**
 * A right driver code starts the card's count of wrong ones again, in the transaction of the
 * payment it was given for (the card is locked already: its payment is posted).
 */
export async function driverCodeAccepted(tx: Queryable, cardId: string): Promise<void> {
  await clearDriverCodeFailures(tx, { cardId });
}

/** The driver a card is issued to, or null (none, or an E-service card), in the caller's transaction. */
export async function cardDriver(db: Queryable, cardId: string): Promise<CardDriver | null> {
  const driverId = (await fleetLinks(db, cardId))?.driver_id;
  const [row] = driverId ? await db.query<DriverRow>('SELECT * FROM drivers WHERE id = $1', [driverId]) : [];
  return row ? { id: row.id, status: row.status, codeHash: row.code_hash } : null;
}

/** What an unknown driver answers (and one outside an operator's scope of authority). */
export const driverNotFound = (id: string) => new AppError('DRIVER_NOT_FOUND', `No driver ${id}`);

async function driverRow(db: Queryable, id: string, lock: 'update' | 'share' | null): Promise<DriverRow> {
  const [row] = await db.query<DriverRow>(`SELECT * FROM drivers WHERE id = $1${lock ? ` FOR ${lock.toUpperCase()}` : ''}`, [id]);
  if (!row) throw driverNotFound(id);
  return row;
}

/** The driver, or DRIVER_NOT_FOUND; `lock` holds it for the transaction. */
export async function findDriver(db: Queryable, actor: Actor, id: string, lock: 'update' | 'share' | null = null): Promise<Driver> {
  return toDriver(await driverRow(db, id, lock));
}

export async function listDrivers(db: Queryable, actor: Actor, filters: { clientId?: string; status?: FleetStatus }, page: PageInput): Promise<Page<Driver>> {
  return pageOfRows(
    db,
    'drivers',
    [authorityFilter(actor, ['client_id']), ['client_id = ?', filters.clientId], ['status = ?', filters.status]],
    page,
    toDriver,
  );
}

/** Creates an active driver of an active client with their code (hashed); audited without it. */
export async function createDriver(db: Queryable, vault: CardVault, actor: Actor, input: DriverCreate): Promise<Driver> {
  return db.transaction(async (tx) => {
    await lockActiveClient(tx, input.clientId, 'adding drivers');
    const id = newId('drv');
    const [row] = await tx.query<DriverRow>('INSERT INTO drivers (id, client_id, name, phone, code_hash) VALUES ($1, $2, $3, $4, $5) RETURNING *', [
      id,
      input.clientId,
      input.name.trim(),
      input.phone,
      codeHash(vault, id, input.driverCode),
    ]);
    const driver = toDriver(row);
    await recordAudit(tx, actor, { action: 'driver.created', resourceType: 'driver', resourceId: id, before: null, after: driver });
    return driver;
  });
}

/** Changes a driver's name, phone or status; audited. */
export async function updateDriver(db: Database, actor: Actor, id: string, changes: DriverUpdate): Promise<Driver> {
  return db.transaction(async (tx) => {
    const before = await findDriver(tx, actor, id, 'update');
    const [row] = await tx.query<DriverRow>(
      'UPDATE drivers SET name = COALESCE($2, name), phone = COALESCE($3, phone), status = COALESCE($4, status), updated_at = now() WHERE id = $1 RETURNING *',
      [id, changes.name?.trim() ?? null, changes.phone ?? null, changes.status ?? null],
    );
    const after = toDriver(row);
    await recordAudit(tx, actor, { action: 'driver.updated', resourceType: 'driver', resourceId: id, before, after });
    return after;
  });
}

/** Replaces a driver's code (the old one stops matching); audited without either code. */
export async function setDriverCode(db: Database, vault: CardVault, actor: Actor, id: string, code: string): Promise<Driver> {
  return db.transaction(async (tx) => {
    const before = await findDriver(tx, actor, id, 'update');
    const [row] = await tx.query<DriverRow>('UPDATE drivers SET code_hash = $2, code_set_at = now(), updated_at = now() WHERE id = $1 RETURNING *', [
      id,
      codeHash(vault, id, code),
    ]);
    const after = toDriver(row);
    // A new code unlocks the cards issued to the driver (checkDriver, payments/fleet-checks.ts).
    await clearDriverCodeFailures(tx, { driverId: id });
    await recordAudit(tx, actor, { action: 'driver-code.changed', resourceType: 'driver', resourceId: id, before, after });
    return after;
  });
}
