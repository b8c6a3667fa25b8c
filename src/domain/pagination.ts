/**
 * Cursor pagination. Registers (networks, clients, cards...) page over a table's `seq` column:
 * `WHERE seq > cursor ORDER BY seq LIMIT n + 1`. Lists of what happens, which a caller syncs
 * from by keeping its cursor (the events feed, operations, declines, exceptions, transitions,
 * the audit trail, security events), page over settled positions instead (see
 * SETTLED_HORIZON): a seq is taken at INSERT and transactions commit out of that order, so a
 * seq cursor can move past a row that commits later, which is then never read.
 */
import { AppError } from './app-error';
import type { Queryable } from '../db/database';

export interface PageInput {
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const DEFAULT_PAGE_SIZE = 20;
/** The largest page the contract allows (`limit` up to 100). */
export const MAX_PAGE_SIZE = 100;

/** The page size asked for, within 1..100 (the contract's bounds), default 20. */
export const pageSize = (limit: number | undefined) => Math.min(Math.max(Math.trunc(limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);

/** The seq after which the page starts (0 for the first page). */
export function cursorPosition(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9][0-9]{0,17}$/.test(decoded)) {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave', { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });
  }
  return Number(decoded);
}

/**
 * The settled horizon, an SQL expression of the statement's snapshot: every transaction that
 * can still commit a row in this database has an id at or above it. It is the lowest
 * transaction id still in progress, leaving out those of sessions on other databases (they
 * write none of our rows), or, with none in progress, the next id to be given. A row whose
 * `xact` (the id of the transaction that inserted it, migration 024) is below it has committed
 * or never will; a row that commits later has an `xact` at or above it, so it comes after every
 * position served now. A long transaction delays what comes after it; nothing is ever lost.
 * The function (migration 028) raises CYH01 when the transaction holding the horizon ended
 * while it was read (whose it was cannot be told then): the database layer runs the statement
 * again. On PGlite (one session) nothing is in progress when a statement runs outside a
 * transaction: the horizon is the next id.
 */
export const SETTLED_HORIZON = '(SELECT settled_horizon())';

/** A settled position: the inserting transaction's id, then the row's seq. */
export interface Position {
  xact: string;
  seq: string;
}

/** The position a cursor of a settled list names: (0, 0) without one; a bare seq, as such cursors were before migration 024, is (0, seq). */
export function settledPosition(cursor: string | undefined): Position {
  if (cursor === undefined) return { xact: '0', seq: '0' };
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(?:(0|[1-9][0-9]{0,18})\.)?([1-9][0-9]{0,17})$/.exec(decoded);
  if (!match || BigInt(match[1] ?? 0) > 9223372036854775807n) {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not one this API gave', { errors: [{ path: '/query/cursor', message: 'unknown cursor' }] });
  }
  return { xact: match[1] ?? '0', seq: match[2] };
}

/** The cursor naming a row's settled position. */
export const settledCursor = (row: { xact: string | number; seq: string | number }) => Buffer.from(`${row.xact}.${row.seq}`).toString('base64url');

/**
 * Conditions of a settled list after `position`, with `alias.` before the columns: past the
 * position and below the horizon. Adds the position's two parameters to `params`.
 */
export function afterSettled(alias: string, position: Position, params: unknown[]): string {
  params.push(position.xact, position.seq);
  const at = params.length;
  return `(${alias}xact, ${alias}seq) > ($${at - 1}::bigint, $${at}::bigint) AND ${alias}xact < ${SETTLED_HORIZON}`;
}

/** A settled page: `resumeCursor` names the position after its last row, kept to read later what comes after. */
export interface SettledPage<T> extends Page<T> {
  resumeCursor: string | null;
}

/**
 * Cuts the `limit + 1` rows of a settled list into a page: `nextCursor` as toPage gives it,
 * `resumeCursor` the last row's position, or the cursor given when the page is empty.
 */
export function toSettledPage<Row extends { xact: string | number; seq: string | number }, T>(
  rows: Row[],
  limit: number,
  cursor: string | undefined,
  map: (row: Row) => T,
): SettledPage<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const resumeCursor = last ? settledCursor(last) : (cursor ?? null);
  return { items: items.map(map), nextCursor: rows.length > limit ? resumeCursor : null, resumeCursor };
}

/** Cuts the `limit + 1` rows a query returned into a page and the cursor of the next one. */
export function toPage<Row extends { seq: string | number }, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(map),
    nextCursor: rows.length > limit && last ? Buffer.from(String(last.seq)).toString('base64url') : null,
  };
}

/**
 * Builds `WHERE` conditions from optional filters, numbering parameters after the ones given.
 * Each filter is `[sql, value]`: skipped when the value is undefined; each `?` in the sql takes
 * the value as a parameter, the same one (a filter without `?` is a fixed condition).
 */
export function whereClause(filters: [string, unknown][], params: unknown[]): string {
  const conditions = filters
    .filter(([, value]) => value !== undefined)
    .map(([sql, value]) => {
      if (!sql.includes('?')) return sql;
      params.push(value);
      return sql.replaceAll('?', `$${params.length}`);
    });
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * One page of a register's rows, oldest first: `filters` as whereClause takes them, after the
 * cursor position. The table name is the caller's constant, never input.
 */
export async function pageOfRows<Row extends { seq: string | number }, T>(
  db: Queryable,
  table: string,
  filters: [string, unknown][],
  page: PageInput,
  map: (row: Row) => T,
): Promise<Page<T>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const where = whereClause([['seq > ?', cursorPosition(page.cursor)], ...filters], params);
  const rows = await db.query<Row>(`SELECT * FROM ${table} ${where} ORDER BY seq LIMIT ${limit + 1}`, params);
  return toPage(rows, limit, map);
}

/**
 * One page of a settled list's rows (a table with `xact`, migration 024), oldest settled first:
 * `filters` as whereClause takes them, after the cursor's position and below the horizon.
 */
export async function pageOfSettledRows<Row extends { xact: string | number; seq: string | number }, T>(
  db: Queryable,
  table: string,
  filters: [string, unknown][],
  page: PageInput,
  map: (row: Row) => T,
): Promise<SettledPage<T>> {
  const limit = pageSize(page.limit);
  const params: unknown[] = [];
  const after = afterSettled('', settledPosition(page.cursor), params);
  const where = whereClause([[after, true], ...filters], params);
  const rows = await db.query<Row>(`SELECT * FROM ${table} ${where} ORDER BY xact, seq LIMIT ${limit + 1}`, params);
  return toSettledPage(rows, limit, page.cursor, map);
}
