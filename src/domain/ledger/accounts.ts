/**
 * Ledger accounts: one per card per unit, one float per partner per unit, and per unit the
 * issuer's float, fee revenue and adjustments. Cards and partner floats are bounded (never
 * below zero) and keep their balance on their row; the others are unbounded, never locked,
 * and their balance is the sum of their entries (see migration 010_ledger.sql).
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { newId } from '../ids';
import { Money, type StoredAmount } from '../money';
import { pageOfRows, type Page, type PageInput } from '../pagination';
import type { Actor } from '../actor';

export type LedgerAccount = components['schemas']['LedgerAccount'];
type AccountKind = LedgerAccount['kind'];
type SystemKind = Exclude<AccountKind, 'card' | 'partner-float'>;

export interface AccountRow {
  seq: string;
  id: string;
  kind: AccountKind;
  card_id: string | null;
  partner_id: string | null;
  unit_code: string;
  non_negative: boolean;
  posted: StoredAmount;
  held: StoredAmount;
  version: StoredAmount;
}

/** The account reference an operation shows for its debit and credit sides. */
export const accountRef = (row: Pick<AccountRow, 'id' | 'kind' | 'card_id' | 'partner_id'>) => ({
  accountId: row.id,
  kind: row.kind,
  cardId: row.card_id,
  partnerId: row.partner_id,
});

/** Opens the accounts of a new card (in the caller's transaction), one per unit, at zero. */
export async function openCardAccounts(tx: Queryable, cardId: string, units: readonly string[]): Promise<void> {
  for (const unit of units) {
    await tx.query("INSERT INTO ledger_accounts (id, kind, card_id, unit_code, non_negative) VALUES ($1, 'card', $2, $3, true)", [newId('acc'), cardId, unit]);
  }
}

/** The card's account in a unit; UNIT_NOT_HELD when the card holds no balance in it. */
export async function cardAccount(tx: Queryable, cardId: string, unit: string, path = '/body/amount/unit'): Promise<AccountRow> {
  const [row] = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE card_id = $1 AND unit_code = $2', [cardId, unit]);
  if (!row) throw new AppError('UNIT_NOT_HELD', `Card ${cardId} holds no balance in ${unit}`, { errors: [{ path, message: 'a unit the card does not hold' }] });
  return row;
}

/** An E-service card's account in a unit, opened at its first payment in that unit. */
export async function eServiceAccount(tx: Queryable, cardId: string, unit: string): Promise<AccountRow> {
  const [existing] = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE card_id = $1 AND unit_code = $2', [cardId, unit]);
  if (existing) return existing; // the usual case: one round trip
  await requireUnit(tx, unit);
  await tx.query(
    "INSERT INTO ledger_accounts (id, kind, card_id, unit_code, non_negative) VALUES ($1, 'card', $2, $3, true) ON CONFLICT (card_id, unit_code) WHERE card_id IS NOT NULL DO NOTHING",
    [newId('acc'), cardId, unit],
  );
  return cardAccount(tx, cardId, unit);
}

async function requireUnit(tx: Queryable, unit: string): Promise<void> {
  const [known] = await tx.query('SELECT 1 FROM units WHERE code = $1', [unit]);
  if (!known) throw new AppError('UNIT_NOT_HELD', `No unit ${unit}`, { errors: [{ path: '/body/amount/unit', message: 'unknown unit' }] });
}

/** The issuer float, fee revenue or adjustments account of a unit, opened on first use. */
export async function systemAccount(tx: Queryable, kind: SystemKind, unit: string): Promise<AccountRow> {
  const select = 'SELECT * FROM ledger_accounts WHERE kind = $1 AND unit_code = $2 AND card_id IS NULL AND partner_id IS NULL';
  const [existing] = await tx.query<AccountRow>(select, [kind, unit]);
  if (existing) return existing; // the usual case: one round trip
  await requireUnit(tx, unit);
  await tx.query(
    'INSERT INTO ledger_accounts (id, kind, unit_code, non_negative) VALUES ($1, $2, $3, false) ON CONFLICT (kind, unit_code) WHERE card_id IS NULL AND partner_id IS NULL DO NOTHING',
    [newId('acc'), kind, unit],
  );
  const [row] = await tx.query<AccountRow>(select, [kind, unit]);
  return row;
}

/** A partner's float in a unit, opened on first use. */
export async function partnerFloatAccount(tx: Queryable, partnerId: string, unit: string): Promise<AccountRow> {
  const select = 'SELECT * FROM ledger_accounts WHERE partner_id = $1 AND unit_code = $2';
  const [existing] = await tx.query<AccountRow>(select, [partnerId, unit]);
  if (existing) return existing; // the usual case: one round trip
  await requireUnit(tx, unit);
  await tx.query(
    "INSERT INTO ledger_accounts (id, kind, partner_id, unit_code, non_negative) VALUES ($1, 'partner-float', $2, $3, true) ON CONFLICT (partner_id, unit_code) WHERE partner_id IS NOT NULL DO NOTHING",
    [newId('acc'), partnerId, unit],
  );
  const [row] = await tx.query<AccountRow>(select, [partnerId, unit]);
  return row;
}

/** What an account can still be debited by: posted minus open holds. */
export const availableOf = (row: AccountRow): Money => Money.fromStored(row.posted, row.unit_code).subtract(Money.fromStored(row.held, row.unit_code));

/** The posted balance of unbounded accounts (the sum of their entries), by account id. */
async function summedBalances(db: Queryable, ids: string[]): Promise<Map<string, StoredAmount>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ account_id: string; total: StoredAmount }>(
    'SELECT account_id, COALESCE(sum(amount), 0)::bigint AS total FROM ledger_entries WHERE account_id = ANY($1) GROUP BY account_id',
    [ids],
  );
  return new Map(rows.map((row) => [row.account_id, row.total]));
}

/** Accounts in the contract's shape, their balances read as they stand. */
async function accountViews(db: Queryable, rows: AccountRow[]): Promise<LedgerAccount[]> {
  const sums = await summedBalances(db, rows.filter((row) => !row.non_negative).map((row) => row.id));
  return rows.map((row) => {
    const posted = Money.fromStored(row.non_negative ? row.posted : (sums.get(row.id) ?? 0), row.unit_code);
    const held = Money.fromStored(row.held, row.unit_code);
    return {
      id: row.id,
      kind: row.kind,
      cardId: row.card_id,
      partnerId: row.partner_id,
      unit: row.unit_code,
      nonNegative: row.non_negative,
      posted: posted.toApi(),
      held: held.toApi(),
      available: posted.subtract(held).toApi(),
      version: row.non_negative ? Number(row.version) : null,
    };
  });
}

export interface AccountFilters {
  kind?: AccountKind;
  cardId?: string;
  partnerId?: string;
}

export async function listAccounts(db: Queryable, actor: Actor, filters: AccountFilters, page: PageInput): Promise<Page<LedgerAccount>> {
  const result = await pageOfRows(
    db,
    'ledger_accounts',
    [
      ['kind = ?', filters.kind],
      ['card_id = ?', filters.cardId],
      ['partner_id = ?', filters.partnerId],
    ],
    page,
    (row: AccountRow) => row,
  );
  return { items: await accountViews(db, result.items), nextCursor: result.nextCursor };
}
