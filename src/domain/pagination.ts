/**
 * Cursor pagination over a table's `seq` column: `WHERE seq > cursor ORDER BY seq LIMIT n + 1`.
 * New rows get a larger seq, so pages already read never shift.
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
const MAX_PAGE_SIZE = 100;

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
 * Each filter is `[sql, value]`: skipped when the value is undefined; a `?` in the sql takes
 * the value as a parameter (a filter without `?` is a fixed condition).
 */
export function whereClause(filters: [string, unknown][], params: unknown[]): string {
  const conditions = filters
    .filter(([, value]) => value !== undefined)
    .map(([sql, value]) => {
      if (!sql.includes('?')) return sql;
      params.push(value);
      return sql.replace('?', `$${params.length}`);
    });
  return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * One page of a table's rows, oldest first: `filters` as whereClause takes them, after the
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
