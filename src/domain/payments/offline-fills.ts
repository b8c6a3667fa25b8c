/**
 * Offline fills: a station terminal that lost its connection uploads the fills it accepted,
 * later, in batches. Each fill is a payment booked in a transaction of its own, keyed by the
 * terminal's transaction id (a second upload books nothing twice), even when the card's state
 * or controls would now refuse it and even below a zero balance: the fuel is already in the
 * tank. Beyond the profile's monthly offline cap it is booked and flagged.
 *
 * What a terminal may book is bounded all the same (the service point's offline policy, set by
 * the issuer): a fill dated before the card was issued, before the uploading partner's
 * contract for the service point, or more than the policy's offline window before its upload
 * is refused (OFFLINE_FILL_TOO_OLD); beyond a ceiling per fill or per day of the service point
 * it is refused (OFFLINE_CEILING_EXCEEDED) or, under a soft policy, booked and flagged. Its
 * unit price is checked against the price in force at `occurredAt` (pricing.ts): beyond the
 * tolerance it is flagged (`price-deviation`), never refused, even under a hard tolerance, for
 * the fuel was served; the client's price agreement in force then applies.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { cardTimeZone } from '../cards/spends';
import { localDay, periodBounds } from '../time-zones';
import { paymentAccounts } from './payment-accounts';
import { raiseExceptions, type NewException } from './exceptions';
import { uniquely } from './operations';
import { priceFill } from './pricing';
import { post } from '../ledger/posting';
import { fillExceptions } from './fleet-checks';
import { messageFor, type Language } from '../messages';
import { servicePointContractStart } from '../partners/reach';

type OfflineFillBatch = components['schemas']['OfflineFillBatch'];
type OfflineFill = components['schemas']['OfflineFill'];
type OfflineFillResult = components['schemas']['OfflineFillResult'];
type OfflineFillBatchResult = components['schemas']['OfflineFillBatchResult'];
type OfflinePolicy = components['schemas']['OfflinePolicy'];

/** How far ahead of the server's clock a terminal's clock may be. */
const CLOCK_DRIFT_MS = 5 * 60_000;

/** A fill to book, its card found (null: the number the terminal read is no member card's). */
export type BookableFill = Omit<OfflineFill, 'cardId'> & { cardId: string | null };

/** The batch's refusals: a transaction id twice, a fill in the future. Nothing is booked then. */
export function checkBatch(batch: { fills: readonly Pick<OfflineFill, 'terminalTransactionId' | 'occurredAt'>[] }, now: Date): void {
  const ids = batch.fills.map((fill) => fill.terminalTransactionId);
  const repeats = ids.flatMap((id, index) =>
    ids.indexOf(id) !== index ? [{ path: `/body/fills/${index}/terminalTransactionId`, message: `${id} is already fill ${ids.indexOf(id)}` }] : [],
  );
  if (repeats.length)
    throw new AppError(
      'OFFLINE_BATCH_INVALID',
      `The batch lists a terminal transaction id more than once: ${repeats.map((repeat) => repeat.path).join(', ')}`,
      { errors: repeats },
    );
  const future = batch.fills.flatMap((fill, index) =>
    new Date(fill.occurredAt).getTime() > now.getTime() + CLOCK_DRIFT_MS
      ? [{ path: `/body/fills/${index}/occurredAt`, message: `${fill.occurredAt} is in the future` }]
      : [],
  );
  if (future.length)
    throw new AppError('OFFLINE_FILL_IN_FUTURE', `Fills dated in the future: ${future.map((item) => item.path).join(', ')}`, { errors: future });
}

interface BookedRow {
  id: string;
  card_id: string;
  amount: StoredAmount;
  unit_code: string;
  receipt_number: string;
}

/**
 * The fill the terminal transaction id already booked for the uploader (the partner, or the
 * Core API: another partner's ids at the same service point are its own, migration 025), if
 * any: the same fill, or OFFLINE_FILL_CONFLICT. The id is locked first (a transaction-scoped
 * advisory lock), so that the same fill uploaded twice at once is booked by one and found by
 * the other.
 */
async function alreadyBooked(tx: Queryable, servicePointId: string, terminalId: string, fill: BookableFill, partnerId: string | null): Promise<string | null> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2 || ' ' || $3 || ' ' || $4, 1))", [
    servicePointId,
    terminalId,
    fill.terminalTransactionId,
    partnerId ?? '',
  ]);
  const [row] = await tx.query<BookedRow>(
    `SELECT o.id, a.card_id, (o.amount + COALESCE((o.fuel->'discountAmount'->>'value')::bigint, 0))::text AS amount, o.unit_code, o.receipt_number FROM ledger_operations o JOIN ledger_accounts a ON a.id = o.debit_account_id
      WHERE o.service_point_id = $1 AND o.terminal_id = $2 AND o.terminal_transaction_id = $3 AND COALESCE(o.partner_id, '') = $4`,
    [servicePointId, terminalId, fill.terminalTransactionId, partnerId ?? ''],
  );
  if (!row) return null;
  const same =
    row.card_id === fill.cardId &&
    row.unit_code === fill.amount.unit &&
    BigInt(row.amount) === BigInt(fill.amount.value) &&
    row.receipt_number === fill.receiptNumber;
  if (!same)
    throw new AppError(
      'OFFLINE_FILL_CONFLICT',
      `Terminal transaction ${fill.terminalTransactionId} was booked as operation ${row.id}, for another card, amount or receipt`,
    );
  return row.id;
}

/** The month's offline fills (a month of the card's time zone: its client's, else its network's) of the card's account before this one, against the profile's cap (in the cap's unit only); read under the card's lock. */
async function offlineCap(tx: Queryable, cardId: string, accountId: string, amount: Money, occurredAt: Date): Promise<NewException | null> {
  const timeZone = await cardTimeZone(tx, cardId);
  const { start, end } = periodBounds('month', occurredAt, timeZone);
  const [row] = await tx.query<{ cap: StoredAmount; cap_unit: string; used: StoredAmount }>(
    `SELECT p.offline_cap_value::text AS cap, p.offline_cap_unit AS cap_unit,
            (SELECT COALESCE(sum(o.amount), 0)::text FROM ledger_operations o
              WHERE o.debit_account_id = $2 AND o.terminal_transaction_id IS NOT NULL AND o.occurred_at >= $3 AND o.occurred_at < $4) AS used
       FROM cards c JOIN card_profiles p ON p.id = c.profile_id WHERE c.id = $1`,
    [cardId, accountId, start, end],
  );
  if (!row || row.cap_unit !== amount.unit || BigInt(row.used) + amount.minor <= BigInt(row.cap)) return null;
  const month = `${localDay(start, timeZone).slice(0, 7)} (${timeZone})`;
  return {
    kind: 'offline-over-cap',
    rule: null,
    message: `Offline fills of ${month} reach ${BigInt(row.used) + amount.minor} ${amount.unit}, beyond the profile's monthly offline cap of ${row.cap} ${amount.unit}`,
    details: { month, cap: Number(row.cap), usedBefore: Number(row.used), amount: Number(amount.minor), unit: amount.unit },
  };
}

/** What bounds a batch's fills: the service point's policy, the upload's time, and the uploading partner's contract start (null: the Core API). */
interface Bounds {
  policy: OfflinePolicy;
  now: Date;
  contractStart: Date | null;
}

const DAY_MS = 86_400_000;

const tooOld = (occurredAt: Date, what: string, floor: Date) =>
  new AppError('OFFLINE_FILL_TOO_OLD', `The fill is dated ${occurredAt.toISOString()}, before ${what} (${floor.toISOString()})`);

/** OFFLINE_FILL_TOO_OLD when the fill predates the partner's contract or the service point's offline window: checked before the card is looked up. */
function checkFillWindow(occurredAt: Date, bounds: Bounds): void {
  const floors: [Date | null, string][] = [
    [bounds.contractStart, "the partner's contract for the service point"],
    [new Date(bounds.now.getTime() - bounds.policy.maxAgeDays * DAY_MS), `the service point's offline window of ${bounds.policy.maxAgeDays} days`],
  ];
  for (const [floor, what] of floors) if (floor !== null && occurredAt.getTime() < floor.getTime()) throw tooOld(occurredAt, what, floor);
}

/** OFFLINE_FILL_TOO_OLD, naming the card, when the fill predates the card's issue. */
async function checkCardIssue(tx: Queryable, cardId: string, occurredAt: Date): Promise<void> {
  const [card] = await tx.query<{ created_at: Date }>('SELECT created_at FROM cards WHERE id = $1', [cardId]);
  if (occurredAt.getTime() < card.created_at.getTime()) throw tooOld(occurredAt, `card ${cardId}'s issue`, card.created_at);
}

/**
 * The first ceiling of the service point's offline policy the fill goes beyond (per fill, then
 * per day of the service point: its offline fills of the fill's day in its network's time zone,
 * summed under a lock on that day), refused when the policy is hard, its exception when soft; null within them.
 */
async function offlineCeilings(
  tx: Queryable,
  servicePointId: string,
  policy: OfflinePolicy,
  amount: Money,
  quantityMl: bigint | null,
  occurredAt: Date,
): Promise<NewException | null> {
  const beyond: { ceiling: 'perFill' | 'perDay'; measure: 'amount' | 'quantityMl'; limit: bigint; before: bigint; fill: bigint; unit: string }[] = [];
  const check = (ceiling: 'perFill' | 'perDay', before: { amount: bigint; quantityMl: bigint }) => {
    const { amount: money, quantityMl: litres } = policy[ceiling];
    if (money && money.unit === amount.unit && before.amount + amount.minor > BigInt(money.value)) {
      beyond.push({ ceiling, measure: 'amount', limit: BigInt(money.value), before: before.amount, fill: amount.minor, unit: amount.unit });
    }
    if (litres !== null && quantityMl !== null && before.quantityMl + quantityMl > BigInt(litres)) {
      beyond.push({ ceiling, measure: 'quantityMl', limit: BigInt(litres), before: before.quantityMl, fill: quantityMl, unit: 'mL' });
    }
  };
  check('perFill', { amount: 0n, quantityMl: 0n });
  let timeZone = '';
  if (beyond.length === 0 && (policy.perDay.amount !== null || policy.perDay.quantityMl !== null)) {
    const [network] = await tx.query<{ time_zone: string }>('SELECT time_zone FROM service_point_network_zones WHERE service_point_id = $1', [servicePointId]);
    timeZone = network.time_zone;
    const { start, end } = periodBounds('day', occurredAt, timeZone);
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended('offline-day ' || $1 || ' ' || $2, 1))", [servicePointId, start.toISOString()]);
    const [day] = await tx.query<{ amount: StoredAmount; quantity_ml: StoredAmount }>(
      `SELECT COALESCE(sum(amount) FILTER (WHERE unit_code = $4), 0)::text AS amount, COALESCE(sum((fuel->>'quantityMl')::bigint), 0)::text AS quantity_ml
         FROM ledger_operations WHERE service_point_id = $1 AND terminal_transaction_id IS NOT NULL AND occurred_at >= $2 AND occurred_at < $3 AND status = 'completed'`,
      [servicePointId, start, end, amount.unit],
    );
    check('perDay', { amount: BigInt(day.amount), quantityMl: BigInt(day.quantity_ml) });
  }
  const [first] = beyond;
  if (!first) return null;
  const period = first.ceiling === 'perFill' ? 'per fill' : `per day (${localDay(occurredAt, timeZone)}, ${timeZone})`;
  const message = `The service point's offline ceiling ${period} is ${first.limit} ${first.unit}; ${first.before} ${first.unit} before this fill of ${first.fill} ${first.unit}`;
  if (policy.mode === 'hard') throw new AppError('OFFLINE_CEILING_EXCEEDED', message);
  return {
    kind: 'offline-over-ceiling',
    rule: null,
    message,
    details: {
      ceiling: first.ceiling,
      measure: first.measure,
      limit: Number(first.limit),
      usedBefore: Number(first.before),
      fill: Number(first.fill),
      unit: first.unit,
    },
  };
}

/** A refused fill's result: the refusal's code, the catalog's message of it in the caller's language, and the reason in English. */
const refused = (fill: BookableFill, error: AppError, language: Language): OfflineFillResult => ({
  terminalTransactionId: fill.terminalTransactionId,
  status: 'refused',
  operationId: null,
  overCap: false,
  balanceAfter: null,
  error: { code: error.code, message: messageFor(error.codeName, language), debugMessage: error.debugMessage },
});

/** Books one fill in its own transaction (the partner's operation when one uploads it), or says it was booked before; a business refusal is its result. */
async function bookFill(
  db: Database,
  actor: Actor,
  servicePointId: string,
  terminalId: string,
  fill: BookableFill,
  bounds: Bounds,
  station?: StationUpload,
): Promise<OfflineFillResult> {
  const partnerId = station?.partnerId;
  try {
    return await db.transaction(async (tx): Promise<OfflineFillResult> => {
      const booked = await alreadyBooked(tx, servicePointId, terminalId, fill, partnerId ?? null);
      if (booked)
        return {
          terminalTransactionId: fill.terminalTransactionId,
          status: 'already-booked',
          operationId: booked,
          overCap: false,
          balanceAfter: null,
          error: null,
        };
      const occurredAt = new Date(fill.occurredAt);
      checkFillWindow(occurredAt, bounds);
      if (fill.cardId === null) throw new AppError('CARD_NOT_FOUND', 'No card has this number');
      const cardId = fill.cardId;
      const { debit, credit, spending } = await paymentAccounts(tx, cardId, servicePointId, fill.amount.unit);
      if (spending.clientId === null) throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${cardId} is an E-service card; only member cards pay`);
      // priced at occurredAt; a fill already served is never refused for its price, only flagged
      const { amount, fuel, exceptions: onPrice } = await priceFill(tx, fill, Money.fromApi(fill.amount), spending, { at: occurredAt, offline: true });
      await checkCardIssue(tx, cardId, occurredAt);
      const overCeiling = await offlineCeilings(tx, servicePointId, bounds.policy, amount, fill.fuel ? BigInt(fill.fuel.quantityMl) : null, occurredAt);
      let overCap: NewException | null = null;
      const payment = await uniquely(
        'ledger_operations_receipt',
        new AppError('RECEIPT_NUMBER_REUSED', `Service point ${servicePointId} has already recorded receipt ${fill.receiptNumber}`),
        () =>
          post(tx, actor, {
            type: 'payment',
            amount,
            debit,
            credit,
            overdraft: true,
            fields: {
              servicePointId,
              receiptNumber: fill.receiptNumber,
              service: fill.service,
              fuel,
              pumpNumber: fill.pumpNumber,
              offline: { terminalId, terminalTransactionId: fill.terminalTransactionId, occurredAt: occurredAt.toISOString() },
              vehicleId: spending.vehicle?.id,
              odometerKm: fill.odometerKm,
              driverCheck: spending.driver ? 'not-given' : 'no-driver',
              partnerId,
            },
            authorise: async () => {
              overCap = await offlineCap(tx, cardId, debit.id, amount, occurredAt);
            },
          }),
      );
      const onVehicle = await fillExceptions(tx, spending, {
        operationId: payment.id,
        quantityMl: fill.fuel ? BigInt(fill.fuel.quantityMl) : null,
        odometerKm: fill.odometerKm,
      });
      await raiseExceptions(tx, { cardId, clientId: spending.clientId, operationId: payment.id }, [
        ...(overCap ? [overCap] : []),
        ...(overCeiling ? [overCeiling] : []),
        ...onVehicle,
        ...onPrice,
      ]);
      const [entry] = await tx.query<{ balance_after: StoredAmount }>(
        'SELECT balance_after::text FROM ledger_entries WHERE operation_id = $1 AND account_id = $2',
        [payment.id, debit.id],
      );
      return {
        terminalTransactionId: fill.terminalTransactionId,
        status: 'booked',
        operationId: payment.id,
        overCap: overCap !== null,
        balanceAfter: Money.fromStored(entry.balance_after, amount.unit).toApi(),
        error: null,
      };
    });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return refused(fill, station ? station.refusal(error, fill.cardId) : error, actor.language);
    throw error;
  }
}

/** Books a terminal's offline fills, one by one, in the batch's order. */
export async function uploadOfflineFills(
  db: Database,
  actor: Actor,
  servicePointId: string,
  batch: OfflineFillBatch,
  now = new Date(),
): Promise<OfflineFillBatchResult> {
  checkBatch(batch, now);
  const [servicePoint] = await db.query('SELECT 1 FROM service_points WHERE id = $1', [servicePointId]);
  if (!servicePoint) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
  return bookOfflineFills(db, actor, servicePointId, batch.terminalId, batch.fills, undefined, now);
}

/** A station partner's upload: its fills are its operations, and each refusal is answered as the station is (src/domain/gateway/station-payments.ts). */
export interface StationUpload {
  partnerId: string;
  refusal: (refusal: AppError, cardId: string | null) => AppError;
}

/** Books a checked batch's fills, one by one, in its order; with `station`, as that partner's operations. */
export async function bookOfflineFills(
  db: Database,
  actor: Actor,
  servicePointId: string,
  terminalId: string,
  fills: readonly BookableFill[],
  station?: StationUpload,
  now = new Date(),
): Promise<OfflineFillBatchResult> {
  const [row] = await db.query<{ policy: OfflinePolicy; contract_start: Date | null }>(
    `SELECT s.offline_policy AS policy,
            ${servicePointContractStart('$2', 's.id')} AS contract_start
       FROM service_points s WHERE s.id = $1`,
    [servicePointId, station?.partnerId ?? null],
  );
  const bounds: Bounds = { policy: row.policy, now, contractStart: row.contract_start };
  const results: OfflineFillResult[] = [];
  for (const fill of fills) results.push(await bookFill(db, actor, servicePointId, terminalId, fill, bounds, station));
  return { servicePointId, terminalId, results };
}
