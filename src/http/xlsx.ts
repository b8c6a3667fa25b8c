/**
 * Excel workbooks (Office Open XML, `.xlsx`) of the exports the contract also serves as XLSX:
 * the CSV export's rows and columns (`x-csv-columns`, in generated/operations.ts), one sheet,
 * streamed page after page with exceljs's streaming writer (rows are written to the zip as they
 * come, shared strings off), waiting after each page until the zip has taken the page in, at
 * the client's pace. Cells are typed from the
 * row's schema: an instant is an Excel date-time in UTC (its header says so), a day an Excel
 * date, an amount a number at its unit's scale (13000 L-GASOIL of scale 2 is 130.00) with a
 * number format showing that scale and the unit, a number a number, a text a text cell (never
 * a formula, whatever it starts with), a list the CSV's JSON text (`listCell`). The header row is bold and frozen, with a filter; the
 * columns are as wide as their header and the first page's values.
 */
import { once } from 'node:events';
import type ExcelJS from 'exceljs';
import type { Response } from 'express';
import { listCell, nextCursorOf, valueAt, type CsvExport } from './csv';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Reads every unit's scale (digits after the decimal point), by code. */
export type UnitScales = () => Promise<ReadonlyMap<string, number>>;

type Column = CsvExport['columns'][number];
type Cell = { value: ExcelJS.CellValue; format?: string; text: string };

const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss';
const DATE_FORMAT = 'yyyy-mm-dd';
const MAX_WIDTH = 60;

/** Excel's number format of an amount in a unit: thousands grouped, the unit's scale in decimals, the unit's code after. */
const amountFormat = (unit: string, scale: number) => `#,##0${scale > 0 ? `.${'0'.repeat(scale)}` : ''} "${unit}"`;

/** What a person reads in the header: the column's name, and for an instant that it is UTC. */
const headerOf = (column: Column) => (column.type === 'date-time' ? `${column.name} (UTC)` : column.name);

/** The stream exceljs appends a sheet's XML to the zip through (a PassThrough of the archiver's, read at the client's pace). */
interface ZipEntry {
  _writableState: { needDrain: boolean };
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * The zip entry a sheet's rows are queued on. exceljs's sheet buffer writes to it without
 * waiting (it ignores backpressure), so a slow client would leave the whole export in memory:
 * the export waits for this entry to drain after each page instead. Fails loudly if a new
 * exceljs writes its sheets another way.
 */
function zipEntryOf(sheet: ExcelJS.Worksheet): ZipEntry {
  const entry = (sheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as Partial<ZipEntry> | undefined;
  if (typeof entry?._writableState?.needDrain !== 'boolean' || typeof entry.once !== 'function')
    throw new Error('exceljs no longer queues a sheet on a zip entry stream: the XLSX export cannot wait for the client');
  return entry as ZipEntry;
}

/** Resolves when the entry has passed what it holds on to the zip (true), or once the client has gone (false). */
async function entryDrained(entry: ZipEntry, res: Response): Promise<boolean> {
  if (res.destroyed) return false;
  if (!entry._writableState.needDrain) return true;
  const closed = new AbortController();
  const gone = once(res, 'close', { signal: closed.signal }).then(
    () => false,
    () => true,
  );
  const drained = new Promise<boolean>((resolve) => entry.once('drain', () => resolve(true)));
  const open = await Promise.race([drained, gone]);
  closed.abort();
  return open;
}

/** Writes the pages' rows as typed cells, one page in memory at a time. */
class SheetWriter {
  private readonly paths: string[][];
  private readonly units: string[][];
  private scales: ReadonlyMap<string, number> = new Map();

  constructor(
    private readonly table: CsvExport,
    private readonly unitScales: UnitScales,
  ) {
    this.paths = table.columns.map((column) => column.path.split('.'));
    this.units = table.columns.map((column) => (column.unit ?? '').split('.'));
  }

  /** The scale of a unit; the units are read again once for a unit created since the export began. */
  private async scaleOf(unit: string): Promise<number> {
    if (!this.scales.has(unit)) this.scales = await this.unitScales();
    const scale = this.scales.get(unit);
    if (scale === undefined) throw new Error(`the export holds an amount in ${unit}, which is not a unit`);
    return scale;
  }

  private async cell(column: Column, row: unknown, index: number): Promise<Cell> {
    const value = valueAt(row, this.paths[index]);
    if (value === null || value === undefined) return { value: null, text: '' };
    switch (column.type) {
      case 'date-time':
        return { value: new Date(String(value)), format: DATE_TIME_FORMAT, text: '0000-00-00 00:00:00' };
      case 'date':
        return { value: new Date(`${String(value)}T00:00:00Z`), format: DATE_FORMAT, text: '0000-00-00' };
      case 'amount': {
        const unit = String(valueAt(row, this.units[index]));
        const scale = await this.scaleOf(unit);
        const amount = Number(value) / 10 ** scale;
        const digits = Math.abs(Math.trunc(amount)).toString().length;
        return { value: amount, format: amountFormat(unit, scale), text: `-${'0'.repeat(digits + Math.floor((digits - 1) / 3) + scale + 1)} ${unit}` };
      }
      case 'number':
        return { value: Number(value), text: String(value) };
      case 'boolean':
        return { value: Boolean(value), text: 'FALSE' };
      case 'list': {
        const text = listCell(value, column.items) ?? '';
        return { value: text, text };
      }
      default: {
        const text = typeof value === 'object' ? JSON.stringify(value) : String(value as string);
        return { value: text, text };
      }
    }
  }

  /** The cells of the page's rows. */
  async rows(data: unknown): Promise<Cell[][]> {
    const rows = (data as Record<string, unknown>)[this.table.rows] as unknown[];
    const cells: Cell[][] = [];
    for (const row of rows) cells.push(await Promise.all(this.table.columns.map((column, index) => this.cell(column, row, index))));
    return cells;
  }

  /** Each column's width: its header's and its widest cell's of `sample` (the first page), in characters, bounded. */
  widths(sample: Cell[][]): number[] {
    return this.table.columns.map((column, index) =>
      Math.min(MAX_WIDTH, Math.max(headerOf(column).length, ...sample.map((cells) => cells[index].text.length)) + 2),
    );
  }
}

/**
 * Streams the whole export as a workbook: the first page (already read, so that a refusal was
 * still answered as an error envelope), then each next page `nextPage` reads from the cursor
 * the previous one gave, until a page has none. Stops when the client goes away.
 */
export async function streamXlsx(
  res: Response,
  table: CsvExport,
  fileName: string,
  first: unknown,
  nextPage: (cursor: string) => Promise<unknown>,
  unitScales: UnitScales,
): Promise<void> {
  const writer = new SheetWriter(table, unitScales);
  let cells = await writer.rows(first);
  res.status(200).type(XLSX_MEDIA_TYPE).setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
  res.flushHeaders();
  // Loaded with the first export, not at start (about 14 MB of resident memory a server that exports no workbook does without).
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: res, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(table.fileName.split('_')[0], { views: [{ state: 'frozen', ySplit: 1 }] });
  const widths = writer.widths(cells);
  sheet.columns = table.columns.map((column, index) => ({ header: headerOf(column), key: column.name, width: widths[index] }));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  const entry = zipEntryOf(sheet);
  // As the CSV: only the cells and the next cursor outlive the reading of a page, and the cells
  // are let go once written, so nothing of a page is held while the zip drains or the next is read.
  let cursor = nextCursorOf(first);
  for (;;) {
    for (const row of cells) {
      const written = sheet.addRow(row.map((cell) => cell.value));
      row.forEach((cell, index) => {
        if (cell.format) written.getCell(index + 1).numFmt = cell.format;
      });
      written.commit();
    }
    cells.length = 0;
    if (!(await entryDrained(entry, res))) return;
    if (!cursor) break;
    const page = await nextPage(cursor);
    cursor = nextCursorOf(page);
    cells = await writer.rows(page);
  }
  sheet.commit();
  await workbook.commit();
}
