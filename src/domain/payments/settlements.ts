/**
 * A service point's daily settlement: what its E-service card received on one calendar day of
 * its network's time zone, per operation type, client and product, the day's totals, what is
 * owed to the station (`net`) and the card's balances around the day.
 *
 * A line is on the day its entry on the E-service card was booked (`created_at`, the clock at
 * the write): a late offline fill or a cancellation of an earlier day's payment is booked on the
 * day it reaches us, never on a day already over. A day is closed once it has ended and no
 * transaction that began before its end is still running on the database: an entry's time is
 * taken inside its transaction, so every entry dated before the end has then committed (or never
 * will), and the lines of a closed day never change. Its bounds do not either: the first reading
 * of a closed day keeps the start of the day and of the next (migration 037), so a later change
 * of the network's time zone moves only the days not yet read as closed.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { EARLIEST_INSTANT, isContractDate } from '../calendar';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { pageSize } from '../pagination';
import { dayBounds, localDay } from '../time-zones';
import { balanceBefore } from './statements';

export type ServicePointSettlement = components['schemas']['ServicePointSettlement'];
export type SettlementDayPage = components['schemas']['SettlementDayPage'];
type SettlementDaySummary = SettlementDayPage['items'][number];
type SettlementLine = ServicePointSettlement['lines'][number];
type Figures = ServicePointSettlement['totals']['sales'];

/** The service point's E-service card, its account in the unit (if opened) and its network's time zone. */
interface SettlementPlace {
  servicePointId: string;
  cardId: string;
  accountId: string | null;
  timeZone: string;
}

/** A day of a service point: its bounds, the zone they were computed in, and whether it is closed. */
interface SettlementDay {
  day: string;
  timeZone: string;
  from: Date;
  to: Date;
  closed: boolean;
}

/** VALIDATION_FAILED unless `day` is a day of the calendar. */
export function checkSettlementDay(day: string): void {
  if (!isContractDate(day))
    throw new AppError('VALIDATION_FAILED', `${day} is not a calendar day`, {
      errors: [{ path: '/path/day', message: 'must be a calendar day (YYYY-MM-DD)' }],
    });
}

/** SERVICE_POINT_NOT_FOUND, UNIT_NOT_FOUND, else the service point's E-service card and its account in `unit`. */
export async function settlementPlace(db: Queryable, servicePointId: string, unit: string): Promise<SettlementPlace> {
  const [row] = await db.query<{ card_id: string; time_zone: string; account_id: string | null; unit_known: boolean }>(
    `SELECT c.id AS card_id, z.time_zone,
            (SELECT a.id FROM ledger_accounts a WHERE a.card_id = c.id AND a.unit_code = $2) AS account_id,
            EXISTS (SELECT 1 FROM units u WHERE u.code = $2) AS unit_known
       FROM service_points s JOIN cards c ON c.service_point_id = s.id JOIN service_point_network_zones z ON z.service_point_id = s.id
      WHERE s.id = $1`,
    [servicePointId, unit],
  );
  if (!row) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
  if (!row.unit_known) throw new AppError('UNIT_NOT_FOUND', `No unit ${unit}`);
  return { servicePointId, cardId: row.card_id, accountId: row.account_id, timeZone: row.time_zone };
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

/** The day's bounds: each start as kept when a closed day was read, else in the network's time zone now. */
async function boundsOf(
  db: Queryable,
  place: SettlementPlace,
  day: string,
): Promise<{ timeZone: string; from: Date; to: Date; nextTimeZone: string; kept: number }> {
  const kept = await db.query<{ day: string; time_zone: string; starts_at: Date }>(
    "SELECT to_char(day, 'YYYY-MM-DD') AS day, time_zone, starts_at FROM settlement_day_starts WHERE service_point_id = $1 AND day IN ($2::date, $2::date + 1)",
    [place.servicePointId, day],
  );
  const computed = dayBounds(day, place.timeZone);
  const start = kept.find((row) => row.day === day);
  const end = kept.find((row) => row.day !== day);
  return {
    timeZone: start?.time_zone ?? place.timeZone,
    from: start?.starts_at ?? computed.start,
    to: end?.starts_at ?? computed.end,
    nextTimeZone: end?.time_zone ?? place.timeZone,
    kept: kept.length,
  };
}

/**
 * Whether the day has started, whether it has ended, and whether no transaction that began
 * before its end is still running (a transaction that has written holds an id; the entries it
 * dated before the end are then all committed or gone), on the database's clock, the one that
 * dates the entries. A statement of its own: the lines are read after it, on a newer snapshot.
 * pg_stat_activity shows a session's transaction to the same role (or a superuser): the API's
 * sessions, the only ones that write entries, all run as its one role.
 */
async function dayState(db: Queryable, from: Date, to: Date): Promise<{ started: boolean; closed: boolean }> {
  const [state] = await db.query<{ started: boolean; closed: boolean }>(
    `SELECT clock_timestamp() >= $1 AS started,
            clock_timestamp() >= $2 AND NOT EXISTS (
              SELECT 1 FROM pg_stat_activity a
               WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
                 AND a.backend_xid IS NOT NULL AND a.xact_start < $2
            ) AS closed`,
    [from, to],
  );
  return state;
}

/**
 * The service point's day (SETTLEMENT_DAY_NOT_STARTED before it starts). A closed day's bounds
 * are kept at its first reading as closed (a concurrent first reading keeps the same, or the
 * other's, which is then read back).
 */
export async function settlementDay(db: Queryable, place: SettlementPlace, day: string): Promise<SettlementDay> {
  for (;;) {
    const bounds = await boundsOf(db, place, day);
    // 1970-01-01 east of Greenwich starts before the first instant the contract can write.
    if (bounds.from.getTime() < EARLIEST_INSTANT)
      throw new AppError('VALIDATION_FAILED', `The day ${day} of ${bounds.timeZone} starts before 1970`, {
        errors: [{ path: '/path/day', message: 'a day from 1970-01-02' }],
      });
    const state = await dayState(db, bounds.from, bounds.to);
    if (!state.started)
      throw new AppError('SETTLEMENT_DAY_NOT_STARTED', `The day ${day} of ${bounds.timeZone} has not started`, {
        errors: [{ path: '/path/day', message: 'a day that has started' }],
      });
    if (!state.closed || bounds.kept === 2) return { day, timeZone: bounds.timeZone, from: bounds.from, to: bounds.to, closed: state.closed };
    await db.query(
      `INSERT INTO settlement_day_starts (service_point_id, day, time_zone, starts_at) VALUES ($1, $2::date, $3, $4), ($1, $5::date, $6, $7)
       ON CONFLICT (service_point_id, day) DO NOTHING`,
      [place.servicePointId, day, bounds.timeZone, bounds.from, nextDay(day), bounds.nextTimeZone, bounds.to],
    );
  }
}

interface LineRow {
  type: SettlementLine['type'];
  cancels: SettlementLine['type'] | null;
  client_id: string | null;
  client_name: string | null;
  energy_type_code: string | null;
  service: string | null;
  count: number;
  quantity_ml: string;
  amount: StoredAmount;
  discount_amount: StoredAmount;
}

/**
 * The E-service account's entries of the day, by operation type (a cancellation with the type
 * of what it reverses), the client of the member card on the other side, and the product (the
 * fuel and service of the payment, or of the payment a cancellation reverses), with the
 * discounts the fuel records kept (a cancellation gives its payment's back).
 */
const DAY_LINES = `SELECT o.type, x.type AS cancels, k.client_id, cl.name AS client_name,
         COALESCE(x.fuel, o.fuel)->>'energyTypeCode' AS energy_type_code, COALESCE(x.service, o.service) AS service,
         count(*)::int AS count,
         sum(CASE WHEN e.amount > 0 THEN 1 ELSE -1 END * COALESCE((COALESCE(x.fuel, o.fuel)->>'quantityMl')::bigint, 0))::text AS quantity_ml,
         sum(e.amount)::bigint AS amount,
         sum(CASE WHEN e.amount > 0 THEN 1 ELSE -1 END * COALESCE((COALESCE(x.fuel, o.fuel)->'discountAmount'->>'value')::bigint, 0))::bigint AS discount_amount
    FROM ledger_entries e
    JOIN ledger_operations o ON o.id = e.operation_id
    LEFT JOIN ledger_operations x ON x.id = o.cancels_operation_id
    JOIN ledger_accounts other ON other.id = CASE WHEN o.debit_account_id = e.account_id THEN o.credit_account_id ELSE o.debit_account_id END
    LEFT JOIN cards k ON k.id = other.card_id AND k.kind = 'member'
    LEFT JOIN clients cl ON cl.id = k.client_id
   WHERE e.account_id = $1 AND e.created_at >= $2 AND e.created_at < $3
   GROUP BY o.type, x.type, k.client_id, cl.name, 5, 6
   ORDER BY CASE o.type WHEN 'payment' THEN 0 WHEN 'cancellation' THEN 1 WHEN 'payout' THEN 3 ELSE 2 END, o.type, x.type, cl.name, k.client_id, 5, 6`;

const isPayout = (line: SettlementLine) => line.type === 'payout' || (line.type === 'cancellation' && line.cancels === 'payout');

/** The day's totals from its lines: `net` is every line but the payouts. */
function totalsOf(lines: readonly SettlementLine[], unit: string): ServicePointSettlement['totals'] {
  const sum = (selected: readonly SettlementLine[], of: (line: SettlementLine) => SettlementLine['amount'] = (line) => line.amount) =>
    Money.sum(
      unit,
      selected.map((line) => Money.fromApi(of(line))),
    );
  const figures = (selected: readonly SettlementLine[]): Figures => ({
    count: selected.reduce((count, line) => count + line.count, 0),
    quantityMl: selected.reduce((litres, line) => litres + line.quantityMl, 0),
    amount: sum(selected).toApi(),
    discountAmount: sum(selected, (line) => line.discountAmount).toApi(),
  });
  const sales = lines.filter((line) => line.type === 'payment');
  const cancellations = lines.filter((line) => line.type === 'cancellation' && !isPayout(line));
  const fees = lines.filter((line) => line.type === 'fee');
  const other = lines.filter((line) => !['payment', 'cancellation', 'fee'].includes(line.type) && !isPayout(line));
  return {
    sales: figures(sales),
    cancellations: figures(cancellations),
    fees: sum(fees).toApi(),
    other: sum(other).toApi(),
    net: sum(lines.filter((line) => !isPayout(line))).toApi(),
    payouts: sum(lines.filter(isPayout)).toApi(),
  };
}

/** The payout that pays the settlement, if any. */
async function payoutOf(db: Queryable, place: SettlementPlace, unit: string, day: string): Promise<ServicePointSettlement['payout']> {
  const [row] = await db.query<{ id: string; amount: StoredAmount; external_reference: string | null; created_at: Date }>(
    `SELECT o.id, o.amount, o.external_reference, o.created_at FROM settlement_payouts p JOIN ledger_operations o ON o.id = p.operation_id
      WHERE p.service_point_id = $1 AND p.unit_code = $2 AND p.day = $3::date`,
    [place.servicePointId, unit, day],
  );
  return row
    ? {
        operationId: row.id,
        amount: Money.fromStored(row.amount, unit).toApi(),
        externalReference: row.external_reference,
        paidAt: row.created_at.toISOString(),
      }
    : null;
}

/** The settlement of the day (read after settlementDay, so that a closed day's lines are all committed). */
export async function readSettlement(db: Queryable, place: SettlementPlace, unit: string, day: SettlementDay): Promise<ServicePointSettlement> {
  const rows = place.accountId === null ? [] : await db.query<LineRow>(DAY_LINES, [place.accountId, day.from, day.to]);
  const lines: SettlementLine[] = rows.map((row) => ({
    type: row.type,
    cancels: row.cancels,
    clientId: row.client_id,
    clientName: row.client_name,
    energyTypeCode: row.energy_type_code,
    service: row.service,
    count: row.count,
    quantityMl: Number(BigInt(row.quantity_ml)),
    amount: Money.fromStored(row.amount, unit).toApi(),
    discountAmount: Money.fromStored(row.discount_amount, unit).toApi(),
  }));
  const account = place.accountId === null ? null : { id: place.accountId, stored_balance: false };
  const balance = async (at: Date) => (account ? balanceBefore(db, account, unit, at) : Money.zero(unit));
  const [opening, closing] = [await balance(day.from), await balance(day.to)];
  const totals = totalsOf(lines, unit);
  const movements = Money.fromApi(totals.net).add(Money.fromApi(totals.payouts));
  return {
    servicePointId: place.servicePointId,
    eServiceCardId: place.cardId,
    day: day.day,
    timeZone: day.timeZone,
    from: day.from.toISOString(),
    to: day.to.toISOString(),
    unit,
    closed: day.closed,
    openingBalance: opening.toApi(),
    closingBalance: closing.toApi(),
    movements: movements.toApi(),
    balanced: closing.equals(opening.add(movements)),
    totals,
    payout: await payoutOf(db, place, unit, day.day),
    lines,
  };
}

/** The Core API's read: a service point's settlement of a day in a unit. */
export async function servicePointSettlement(db: Queryable, actor: Actor, servicePointId: string, day: string, unit: string): Promise<ServicePointSettlement> {
  checkSettlementDay(day);
  const place = await settlementPlace(db, servicePointId, unit);
  return readSettlement(db, place, unit, await settlementDay(db, place, day));
}

/** What a list of settlement days selects: the unit, the days from `from` to `to` (both included), a page of them. */
export interface SettlementDaysQuery {
  unit: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

/** A cursor of the list of days names the last day it served. */
const dayCursor = (day: string) => Buffer.from(day, 'utf8').toString('base64url');

function cursorDay(cursor: string): string {
  const day = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!isContractDate(day))
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave', { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });
  return day;
}

/** VALIDATION_FAILED unless `from` and `to` are calendar days, `to` not before `from`. */
function checkDayRange(query: SettlementDaysQuery): void {
  for (const [name, day] of [
    ['from', query.from],
    ['to', query.to],
  ] as const)
    if (day !== undefined && !isContractDate(day))
      throw new AppError('VALIDATION_FAILED', `${day} is not a calendar day`, {
        errors: [{ path: `/query/${name}`, message: 'must be a calendar day (YYYY-MM-DD)' }],
      });
  if (query.from !== undefined && query.to !== undefined && query.to < query.from)
    throw new AppError('VALIDATION_FAILED', `The days end (${query.to}) before they start (${query.from})`, {
      errors: [{ path: '/query/to', message: 'must not be before from' }],
    });
}

/** The first entry on the account at or after `at`, if any. */
async function nextEntryAt(db: Queryable, accountId: string, at: Date): Promise<Date | null> {
  const [row] = await db.query<{ at: Date | null }>('SELECT min(created_at) AS at FROM ledger_entries WHERE account_id = $1 AND created_at >= $2', [
    accountId,
    at,
  ]);
  return row.at;
}

/** A day's settlement without its lines. */
function summaryOf(settlement: ServicePointSettlement): SettlementDaySummary {
  const { day, timeZone, from, to, unit, closed, openingBalance, closingBalance, movements, balanced, totals, payout } = settlement;
  return { day, timeZone, from, to, unit, closed, openingBalance, closingBalance, movements, balanced, totals, payout };
}

/**
 * The Core API's list of a service point's settlement days in a unit: the days (of its
 * network's time zone) on which its E-service card has an entry, oldest first, each read as its
 * settlement is (the same figures, a closed day's bounds kept), from the day after the cursor's.
 * Each next day is found from the end of the last, by the first entry booked from then on.
 */
export async function listSettlementDays(db: Queryable, actor: Actor, servicePointId: string, query: SettlementDaysQuery): Promise<SettlementDayPage> {
  checkDayRange(query);
  const after = query.cursor === undefined ? undefined : cursorDay(query.cursor);
  const place = await settlementPlace(db, servicePointId, query.unit);
  const limit = pageSize(query.limit);
  const items: SettlementDaySummary[] = [];
  let more = false;
  const first = [query.from, after === undefined ? undefined : nextDay(after)]
    .filter((day) => day !== undefined)
    .sort()
    .at(-1);
  let searchFrom = first === undefined ? new Date(EARLIEST_INSTANT) : dayBounds(first, place.timeZone).start;
  while (place.accountId !== null) {
    const entryAt = await nextEntryAt(db, place.accountId, searchFrom);
    if (entryAt === null) break;
    const day = localDay(entryAt, place.timeZone);
    if (query.to !== undefined && day > query.to) break;
    if (items.length === limit) {
      more = true;
      break;
    }
    const settlement = await readSettlement(db, place, query.unit, await settlementDay(db, place, day));
    items.push(summaryOf(settlement));
    // The next day starts where this one ends (its kept end, should the zone have changed since).
    searchFrom = new Date(Math.max(Date.parse(settlement.to), dayBounds(day, place.timeZone).end.getTime()));
  }
  return {
    servicePointId,
    eServiceCardId: place.cardId,
    unit: query.unit,
    items,
    nextCursor: more ? dayCursor(items[items.length - 1].day) : null,
  };
}
