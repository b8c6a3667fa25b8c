/**
 * A station's own reference for a pump transaction, on the authorisation it placed: unique per
 * service point among the holds of one placer (the actor that placed them: a station partner's
 * references are its own, as its receipt numbers are), so that the station finds the hold
 * again without its id. Checked before the write (a clear refusal) and by the unique index
 * ledger_holds_station_reference (migration 030) when two writes race.
 */
import type { Queryable } from '../../db/database';
import { isUniqueViolation } from '../../db/errors';
import { AppError } from '../app-error';

const reused = (servicePointId: string, reference: string) =>
  new AppError('STATION_REFERENCE_REUSED', `Service point ${servicePointId} already has an authorisation with station reference ${reference}`);

/** Refuses a reference the service point already has on a hold of this placer (`placerId`, null for a system actor); nothing to check without one. */
export async function checkStationReference(tx: Queryable, placerId: string | null, servicePointId: string, reference: string | undefined): Promise<void> {
  if (reference === undefined) return;
  const [taken] = await tx.query<{ id: string }>(
    "SELECT id FROM ledger_holds WHERE service_point_id = $1 AND station_reference = $2 AND COALESCE(actor_id, '') = COALESCE($3, '') LIMIT 1",
    [servicePointId, reference, placerId],
  );
  if (taken) throw reused(servicePointId, reference);
}

/** Runs the write, answering STATION_REFERENCE_REUSED when the unique index refuses it (a concurrent write took the reference). */
export async function stationReferenceUnique<T>(servicePointId: string, reference: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (reference && isUniqueViolation(error, 'ledger_holds_station_reference')) throw reused(servicePointId, reference);
    throw error;
  }
}
