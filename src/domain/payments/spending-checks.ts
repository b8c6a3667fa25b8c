/**
 * The card's spending controls applied to a payment or pump authorisation, under the card's
 * lock (so that two attempts of one card are measured one after the other): the first hard
 * breach refuses it with its figures, the soft ones are returned for raiseExceptions.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { breaches, needsSpends, type Attempt, type Breach } from '../cards/spending-rules';
import { cardSpends, type Spend } from '../cards/spends';
import type { SpendingContext } from './payment-accounts';

export type SpendingAttempt = Omit<Attempt, 'servicePointId' | 'networkId' | 'timeZone' | 'cardTimeZone' | 'vehicleEnergyType'>;

/** The attempt at the service point, as the rules see it. */
export const placed = (spending: SpendingContext, attempt: SpendingAttempt): Attempt => ({
  ...attempt,
  servicePointId: spending.servicePointId,
  networkId: spending.networkId,
  timeZone: spending.timeZone,
  cardTimeZone: spending.cardTimeZone,
  vehicleEnergyType: spending.vehicle?.energyTypeCode ?? null,
});

/** The card's spends, read (under its lock) only when a rule needs them. */
export const spendsFor = (tx: Queryable, spending: SpendingContext, at: Date): Promise<Spend[]> =>
  needsSpends(spending.controls) ? cardSpends(tx, spending.cardId, at, spending.cardTimeZone, false, spending.clock) : Promise.resolve([]);

/** Throws the first hard breach of the attempt; returns the soft ones. */
export function applyControls(spending: SpendingContext, attempt: Attempt, spends: readonly Spend[]): Breach[] {
  const found = breaches(spending.controls, attempt, spends);
  const hard = found.find((breach) => breach.details.mode === 'hard');
  if (hard) throw new AppError(hard.code, hard.message, { details: hard.details });
  return found;
}

/** applyControls on the card's spends as they stand. */
export async function enforceControls(tx: Queryable, spending: SpendingContext, attempt: SpendingAttempt): Promise<Breach[]> {
  return applyControls(spending, placed(spending, attempt), await spendsFor(tx, spending, attempt.at));
}
