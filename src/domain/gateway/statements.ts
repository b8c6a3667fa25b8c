/**
 * The partner's daily statement: one day of a time zone (its networks', or the one it names) in one unit, its float at the
 * start and end of the day from the balances the float's entries recorded, the totals per
 * operation type and every line. A line belongs to the day its float entry was written (the
 * float's entries are in time order under its lock), a payment, which moves no float, to the
 * day it was recorded: so closing = opening + the lines' movements, and a closed day is final.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import { partnerIdOf, type Actor } from '../actor';
import { cursorPosition, pageSize, toPage } from '../pagination';
import { OPERATION_SELECT, fromJoined, type JoinedRow } from '../ledger/operations-read';
import { balanceBefore } from '../payments/statements';
import { toPartnerOperation } from './operations';
import { contractedTimeZones } from './reach';
import { checkTimeZone, dayBounds, DEFAULT_TIME_ZONE } from '../time-zones';

type PartnerDailyStatement = components['schemas']['PartnerDailyStatement'];
type OperationType = PartnerDailyStatement['totals'][number]['type'];

interface LineRow extends JoinedRow {
  /** The line's place in the ledger's posting order: its float entry's seq, or its first entry's. */
  posting: string;
  float_amount: StoredAmount | null;
  float_balance_after: StoredAmount | null;
  at: Date;
}

/**
 * The partner's operations in `unit` on [$3, $4): joined to their accounts and to their entry
 * on the float $5 (if any); `at` is that entry's time, or the operation's; `posting` that
 * entry's seq, or the operation's first entry's. $1 partner, $2 unit.
 */
const DAY_LINES = `SELECT * FROM (
    SELECT x.*, fe.amount AS float_amount, fe.balance_after AS float_balance_after, COALESCE(fe.created_at, x.created_at) AS at,
           COALESCE(fe.seq, (SELECT min(e.seq) FROM ledger_entries e WHERE e.operation_id = x.id)) AS posting
      FROM (${OPERATION_SELECT}
             WHERE o.partner_id = $1 AND o.unit_code = $2 AND o.created_at >= $3::timestamptz - interval '1 hour' AND o.created_at < $4) x
      LEFT JOIN ledger_entries fe ON fe.operation_id = x.id AND fe.account_id = $5
  ) l WHERE l.at >= $3 AND l.at < $4`;

/**
 * The time zone of the partner's days: the one it names, else the one of the networks it is
 * contracted in (Africa/Abidjan without any), else STATEMENT_TIME_ZONE_REQUIRED when those
 * networks keep different time zones.
 */
async function statementTimeZone(db: Queryable, partnerId: string, named: string | undefined): Promise<string> {
  checkTimeZone(named, '/query/timeZone');
  if (named !== undefined) return named;
  const zones = await db.query<{ time_zone: string }>(`SELECT DISTINCT z.time_zone FROM ${contractedTimeZones('$1')} z ORDER BY z.time_zone`, [partnerId]);
  if (zones.length > 1)
    throw new AppError('STATEMENT_TIME_ZONE_REQUIRED', `The partner's networks keep the time zones ${zones.map((zone) => zone.time_zone).join(', ')}`, {
      errors: [{ path: '/query/timeZone', message: `one of ${zones.map((zone) => zone.time_zone).join(', ')}, or another IANA time zone` }],
    });
  return zones[0]?.time_zone ?? DEFAULT_TIME_ZONE;
}

export async function partnerDailyStatement(
  db: Queryable,
  actor: Actor,
  day: string,
  query: { unit: string; timeZone?: string; limit?: number; cursor?: string },
): Promise<PartnerDailyStatement> {
  const partnerId = partnerIdOf(actor);
  const midnight = new Date(`${day}T00:00:00.000Z`);
  if (Number.isNaN(midnight.getTime()) || midnight.toISOString().slice(0, 10) !== day) {
    throw new AppError('VALIDATION_FAILED', `${day} is not a calendar day`, {
      errors: [{ path: '/path/day', message: 'must be a calendar day (YYYY-MM-DD)' }],
    });
  }
  const timeZone = await statementTimeZone(db, partnerId, query.timeZone);
  const { start: from, end: to } = dayBounds(day, timeZone);
  if (from.getTime() > Date.now())
    throw new AppError('STATEMENT_DAY_NOT_STARTED', `The day ${day} of ${timeZone} has not started`, {
      errors: [{ path: '/path/day', message: 'a day that has started' }],
    });
  const [unit] = await db.query<{ float_id: string | null }>(
    "SELECT (SELECT id FROM ledger_accounts WHERE partner_id = $1 AND unit_code = u.code AND kind = 'partner-float') AS float_id FROM units u WHERE u.code = $2",
    [partnerId, query.unit],
  );
  if (!unit) throw new AppError('UNIT_NOT_FOUND', `No unit ${query.unit}`);
  const params = [partnerId, query.unit, from, to, unit.float_id];
  const limit = pageSize(query.limit);
  // The ledger's posting order: the float's entries are written under its lock, so each line's
  // float balance follows from the previous line's (an operation's own order, by transaction,
  // is not that order when recharges race).
  const rows = await db.query<LineRow>(`${DAY_LINES} AND l.posting > $6 ORDER BY l.posting LIMIT ${limit + 1}`, [...params, cursorPosition(query.cursor)]);
  const totals = await db.query<{ type: OperationType; count: number; amount: StoredAmount; float_movement: StoredAmount }>(
    `SELECT l.type, count(*)::int AS count, sum(l.amount)::bigint AS amount, COALESCE(sum(l.float_amount), 0)::bigint AS float_movement FROM (${DAY_LINES}) l GROUP BY l.type ORDER BY l.type`,
    params,
  );
  const money = (value: StoredAmount) => Money.fromStored(value, query.unit).toApi();
  const page = toPage(
    rows.map((row) => ({ ...row, seq: row.posting })),
    limit,
    (row) => {
      const operation = toPartnerOperation(fromJoined(row), partnerId);
      return {
        operationId: operation.id,
        reference: operation.reference,
        type: operation.type,
        externalReference: operation.externalReference,
        cardId: operation.cardId,
        servicePointId: operation.servicePointId,
        receiptNumber: operation.receiptNumber,
        amount: operation.amount,
        floatMovement: money(row.float_amount ?? '0'),
        floatBalanceAfter: row.float_balance_after === null ? null : money(row.float_balance_after),
        cancels: operation.cancels,
        at: row.at.toISOString(),
      };
    },
  );
  const float = unit.float_id === null ? null : { id: unit.float_id, stored_balance: true };
  const balance = async (at: Date) => (float ? (await balanceBefore(db, float, query.unit, at)).toApi() : Money.zero(query.unit).toApi());
  return {
    day,
    timeZone,
    from: from.toISOString(),
    to: to.toISOString(),
    unit: query.unit,
    closed: to.getTime() <= Date.now(),
    openingFloat: await balance(from),
    closingFloat: await balance(to),
    lines: page.items, // first: the CSV answer is the first list
    totals: totals.map((row) => ({ type: row.type, count: row.count, amount: money(row.amount), floatMovement: money(row.float_movement) })),
    nextCursor: page.nextCursor,
  };
}
