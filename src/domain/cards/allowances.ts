/**
 * A card's remaining allowances: every money and litre limit per transaction of its effective
 * controls (what one transaction may take: no running total), then, for each day, week and
 * month limit (the periods of the card's time zone: its client's, else its network's), what the period has used (completed payments not cancelled by `at`) and holds
 * (open authorisations), and what remains, by the spends of spends.ts.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { AppError } from '../app-error';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../calendar';
import { findCardControls } from './controls';
import { cardClock, cardSpends, cardTimeZone, spent, type Spend } from './spends';
import { periodBounds, type Period } from '../time-zones';

type CardAllowances = components['schemas']['CardAllowances'];
type Allowance = components['schemas']['Allowance'];

const PERIOD_KEYS = { day: 'perDay', week: 'perWeek', month: 'perMonth' } as const;

/**
 * Refuses an `at` whose day, week or month starts or resets outside the instants the contract
 * can express (December 9999 resets in year 10000): 400 code 2001 naming it.
 */
function checkPeriodsExpressible(at: Date, timeZone: string): void {
  const outside = (['day', 'week', 'month'] as const).filter((period) => {
    const { start, end } = periodBounds(period, at, timeZone);
    return start.getTime() < EARLIEST_INSTANT || end.getTime() > LATEST_INSTANT;
  });
  if (outside.length === 0) return;
  const message = `its ${outside.join(' and ')} would start or reset outside ${new Date(EARLIEST_INSTANT).toISOString()} to ${new Date(LATEST_INSTANT).toISOString()}`;
  throw new AppError('VALIDATION_FAILED', `at ${at.toISOString()}: ${message}`, { errors: [{ path: '/query/at', message }] });
}

/**
 * A per-transaction limit as an allowance: nothing used or held (each transaction is measured
 * alone), the whole limit remaining, no period.
 */
function perTransaction(
  measure: Allowance['measure'],
  unit: string | undefined,
  source: 'card' | 'profile',
  mode: Allowance['mode'],
  limit: number,
): Allowance {
  return {
    measure,
    ...(unit === undefined ? {} : { unit }),
    period: 'transaction',
    source,
    mode,
    limit,
    used: 0,
    held: 0,
    remaining: limit,
    periodStart: null,
    resetsAt: null,
  };
}

/**
 * The allowance of every limit that applies to the card, per transaction and per period, as of
 * `at` (now by default), in the time of the card's world (clocks.ts).
 */
export async function findCardAllowances(db: Queryable, actor: Actor, cardId: string, when?: Date): Promise<CardAllowances> {
  const { effective } = await findCardControls(db, actor, cardId);
  const timeZone = await cardTimeZone(db, cardId);
  const clock = await cardClock(db, cardId);
  const at = when ?? clock.now();
  checkPeriodsExpressible(at, timeZone);
  const spends = await cardSpends(db, cardId, at, timeZone, true, clock);
  const items: Allowance[] = [];
  const add = (
    measure: Allowance['measure'],
    unit: string | undefined,
    period: Period,
    source: 'card' | 'profile',
    mode: Allowance['mode'],
    limit: number,
    figure: (spend: Spend) => bigint,
    matches?: (spend: Spend) => boolean,
  ) => {
    const { start, end } = periodBounds(period, at, timeZone);
    const { used, held } = spent(spends, start, figure, matches);
    const remaining = BigInt(limit) - used - held;
    items.push({
      measure,
      ...(unit === undefined ? {} : { unit }),
      period,
      source,
      mode,
      limit,
      used: Number(used),
      held: Number(held),
      remaining: remaining > 0n ? Number(remaining) : 0,
      periodStart: start.toISOString(),
      resetsAt: end.toISOString(),
    });
  };
  const { amount, volume, transactions } = effective;
  if (amount.rule && amount.source !== 'none') {
    for (const limit of amount.rule.limits) {
      if (limit.perTransaction) items.push(perTransaction('amount', limit.perTransaction.unit, amount.source, amount.rule.mode, limit.perTransaction.value));
    }
  }
  if (volume.rule?.perTransaction !== undefined && volume.source !== 'none')
    items.push(perTransaction('volume', undefined, volume.source, volume.rule.mode, volume.rule.perTransaction));
  for (const period of ['day', 'week', 'month'] as const) {
    const key = PERIOD_KEYS[period];
    if (amount.rule && amount.source !== 'none') {
      for (const limit of amount.rule.limits) {
        const value = limit[key];
        if (value)
          add(
            'amount',
            value.unit,
            period,
            amount.source,
            amount.rule.mode,
            value.value,
            (spend) => spend.amount,
            (spend) => spend.unit === value.unit,
          );
      }
    }
    const litres = volume.rule?.[key];
    if (volume.rule && litres !== undefined && volume.source !== 'none')
      add('volume', undefined, period, volume.source, volume.rule.mode, litres, (spend) => spend.quantityMl);
    const count = transactions.rule?.[key];
    if (transactions.rule && count !== undefined && transactions.source !== 'none')
      add('transactions', undefined, period, transactions.source, transactions.rule.mode, count, () => 1n);
  }
  return { cardId, at: at.toISOString(), timeZone, items };
}
