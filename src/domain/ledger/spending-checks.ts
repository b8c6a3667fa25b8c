/**
 * The card's spending controls applied to a payment or pump authorisation, under the card's
 * lock (so that two attempts of one card are measured one after the other): the first hard
 * breach refuses it with its figures, the soft ones are returned for raiseExceptions.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { breaches, needsSpends, type Attempt, type Breach } from '../cards/spending-rules';
import { cardSpends } from '../cards/spends';
import type { SpendingContext } from './accounts';

export type SpendingAttempt = Omit<Attempt, 'servicePointId' | 'networkId' | 'timeZone'>;

/** Throws the first hard breach of the attempt; returns the soft ones. Reads the card's spends only when a rule needs them. */
export async function enforceControls(tx: Queryable, spending: SpendingContext, attempt: SpendingAttempt): Promise<Breach[]> {
  const spends = needsSpends(spending.controls) ? await cardSpends(tx, spending.cardId, attempt.at) : [];
  const found = breaches(spending.controls, { ...attempt, servicePointId: spending.servicePointId, networkId: spending.networkId, timeZone: spending.timeZone }, spends);
  const hard = found.find((breach) => breach.details.mode === 'hard');
  if (hard) throw new AppError(hard.code, hard.message, { details: hard.details });
  return found;
}
