/**
 * A vehicle's consumption report: its fuel payments in a period, the
 * distance between its first and last usable odometer readings, and the litres per 100 km.
 * The litres of the fill at the first reading are left out of the consumption: they fill
 * the tank for the distance after it. The client-wide report gives the same, a line per
 * vehicle of a page of the fleet, the page's fills read in one statement.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import type { Page, PageInput } from '../pagination';
import { findVehicle, listVehicles, type Vehicle } from './vehicles';

type VehicleConsumption = components['schemas']['VehicleConsumption'];
type Reading = NonNullable<VehicleConsumption['firstReading']>;
type VehicleConsumptionLine = components['schemas']['VehicleConsumptionLine'];
type FleetStatus = components['schemas']['FleetStatus'];

interface FillRow {
  vehicle_id: string;
  id: string;
  created_at: Date;
  odometer_km: string | null;
  quantity_ml: string | null;
  amount: StoredAmount;
  unit_code: string;
}

/** The period's bounds, VALIDATION_FAILED unless it ends after it starts. */
function periodOf(period: { from: string; to: string }): { from: Date; to: Date } {
  const [from, to] = [new Date(period.from), new Date(period.to)];
  if (!(from.getTime() < to.getTime()))
    throw new AppError('VALIDATION_FAILED', 'The period must end after it starts', { errors: [{ path: '/query/to', message: 'must be after from' }] });
  return { from, to };
}

/** The completed fuel payments of the vehicles in the period, each vehicle's in time order. */
const fillsOf = (db: Queryable, vehicleIds: readonly string[], { from, to }: { from: Date; to: Date }) =>
  db.query<FillRow>(
    `SELECT vehicle_id, id, created_at, odometer_km::text, fuel->>'quantityMl' AS quantity_ml, amount::text, unit_code FROM ledger_operations
      WHERE vehicle_id = ANY($1::text[]) AND type = 'payment' AND status = 'completed' AND service = 'fuel' AND created_at >= $2 AND created_at < $3
      ORDER BY vehicle_id, created_at, seq`,
    [vehicleIds, from, to],
  );

export async function vehicleConsumption(db: Queryable, actor: Actor, vehicleId: string, period: { from: string; to: string }): Promise<VehicleConsumption> {
  const bounds = periodOf(period);
  await findVehicle(db, actor, vehicleId);
  return consumptionOf(vehicleId, bounds, await fillsOf(db, [vehicleId], bounds));
}

/** The client-wide report: a page of the fleet (listVehicles' filters, order and scope), each vehicle's consumption over the period. */
export async function listVehicleConsumption(
  db: Queryable,
  actor: Actor,
  filters: { clientId?: string; status?: FleetStatus; from: string; to: string },
  page: PageInput,
): Promise<Page<VehicleConsumptionLine>> {
  const bounds = periodOf(filters);
  const vehicles: Page<Vehicle> = await listVehicles(db, actor, { clientId: filters.clientId, status: filters.status }, page);
  const fills = await fillsOf(
    db,
    vehicles.items.map((vehicle) => vehicle.id),
    bounds,
  );
  const byVehicle = Map.groupBy(fills, (fill) => fill.vehicle_id);
  return {
    items: vehicles.items.map((vehicle) => ({
      ...consumptionOf(vehicle.id, bounds, byVehicle.get(vehicle.id) ?? []),
      clientId: vehicle.clientId,
      registration: vehicle.registration,
      energyTypeCode: vehicle.energyTypeCode,
    })),
    nextCursor: vehicles.nextCursor,
  };
}

/** The report of one vehicle's fills (in time order) over the period. */
function consumptionOf(vehicleId: string, { from, to }: { from: Date; to: Date }, fills: readonly FillRow[]): VehicleConsumption {
  const amounts = new Map<string, bigint>();
  let quantityMl = 0n;
  let sinceFirst = 0n; // the litres of the fills after the first usable reading, up to the last one
  let counted = 0n;
  let first: Reading | null = null;
  let last: Reading | null = null;
  const unusable: VehicleConsumption['unusableReadings'] = [];
  for (const fill of fills) {
    const litres = BigInt(fill.quantity_ml ?? 0);
    quantityMl += litres;
    amounts.set(fill.unit_code, (amounts.get(fill.unit_code) ?? 0n) + BigInt(fill.amount));
    if (fill.odometer_km === null) {
      unusable.push({ operationId: fill.id, odometerKm: null, reason: 'missing' });
      if (first) sinceFirst += litres;
      continue;
    }
    const km = Number(fill.odometer_km);
    if (last && km < last.odometerKm) {
      unusable.push({ operationId: fill.id, odometerKm: km, reason: 'backwards' });
      if (first) sinceFirst += litres;
      continue;
    }
    const reading = { operationId: fill.id, odometerKm: km, at: fill.created_at.toISOString() };
    if (first) {
      sinceFirst += litres;
      counted = sinceFirst; // litres up to this reading are the ones its distance used
    } else {
      first = reading;
    }
    last = reading;
  }
  const distanceKm = first && last && last.odometerKm > first.odometerKm ? last.odometerKm - first.odometerKm : null;
  return {
    vehicleId,
    from: from.toISOString(),
    to: to.toISOString(),
    fills: fills.length,
    quantityMl: Number(quantityMl),
    amounts: [...amounts].map(([unit, value]) => Money.fromStored(value.toString(), unit).toApi()),
    firstReading: first,
    lastReading: last,
    distanceKm,
    mlPer100Km: distanceKm === null ? null : Number((counted * 100n + BigInt(distanceKm) / 2n) / BigInt(distanceKm)),
    unusableReadings: unusable,
  };
}
