/**
 * The fleet's columns of a card row (its vehicle, its driver, its count of wrong driver codes),
 * read and written here for the fleet area (fleet/card-fleet.ts, fleet/drivers.ts,
 * fleet/vehicles.ts): the cards table is the cards area's alone.
 */
import type { Queryable } from '../../db/database';

/** A card's kind, client and fleet links. */
export interface FleetLinks {
  kind: 'member' | 'eservice';
  client_id: string | null;
  vehicle_id: string | null;
  driver_id: string | null;
}

/** The card's kind, client and fleet links, or null for no card; `lock` locks the row for a change of its links. */
export async function fleetLinks(db: Queryable, cardId: string, lock = false): Promise<FleetLinks | null> {
  const [row] = await db.query<FleetLinks>(`SELECT kind, client_id, vehicle_id, driver_id FROM cards WHERE id = $1${lock ? ' FOR NO KEY UPDATE' : ''}`, [
    cardId,
  ]);
  return row ?? null;
}

/** Sets a member card's vehicle and driver (null for none); the caller has checked both. */
export async function setFleetLinks(tx: Queryable, cardId: string, vehicleId: string | null, driverId: string | null): Promise<void> {
  await tx.query('UPDATE cards SET vehicle_id = $2, driver_id = $3, updated_at = now() WHERE id = $1', [cardId, vehicleId, driverId]);
}

/** Counts a wrong driver code on the card; returns its count and its profile's limit (null for no card). */
export async function countDriverCodeFailure(tx: Queryable, cardId: string): Promise<{ failures: number; maxFailures: number } | null> {
  const [row] = await tx.query<{ failures: number; max_failures: number }>(
    `UPDATE cards c SET driver_code_failures = c.driver_code_failures + 1 FROM card_profiles p
      WHERE c.id = $1 AND p.id = c.profile_id RETURNING c.driver_code_failures AS failures, p.driver_code_max_failures AS max_failures`,
    [cardId],
  );
  return row ? { failures: row.failures, maxFailures: row.max_failures } : null;
}

/** Starts the count of wrong driver codes again, on one card or on every card issued to a driver. */
export async function clearDriverCodeFailures(tx: Queryable, on: { cardId: string } | { driverId: string }): Promise<void> {
  if ('cardId' in on) await tx.query('UPDATE cards SET driver_code_failures = 0 WHERE id = $1 AND driver_code_failures > 0', [on.cardId]);
  else await tx.query('UPDATE cards SET driver_code_failures = 0 WHERE driver_id = $1 AND driver_code_failures > 0', [on.driverId]);
}
