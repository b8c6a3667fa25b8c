/**
 * Ledger accounts: one per card per unit, one float per partner per unit, and per unit the
 * issuer's float, fee revenue, adjustments and card refunds (migration 031). Cards and partner floats are bounded (never
 * below zero). Member cards and partner floats keep their balance on their row, locked by
 * every movement; the others' balance is the sum of their entries, and a credit to them locks
 * nothing: the system accounts (unbounded, never locked) and the E-service cards credited by
 * every payment at their station (a debit locks the row and checks the sum). Migrations 010
 * and 013.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError, labelled } from '../app-error';
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
  /** The row keeps the balance (member cards, partner floats); otherwise it is the sum of the entries (migration 013). */
  stored_balance: boolean;
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

/**
 * Opens the accounts of a new card (in the caller's transaction), one per unit, at zero: a
 * member card's keep their balance on their row, an E-service card's sum their entries.
 */
export async function openCardAccounts(tx: Queryable, cardId: string, cardKind: 'member' | 'eservice', units: readonly string[]): Promise<void> {
  for (const unit of units) {
    await tx.query("INSERT INTO ledger_accounts (id, kind, card_id, unit_code, non_negative, stored_balance) VALUES ($1, 'card', $2, $3, true, $4)", [
      newId('acc'),
      cardId,
      unit,
      cardKind === 'member',
    ]);
  }
}

/** What posting needs to know of an account before it locks it. */
export type AccountKey = Pick<AccountRow, 'id' | 'kind' | 'card_id' | 'partner_id' | 'unit_code' | 'non_negative' | 'stored_balance'>;

/** A card's account as posting needs it: bounded. */
export const cardAccountKey = (id: string, cardId: string, unit: string, stored: boolean): AccountKey => ({
  id,
  kind: 'card',
  card_id: cardId,
  partner_id: null,
  unit_code: unit,
  non_negative: true,
  stored_balance: stored,
});

/**
 * The accounts of cards in units, in the order asked, in one query: CARD_NOT_FOUND or
 * UNIT_NOT_HELD (at the item's path) for the first that is missing.
 */
export async function cardAccounts(tx: Queryable, wanted: readonly { cardId: string; unit: string; path: string; label?: string }[]): Promise<AccountKey[]> {
  const rows = await tx.query<{ found: string | null; id: string | null; stored_balance: boolean }>(
    `SELECT c.id AS found, a.id, a.stored_balance
       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w (card_id, unit_code, ord)
       LEFT JOIN cards c ON c.id = w.card_id
       LEFT JOIN ledger_accounts a ON a.card_id = w.card_id AND a.unit_code = w.unit_code
      ORDER BY w.ord`,
    [wanted.map((item) => item.cardId), wanted.map((item) => item.unit)],
    { prepare: true },
  );
  return wanted.map(({ cardId, unit, path, label }, index) => {
    const { found, id } = rows[index];
    const refusal = !found
      ? new AppError('CARD_NOT_FOUND', `No card ${cardId}`)
      : !id
        ? new AppError('UNIT_NOT_HELD', `Card ${cardId} holds no balance in ${unit}`, { errors: [{ path, message: 'a unit the card does not hold' }] })
        : null;
    if (refusal) throw label ? labelled(label, refusal) : refusal;
    return cardAccountKey(id as string, cardId, unit, rows[index].stored_balance);
  });
}

/** The card's account in a unit: CARD_NOT_FOUND, or UNIT_NOT_HELD when the card holds no balance in it. */
export async function cardAccount(tx: Queryable, cardId: string, unit: string, path = '/body/amount/unit'): Promise<AccountKey> {
  return (await cardAccounts(tx, [{ cardId, unit, path }]))[0];
}

/** An E-service card's account in a unit (its balance summed: migration 013), opened at its first payment in that unit. */
export async function eServiceAccount(tx: Queryable, cardId: string, unit: string): Promise<AccountKey> {
  const [existing] = await tx.query<AccountRow>('SELECT * FROM ledger_accounts WHERE card_id = $1 AND unit_code = $2', [cardId, unit]);
  if (existing) return existing; // the usual case: one round trip
  await requireUnit(tx, unit);
  await tx.query(
    "INSERT INTO ledger_accounts (id, kind, card_id, unit_code, non_negative, stored_balance) VALUES ($1, 'card', $2, $3, true, false) ON CONFLICT (card_id, unit_code) WHERE card_id IS NOT NULL DO NOTHING",
    [newId('acc'), cardId, unit],
  );
  return cardAccount(tx, cardId, unit);
}

async function requireUnit(tx: Queryable, unit: string): Promise<void> {
  const [known] = await tx.query('SELECT 1 FROM units WHERE code = $1', [unit]);
  if (!known) throw new AppError('UNIT_NOT_HELD', `No unit ${unit}`, { errors: [{ path: '/body/amount/unit', message: 'unknown unit' }] });
}

/** The issuer float, fee revenue, adjustments or card refunds account of a unit, opened on first use. */
export async function systemAccount(tx: Queryable, kind: SystemKind, unit: string): Promise<AccountRow> {
  const select = 'SELECT * FROM ledger_accounts WHERE kind = $1 AND unit_code = $2 AND card_id IS NULL AND partner_id IS NULL';
  const [existing] = await tx.query<AccountRow>(select, [kind, unit]);
  if (existing) return existing; // the usual case: one round trip
  await requireUnit(tx, unit);
  await tx.query(
    'INSERT INTO ledger_accounts (id, kind, unit_code, non_negative, stored_balance) VALUES ($1, $2, $3, false, false) ON CONFLICT (kind, unit_code) WHERE card_id IS NULL AND partner_id IS NULL DO NOTHING',
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
    "INSERT INTO ledger_accounts (id, kind, partner_id, unit_code, non_negative, stored_balance) VALUES ($1, 'partner-float', $2, $3, true, true) ON CONFLICT (partner_id, unit_code) WHERE partner_id IS NOT NULL DO NOTHING",
    [newId('acc'), partnerId, unit],
  );
  const [row] = await tx.query<AccountRow>(select, [partnerId, unit]);
  return row;
}

/**
 * Adds each amount to its account's `held` (negative to release), in one statement; the
 * caller holds the accounts' locks. Holds themselves are payment policy (payments/holds.ts):
 * the core keeps only their sum per account, which invariants.ts checks.
 */
export async function changeHeld(tx: Queryable, changes: readonly { accountId: string; delta: bigint }[]): Promise<void> {
  await tx.query(
    `UPDATE ledger_accounts a SET held = a.held + c.delta
       FROM (SELECT account_id, sum(delta) AS delta FROM unnest($1::text[], $2::bigint[]) AS h (account_id, delta) GROUP BY account_id) c
      WHERE a.id = c.account_id`,
    [changes.map((change) => change.accountId), changes.map((change) => change.delta.toString())],
  );
}

/** What an account can still be debited by: posted minus open holds. */
export const availableOf = (row: AccountRow): Money => Money.fromStored(row.posted, row.unit_code).subtract(Money.fromStored(row.held, row.unit_code));

/** Each account's posted balance, by account id: kept on its row, or the sum of its entries (migration 013). */
async function postedBalances(db: Queryable, rows: readonly AccountRow[]): Promise<Map<string, StoredAmount>> {
  const summed = rows.filter((row) => !row.stored_balance).map((row) => row.id);
  const sums = summed.length
    ? await db.query<{ account_id: string; total: StoredAmount }>(
        'SELECT account_id, COALESCE(sum(amount), 0)::bigint AS total FROM ledger_entries WHERE account_id = ANY($1) GROUP BY account_id',
        [summed],
      )
    : [];
  const totals = new Map(sums.map((row) => [row.account_id, row.total]));
  return new Map(rows.map((row) => [row.id, row.stored_balance ? row.posted : (totals.get(row.id) ?? 0)]));
}

/** The available balance (posted minus held) of each account of the cards, by unit. */
export async function cardBalances(db: Queryable, cardIds: readonly string[]): Promise<{ card_id: string; unit_code: string; value: string }[]> {
  const rows = await db.query<AccountRow>('SELECT * FROM ledger_accounts WHERE card_id = ANY($1) ORDER BY unit_code', [cardIds]);
  const posted = await postedBalances(db, rows);
  return rows.map((row) => ({
    card_id: row.card_id as string,
    unit_code: row.unit_code,
    value: (BigInt(posted.get(row.id) ?? 0) - BigInt(row.held)).toString(),
  }));
}

/** Accounts in the contract's shape, their balances read as they stand. */
async function accountViews(db: Queryable, rows: AccountRow[]): Promise<LedgerAccount[]> {
  const balances = await postedBalances(db, rows);
  return rows.map((row) => {
    const posted = Money.fromStored(balances.get(row.id) ?? 0, row.unit_code);
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
      version: row.stored_balance ? Number(row.version) : null,
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
