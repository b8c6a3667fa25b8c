/**
 * A partner's recharge limits through the 3rd Party API (issue 15 item 4), per unit: per
 * operation, per UTC day in total, per card per UTC day. Set in the Core API (audited), read
 * by the partner with its float, enforced by partner-recharges.ts.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { recordAudit } from '../audit/audit';
import { type Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
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

async function limitRows(db: Queryable, partnerId: string): Promise<LimitRow[]> {
  return db.query<LimitRow>('SELECT unit_code, per_operation, per_day, per_card_per_day FROM partner_recharge_limits WHERE partner_id = $1 ORDER BY unit_code', [partnerId]);
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

/** Replaces the partner's limits (one entry per unit, each unit known); audited. */
export async function setRechargeLimits(db: Database, actor: Actor, partnerId: string, input: RechargeLimits): Promise<RechargeLimits> {
  const units = input.limits.map((limit) => limit.unit);
  const repeated = units.findIndex((unit, index) => units.indexOf(unit) !== index);
  if (repeated >= 0) throw new AppError('VALIDATION_FAILED', `Unit ${units[repeated]} is given twice`, { errors: [{ path: `/body/limits/${repeated}/unit`, message: 'one entry per unit' }] });
  return db.transaction(async (tx) => {
    await partnerInReach(tx, actor, partnerId);
    const known = await tx.query<{ code: string }>('SELECT code FROM units WHERE code = ANY($1)', [units]);
    const unknown = units.findIndex((unit) => !known.some((row) => row.code === unit));
    if (unknown >= 0) throw new AppError('UNIT_NOT_FOUND', `No unit ${units[unknown]}`);
    const before = { limits: (await limitRows(tx, partnerId)).map(toLimit) };
    await tx.query('DELETE FROM partner_recharge_limits WHERE partner_id = $1', [partnerId]);
    await tx.query(
      `INSERT INTO partner_recharge_limits (partner_id, unit_code, per_operation, per_day, per_card_per_day)
       SELECT $1, l.unit, l.per_operation, l.per_day, l.per_card_per_day FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[]) AS l (unit, per_operation, per_day, per_card_per_day)`,
      [partnerId, units, input.limits.map((limit) => limit.perOperation), input.limits.map((limit) => limit.perDay), input.limits.map((limit) => limit.perCardPerDay)],
    );
    const after = { limits: (await limitRows(tx, partnerId)).map(toLimit) };
    await recordAudit(tx, actor, { action: 'partner-recharge-limits.set', resourceType: 'partner', resourceId: partnerId, before, after });
    return after;
  });
}
