/**
 * Posting: the one place where value moves. An operation debits one account and credits
 * another by the same amount, in one unit, inside the caller's transaction. Several
 * operations (a voucher's lines) post together, in three statements whatever their number:
 *
 *   1. lock: the member cards they touch, in id order, then the accounts that keep their
 *      balance on their row and the bounded ones debited, in id order (cards before accounts
 *      is the ledger's lock order everywhere), read as they stand under the locks; a credit to
 *      an account whose balance is the sum of its entries (the system accounts, E-service
 *      cards) locks nothing, so a busy station's payments do not queue on its row;
 *   2. in memory, operation by operation: the caller's `authorise` check on the locked cards
 *      (card status, expiry, client, profile: one decision per debit), the debited account's
 *      bound against its available balance, and the balance and version after each entry;
 *   3. write: the operations, their entries and the new balances in one statement, then their
 *      events in another; a partner float's part (a hot account: see isLate) in the last
 *      statement before COMMIT.
 *
 * Every statement runs in the caller's transaction: the operations are all there or none is.
 */
import { amountBounds } from '../../../generated/operations';
import type { Queryable } from '../../db/database';
import { AppError, labelled } from '../app-error';
import { newId } from '../ids';
import { Money } from '../money';
import type { Actor } from '../actor';
import { recordCardEvents } from '../events/events';
import { worldNowOf } from '../clocks';
import type { AccountKey, AccountRow } from './accounts';
import { toOperation, type Operation, type OperationRow, type OperationType } from './operations-read';

/** A card as the authorisation check sees it, locked. */
export interface LockedCard {
  id: string;
  kind: 'member' | 'eservice';
  status: 'active' | 'suspended' | 'opposed' | 'cancelled';
  expires_at: Date | null;
  /** The time now in the card's world (clocks.ts worldNowOf): what its expiry is judged at. */
  world_now: Date;
  client_id: string | null;
  client_status: string | null;
  allowed_services: string[] | null;
}

/** A bounded account's balance as read under its lock. */
type LockedBalance = Pick<AccountRow, 'id' | 'posted' | 'held' | 'version'>;

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
  /** The operation a regularisation corrects. */
  corrects?: string | null;
  /** The card refund a payout pays. */
  settles?: string | null;
  orderId?: string | null;
  offline?: { terminalId: string; terminalTransactionId: string; occurredAt: string } | null;
  vehicleId?: string | null;
  odometerKm?: number | null;
  driverCheck?: string | null;
}

export interface Posting {
  type: OperationType;
  amount: Money;
  debit: AccountKey;
  credit: AccountKey;
  fields?: OperationFields;
  /**
   * Refuses the operation (throws an AppError) from the locked cards it touches, by id; may
   * read more under their locks (a card's spends for its spending controls).
   */
  authorise?: (cards: ReadonlyMap<string, LockedCard>) => void | Promise<void>;
  /** Prefixed to its refusal's message when several operations post together ("Line 3"). */
  label?: string;
  /** The debit may take its account below zero (an offline fill, already served). */
  overdraft?: boolean;
}

interface Locked {
  cards: Map<string, LockedCard>;
  balances: Map<string, LockedBalance>;
}

/**
 * Locks the member cards in id order, then the accounts in id order, in one statement (the
 * accounts' scan waits for the cards' CTE: it is a condition of it), and reads what the
 * checks need. FOR NO KEY UPDATE, the lock an UPDATE of the row takes: it does not block the
 * foreign-key checks of rows that refer to the card or account (entries, events, holds).
 * E-service cards are read FOR KEY SHARE: every payment at a station touches its card, and
 * payments do not block one another on it, but the cancellation of that card (FOR UPDATE)
 * waits for the payments in flight, and they for it (then they read it cancelled).
 */
export async function lockLedger(tx: Queryable, cardIds: readonly string[], accountIds: readonly string[] = []): Promise<Locked> {
  const cards = [...new Set(cardIds)].sort();
  const accounts = [...new Set(accountIds)].sort();
  if (cards.length === 0 && accounts.length === 0) return { cards: new Map(), balances: new Map() };
  const rows = await tx.query<LockedCard & LockedBalance & { what: 'card' | 'account' }>(
    `WITH locked_cards AS (
       SELECT c.id, c.kind, c.status, c.expires_at, ${worldNowOf('c.client_id')} AS world_now, c.client_id, cl.status AS client_status, p.allowed_services
         FROM cards c LEFT JOIN clients cl ON cl.id = c.client_id LEFT JOIN card_profiles p ON p.id = c.profile_id
        WHERE c.id = ANY($1::text[]) AND c.kind = 'member' ORDER BY c.id FOR NO KEY UPDATE OF c
     ), shared_cards AS (
       SELECT id, kind, status, expires_at, now() AS world_now FROM cards WHERE id = ANY($1::text[]) AND kind <> 'member' ORDER BY id FOR KEY SHARE
     ), locked_accounts AS (
       SELECT a.id, a.posted, a.held, a.version FROM ledger_accounts a
        WHERE a.id = ANY($2::text[]) AND (SELECT count(*) FROM locked_cards) + (SELECT count(*) FROM shared_cards) >= 0 ORDER BY a.id FOR NO KEY UPDATE
     )
     SELECT 'card' AS what, id, kind, status, expires_at, world_now, client_id, client_status, allowed_services, NULL::bigint AS posted, NULL::bigint AS held, NULL::bigint AS version FROM locked_cards
     UNION ALL
     SELECT 'card', id, kind, status, expires_at, world_now, NULL, NULL, NULL, NULL, NULL, NULL FROM shared_cards
     UNION ALL
     SELECT 'account', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, posted, held, version FROM locked_accounts`,
    [cards, accounts],
    { prepare: true },
  );
  const locked: Locked = { cards: new Map(), balances: new Map() };
  for (const { what, ...row } of rows) {
    if (what === 'card') locked.cards.set(row.id, row);
    else locked.balances.set(row.id, { id: row.id, posted: row.posted, held: row.held, version: row.version });
  }
  return locked;
}

/**
 * The balances of locked accounts that keep none on their row, summed from their entries in
 * a statement after the lock (so that it sees every debit committed before the lock was
 * granted; credits committed later only add).
 */
async function summedUnderLock(tx: Queryable, ids: readonly string[]): Promise<Map<string, bigint>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.query<{ account_id: string; total: string }>(
    'SELECT account_id, sum(amount)::text AS total FROM ledger_entries WHERE account_id = ANY($1) GROUP BY account_id',
    [ids],
  );
  return new Map(ids.map((id) => [id, BigInt(rows.find((row) => row.account_id === id)?.total ?? 0)]));
}

/** INSUFFICIENT_FUNDS with the figures the bound was checked against. */
export function insufficientFunds(account: AccountKey, balance: Pick<AccountRow, 'version'>, available: Money, requested: Money): AppError {
  const owner = ownerOf(account);
  return new AppError(
    'INSUFFICIENT_FUNDS',
    `The ${owner} (account ${account.id}) has ${available.toStored()} ${available.unit} available; ${requested.toStored()} ${requested.unit} requested`,
    {
      details: {
        account: account.kind,
        accountId: account.id,
        bound: 'available-not-below-zero',
        available: available.toApi(),
        requested: requested.toApi(),
        accountVersion: Number(balance.version),
      },
    },
  );
}

/** The balances the contract can show (components.schemas.Amount): no posting leaves an account outside them. */
const LOWEST_BALANCE = BigInt(amountBounds.minimum);
const HIGHEST_BALANCE = BigInt(amountBounds.maximum);
const withinBounds = (balance: bigint) => balance >= LOWEST_BALANCE && balance <= HIGHEST_BALANCE;

const ownerOf = (account: AccountKey) =>
  account.card_id ? `card ${account.card_id}` : account.partner_id ? `partner ${account.partner_id}'s float` : account.kind;

/** BALANCE_OUT_OF_BOUNDS: the posting would leave the account at a balance the contract cannot show (every read of it would fail). */
function balanceOutOfBounds(account: AccountKey, before: bigint, change: bigint, unit: string): AppError {
  return new AppError(
    'BALANCE_OUT_OF_BOUNDS',
    `The ${ownerOf(account)} (account ${account.id}) would go from ${before} to ${before + change} ${unit}, outside the balances the contract can show [${LOWEST_BALANCE}, ${HIGHEST_BALANCE}]`,
  );
}

/** A bounded account's running state while postings are applied in memory. */
interface Running {
  posted: bigint;
  held: bigint;
  version: bigint;
}

interface Entry {
  operationId: string;
  accountId: string;
  unit: string;
  amount: bigint;
  after: Running | null;
}

const column = <T>(items: readonly T[], pick: (item: T) => unknown) => items.map(pick);

/**
 * A partner's float is debited by every recharge the partner sends: a hot, bounded account.
 * Its row is locked by the last statement before COMMIT (lateWrite), so that it is held for
 * that statement and the commit only, not for the whole transaction. Lock order: member
 * cards, the other accounts, then partner floats, each in id order.
 */
const isLate = (account: AccountKey) => account.kind === 'partner-float';

interface LateEntry {
  operationId: string;
  accountId: string;
  unit: string;
  amount: bigint;
  /** The account's change up to and including this entry. */
  cumulative: bigint;
  /** The posting's label, for its refusal. */
  label?: string;
}

interface LateAccount {
  account: AccountKey;
  /** The change of all its entries. */
  delta: bigint;
  /** The lowest running change (at most 0): the bound is checked against it. */
  lowest: bigint;
  /** The highest running change (at least 0): the contract's upper bound is checked against it. */
  highest: bigint;
  entries: LateEntry[];
}

/**
 * The partner floats' part of the postings, run just before COMMIT: in one statement, each
 * float is locked (in id order), moved if its available balance stays at or above zero all
 * along and its posted balance at or below the contract's bound, and its entries written with
 * the balance and version after each. A float that would go below zero is refused with the
 * figures of the first entry that crosses its bound; one that would pass the contract's bound,
 * with BALANCE_OUT_OF_BOUNDS.
 */
async function lateWrite(tx: Queryable, accounts: readonly LateAccount[]): Promise<void> {
  const entries = accounts.flatMap((late) => late.entries.map((entry, index) => ({ ...entry, index: index + 1 })));
  const moved = await tx.query<{ id: string }>(
    `WITH locked AS (
       SELECT id FROM ledger_accounts WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE
     ), moved AS (
       UPDATE ledger_accounts a SET posted = a.posted + m.delta, version = a.version + m.n
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $11::bigint[]) AS m (id, delta, n, lowest, highest)
        WHERE a.id = m.id AND a.posted - a.held + m.lowest >= 0 AND a.posted + m.highest <= $12 AND (SELECT count(*) FROM locked) > 0
       RETURNING a.id, a.posted - m.delta AS posted_before, a.version - m.n AS version_before
     ), entries AS (
       INSERT INTO ledger_entries (operation_id, account_id, unit_code, amount, balance_after, version_after)
       SELECT e.operation_id, e.account_id, e.unit_code, e.amount, moved.posted_before + e.cumulative, moved.version_before + e.n
         FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bigint[]) WITH ORDINALITY
              AS e (operation_id, account_id, unit_code, amount, cumulative, n, ord)
         JOIN moved ON moved.id = e.account_id
        ORDER BY e.ord
     )
     SELECT id FROM moved`,
    [
      accounts.map((late) => late.account.id),
      accounts.map((late) => late.delta.toString()),
      accounts.map((late) => late.entries.length),
      accounts.map((late) => late.lowest.toString()),
      column(entries, (e) => e.operationId),
      column(entries, (e) => e.accountId),
      column(entries, (e) => e.unit),
      column(entries, (e) => e.amount.toString()),
      column(entries, (e) => e.cumulative.toString()),
      column(entries, (e) => e.index),
      accounts.map((late) => late.highest.toString()),
      HIGHEST_BALANCE.toString(),
    ],
    { prepare: true },
  );
  const refused = accounts.find((late) => !moved.some((row) => row.id === late.account.id));
  if (!refused) return;
  const [row] = await tx.query<Pick<AccountRow, 'posted' | 'held' | 'version'>>('SELECT posted, held, version FROM ledger_accounts WHERE id = $1', [
    refused.account.id,
  ]);
  const available = BigInt(row.posted) - BigInt(row.held);
  if (available + refused.lowest >= 0) {
    // Refused for the contract's upper bound: the first entry that passes it.
    const above = refused.entries.find((entry) => BigInt(row.posted) + entry.cumulative > HIGHEST_BALANCE) as LateEntry;
    const refusal = balanceOutOfBounds(refused.account, BigInt(row.posted) + above.cumulative - above.amount, above.amount, above.unit);
    throw above.label ? labelled(above.label, refusal) : refusal;
  }
  const crossing = refused.entries.find((entry) => available + entry.cumulative < 0) as LateEntry;
  const before = Money.fromStored((available + crossing.cumulative - crossing.amount).toString(), crossing.unit);
  const refusal = insufficientFunds(refused.account, row, before, Money.fromStored((-crossing.amount).toString(), crossing.unit));
  throw crossing.label ? labelled(crossing.label, refusal) : refusal;
}

/** Posts one operation in the caller's transaction and returns it as the contract shows it. */
export async function post(tx: Queryable, actor: Actor, posting: Posting): Promise<Operation> {
  return (await postAll(tx, actor, [posting]))[0];
}

/** Posts operations together, in order, in the caller's transaction; all or none. */
export async function postAll(tx: Queryable, actor: Actor, postings: readonly Posting[]): Promise<Operation[]> {
  if (postings.length === 0) return [];
  for (const { amount, debit, credit } of postings) {
    if (debit.id === credit.id) throw new AppError('SAME_ACCOUNT', 'The operation would debit and credit the same account');
    if (debit.unit_code !== amount.unit || credit.unit_code !== amount.unit)
      throw new Error(`posting ${amount.unit} between ${debit.unit_code} and ${credit.unit_code} accounts`);
    if (amount.isNegative() || amount.isZero()) throw new Error('posting a non-positive amount');
  }
  const sides = postings.flatMap((posting) => [posting.debit, posting.credit]);
  // Locked now: the accounts that keep their balance on their row, but partner floats, and
  // the bounded ones whose balance is summed when debited (their bound is checked); a credit
  // to a summed account locks nothing. Partner floats are locked last (lateWrite).
  const summedDebits = postings.map((posting) => posting.debit).filter((account) => account.non_negative && !account.stored_balance);
  const locked = await lockLedger(
    tx,
    sides.flatMap((account) => (account.card_id ? [account.card_id] : [])),
    [...sides.filter((account) => account.stored_balance && !isLate(account)), ...summedDebits].map((account) => account.id),
  );
  const running = new Map<string, Running>();
  const late = new Map<string, LateAccount>();
  for (const account of sides.filter((side) => isLate(side))) late.set(account.id, { account, delta: 0n, lowest: 0n, highest: 0n, entries: [] });
  for (const account of sides.filter((side) => side.stored_balance && !isLate(side))) {
    const row = locked.balances.get(account.id);
    if (!row) throw new Error(`account ${account.id} was not locked`);
    running.set(account.id, { posted: BigInt(row.posted), held: BigInt(row.held), version: BigInt(row.version) });
  }
  /** The summed accounts debited: their balance as the bound sees it, never written to their row. */
  const summed = new Map<string, Running>();
  for (const [id, total] of await summedUnderLock(tx, [...new Set(summedDebits.map((account) => account.id))])) {
    summed.set(id, { posted: total, held: BigInt(locked.balances.get(id)?.held ?? 0), version: 0n });
  }
  /**
   * The other summed accounts an overdraft (an offline fill, already served: no balance limits
   * it) credits or debits, read unlocked for the contract's bound only. Other postings move
   * value an account held, so they cannot carry a summed account past the bound alone; an
   * overdraft could, by any amount. Unlocked, two overdrafts racing at the bound could still
   * pass it together, by less than one of them.
   */
  const watched = new Map<string, Running>();
  const unwatched = postings.some((posting) => posting.overdraft)
    ? sides.filter((account) => !account.stored_balance && !summed.has(account.id)).map((account) => account.id)
    : [];
  for (const [id, total] of await summedUnderLock(tx, [...new Set(unwatched)])) watched.set(id, { posted: total, held: 0n, version: 0n });

  const entries: Entry[] = [];
  const move = (operationId: string, account: AccountKey, amount: bigint, unit: string, label?: string) => {
    const deferred = late.get(account.id);
    if (deferred) {
      deferred.delta += amount;
      if (deferred.delta < deferred.lowest) deferred.lowest = deferred.delta;
      if (deferred.delta > deferred.highest) deferred.highest = deferred.delta;
      deferred.entries.push({ operationId, accountId: account.id, unit, amount, cumulative: deferred.delta, label });
      return;
    }
    const state = running.get(account.id);
    if (state) {
      state.posted += amount;
      state.version += 1n;
    }
    const bound = summed.get(account.id) ?? watched.get(account.id);
    if (bound) bound.posted += amount;
    entries.push({ operationId, accountId: account.id, unit, amount, after: state ? { ...state } : null });
  };
  const ids: string[] = [];
  for (const posting of postings) {
    const id = newId('op');
    try {
      await posting.authorise?.(locked.cards);
      const state = running.get(posting.debit.id) ?? summed.get(posting.debit.id);
      if (state && !posting.overdraft) {
        const available = Money.fromStored(state.posted - state.held, posting.amount.unit);
        if (available.compare(posting.amount) < 0) throw insufficientFunds(posting.debit, { version: state.version.toString() }, available, posting.amount);
      }
      for (const [account, change] of [
        [posting.debit, -posting.amount.minor],
        [posting.credit, posting.amount.minor],
      ] as const) {
        const balance = (running.get(account.id) ?? summed.get(account.id) ?? watched.get(account.id))?.posted;
        if (balance !== undefined && !withinBounds(balance + change)) throw balanceOutOfBounds(account, balance, change, posting.amount.unit);
      }
    } catch (error) {
      throw posting.label ? labelled(posting.label, error) : error;
    }
    move(id, posting.debit, -posting.amount.minor, posting.amount.unit, posting.label);
    move(id, posting.credit, posting.amount.minor, posting.amount.unit, posting.label);
    ids.push(id);
  }
  if (late.size > 0)
    tx.beforeCommit(() =>
      lateWrite(
        tx,
        [...late.values()].sort((a, b) => (a.account.id < b.account.id ? -1 : 1)),
      ),
    );

  const fields = postings.map((posting) => posting.fields ?? {});
  const balances = [...running];
  const rows = await tx.query<OperationRow>(
    `WITH ops AS (
       INSERT INTO ledger_operations (id, type, status, unit_code, amount, debit_account_id, credit_account_id, service_point_id, partner_id,
         external_reference, receipt_number, service, fuel, pump_number, reason, comment, cancels_operation_id, order_id,
         terminal_id, terminal_transaction_id, occurred_at, vehicle_id, odometer_km, driver_check, actor_kind, actor_id, actor_name, channel, request_id,
         corrects_operation_id, settles_operation_id)
       SELECT o.id, o.type, 'completed', o.unit_code, o.amount, o.debit, o.credit, o.service_point_id, o.partner_id, o.external_reference, o.receipt_number,
              o.service, o.fuel::jsonb, o.pump_number, o.reason, o.comment, o.cancels, o.order_id, o.offline::jsonb->>'terminalId',
              o.offline::jsonb->>'terminalTransactionId', (o.offline::jsonb->>'occurredAt')::timestamptz, o.vehicle_id, o.odometer_km, o.driver_check,
              $18, $19, $20, $21, $22, o.corrects, o.settles
         FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                     $11::text[], $12::text[], $13::int[], $14::text[], $15::text[], $16::text[], $17::text[], $32::text[], $33::text[], $34::bigint[], $35::text[], $36::text[], $37::text[]) WITH ORDINALITY
              AS o (id, type, unit_code, amount, debit, credit, service_point_id, partner_id, external_reference, receipt_number,
                    service, fuel, pump_number, reason, comment, cancels, order_id, offline, vehicle_id, odometer_km, driver_check, corrects, settles, ord)
        ORDER BY o.ord
       RETURNING *
     ), balances AS (
       UPDATE ledger_accounts a SET posted = b.posted, version = b.version
         FROM unnest($23::text[], $24::bigint[], $25::bigint[]) AS b (id, posted, version)
        WHERE a.id = b.id
     ), entries AS (
       INSERT INTO ledger_entries (operation_id, account_id, unit_code, amount, balance_after, version_after)
       SELECT e.operation_id, e.account_id, e.unit_code, e.amount, e.balance_after, e.version_after
         FROM unnest($26::text[], $27::text[], $28::text[], $29::bigint[], $30::bigint[], $31::bigint[]) WITH ORDINALITY
              AS e (operation_id, account_id, unit_code, amount, balance_after, version_after, ord)
        ORDER BY e.ord
     )
     SELECT * FROM ops`,
    [
      ids,
      column(postings, (p) => p.type),
      column(postings, (p) => p.amount.unit),
      column(postings, (p) => p.amount.toStored()),
      column(postings, (p) => p.debit.id),
      column(postings, (p) => p.credit.id),
      column(fields, (f) => f.servicePointId ?? null),
      column(fields, (f) => f.partnerId ?? null),
      column(fields, (f) => f.externalReference ?? null),
      column(fields, (f) => f.receiptNumber ?? null),
      column(fields, (f) => f.service ?? null),
      column(fields, (f) => (f.fuel ? JSON.stringify(f.fuel) : null)),
      column(fields, (f) => f.pumpNumber ?? null),
      column(fields, (f) => f.reason ?? null),
      column(fields, (f) => f.comment ?? null),
      column(fields, (f) => f.cancels ?? null),
      column(fields, (f) => f.orderId ?? null),
      actor.kind,
      actor.id,
      actor.name,
      actor.channel,
      actor.requestId,
      column(balances, ([id]) => id),
      column(balances, ([, state]) => state.posted.toString()),
      column(balances, ([, state]) => state.version.toString()),
      column(entries, (e) => e.operationId),
      column(entries, (e) => e.accountId),
      column(entries, (e) => e.unit),
      column(entries, (e) => e.amount.toString()),
      column(entries, (e) => e.after?.posted.toString() ?? null),
      column(entries, (e) => e.after?.version.toString() ?? null),
      column(fields, (f) => (f.offline ? JSON.stringify(f.offline) : null)),
      column(fields, (f) => f.vehicleId ?? null),
      column(fields, (f) => f.odometerKm ?? null),
      column(fields, (f) => f.driverCheck ?? null),
      column(fields, (f) => f.corrects ?? null),
      column(fields, (f) => f.settles ?? null),
    ],
    { prepare: true },
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const operations = postings.map((posting, index) => toOperation(byId.get(ids[index]) as OperationRow, posting));
  await recordCardEvents(
    tx,
    operations.map((operation) => ({
      type: 'operation.completed' as const,
      resourceType: 'operation' as const,
      resourceId: operation.id,
      data: operation,
      partnerId: operation.partnerId,
      cardIds: [operation.debit.cardId, operation.credit.cardId].filter((id): id is string => id !== null),
    })),
  );
  return operations;
}

/** Marks an operation cancelled by `cancellationId` (the caller holds its row lock); returns its row. */
export async function markCancelled(tx: Queryable, operationId: string, cancellationId: string): Promise<OperationRow> {
  const [row] = await tx.query<OperationRow>("UPDATE ledger_operations SET status = 'cancelled', cancelled_by_operation_id = $2 WHERE id = $1 RETURNING *", [
    operationId,
    cancellationId,
  ]);
  return row;
}
