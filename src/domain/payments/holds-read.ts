/**
 * Authorisations found without their id: the list (settled order, as the other lists of what
 * happens: a hold is listed once the transaction that placed it has ended; by status, card,
 * service point, the station's reference and creation time), and the station's own reference
 * for the pump transaction attached to a hold after it was placed (hold-references.ts).
 * `ownedBy` restricts both to the holds one partner placed (the 3rd Party API). And the count of
 * holds open now, for the metrics.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import { pageOfSettledRows, type PageInput, type SettledPage } from '../pagination';
import { authorityFilter } from '../scope-of-authority';
import { holdRow, toAuthorization, type Authorization, type HoldRow } from './holds';
import { checkStationReference, stationReferenceUnique } from './hold-references';

export interface AuthorizationFilters {
  status?: Authorization['status'];
  cardId?: string;
  servicePointId?: string;
  stationReference?: string;
  from?: string;
  to?: string;
}

type StationReferenceChange = components['schemas']['StationReferenceChange'];

/** Authorisations, oldest settled first, by cursor pages (with `ownedBy`, only those that partner placed). */
export function listAuthorizations(
  db: Queryable,
  actor: Actor,
  filters: AuthorizationFilters,
  page: PageInput,
  ownedBy: string | null = null,
): Promise<SettledPage<Authorization>> {
  return pageOfSettledRows<HoldRow, Authorization>(
    db,
    'ledger_holds',
    [
      ["actor_kind = 'partner'", ownedBy === null ? undefined : true],
      ['actor_id = ?', ownedBy ?? undefined],
      authorityFilter(actor, ['service_point_id', '(SELECT k.client_id FROM cards k WHERE k.id = card_id)']),
      ['status = ?', filters.status],
      ['card_id = ?', filters.cardId],
      ['service_point_id = ?', filters.servicePointId],
      ['station_reference = ?', filters.stationReference],
      ['created_at >= ?', filters.from],
      ['created_at < ?', filters.to],
    ],
    page,
    toAuthorization,
  );
}

/**
 * Gives an authorisation, in any status, the station's reference for its pump transaction
 * (with `ownedBy`, only one that partner placed): the same reference again changes nothing,
 * another once one is given is STATION_REFERENCE_FIXED, one the service point already has on
 * another hold of the same placer STATION_REFERENCE_REUSED.
 */
export function setStationReference(
  db: Database,
  actor: Actor,
  id: string,
  input: StationReferenceChange,
  ownedBy: string | null = null,
): Promise<Authorization> {
  const reference = input.stationReference;
  return db.transaction(async (tx) => {
    const hold = await holdRow(tx, id, ownedBy, true);
    if (hold.station_reference === reference) return toAuthorization(hold);
    if (hold.station_reference !== null) {
      throw new AppError('STATION_REFERENCE_FIXED', `Authorisation ${id} already has station reference ${hold.station_reference}; it does not change`);
    }
    await checkStationReference(tx, hold.actor_id, hold.service_point_id, reference);
    const [row] = await stationReferenceUnique(hold.service_point_id, reference, () =>
      tx.query<HoldRow>('UPDATE ledger_holds SET station_reference = $2, updated_at = now() WHERE id = $1 RETURNING *', [id, reference]),
    );
    const [before, after] = [toAuthorization(hold), toAuthorization(row)];
    await recordAudit(tx, actor, { action: 'authorization.station-reference-set', resourceType: 'authorization', resourceId: id, before, after });
    return after;
  });
}

/** How many pay-at-pump holds are open now (a prepared statement: the metrics read it on every scrape). */
export async function openHoldCount(db: Queryable): Promise<number> {
  const [row] = await db.query<{ open: number }>("SELECT count(*)::int AS open FROM ledger_holds WHERE status = 'open'", [], { prepare: true });
  return row.open;
}
