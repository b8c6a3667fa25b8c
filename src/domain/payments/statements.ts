/**
 * Card statements: the balance at the start of a period, the movements in it and the balance
 * at its end, read from the balances each entry recorded (no recomputation). An entry's time
 * is taken under its account's lock, so one account's entries are in time order. An
 * E-service card's entries record no balance (migration 013): its balances are summed, and
 * its entries, written without a lock, are in time order to within a transaction's length.
 *
 * Lines are paged without losing one that commits late: a card keeping its balance has its
 * entries written under its lock, held to COMMIT, so they are served in entry order (the ones
 * committed precede any still to come); an E-service card's are served settled, in
 * (inserting transaction, entry) order below the settled horizon (src/domain/pagination.ts),
 * each with the sum of the entries before it in that order.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { Money, type StoredAmount } from '../money';
import { afterSettled, cursorPosition, pageSize, settledPosition, toPage, toSettledPage } from '../pagination';
import type { Actor } from '../actor';
import { priceInForce } from '../referential/energy-types';
import { cardAccount } from '../ledger/accounts';
import type { OperationType } from '../ledger/operations-read';

export type CardStatement = components['schemas']['CardStatement'];

export interface StatementQuery {
  unit: string;
  from: string;
  to: string;
  limit?: number;
  cursor?: string;
}

interface LineRow {
  seq: string;
  xact: string;
  amount: StoredAmount;
  balance_after: StoredAmount;
  operation_id: string;
  reference: string;
  type: OperationType;
  discount: StoredAmount;
  corrects_operation_id: string | null;
  created_at: Date;
}

/** The balance before `at`: the last one an entry recorded, or (an account whose balance is summed) the sum of the entries before it. */
export async function balanceBefore(db: Queryable, account: { id: string; stored_balance: boolean }, unit: string, at: Date): Promise<Money> {
  const [row] = await db.query<{ balance: StoredAmount | null }>(
    account.stored_balance
      ? 'SELECT balance_after AS balance FROM ledger_entries WHERE account_id = $1 AND created_at < $2 ORDER BY seq DESC LIMIT 1'
      : 'SELECT sum(amount)::bigint AS balance FROM ledger_entries WHERE account_id = $1 AND created_at < $2',
    [account.id, at],
  );
  return row?.balance !== undefined && row.balance !== null ? Money.fromStored(row.balance, unit) : Money.zero(unit);
}

/** A balance in litres valued at the price in force at `at`, rounded half up to the franc; null for money. */
async function valueOf(db: Queryable, balance: Money, at: Date): Promise<CardStatement['closingValue']> {
  const [unit] = await db.query<{ kind: string; scale: number; energy_type_code: string | null }>(
    'SELECT kind, scale, energy_type_code FROM units WHERE code = $1',
    [balance.unit],
  );
  if (unit?.kind !== 'volume' || !unit.energy_type_code) return null;
  const price = await priceInForce(db, unit.energy_type_code, at);
  if (!price) return null;
  const divisor = 10n ** BigInt(unit.scale);
  const times = balance.minor * Money.fromApi(price.priceInclTax).minor;
  return Money.fromStored(((times * 2n + divisor) / (2n * divisor)).toString(), price.priceInclTax.unit).toApi();
}

export async function cardStatement(db: Queryable, actor: Actor, cardId: string, query: StatementQuery): Promise<CardStatement> {
  const account = await cardAccount(db, cardId, query.unit, '/query/unit'); // CARD_NOT_FOUND first
  const [from, to] = [new Date(query.from), new Date(query.to)];
  if (!(from.getTime() < to.getTime()))
    throw new AppError('VALIDATION_FAILED', 'The period must end after it starts', { errors: [{ path: '/query/to', message: 'must be after from' }] });
  const limit = pageSize(query.limit);
  const params: unknown[] = [account.id, from, to];
  const after = account.stored_balance ? `e.seq > $${params.push(cursorPosition(query.cursor))}` : afterSettled('', settledPosition(query.cursor), params);
  const rows = await db.query<LineRow>(
    `SELECT * FROM (
       SELECT e.seq, o.xact, e.amount, o.id AS operation_id, o.reference, o.type, o.corrects_operation_id, e.created_at,
              CASE WHEN o.type = 'payment' THEN COALESCE(o.fuel->'discountAmount'->>'value', '0') ELSE '0' END AS discount,
              COALESCE(e.balance_after, (SELECT sum(x.amount)::bigint FROM ledger_entries x JOIN ledger_operations xo ON xo.id = x.operation_id
                                          WHERE x.account_id = e.account_id AND (xo.xact, x.seq) <= (o.xact, e.seq))) AS balance_after
         FROM ledger_entries e JOIN ledger_operations o ON o.id = e.operation_id
        WHERE e.account_id = $1 AND e.created_at >= $2 AND e.created_at < $3
     ) e WHERE ${after}
     ORDER BY ${account.stored_balance ? 'e.seq' : 'e.xact, e.seq'} LIMIT ${limit + 1}`,
    params,
  );
  const toLine = (row: LineRow) => ({
    operationId: row.operation_id,
    reference: row.reference,
    type: row.type,
    at: row.created_at.toISOString(),
    amount: Money.fromStored(row.amount, query.unit).toApi(),
    discount: Money.fromStored(row.discount, query.unit).toApi(),
    balanceAfter: Money.fromStored(row.balance_after, query.unit).toApi(),
    corrects: row.corrects_operation_id,
  });
  const page = account.stored_balance ? toPage(rows, limit, toLine) : toSettledPage(rows, limit, query.cursor, toLine);
  const closing = await balanceBefore(db, account, query.unit, to);
  return {
    cardId,
    unit: query.unit,
    from: from.toISOString(),
    to: to.toISOString(),
    openingBalance: (await balanceBefore(db, account, query.unit, from)).toApi(),
    closingBalance: closing.toApi(),
    closingValue: await valueOf(db, closing, to),
    lines: page.items,
    nextCursor: page.nextCursor,
  };
}
