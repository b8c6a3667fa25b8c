/**
 * A card's remaining allowances (issue 14 item 2): for each day, week and month limit of its
 * effective controls, what the period has used (completed payments not cancelled by `at`) and
 * holds (open authorisations), and what remains, by the spends of spends.ts.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { findCardControls } from './controls';
import { cardSpends, ISSUER_TIME_ZONE, periodBounds, spent, type Period, type Spend } from './spends';

type CardAllowances = components['schemas']['CardAllowances'];
type Allowance = components['schemas']['Allowance'];

const PERIOD_KEYS = { day: 'perDay', week: 'perWeek', month: 'perMonth' } as const;

/** The remaining allowance of every period limit that applies to the card, as of `at` (now by default). */
export async function findCardAllowances(db: Queryable, actor: Actor, cardId: string, at = new Date()): Promise<CardAllowances> {
  const { effective } = await findCardControls(db, actor, cardId);
  const spends = await cardSpends(db, cardId, at, true);
  const items: Allowance[] = [];
  const add = (measure: Allowance['measure'], unit: string | undefined, period: Period, source: 'card' | 'profile', mode: Allowance['mode'], limit: number, figure: (spend: Spend) => bigint, matches?: (spend: Spend) => boolean) => {
    const { start, end } = periodBounds(period, at);
    const { used, held } = spent(spends, start, figure, matches);
    const remaining = BigInt(limit) - used - held;
    items.push({
      measure, ...(unit === undefined ? {} : { unit }), period, source, mode, limit,
      used: Number(used), held: Number(held), remaining: remaining > 0n ? Number(remaining) : 0,
      periodStart: start.toISOString(), resetsAt: end.toISOString(),
    });
  };
  const { amount, volume, transactions } = effective;
  for (const period of ['day', 'week', 'month'] as const) {
    const key = PERIOD_KEYS[period];
    if (amount.rule && amount.source !== 'none') {
      for (const limit of amount.rule.limits) {
        const value = limit[key];
        if (value) add('amount', value.unit, period, amount.source, amount.rule.mode, value.value, (spend) => spend.amount, (spend) => spend.unit === value.unit);
      }
    }
    const litres = volume.rule?.[key];
    if (volume.rule && litres !== undefined && volume.source !== 'none') add('volume', undefined, period, volume.source, volume.rule.mode, litres, (spend) => spend.quantityMl);
    const count = transactions.rule?.[key];
    if (transactions.rule && count !== undefined && transactions.source !== 'none') add('transactions', undefined, period, transactions.source, transactions.rule.mode, count, () => 1n);
  }
  return { cardId, at: at.toISOString(), timeZone: ISSUER_TIME_ZONE, items };
}
