/**
 * CSV exports (RFC 4180) of the lists the back office reads in spreadsheets. The contract fixes
 * each export's rows and columns (`x-csv-rows`, `x-csv-columns` on the `text/csv` media type,
 * in generated/operations.ts): the header never depends on the data. The export is the whole
 * selection, fetched page after page and written as it comes, waiting for the client to drain
 * what it was sent, so memory holds one page whatever the period's length. A UTF-8 byte-order
 * mark lets spreadsheets read accents, and text that a spreadsheet would run as a formula (=,
 * +, -, @, tab, carriage return first) is prefixed with an apostrophe. So is a formula lead
 * that follows, inside a text, a character some spreadsheet splits cells or rows on (`;` in a
 * French locale, tab, `|`, a line break, the comma): a spreadsheet that does not split on the
 * comma ignores our quotes, and would cut `INV-7;=1+1;` into a cell `=1+1`.
 */
import type { Response } from 'express';

/** What a column holds, from the JSON row's schema (scripts/render-operations.ts); an amount's column names the path of its unit. */
type ColumnType = 'text' | 'number' | 'boolean' | 'date-time' | 'date' | 'amount' | 'list';

/** An operation's CSV export, as the contract declares it (the operation table's `csv`); `xlsx` when it is also served as a workbook. */
export interface CsvExport {
  rows: string;
  fileName: string;
  columns: readonly { name: string; path: string; type: ColumnType; unit?: string; items?: readonly string[] }[];
  xlsx: boolean;
}

const FORMULA_START = /^[=+\-@\t\r]/;
/** A formula lead after a separator (and any spaces or quotes), where a spreadsheet splitting there would start a cell. */
const FORMULA_AFTER_SEPARATOR = /([,;\t|\r\n][ "]*)(?=[=+\-@])/g;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return cell(JSON.stringify(value));
  if (typeof value !== 'string') return String(value as number | boolean);
  const defused = value.replace(FORMULA_AFTER_SEPARATOR, "$1'");
  const text = FORMULA_START.test(defused) ? `'${defused}` : defused;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The value at a dotted path of a row; empty when a step on the way is null. */
export function valueAt(row: unknown, path: readonly string[]): unknown {
  let value = row;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A list column's cell, the same text in CSV and in a workbook: the array as compact JSON
 * (RFC 8259), items in the row's order; an item of an array of objects is an object of the
 * fields the column keeps (`items`), keyed by their dotted paths, in that order, null where
 * absent (`[{"cardId":"crd_…","amount.value":25000,"amount.unit":"XOF"}]`); an empty list is
 * `[]`, a missing one an empty cell. Amounts are as the JSON answer's `value`, in the unit's
 * smallest denomination.
 */
export function listCell(value: unknown, items: readonly string[] | undefined): string | null {
  if (!Array.isArray(value)) return null;
  const paths = items?.map((path) => path.split('.'));
  const kept = paths
    ? value.map((item: unknown) => Object.fromEntries(paths.map((path) => [path.join('.'), valueAt(item, path) ?? null])))
    : (value as unknown[]);
  return JSON.stringify(kept);
}

/** Writes the rows of pages, one page in memory at a time. */
class CsvWriter {
  private readonly paths: string[][];

  constructor(
    private readonly res: Response,
    private readonly csv: CsvExport,
  ) {
    this.paths = csv.columns.map((column) => column.path.split('.'));
  }

  header(): string {
    return `\ufeff${this.csv.columns.map((column) => cell(column.name)).join(',')}\r\n`;
  }

  lines(data: unknown): string {
    const rows = (data as Record<string, unknown>)[this.csv.rows] as unknown[];
    let text = '';
    const { columns } = this.csv;
    for (const row of rows)
      text += `${this.paths.map((path, index) => cell(columns[index].type === 'list' ? listCell(valueAt(row, path), columns[index].items) : valueAt(row, path))).join(',')}\r\n`;
    return text;
  }

  /** Writes a chunk; when the socket's buffer is full, waits until it drains. False once the client has gone. */
  write(chunk: string): Promise<boolean> {
    const { res } = this;
    if (res.destroyed) return Promise.resolve(false);
    return res.write(chunk) ? Promise.resolve(true) : drained(res);
  }
}

/** Resolves when the response's buffer has drained (true), or once the client has gone (false). */
function drained(res: Response): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (open: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(open);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
    if (res.destroyed) onClose();
  });
}

/** A file-name part: a day stays a day, an instant at midnight UTC is its day, any other instant is compact UTC. */
function namePart(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : String(value);
  const instant = /^\d{4}-\d{2}-\d{2}T/.test(text) ? new Date(text) : null;
  if (instant && !Number.isNaN(instant.getTime())) {
    const iso = instant.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  }
  return text.replace(/[^A-Za-z0-9._-]/g, '-');
}

/** The export's file name: the contract's template with the request's parameters (`{to:now}` names the time of the export when `to` is absent), then the extension. */
export function exportFileName(template: string, parameters: Record<string, unknown>, now: Date, extension: 'csv' | 'xlsx'): string {
  const name = template.replace(/\{([A-Za-z]+)(?::([a-z-]+))?\}/g, (_, parameter: string, absent: string | undefined) => {
    const value = parameters[parameter];
    if (value !== undefined && value !== '') return namePart(value);
    return absent === 'now' ? namePart(now) : (absent ?? 'all');
  });
  return `${name}.${extension}`;
}

/**
 * Streams the whole export: the first page (already read, so that a refusal was still answered
 * as an error envelope), then each next page `nextPage` reads from the cursor the previous one
 * gave, until a page has none. Stops when the client goes away.
 */
export async function streamCsv(
  res: Response,
  csv: CsvExport,
  fileName: string,
  first: unknown,
  nextPage: (cursor: string) => Promise<unknown>,
): Promise<void> {
  const writer = new CsvWriter(res, csv);
  res.status(200).type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  // Only a page's text and the cursor after it outlive the reading of the page: nothing of a page
  // is held while the next is read or while the client drains, so no page lives long enough for
  // the garbage collector to move it to the old generation (where, with a small young
  // generation, the export's garbage piled up until a full collection: memory grew with its length).
  const nextChunk = async (after: string) => {
    const page = await nextPage(after);
    return { text: writer.lines(page), cursor: nextCursorOf(page) };
  };
  let open = await writer.write(writer.header() + writer.lines(first));
  let cursor = nextCursorOf(first);
  while (open && cursor) {
    const chunk = await nextChunk(cursor);
    cursor = chunk.cursor;
    open = await writer.write(chunk.text);
  }
  if (open) res.end();
}

/** The cursor a page gives to the next (null or absent on the last). */
export const nextCursorOf = (page: unknown) => (page as { nextCursor?: string | null }).nextCursor ?? null;
