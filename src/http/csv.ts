/**
 * CSV answers (RFC 4180) for the lists the back office exports to spreadsheets: the rows are
 * the first list in the answer's data (`items`, `lines`), nested fields become dotted columns
 * (`amount.value`), the header row is the columns of the first row in their order, a UTF-8
 * byte-order mark lets spreadsheets read accents, and text that a spreadsheet would run as a
 * formula (=, +, -, @, tab, carriage return first) is prefixed with an apostrophe.
 */
import type { Response } from 'express';

type Cell = string | number | boolean | null;

function flatten(value: unknown, prefix: string, into: Map<string, Cell>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, into);
    return;
  }
  into.set(prefix, Array.isArray(value) ? JSON.stringify(value) : (value as Cell) ?? null);
}

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: Cell | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows of an answer's data: its first array property. */
function rowsOf(data: unknown): unknown[] {
  if (data === null || typeof data !== 'object') return [];
  return (Object.values(data).find((value) => Array.isArray(value)) as unknown[] | undefined) ?? [];
}

function toCsv(data: unknown): string {
  const rows = rowsOf(data).map((row) => {
    const cells = new Map<string, Cell>();
    flatten(row, '', cells);
    return cells;
  });
  const columns = [...new Set(rows.flatMap((row) => [...row.keys()]))];
  const lines = [columns.map((column) => cell(column)).join(','), ...rows.map((row) => columns.map((column) => cell(row.get(column))).join(','))];
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** Sends the answer's rows as a CSV attachment named after the operation. */
export function sendCsv(res: Response, operationId: string, data: unknown): void {
  res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${operationId}.csv"`);
  res.send(toCsv(data));
}
