/**
 * A vehicle's consumption report: its fuel payments in a period, the
 * distance between its first and last usable odometer readings, and the litres per 100 km.
 * The litres of the fill at the first reading are left out of the consumption: they fill
 * the tank for the distance after it.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { findVehicle } from './vehicles';

type VehicleConsumption = components['schemas']['VehicleConsumption'];
type Reading = NonNullable<VehicleConsumption['firstReading']>;

interface FillRow {
  id: string;
  created_at: Date;
  odometer_km: string | null;
  quantity_ml: string | null;
  amount: StoredAmount;
  unit_code: string;
}

export async function vehicleConsumption(db: Queryable, actor: Actor, vehicleId: string, period: { from: string; to: string }): Promise<VehicleConsumption> {
  const [from, to] = [new Date(period.from), new Date(period.to)];
  if (!(from.getTime() < to.getTime()))
    throw new AppError('VALIDATION_FAILED', 'The period must end after it starts', { errors: [{ path: '/query/to', message: 'must be after from' }] });
  await findVehicle(db, actor, vehicleId);
  const fills = await db.query<FillRow>(
    `SELECT id, created_at, odometer_km::text, fuel->>'quantityMl' AS quantity_ml, amount::text, unit_code FROM ledger_operations
      WHERE vehicle_id = $1 AND type = 'payment' AND status = 'completed' AND service = 'fuel' AND created_at >= $2 AND created_at < $3
      ORDER BY created_at, seq`,
    [vehicleId, from, to],
  );
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
