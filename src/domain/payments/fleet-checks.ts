/**
 * What a card's vehicle and driver add to a fill: the driver code check (a matched code resets
 * the card's count of wrong ones), and the exceptions a fill raises on its vehicle (larger
 * than the tank, an odometer going backwards).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import type { CardVault } from '../cards/card-numbers';
import { driverCodeAccepted, driverCodeMatches } from '../fleet/drivers';
import type { SpendingContext } from './payment-accounts';
import type { NewException } from './exceptions';

export type DriverCheck = components['schemas']['Authorization']['driverCheck'];

/**
 * `matched`, `not-given` or `no-driver`. DRIVER_CODE_REQUIRED when the card's profile requires
 * the code and none is given; DRIVER_CODE_LOCKED, whatever the code, once the card has had its
 * profile's number of wrong codes in a row (recordDecline counts them: fleet/drivers.ts driverCodeFailed);
 * DRIVER_CODE_INVALID when the code given is not the card's driver's.
 */
export function checkDriver(vault: CardVault, spending: SpendingContext, code: string | undefined): DriverCheck {
  const { driver } = spending;
  if (!driver) return 'no-driver';
  if (code === undefined) {
    if (driver.codeRequired) throw new AppError('DRIVER_CODE_REQUIRED', `Card ${spending.cardId}'s profile requires its driver's code; none was given`);
    return 'not-given';
  }
  if (driver.failures >= driver.maxFailures) {
    throw new AppError(
      'DRIVER_CODE_LOCKED',
      `Card ${spending.cardId}'s driver code is locked after ${driver.failures} wrong codes in a row; set the driver's code again to unlock it`,
    );
  }
  if (!driverCodeMatches(vault, driver, code))
    throw new AppError('DRIVER_CODE_INVALID', `The driver code given is not the code of card ${spending.cardId}'s driver`);
  return 'matched';
}

/** After the payment is posted: a `matched` code starts the card's count of wrong ones again. */
export async function driverChecked(tx: Queryable, cardId: string, check: DriverCheck): Promise<void> {
  if (check === 'matched') await driverCodeAccepted(tx, cardId);
}

/**
 * The exceptions a fill (just posted) of `quantityMl` with an odometer reading raises on the card's vehicle:
 * `over-tank` beyond its tank, `odometer-backwards` below its last reading (read only when a
 * reading is given).
 */
export async function fillExceptions(
  tx: Queryable,
  spending: SpendingContext,
  fill: { operationId: string; quantityMl: bigint | null; odometerKm: number | undefined },
): Promise<NewException[]> {
  const vehicle = spending.vehicle;
  if (!vehicle) return [];
  const found: NewException[] = [];
  if (fill.quantityMl !== null && fill.quantityMl > vehicle.tankMl) {
    found.push({
      kind: 'over-tank',
      rule: null,
      message: `A fill of ${fill.quantityMl} mL is more than vehicle ${vehicle.id}'s tank of ${vehicle.tankMl} mL`,
      details: { vehicleId: vehicle.id, tankCapacityMl: Number(vehicle.tankMl), quantityMl: Number(fill.quantityMl) },
    });
  }
  if (fill.odometerKm !== undefined) {
    const [last] = await tx.query<{ id: string; odometer_km: string }>(
      'SELECT id, odometer_km::text FROM ledger_operations WHERE vehicle_id = $1 AND odometer_km IS NOT NULL AND id <> $2 ORDER BY created_at DESC, seq DESC LIMIT 1',
      [vehicle.id, fill.operationId],
    );
    if (last && BigInt(last.odometer_km) > BigInt(fill.odometerKm)) {
      found.push({
        kind: 'odometer-backwards',
        rule: null,
        message: `Odometer ${fill.odometerKm} km is below vehicle ${vehicle.id}'s last reading of ${last.odometer_km} km`,
        details: { vehicleId: vehicle.id, odometerKm: fill.odometerKm, lastOdometerKm: Number(last.odometer_km), lastOperationId: last.id },
      });
    }
  }
  return found;
}
