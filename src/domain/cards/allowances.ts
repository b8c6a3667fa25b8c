/**
 * A card's remaining allowances (issue 14 item 2): for each day, week and month limit of its
 * effective controls, what the period has used (completed payments not cancelled by `at`) and
 * holds (open authorisations), and what remains. Periods are calendar periods of the issuer's
 * time zone, Africa/Abidjan: UTC without daylight saving time, so plain UTC arithmetic is exact.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import type { Actor } from '../actor';
import { findCardControls } from './controls';

type CardAllowances = components['schemas']['CardAllowances'];
type Allowance = components['schemas']['Allowance'];
type Period = Allowance['period'];

const ISSUER_TIME_ZONE = 'Africa/Abidjan';
const DAY_MS = 86_400_000;
const PERIOD_KEYS = { day: 'perDay', week: 'perWeek', month: 'perMonth' } as const;

/** The start and end of the calendar period around `at` (weeks from Monday). */
function periodBounds(period: Period, at: Date): { start: Date; end: Date } {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  if (period === 'day') return { start: new Date(day), end: new Date(day + DAY_MS) };
  if (period === 'week') {
    const monday = day - ((at.getUTCDay() + 6) % 7) * DAY_MS;
    return { start: new Date(monday), end: new Date(monday + 7 * DAY_MS) };
  }
  return { start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)), end: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)) };
}

interface Spend {
  unit: string;
  amount: bigint;
  quantityMl: bigint;
  at: Date;
  held: boolean;
}

/** The card's payments and open holds from `since` up to `at`. */
async function spendsSince(db: Queryable, cardId: string, since: Date, at: Date): Promise<Spend[]> {
  const payments = await db.query<{ unit_code: string; amount: string; quantity_ml: string | null; created_at: Date }>(
    `SELECT o.unit_code, o.amount::text AS amount, (o.fuel->>'quantityMl') AS quantity_ml, o.created_at
       FROM ledger_operations o JOIN ledger_accounts a ON a.id = o.debit_account_id
      WHERE a.card_id = $1 AND o.type = 'payment' AND o.created_at >= $2 AND o.created_at <= $3
        AND NOT EXISTS (SELECT 1 FROM ledger_operations c WHERE c.cancels_operation_id = o.id AND c.created_at <= $3)`,
    [cardId, since, at],
  );
  const holds = await db.query<{ unit_code: string; amount: string; created_at: Date }>(
    `SELECT unit_code, amount::text AS amount, created_at FROM ledger_holds
      WHERE card_id = $1 AND status = 'open' AND expires_at > $3 AND created_at >= $2 AND created_at <= $3`,
    [cardId, since, at],
  );
  return [
    ...payments.map((row) => ({ unit: row.unit_code, amount: BigInt(row.amount), quantityMl: BigInt(row.quantity_ml ?? 0), at: row.created_at, held: false })),
    ...holds.map((row) => ({ unit: row.unit_code, amount: BigInt(row.amount), quantityMl: 0n, at: row.created_at, held: true })),
  ];
}

const total = (spends: Spend[], figure: (spend: Spend) => bigint) => spends.reduce((sum, spend) => sum + figure(spend), 0n);

/** The remaining allowance of every period limit that applies to the card, as of `at` (now by default). */
export async function findCardAllowances(db: Queryable, actor: Actor, cardId: string, at = new Date()): Promise<CardAllowances> {
  const { effective } = await findCardControls(db, actor, cardId);
  const since = new Date(Math.min(periodBounds('week', at).start.getTime(), periodBounds('month', at).start.getTime()));
  const spends = await spendsSince(db, cardId, since, at);
  const items: Allowance[] = [];
  const add = (measure: Allowance['measure'], unit: string | undefined, period: Period, source: 'card' | 'profile', mode: Allowance['mode'], limit: number, figure: (spend: Spend) => bigint, matches: (spend: Spend) => boolean) => {
    const { start, end } = periodBounds(period, at);
    const inPeriod = spends.filter((spend) => spend.at >= start && matches(spend));
    const used = total(inPeriod.filter((spend) => !spend.held), figure);
    const held = total(inPeriod.filter((spend) => spend.held), figure);
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
    if (volume.rule && litres !== undefined && volume.source !== 'none') add('volume', undefined, period, volume.source, volume.rule.mode, litres, (spend) => spend.quantityMl, () => true);
    const count = transactions.rule?.[key];
    if (transactions.rule && count !== undefined && transactions.source !== 'none') add('transactions', undefined, period, transactions.source, transactions.rule.mode, count, () => 1n, () => true);
  }
  return { cardId, at: at.toISOString(), timeZone: ISSUER_TIME_ZONE, items };
}
