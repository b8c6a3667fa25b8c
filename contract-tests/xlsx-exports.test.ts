/**
 * XLSX exports, downloaded over HTTP and read back with the library that writes them: the
 * contract's columns as the header (instants marked UTC), typed cells (a date-time, amounts at
 * their unit's scale with a format showing it), totals equal to the JSON answer's, the header
 * row frozen, and a selection beyond one page streamed: the file has begun before its last page
 * is read. One file is kept in test-artifacts/ for a person to open.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { operationTable } from '../generated/operations';
import { CardService, RechargeMode, RegularisationCreateDirectionEnum } from '../generated/sdk';
import { handlers } from '../src/handlers';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, issueCard, newClientWorld, newEnergyType, newStation, xof } from './support/world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const PERIOD = 'from=2026-01-01T00%3A00%3A00Z&to=2099-01-01T00%3A00%3A00Z';

let server: TestServer;
let token: string;
let owner: { clientId: string; profileId: string };
let servicePointId: string;
/** Opened by the streaming test: until then, reading a page after the first waits. */
let gate: Promise<void> = Promise.resolve();
const core = () => server.sdk({ token });
const today = () => new Date().toISOString().slice(0, 10);

/** The header a workbook of the operation shows: the contract's column names, an instant's marked UTC. */
const header = (operationId: keyof typeof operationTable) =>
  (operationTable[operationId].csv?.columns ?? []).map((column) => (column.type === 'date-time' ? `${column.name} (UTC)` : column.name));

interface Sheet {
  headers: Headers;
  sheet: ExcelJS.Worksheet;
  bytes: Buffer;
  /** Row `index` (1 is the header) as values, by header. */
  row(index: number): Record<string, ExcelJS.CellValue>;
  /** The cell under `name` on row `index`. */
  cell(index: number, name: string): ExcelJS.Cell;
}

async function download(path: string, bearer = token): Promise<Sheet> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: XLSX } });
  expect([response.status, response.headers.get('content-type')]).toEqual([200, XLSX]);
  const bytes = Buffer.from(await response.arrayBuffer());
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const names = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  return {
    headers: response.headers,
    sheet,
    bytes,
    row: (index) => Object.fromEntries(names.map((name, column) => [name, sheet.getRow(index).getCell(column + 1).value])),
    cell: (index, name) => sheet.getRow(index).getCell(names.indexOf(name) + 1),
  };
}

/** Row 2 onwards (the header is row 1). */
const lines = (sheet: Sheet) => Array.from({ length: sheet.sheet.rowCount - 1 }, (_, index) => sheet.row(index + 2));
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

beforeAll(async () => {
  server = await startTestServer({
    handlers: {
      ...handlers,
      listOperations: async (context, input) => {
        if (input.query.cursor) await gate;
        return handlers.listOperations(context, input);
      },
    },
  });
  token = await server.coreToken();
  await newEnergyType(core(), 'GASOIL');
  await core().coreReferential.createUnit({ unitCreate: { code: 'L-GASOIL', label: 'Litres de gasoil', kind: 'volume', scale: 2, energyTypeCode: 'GASOIL' } });
  const world = await newClientWorld(core(), 'XLSX', {
    validityMonths: 24,
    rechargeMode: RechargeMode.Manual,
    allowedServices: [CardService.Fuel, CardService.Shop],
    allowedUnits: ['XOF', 'L-GASOIL'],
  });
  owner = { clientId: world.clientId, profileId: world.profileId };
  ({ id: servicePointId } = await newStation(core(), world.networkId, 'STATION-XLSX'));
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

const regularise = (
  cardId: string,
  amount: { value: number; unit: string },
  direction: RegularisationCreateDirectionEnum = RegularisationCreateDirectionEnum.Credit,
) => core().coreLedger.createRegularisation({ idempotencyKey: randomUUID(), regularisationCreate: { cardId, direction, amount, reason: 'Dotation' } });

describe('operations', () => {
  it('when a card holds francs and litres, then its workbook has the contract’s header, a date-time per line and each amount at its unit’s scale', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    await regularise(cardId, xof(250_000));
    await regularise(cardId, { value: 13_000, unit: 'L-GASOIL' });
    await core().coreLedger.createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: {
        cardId,
        servicePointId,
        amount: xof(15_188),
        service: CardService.Fuel,
        receiptNumber: `=HYPERLINK("x")`,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 22_500, unitPrice: xof(675) },
        pumpNumber: 3,
      },
    });
    const json = (await core().coreLedger.listOperations({ cardId, limit: 100 })).data.items;
    const file = await download(`/core/v1/operations?cardId=${cardId}`);
    mkdirSync('test-artifacts', { recursive: true });
    writeFileSync('test-artifacts/operations-sample.xlsx', file.bytes);

    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="operations_start_\d{8}T\d{6}Z\.xlsx"$/);
    expect(file.row(1)).toEqual(Object.fromEntries(header('listOperations').map((name) => [name, name])));
    expect(file.sheet.rowCount).toBe(1 + json.length);
    expect(file.sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(file.sheet.getColumn(1).width).toBeGreaterThanOrEqual('createdAt (UTC)'.length);

    const [francs, litres, payment] = [2, 3, 4];
    expect(file.row(francs)['createdAt (UTC)']).toEqual(new Date(json[0].createdAt));
    expect(file.cell(francs, 'createdAt (UTC)').numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    expect([file.row(francs)['amount.value'], file.cell(francs, 'amount.value').numFmt]).toEqual([250_000, '#,##0 "XOF"']);
    expect([file.row(litres)['amount.value'], file.cell(litres, 'amount.value').numFmt, file.row(litres)['amount.unit']]).toEqual([
      130,
      '#,##0.00 "L-GASOIL"',
      'L-GASOIL',
    ]);
    expect(file.row(payment)).toMatchObject({
      type: 'payment',
      'amount.value': 15_188,
      'fuel.quantityMl': 22_500,
      'fuel.unitPrice.value': 675,
      pumpNumber: 3,
      receiptNumber: '=HYPERLINK("x")',
      reference: json[2].reference,
      'offline.terminalId': null,
    });
    expect(file.cell(payment, 'receiptNumber').type).toBe(ExcelJS.ValueType.String);
    const total = (unit: string, scale: number) =>
      sum(json.filter((operation) => operation.amount.unit === unit).map((operation) => operation.amount.value)) / 10 ** scale;
    for (const [unit, scale] of [
      ['XOF', 0],
      ['L-GASOIL', 2],
    ] as const) {
      const cells = lines(file).filter((row) => row['amount.unit'] === unit);
      expect([unit, sum(cells.map((row) => row['amount.value'] as number))]).toEqual([unit, total(unit, scale)]);
    }
  });

  it('when an operation serves no workbook, or the request is refused, then 406 or the error envelope, as JSON', async () => {
    const ask = (path: string) => call(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}`, accept: XLSX } });
    const declines = await ask('/core/v1/networks');
    expect([declines.status, declines.body?.code]).toEqual([406, '4170']);
    const unknown = await ask('/core/v1/cards/crd_000000000000000000000000/statement?unit=XOF&' + PERIOD);
    expect([unknown.status, unknown.headers.get('content-type'), unknown.body?.success]).toEqual([404, 'application/json; charset=utf-8', false]);
  });
});

describe('statements', () => {
  it('when a card’s statement is downloaded, then its amounts add up to closing less opening, and its last balance is the closing one', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    await regularise(cardId, { value: 13_000, unit: 'L-GASOIL' });
    await regularise(cardId, { value: 2_250, unit: 'L-GASOIL' }, RegularisationCreateDirectionEnum.Debit);
    await regularise(cardId, { value: 1_005, unit: 'L-GASOIL' });
    const statement = (
      await core().coreLedger.getCardStatement({ cardId, unit: 'L-GASOIL', from: new Date('2026-01-01T00:00:00Z'), to: new Date('2099-01-01T00:00:00Z') })
    ).data;
    const file = await download(`/core/v1/cards/${cardId}/statement?unit=L-GASOIL&${PERIOD}`);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="card-statement_${cardId}_L-GASOIL_2026-01-01_2099-01-01.xlsx"`);
    expect(file.row(1)).toEqual(Object.fromEntries(header('getCardStatement').map((name) => [name, name])));
    const rows = lines(file);
    expect(rows.map((row) => row['amount.value'])).toEqual([130, -22.5, 10.05]);
    expect(Math.round(sum(rows.map((row) => row['amount.value'] as number)) * 100)).toBe(statement.closingBalance.value - statement.openingBalance.value);
    expect(rows.at(-1)?.['balanceAfter.value']).toBe(statement.closingBalance.value / 100);
    expect(rows.map((row) => row['at (UTC)'])).toEqual(statement.lines.map((line) => new Date(line.at)));
  });

  it('when a partner’s daily statement is downloaded, then its float movements add up to closing less opening and its amounts per type to the JSON totals', async () => {
    const partner = await contractedPartner(server, core(), {
      name: 'Wave XLSX',
      scopes: ['partner:recharges.write', 'partner:operations.read'],
      clientId: owner.clientId,
      float: 1_000_000,
    });
    const card = await issueCard(core(), owner);
    const api = server.sdk({ token: partner.token }).partner;
    for (const value of [15_000, 2_500, 730])
      await api.createPartnerRecharge({
        idempotencyKey: randomUUID(),
        partnerRechargeCreate: { cardId: card.id, amount: xof(value), externalReference: randomUUID() },
      });
    const statement = (await api.getPartnerDailyStatement({ day: today(), unit: 'XOF' })).data;
    const file = await download(`/partner/v1/statements/${today()}?unit=XOF`, partner.token);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="partner-statement_${today()}_XOF.xlsx"`);
    expect(file.row(1)).toEqual(Object.fromEntries(header('getPartnerDailyStatement').map((name) => [name, name])));
    const rows = lines(file);
    expect(rows).toHaveLength(statement.lines.length);
    expect(sum(rows.map((row) => row['floatMovement.value'] as number))).toBe(statement.closingFloat.value - statement.openingFloat.value);
    const byType = new Map<string, number>();
    for (const row of rows) byType.set(String(row.type), (byType.get(String(row.type)) ?? 0) + (row['amount.value'] as number));
    expect(Object.fromEntries(byType)).toEqual(Object.fromEntries(statement.totals.map((total) => [total.type, total.amount.value])));
    expect(rows.at(-1)?.['floatBalanceAfter.value']).toBe(statement.closingFloat.value);

    const operations = await download('/partner/v1/operations?type=recharge', partner.token);
    expect(operations.row(1)).toEqual(Object.fromEntries(header('listPartnerOperations').map((name) => [name, name])));
    expect(lines(operations).map((row) => row['amount.value'])).toEqual([15_000, 2_500, 730]);
  });
});

describe('a selection beyond one page', () => {
  it('when 250 operations are exported, then the file is sent in chunks and has begun before its last page is read, and holds every line', async () => {
    const cardId = (await issueCard(core(), owner)).id;
    for (let start = 0; start < 250; start += 10) await Promise.all(Array.from({ length: 10 }, (_, index) => regularise(cardId, xof(start + index + 1))));
    let open = () => {};
    gate = new Promise((resolve) => (open = resolve));
    const response = await fetch(`${server.url}/core/v1/operations?cardId=${cardId}`, { headers: { authorization: `Bearer ${token}`, accept: XLSX } });
    expect([response.status, response.headers.get('transfer-encoding'), response.headers.get('content-length')]).toEqual([200, 'chunked', null]);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // The second page is not read until the gate opens: these bytes were sent before the end.
    const begun = await reader.read();
    expect(Buffer.from(begun.value ?? []).subarray(0, 4)).toEqual(Buffer.from('PK\u0003\u0004', 'latin1'));
    open();
    const chunks = [Buffer.from(begun.value ?? [])];
    for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(Buffer.from(next.value));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.rowCount).toBe(251);
    expect(
      sum(Array.from({ length: 250 }, (_, index) => sheet.getRow(index + 2).getCell(header('listOperations').indexOf('amount.value') + 1).value as number)),
    ).toBe((250 * 251) / 2);
  });
});
