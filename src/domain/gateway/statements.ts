/**
 * The partner's daily statement: one day of a time zone (its networks', or the one it names) in one unit, its float at the
 * start and end of the day from the balances the float's entries recorded, the totals per
 * operation type and every line. A line belongs to the day its float entry was written (the
 * float's entries are in time order under its lock), a payment, which moves no float, to the
 * day it was recorded: so closing = opening + the lines' movements, and a closed day is final.
 *
 * Lines are paged without ever losing one that commits late. A line with a float entry is
 * served in posting order: the float's entries are written under its lock, held to COMMIT,
 * so the ones committed always precede any still to come, and each line's float balance
 * follows from the previous one's. A line without one (a station's payment, an offline fill)
 * takes its sequence whenever its transaction runs, so it is served settled, in (inserting
 * transaction, posting) order below the settled horizon (src/domain/pagination.ts). A page
 * merges the two in posting order; the cursor keeps a position in each, so a line settling
 * late comes on a later page, after the lines already served.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import { partnerIdOf, type Actor } from '../actor';
import { pageSize, SETTLED_HORIZON } from '../pagination';
import { OPERATION_SELECT, fromJoined, type JoinedRow } from '../ledger/operations-read';
import { balanceBefore } from '../payments/statements';
import { findUnit } from '../referential/units';
import { toPartnerOperation } from './operations';
import { contractedTimeZones } from './reach';
import { checkTimeZone, dayBounds, DEFAULT_TIME_ZONE } from '../time-zones';
import { partnerClock } from '../clocks';

type PartnerDailyStatement = components['schemas']['PartnerDailyStatement'];
type OperationType = PartnerDailyStatement['totals'][number]['type'];

interface LineRow extends JoinedRow {
  /** The line's place in the ledger's posting order: its float entry's seq, or its first entry's. */
  posting: string;
  float_amount: StoredAmount | null;
  float_balance_after: StoredAmount | null;
  at: Date;
}

/** Where a page of lines starts: after the float line at `float`, after the settled line at (`xact`, `posting`). */
interface LinesCursor {
  float: string;
  xact: string;
  posting: string;
}

const cursorError = () =>
  new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave', { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });

/** The position a cursor names: the start without one; a bare posting, as cursors were before, is after it in both lists (a line may come twice). */
function linesCursor(cursor: string | undefined): LinesCursor {
  if (cursor === undefined) return { float: '0', xact: '0', posting: '0' };
  const match = /^(?:(0|[1-9][0-9]{0,17})\.(0|[1-9][0-9]{0,18})\.)?(0|[1-9][0-9]{0,17})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || BigInt(match[2] ?? 0) > 9223372036854775807n) throw cursorError();
  return match[1] === undefined ? { float: match[3], xact: '0', posting: match[3] } : { float: match[1], xact: match[2], posting: match[3] };
}

const encodeLinesCursor = (at: LinesCursor) => Buffer.from(`${at.float}.${at.xact}.${at.posting}`).toString('base64url');

/**
 * Up to `limit` lines after the cursor and the cursor after them (null at the end): the float
 * lines after `float` in posting order and the settled lines without a float entry after
 * (`xact`, `posting`), merged in posting order, each list's order kept.
 */
async function pageOfLines(
  db: Queryable,
  params: unknown[],
  cursor: string | undefined,
  limit: number,
): Promise<{ rows: LineRow[]; nextCursor: string | null }> {
  const at = linesCursor(cursor);
  const floatLines = await db.query<LineRow>(`${DAY_LINES} AND l.float_amount IS NOT NULL AND l.posting > $6 ORDER BY l.posting LIMIT ${limit + 1}`, [
    ...params,
    at.float,
  ]);
  const settledLines = await db.query<LineRow & { xact: string }>(
    `${DAY_LINES} AND l.float_amount IS NULL AND (l.xact, l.posting) > ($6::bigint, $7::bigint) AND l.xact < ${SETTLED_HORIZON}
      ORDER BY l.xact, l.posting LIMIT ${limit + 1}`,
    [...params, at.xact, at.posting],
  );
  const rows: LineRow[] = [];
  const next = { ...at };
  let [f, s] = [0, 0];
  while (rows.length < limit && (f < floatLines.length || s < settledLines.length)) {
    if (s >= settledLines.length || (f < floatLines.length && BigInt(floatLines[f].posting) < BigInt(settledLines[s].posting))) {
      rows.push(floatLines[f]);
      next.float = floatLines[f++].posting;
    } else {
      rows.push(settledLines[s]);
      [next.xact, next.posting] = [settledLines[s].xact, settledLines[s++].posting];
    }
  }
  const more = f < floatLines.length || s < settledLines.length;
  return { rows, nextCursor: more ? encodeLinesCursor(next) : null };
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
  // The day of the partner's world (its test clock in a sandbox, clocks.ts); its rows keep the database's time.
  const clock = await partnerClock(db, partnerId);
  const { start: from, end: to } = dayBounds(day, timeZone);
  const now = clock.now();
  if (from.getTime() > now.getTime())
    throw new AppError('STATEMENT_DAY_NOT_STARTED', `The day ${day} of ${timeZone} has not started`, {
      errors: [{ path: '/path/day', message: 'a day that has started' }],
    });
  await findUnit(db, actor, query.unit); // UNIT_NOT_FOUND
  const [floatAccount] = await db.query<{ id: string }>("SELECT id FROM ledger_accounts WHERE partner_id = $1 AND unit_code = $2 AND kind = 'partner-float'", [
    partnerId,
    query.unit,
  ]);
  const floatId = floatAccount?.id ?? null;
  const params = [partnerId, query.unit, clock.real(from), clock.real(to), floatId];
  const limit = pageSize(query.limit);
  const page = await pageOfLines(db, params, query.cursor, limit);
  const totals = await db.query<{ type: OperationType; count: number; amount: StoredAmount; float_movement: StoredAmount }>(
    `SELECT l.type, count(*)::int AS count, sum(l.amount)::bigint AS amount, COALESCE(sum(l.float_amount), 0)::bigint AS float_movement FROM (${DAY_LINES}) l GROUP BY l.type ORDER BY l.type`,
    params,
  );
  const money = (value: StoredAmount) => Money.fromStored(value, query.unit).toApi();
  const lines = page.rows.map((row) => {
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
      fuel: operation.fuel,
      floatMovement: money(row.float_amount ?? '0'),
      floatBalanceAfter: row.float_balance_after === null ? null : money(row.float_balance_after),
      cancels: operation.cancels,
      at: clock.local(row.at).toISOString(),
    };
  });
  const float = floatId === null ? null : { id: floatId, stored_balance: true };
  const balance = async (at: Date) => (float ? (await balanceBefore(db, float, query.unit, clock.real(at))).toApi() : Money.zero(query.unit).toApi());
  return {
    day,
    timeZone,
    from: from.toISOString(),
    to: to.toISOString(),
    unit: query.unit,
    closed: to.getTime() <= now.getTime(),
    openingFloat: await balance(from),
    closingFloat: await balance(to),
    lines, // first: the CSV answer is the first list
    totals: totals.map((row) => ({ type: row.type, count: row.count, amount: money(row.amount), floatMovement: money(row.float_movement) })),
    nextCursor: page.nextCursor,
  };
}
