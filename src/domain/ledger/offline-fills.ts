/**
 * Offline fills (issue 14 item 7): a station terminal that lost its connection uploads the
 * fills it accepted, later, in batches. Each fill is a payment booked in a transaction of its
 * own, keyed by the terminal's transaction id (a second upload books nothing twice), even when
 * the card's state or controls would now refuse it and even below a zero balance: the fuel is
 * already in the tank. Beyond the profile's monthly offline cap it is booked and flagged.
 */
import type { components } from '../../../generated/schema';
import type { Database, Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { periodBounds } from '../cards/spends';
import { paymentAccounts } from './accounts';
import { raiseExceptions, type NewException } from './exceptions';
import { fuelRecord, uniquely } from './operations';
import { post } from './posting';
import { fillExceptions } from './fleet-checks';

type OfflineFillBatch = components['schemas']['OfflineFillBatch'];
type OfflineFill = components['schemas']['OfflineFill'];
type OfflineFillResult = components['schemas']['OfflineFillResult'];
type OfflineFillBatchResult = components['schemas']['OfflineFillBatchResult'];

/** How far ahead of the server's clock a terminal's clock may be. */
const CLOCK_DRIFT_MS = 5 * 60_000;

/** A fill to book, its card found (null: the number the terminal read is no member card's). */
export type BookableFill = Omit<OfflineFill, 'cardId'> & { cardId: string | null };

/** The batch's refusals: a transaction id twice, a fill in the future. Nothing is booked then. */
export function checkBatch(batch: { fills: readonly Pick<OfflineFill, 'terminalTransactionId' | 'occurredAt'>[] }, now: Date): void {
  const ids = batch.fills.map((fill) => fill.terminalTransactionId);
  const repeats = ids.flatMap((id, index) => (ids.indexOf(id) !== index ? [{ path: `/body/fills/${index}/terminalTransactionId`, message: `${id} is already fill ${ids.indexOf(id)}` }] : []));
  if (repeats.length) throw new AppError('OFFLINE_BATCH_INVALID', `The batch lists a terminal transaction id more than once: ${repeats.map((repeat) => repeat.path).join(', ')}`, { errors: repeats });
  const future = batch.fills.flatMap((fill, index) =>
    new Date(fill.occurredAt).getTime() > now.getTime() + CLOCK_DRIFT_MS ? [{ path: `/body/fills/${index}/occurredAt`, message: `${fill.occurredAt} is in the future` }] : [],
  );
  if (future.length) throw new AppError('OFFLINE_FILL_IN_FUTURE', `Fills dated in the future: ${future.map((item) => item.path).join(', ')}`, { errors: future });
}

interface BookedRow {
  id: string;
  card_id: string;
  amount: StoredAmount;
  unit_code: string;
  receipt_number: string;
}

/**
 * The fill the terminal transaction id already booked, if any: the same fill, or
 * OFFLINE_FILL_CONFLICT. The id is locked first (a transaction-scoped advisory lock), so that
 * the same fill uploaded twice at once is booked by one and found by the other.
 */
async function alreadyBooked(tx: Queryable, servicePointId: string, terminalId: string, fill: BookableFill): Promise<string | null> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2 || ' ' || $3, 1))", [servicePointId, terminalId, fill.terminalTransactionId]);
  const [row] = await tx.query<BookedRow>(
    `SELECT o.id, a.card_id, o.amount, o.unit_code, o.receipt_number FROM ledger_operations o JOIN ledger_accounts a ON a.id = o.debit_account_id
      WHERE o.service_point_id = $1 AND o.terminal_id = $2 AND o.terminal_transaction_id = $3`,
    [servicePointId, terminalId, fill.terminalTransactionId],
  );
  if (!row) return null;
  const same = row.card_id === fill.cardId && row.unit_code === fill.amount.unit && BigInt(row.amount) === BigInt(fill.amount.value) && row.receipt_number === fill.receiptNumber;
  if (!same) throw new AppError('OFFLINE_FILL_CONFLICT', `Terminal transaction ${fill.terminalTransactionId} was booked as operation ${row.id}, for another card, amount or receipt`);
  return row.id;
}

/** The month's offline fills of the card's account before this one, against the profile's cap (in the cap's unit only); read under the card's lock. */
async function offlineCap(tx: Queryable, cardId: string, accountId: string, amount: Money, occurredAt: Date): Promise<NewException | null> {
  const { start, end } = periodBounds('month', occurredAt);
  const [row] = await tx.query<{ cap: StoredAmount; cap_unit: string; used: StoredAmount }>(
    `SELECT p.offline_cap_value::text AS cap, p.offline_cap_unit AS cap_unit,
            (SELECT COALESCE(sum(o.amount), 0)::text FROM ledger_operations o
              WHERE o.debit_account_id = $2 AND o.terminal_transaction_id IS NOT NULL AND o.occurred_at >= $3 AND o.occurred_at < $4) AS used
       FROM cards c JOIN card_profiles p ON p.id = c.profile_id WHERE c.id = $1`,
    [cardId, accountId, start, end],
  );
  if (!row || row.cap_unit !== amount.unit || BigInt(row.used) + amount.minor <= BigInt(row.cap)) return null;
  const month = start.toISOString().slice(0, 7);
  return {
    kind: 'offline-over-cap',
    rule: null,
    message: `Offline fills of ${month} reach ${BigInt(row.used) + amount.minor} ${amount.unit}, beyond the profile's monthly offline cap of ${row.cap} ${amount.unit}`,
    details: { month, cap: Number(row.cap), usedBefore: Number(row.used), amount: Number(amount.minor), unit: amount.unit },
  };
}

const refused = (fill: BookableFill, error: AppError): OfflineFillResult => ({
  terminalTransactionId: fill.terminalTransactionId, status: 'refused', operationId: null, overCap: false, balanceAfter: null, error: { code: error.code, message: error.debugMessage },
});

/** Books one fill in its own transaction (the partner's operation when one uploads it), or says it was booked before; a business refusal is its result. */
async function bookFill(db: Database, actor: Actor, servicePointId: string, terminalId: string, fill: BookableFill, partnerId?: string): Promise<OfflineFillResult> {
  try {
    return await db.transaction(async (tx): Promise<OfflineFillResult> => {
      const booked = await alreadyBooked(tx, servicePointId, terminalId, fill);
      if (booked) return { terminalTransactionId: fill.terminalTransactionId, status: 'already-booked', operationId: booked, overCap: false, balanceAfter: null, error: null };
      if (fill.cardId === null) throw new AppError('CARD_NOT_FOUND', 'No card has this number');
      const cardId = fill.cardId;
      const amount = Money.fromApi(fill.amount);
      const occurredAt = new Date(fill.occurredAt);
      const { debit, credit, spending } = await paymentAccounts(tx, cardId, servicePointId, amount.unit);
      if (spending.clientId === null) throw new AppError('CARD_KIND_NOT_ALLOWED', `Card ${cardId} is an E-service card; only member cards pay`);
      const fuel = await fuelRecord(tx, fill, amount, occurredAt);
      let overCap: NewException | null = null;
      const payment = await uniquely(
        'ledger_operations_receipt',
        new AppError('RECEIPT_NUMBER_REUSED', `Service point ${servicePointId} has already recorded receipt ${fill.receiptNumber}`),
        () =>
          post(tx, actor, {
            type: 'payment', amount, debit, credit, overdraft: true,
            fields: {
              servicePointId, receiptNumber: fill.receiptNumber, service: fill.service, fuel, pumpNumber: fill.pumpNumber,
              offline: { terminalId, terminalTransactionId: fill.terminalTransactionId, occurredAt: occurredAt.toISOString() },
              vehicleId: spending.vehicle?.id, odometerKm: fill.odometerKm, driverCheck: spending.driver ? 'not-given' : 'no-driver', partnerId,
            },
            authorise: async () => {
              overCap = await offlineCap(tx, cardId, debit.id, amount, occurredAt);
            },
          }),
      );
      const onVehicle = await fillExceptions(tx, spending, { operationId: payment.id, quantityMl: fill.fuel ? BigInt(fill.fuel.quantityMl) : null, odometerKm: fill.odometerKm });
      await raiseExceptions(tx, { cardId, clientId: spending.clientId, operationId: payment.id }, [...(overCap ? [overCap] : []), ...onVehicle]);
      const [entry] = await tx.query<{ balance_after: StoredAmount }>('SELECT balance_after::text FROM ledger_entries WHERE operation_id = $1 AND account_id = $2', [payment.id, debit.id]);
      return {
        terminalTransactionId: fill.terminalTransactionId, status: 'booked', operationId: payment.id, overCap: overCap !== null,
        balanceAfter: Money.fromStored(entry.balance_after, amount.unit).toApi(), error: null,
      };
    });
  } catch (error) {
    if (error instanceof AppError && error.status < 500) return refused(fill, error);
    throw error;
  }
}

/** Books a terminal's offline fills, one by one, in the batch's order. */
export async function uploadOfflineFills(db: Database, actor: Actor, servicePointId: string, batch: OfflineFillBatch, now = new Date()): Promise<OfflineFillBatchResult> {
  checkBatch(batch, now);
  const [servicePoint] = await db.query('SELECT 1 FROM service_points WHERE id = $1', [servicePointId]);
  if (!servicePoint) throw new AppError('SERVICE_POINT_NOT_FOUND', `No service point ${servicePointId}`);
  return bookOfflineFills(db, actor, servicePointId, batch.terminalId, batch.fills);
}

/** Books a checked batch's fills, one by one, in its order; with `partnerId`, as that partner's operations. */
export async function bookOfflineFills(
  db: Database, actor: Actor, servicePointId: string, terminalId: string, fills: readonly BookableFill[], partnerId?: string,
): Promise<OfflineFillBatchResult> {
  const results: OfflineFillResult[] = [];
  for (const fill of fills) results.push(await bookFill(db, actor, servicePointId, terminalId, fill, partnerId));
  return { servicePointId, terminalId, results };
}
