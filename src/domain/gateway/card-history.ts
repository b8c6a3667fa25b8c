/**
 * A contracted card's history as a partner reads it (the mini-statement):
 * its operations, each with the card's balance after it, and its declined attempts,
 * together, newest first. The order is the time each line was written to the card (an
 * operation's entry on the card's account, taken under the account's lock; a decline's
 * record, written under the card's lock too), then kind, then the row's seq: a cursor names a position in that order, and new
 * lines always come before the first page, so the pages after it never shift.
 */
import type { components } from '../../../generated/schema';
import type { Queryable } from '../../db/database';
import { AppError } from '../app-error';
import { partnerIdOf, type Actor } from '../actor';
import type { DeclineRow } from '../payments/declines';
import { OPERATION_SELECT, fromJoined, type JoinedRow } from '../ledger/operations-read';
import { Money, type StoredAmount } from '../money';
import { pageSize, type PageInput } from '../pagination';
import { findPartnerCard, toPartnerCardDecline } from './cards';
import { toPartnerOperation } from './operations';

type PartnerCardHistoryItem = components['schemas']['PartnerCardHistoryItem'];
type PartnerCardHistoryPage = components['schemas']['PartnerCardHistoryPage'];

/** Kinds in the order's tie-break (an operation before a decline written in the same microsecond). */
const KIND_ORDER = { decline: 0, operation: 1 } as const;

interface Position {
  /** Microseconds since the epoch, exact (timestamps in JavaScript keep milliseconds only). */
  at: string;
  kind: 0 | 1;
  seq: string;
}

interface KeyRow extends Position {
  id: string;
  balance_after: StoredAmount | null;
  unit_code: string | null;
}

const encodeCursor = (position: Position) => Buffer.from(`${position.at}:${position.kind}:${position.seq}`).toString('base64url');

/** The position a cursor names (VALIDATION_FAILED for a cursor this operation did not give). */
function decodeCursor(cursor: string | undefined): Position | null {
  if (cursor === undefined) return null;
  const match = /^([0-9]{1,18}):([01]):([1-9][0-9]{0,17})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match)
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave', { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });
  return { at: match[1], kind: Number(match[2]) as 0 | 1, seq: match[3] };
}

/** The page's keys, newest first, from the card's entries and declines (ledger_entries_account, card_declines_card_idx). */
async function historyKeys(db: Queryable, cardId: string, before: Position | null, limit: number): Promise<KeyRow[]> {
  const after = before ? `AND (at, kind, seq) < ($2::bigint, $3::int, $4::bigint)` : '';
  const params = before ? [cardId, before.at, before.kind, before.seq, limit] : [cardId, limit];
  const limitParam = `$${params.length}`;
  return db.query<KeyRow>(
    `SELECT at::text, kind, seq::text, id, balance_after, unit_code FROM (
       SELECT (extract(epoch FROM le.created_at) * 1000000)::bigint AS at, ${KIND_ORDER.operation} AS kind, le.seq, le.operation_id AS id, le.balance_after, le.unit_code
         FROM ledger_accounts a JOIN ledger_entries le ON le.account_id = a.id
        WHERE a.card_id = $1
       UNION ALL
       SELECT (extract(epoch FROM d.created_at) * 1000000)::bigint, ${KIND_ORDER.decline}, d.seq, d.id, NULL, NULL
         FROM card_declines d
        WHERE d.card_id = $1
     ) line
     WHERE true ${after}
     ORDER BY at DESC, kind DESC, seq DESC
     LIMIT ${limitParam}`,
    params,
  );
}

/** The partner's contracted card's history, newest first, by cursor pages (CARD_NOT_FOUND outside its contracts). */
export async function listPartnerCardHistory(db: Queryable, actor: Actor, cardId: string, page: PageInput): Promise<PartnerCardHistoryPage> {
  const partnerId = partnerIdOf(actor);
  const before = decodeCursor(page.cursor);
  await findPartnerCard(db, actor, cardId);
  const limit = pageSize(page.limit);
  const keys = await historyKeys(db, cardId, before, limit + 1);
  const lines = keys.slice(0, limit);
  const operationIds = lines.filter((line) => Number(line.kind) === KIND_ORDER.operation).map((line) => line.id);
  const declineIds = lines.filter((line) => Number(line.kind) === KIND_ORDER.decline).map((line) => line.id);
  const operations = operationIds.length ? await db.query<JoinedRow>(`${OPERATION_SELECT} WHERE o.id = ANY($1)`, [operationIds]) : [];
  const declines = declineIds.length ? await db.query<DeclineRow>('SELECT * FROM card_declines WHERE id = ANY($1)', [declineIds]) : [];
  const operationById = new Map(operations.map((row) => [row.id, toPartnerOperation(fromJoined(row), partnerId)]));
  const declineById = new Map(declines.map((row) => [row.id, toPartnerCardDecline(row, actor)]));
  const items = lines.map((line): PartnerCardHistoryItem => {
    const at = new Date(Number(BigInt(line.at) / 1000n)).toISOString();
    if (Number(line.kind) === KIND_ORDER.decline) return { kind: 'decline', at, decline: declineById.get(line.id) };
    const balanceAfter = line.balance_after === null ? null : Money.fromStored(line.balance_after, line.unit_code as string).toApi();
    return { kind: 'operation', at, operation: operationById.get(line.id), balanceAfter };
  });
  const last = lines[lines.length - 1];
  return { items, nextCursor: keys.length > limit && last ? encodeCursor({ at: last.at, kind: Number(last.kind) as 0 | 1, seq: last.seq }) : null };
}
