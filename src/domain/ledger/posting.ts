/**
 * Posting: the one place where value moves. An operation debits one account and credits
 * another by the same amount, in one unit, inside the caller's transaction:
 *
 *   1. the cards it touches are locked, in id order, and handed to the caller's `authorise`
 *      check (card status, expiry, client, profile: one decision per debit, made on the rows
 *      as they stand under the lock);
 *   2. the bounded accounts it touches are locked, in id order (cards before accounts is the
 *      ledger's lock order everywhere); unbounded accounts are never locked;
 *   3. the debited account's bound is checked against its available balance;
 *   4. the operation, its two entries (each with the balance and version after it, for a
 *      bounded account), the new balances and the events are written.
 *
 * Every statement runs in the caller's transaction: the operation is all there or not at all.
 */
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { newId } from '../ids';
import { type Money, type StoredAmount } from '../money';
import type { Actor } from '../actor';
import { recordCardEvents } from '../events/events';
import { availableOf, type AccountRow } from './accounts';
import { toOperation, type Operation, type OperationRow, type OperationType } from './operations-read';

/** A card as the authorisation check sees it, locked. */
export interface LockedCard {
  id: string;
  kind: 'member' | 'eservice';
  status: 'active' | 'suspended' | 'opposed' | 'cancelled';
  expires_at: Date | null;
  client_id: string | null;
  client_status: string | null;
  allowed_services: string[] | null;
}

/** The fields of an operation besides its amount and accounts. */
interface OperationFields {
  servicePointId?: string | null;
  partnerId?: string | null;
  externalReference?: string | null;
  receiptNumber?: string | null;
  service?: string | null;
  fuel?: object | null;
  pumpNumber?: number | null;
  reason?: string | null;
  comment?: string | null;
  cancels?: string | null;
  orderId?: string | null;
}

export interface Posting {
  type: OperationType;
  amount: Money;
  debit: AccountRow;
  credit: AccountRow;
  fields?: OperationFields;
  /** Refuses the operation (throws an AppError) from the locked cards it touches, by id. */
  authorise?: (cards: ReadonlyMap<string, LockedCard>) => void;
}

/** Locks the cards in id order (the first step of the ledger's lock order) and reads what the checks need. */
export async function lockCards(tx: Queryable, ids: string[]): Promise<Map<string, LockedCard>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.query<LockedCard>(
    `SELECT c.id, c.kind, c.status, c.expires_at, c.client_id, cl.status AS client_status, p.allowed_services
       FROM cards c LEFT JOIN clients cl ON cl.id = c.client_id LEFT JOIN card_profiles p ON p.id = c.profile_id
      WHERE c.id = ANY($1) ORDER BY c.id FOR UPDATE OF c`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** Locks bounded accounts in id order (after their cards). */
export async function lockAccounts(tx: Queryable, ids: string[]): Promise<Map<string, AccountRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE', [ids]);
  return new Map(rows.map((row) => [row.id, row]));
}

/** INSUFFICIENT_FUNDS with the figures the bound was checked against. */
export function insufficientFunds(account: AccountRow, available: Money, requested: Money): AppError {
  const owner = account.card_id ? `card ${account.card_id}` : account.partner_id ? `partner ${account.partner_id}'s float` : account.kind;
  return new AppError(
    'INSUFFICIENT_FUNDS',
    `The ${owner} (account ${account.id}) has ${available.toStored()} ${available.unit} available; ${requested.toStored()} ${requested.unit} requested`,
    { details: { accountId: account.id, bound: 'available-not-below-zero', available: available.toApi(), requested: requested.toApi(), accountVersion: Number(account.version) } },
  );
}

interface EntryResult {
  posted: StoredAmount;
  version: StoredAmount;
}

async function moveBalance(tx: Queryable, account: AccountRow, delta: bigint): Promise<EntryResult | null> {
  if (!account.non_negative) return null;
  const [row] = await tx.query<EntryResult>('UPDATE ledger_accounts SET posted = posted + $2::bigint, version = version + 1 WHERE id = $1 RETURNING posted, version', [
    account.id,
    delta.toString(),
  ]);
  return row;
}

/** Posts one operation in the caller's transaction and returns it as the contract shows it. */
export async function post(tx: Queryable, actor: Actor, posting: Posting): Promise<Operation> {
  const { amount, debit, credit } = posting;
  if (debit.id === credit.id) throw new AppError('SAME_ACCOUNT', 'The operation would debit and credit the same account');
  if (debit.unit_code !== amount.unit || credit.unit_code !== amount.unit) throw new Error(`posting ${amount.unit} between ${debit.unit_code} and ${credit.unit_code} accounts`);
  if (amount.isNegative() || amount.isZero()) throw new Error('posting a non-positive amount');

  const cardIds = [debit.card_id, credit.card_id].filter((id): id is string => id !== null);
  const cards = await lockCards(tx, cardIds);
  posting.authorise?.(cards);
  const locked = await lockAccounts(tx, [debit, credit].filter((account) => account.non_negative).map((account) => account.id));
  const lockedDebit = locked.get(debit.id) ?? debit;
  if (lockedDebit.non_negative) {
    const available = availableOf(lockedDebit);
    if (available.compare(amount) < 0) throw insufficientFunds(lockedDebit, available, amount);
  }

  const fields = posting.fields ?? {};
  const [row] = await tx.query<OperationRow>(
    `INSERT INTO ledger_operations (id, type, status, unit_code, amount, debit_account_id, credit_account_id, service_point_id, partner_id,
       external_reference, receipt_number, service, fuel, pump_number, reason, comment, cancels_operation_id, order_id,
       actor_kind, actor_id, actor_name, channel, request_id)
     VALUES ($1, $2, 'completed', $3, $4::bigint, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
     RETURNING *`,
    [
      newId('op'), posting.type, amount.unit, amount.toStored(), debit.id, credit.id, fields.servicePointId ?? null, fields.partnerId ?? null,
      fields.externalReference ?? null, fields.receiptNumber ?? null, fields.service ?? null, fields.fuel ? JSON.stringify(fields.fuel) : null,
      fields.pumpNumber ?? null, fields.reason ?? null, fields.comment ?? null, fields.cancels ?? null, fields.orderId ?? null,
      actor.kind, actor.id, actor.name, actor.channel, actor.requestId,
    ],
  );
  const afterDebit = await moveBalance(tx, debit, -amount.minor);
  const afterCredit = await moveBalance(tx, credit, amount.minor);
  await tx.query(
    `INSERT INTO ledger_entries (operation_id, account_id, unit_code, amount, balance_after, version_after)
     VALUES ($1, $2, $3, $4::bigint, $5::bigint, $6::bigint), ($1, $7, $3, $8::bigint, $9::bigint, $10::bigint)`,
    [
      row.id, debit.id, amount.unit, amount.negate().toStored(), afterDebit?.posted ?? null, afterDebit?.version ?? null,
      credit.id, amount.toStored(), afterCredit?.posted ?? null, afterCredit?.version ?? null,
    ],
  );
  const operation = toOperation(row, { debit, credit });
  await recordCardEvents(tx, { type: 'operation.completed', resourceType: 'operation', resourceId: row.id, data: operation }, cardIds);
  return operation;
}
