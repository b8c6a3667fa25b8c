/**
 * A partner's recharge limits through the 3rd Party API, per unit: per
 * operation, per UTC day in total, per card per UTC day. Set in the Core API (audited), read
 * by the partner with its float, enforced by gateway/recharges.ts.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import { type Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { findUnit } from '../referential/units';
import { partnerInReach, partnerRow } from './partners';

type RechargeLimits = components['schemas']['RechargeLimits'];
type RechargeLimit = RechargeLimits['limits'][number];
export type RechargeLimitName = components['schemas']['RechargeLimitBreach']['rechargeLimit'];

export interface LimitRow {
  unit_code: string;
  per_operation: StoredAmount | null;
  per_day: StoredAmount | null;
  per_card_per_day: StoredAmount | null;
}

const orNull = (value: StoredAmount | null) => (value === null ? null : Number(value));

const toLimit = (row: LimitRow): RechargeLimit => ({
  unit: row.unit_code,
  perOperation: orNull(row.per_operation),
  perDay: orNull(row.per_day),
  perCardPerDay: orNull(row.per_card_per_day),
});

/** The UTC day of the transaction's time, as SQL. */
export const TODAY = "(now() AT TIME ZONE 'UTC')::date";

/** What the partner's recharges not cancelled credited to the card's account today (the caller holds the card's lock). */
export async function rechargedToCardToday(tx: Queryable, partnerId: string, accountId: string): Promise<bigint> {
  const [row] = await tx.query<{ total: StoredAmount }>(
    `SELECT COALESCE(sum(amount), 0)::bigint AS total FROM ledger_operations
      WHERE credit_account_id = $1 AND type = 'recharge' AND partner_id = $2 AND status <> 'cancelled' AND created_at >= ${TODAY}::timestamp AT TIME ZONE 'UTC'`,
    [accountId, partnerId],
    { prepare: true },
  );
  return BigInt(row.total);
}

/**
 * Adds the recharges (`count` of them, `amount` in all) to the partner's day (run under the
 * float's lock); RECHARGE_LIMIT_EXCEEDED beyond the per-day limit.
 */
export async function countInDay(tx: Queryable, partnerId: string, amount: Money, limits: LimitRow | undefined, count = 1): Promise<void> {
  const [row] = await tx.query<{ total: StoredAmount }>(
    `INSERT INTO partner_recharge_days (partner_id, unit_code, day, total, count) VALUES ($1, $2, ${TODAY}, $3::bigint, $4::int)
     ON CONFLICT (partner_id, unit_code, day) DO UPDATE SET total = partner_recharge_days.total + EXCLUDED.total, count = partner_recharge_days.count + EXCLUDED.count
     RETURNING total`,
    [partnerId, amount.unit, amount.toStored(), count],
    { prepare: true },
  );
  const total = BigInt(row.total);
  const perDay = limits?.per_day ?? null;
  if (perDay !== null && total > BigInt(perDay)) throw limitBreach('perDay', BigInt(perDay), total - amount.minor, amount);
}

/**
 * Gives a cancelled recharge back to the partner's total of the day it was counted in (the UTC
 * day of `recordedAt`): the row goes when nothing else is left in it. Run in the cancellation's
 * transaction, under the float's lock.
 */
export async function giveBackToDay(tx: Queryable, partnerId: string, amount: Money, recordedAt: Date): Promise<void> {
  const day = "($4::timestamptz AT TIME ZONE 'UTC')::date";
  await tx.query(`DELETE FROM partner_recharge_days WHERE partner_id = $1 AND unit_code = $2 AND day = ${day} AND total <= $3::bigint`, [
    partnerId,
    amount.unit,
    amount.toStored(),
    recordedAt,
  ]);
  await tx.query(
    `UPDATE partner_recharge_days SET total = total - $3::bigint, count = greatest(count - 1, 1) WHERE partner_id = $1 AND unit_code = $2 AND day = ${day}`,
    [partnerId, amount.unit, amount.toStored(), recordedAt],
  );
}

/** The partner's limits, one row per unit (in unit order). */
export async function limitRows(db: Queryable, partnerId: string): Promise<LimitRow[]> {
  return db.query<LimitRow>(
    'SELECT unit_code, per_operation, per_day, per_card_per_day FROM partner_recharge_limits WHERE partner_id = $1 ORDER BY unit_code',
    [partnerId],
  );
}

/** RECHARGE_LIMIT_EXCEEDED with its figures. */
export function limitBreach(limit: RechargeLimitName, value: bigint, used: bigint, requested: Money): AppError {
  const what = { perOperation: 'per operation', perDay: 'per day', perCardPerDay: 'per card per day' }[limit];
  return new AppError(
    'RECHARGE_LIMIT_EXCEEDED',
    `The partner's recharge limit ${what} is ${value} ${requested.unit}${limit === 'perOperation' ? '' : `, ${used} used today (UTC)`}; ${requested.toStored()} asked`,
    { details: { rechargeLimit: limit, unit: requested.unit, limit: Number(value), used: Number(used), requested: Number(requested.minor) } },
  );
}

export async function getRechargeLimits(db: Queryable, actor: Actor, partnerId: string): Promise<RechargeLimits> {
  await partnerRow(db, partnerId);
  return { limits: (await limitRows(db, partnerId)).map(toLimit) };
}

/** Replaces the partner's limits (one entry per unit, each unit known); audited. Never the caller's own. */
export async function setRechargeLimits(db: Queryable, actor: Actor, partnerId: string, input: RechargeLimits): Promise<RechargeLimits> {
  const units = input.limits.map((limit) => limit.unit);
  const repeated = units.findIndex((unit, index) => units.indexOf(unit) !== index);
  if (repeated >= 0)
    throw new AppError('VALIDATION_FAILED', `Unit ${units[repeated]} is given twice`, {
      errors: [{ path: `/body/limits/${repeated}/unit`, message: 'one entry per unit' }],
    });
  return db.transaction(async (tx) => {
    await partnerInReach(tx, actor, partnerId, 'recharge limits');
    for (const unit of units) await findUnit(tx, actor, unit); // UNIT_NOT_FOUND for the first unknown
    const before = { limits: (await limitRows(tx, partnerId)).map(toLimit) };
    await tx.query('DELETE FROM partner_recharge_limits WHERE partner_id = $1', [partnerId]);
    await tx.query(
      `INSERT INTO partner_recharge_limits (partner_id, unit_code, per_operation, per_day, per_card_per_day)
       SELECT $1, l.unit, l.per_operation, l.per_day, l.per_card_per_day FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS l (unit, per_operation, per_day, per_card_per_day)`,
      [
        partnerId,
        units,
        input.limits.map((limit) => limit.perOperation),
        input.limits.map((limit) => limit.perDay),
        input.limits.map((limit) => limit.perCardPerDay),
      ],
    );
    const after = { limits: (await limitRows(tx, partnerId)).map(toLimit) };
    await recordAudit(tx, actor, { action: 'partner-recharge-limits.set', resourceType: 'partner', resourceId: partnerId, before, after });
    return after;
  });
}
