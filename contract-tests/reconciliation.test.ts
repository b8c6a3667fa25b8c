/**
 * Reconciliation, the way an accountant does it: one day of mixed operations (partner recharges,
 * a reversal, fuel payments, a cancelled payment, fees, an order voucher) across two networks in
 * two time zones, Côte d'Ivoire (Africa/Abidjan, UTC+0) and Benin (Africa/Porto-Novo, UTC+1),
 * where a fill at 23:30 UTC is on the next local day. Every statement, settlement and
 * operations list of those days is downloaded as JSON (every page), CSV and XLSX (read back with
 * exceljs, the library that writes it): the three hold the same rows, cell for cell, so their
 * totals are identical; every statement's closing balance is its opening plus its lines, line
 * by line, in each format; and the figures are the day's, checked against what was done. The
 * server's clock cannot be set: each operation is made now, then dated in the past.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { operationTable } from '../generated/operations';
import { CardService, OrderType } from '../generated/sdk';
import { dayBounds } from '../src/domain/time-zones';
import { spreadsheetCells } from './support/csv';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  backdateOperationsSince,
  checkLedgerAfterEach,
  contractedPartner,
  fundFloat,
  issueCard,
  newCardProfile,
  newClient,
  newNetwork,
  newStation,
  xof,
  type ContractedPartner,
  type Station,
} from './support/world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ABIDJAN = 'Africa/Abidjan';
const PORTO_NOVO = 'Africa/Porto-Novo';
const DAY_MS = 86_400_000;
const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** The day reconciled, and the next: both over in either zone (the next ends at 23:00 UTC yesterday in Benin). */
const day = shift(new Date().toISOString().slice(0, 10), -2);
const nextDay = shift(day, 1);
const utc = (of: string, time: string) => new Date(`${of}T${time}:00.000Z`);
const GASOIL = 700;

let server: TestServer;
let token: string;
let since: Date;
const core = () => server.sdk({ token });
const cards = {} as Record<'a1' | 'a2' | 'b1', string>;
const stations = {} as Record<'a' | 'b', Station>;
const partners = {} as Record<'p' | 'q' | 'stationB', ContractedPartner>;

/** Runs `action` (which records operations now), then dates what it recorded at `when`. */
async function at<T>(when: Date, action: () => Promise<T>): Promise<T> {
  const result = await action();
  await backdateOperationsSince(server.database.db, since, when);
  return result;
}

const recharge = (partner: ContractedPartner, cardId: string, value: number) =>
  server.sdk({ token: partner.token }).partner.createPartnerRecharge({
    idempotencyKey: randomUUID(),
    partnerRechargeCreate: { cardId, amount: xof(value), externalReference: `MM-${randomUUID()}` },
  });

const fill = async (cardId: string, station: Station, litres: number) =>
  (
    await core().coreLedger.createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: {
        cardId,
        servicePointId: station.id,
        amount: xof(litres * GASOIL),
        service: CardService.Fuel,
        receiptNumber: `REC-${randomUUID().slice(0, 8)}`,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(GASOIL) },
      },
    })
  ).data.id;

const fee = (cardId: string) =>
  core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId, amount: xof(100), reason: 'Frais de notification SMS' } });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  since = new Date(Date.now() - 60_000);
  await core().coreReferential.createEnergyType({ energyTypeCreate: { code: 'GASOIL', label: 'Gasoil' } });
  await core().coreReferential.createEnergyPrice({
    energyTypeCode: 'GASOIL',
    energyPriceCreate: {
      effectiveAt: new Date('2026-01-01T00:00:00Z'),
      priceInclTax: xof(GASOIL),
      priceExclVat: xof(GASOIL - 100),
      priceExclTaxAndCustoms: xof(GASOIL - 150),
      priceExclAllTaxes: xof(GASOIL - 200),
    },
  });
  const ivoryCoast = await newNetwork(core(), 'RES-CI', 'Réseau Côte d’Ivoire', { timeZone: ABIDJAN });
  const benin = await newNetwork(core(), 'RES-BJ', 'Réseau Bénin', { timeZone: PORTO_NOVO });
  const profileId = await newCardProfile(core(), 'RECON');
  const clientA = await newClient(core(), ivoryCoast, 'FLOTTE-CI', 'Transports Ivoiriens');
  const clientB = await newClient(core(), benin, 'FLOTTE-BJ', 'Transports Béninois');
  cards.a1 = (await issueCard(core(), { clientId: clientA, profileId })).id;
  cards.a2 = (await issueCard(core(), { clientId: clientA, profileId })).id;
  cards.b1 = (await issueCard(core(), { clientId: clientB, profileId })).id;
  stations.a = await newStation(core(), ivoryCoast, 'STATION-ABIDJAN');
  stations.b = await newStation(core(), benin, 'STATION-COTONOU', { address: 'Akpakpa, Cotonou' });
  const scopes = ['partner:recharges.write', 'partner:operations.read'];
  partners.p = await contractedPartner(server, core(), { name: 'Mobile Money CI', scopes, clientId: clientA });
  partners.q = await contractedPartner(server, core(), { name: 'Mobile Money BJ', scopes, clientId: clientB });
  partners.stationB = await contractedPartner(server, core(), {
    name: 'Station Cotonou SI',
    scopes: ['partner:operations.read'],
    servicePointId: stations.b.id,
  });

  // The day before: the floats funded, the cards recharged (the day's opening balances).
  await at(utc(shift(day, -1), '12:00'), () => fundFloat(core(), partners.p.id, 1_000_000));
  await at(utc(shift(day, -1), '12:05'), () => fundFloat(core(), partners.q.id, 1_000_000));
  await at(utc(shift(day, -1), '15:00'), () => recharge(partners.p, cards.a1, 100_000));
  await at(utc(shift(day, -1), '16:00'), () => recharge(partners.q, cards.b1, 100_000));
  // The day (Benin's began at 23:00 UTC the day before).
  await at(utc(day, '07:00'), () => fundFloat(core(), partners.p.id, 250_000));
  await at(utc(day, '08:00'), () => recharge(partners.p, cards.a1, 30_000));
  // A recharge to the wrong card, reversed by the partner ten minutes later (a reversal must follow within 24 hours: both are made now).
  const mistaken = await at(utc(day, '08:20'), async () => {
    const wrongCard = (await recharge(partners.p, cards.a2, 20_000)).data.id;
    await server.sdk({ token: partners.p.token }).partner.reversePartnerOperation({
      operationId: wrongCard,
      idempotencyKey: randomUUID(),
      cancellationCreate: { reason: 'Mauvaise carte' },
    });
    return wrongCard;
  });
  await server.database.db.query('UPDATE ledger_entries SET created_at = $2 WHERE operation_id = $1', [mistaken, utc(day, '08:10')]);
  await server.database.db.query('UPDATE ledger_operations SET created_at = $2 WHERE id = $1', [mistaken, utc(day, '08:10')]);
  await at(utc(day, '09:00'), () => recharge(partners.q, cards.b1, 25_000));
  await at(utc(day, '10:00'), () => fill(cards.a1, stations.a, 20));
  await at(utc(day, '11:00'), () => fill(cards.b1, stations.b, 10));
  const wrong = await at(utc(day, '12:00'), () => fill(cards.a1, stations.a, 5));
  await at(utc(day, '12:30'), () =>
    core().coreLedger.cancelOperation({ operationId: wrong, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Erreur de saisie' } }),
  );
  await at(utc(day, '13:00'), () => fee(cards.a1));
  await at(utc(day, '13:10'), () => fee(cards.b1));
  await at(utc(day, '14:00'), async () => {
    const order = (
      await core().coreLedger.createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: {
          type: OrderType.Recharge,
          lines: [
            { cardId: cards.a1, amount: xof(15_000) },
            { cardId: cards.b1, amount: xof(10_000) },
          ],
          reason: 'Dotation mensuelle',
        },
      })
    ).data;
    await core().coreLedger.validateOrder({ orderId: order.id });
    await core().coreLedger.executeOrder({ orderId: order.id, idempotencyKey: randomUUID() });
  });
  await at(utc(day, '22:30'), () => fill(cards.b1, stations.b, 5)); // 23:30 in Benin: still the day
  await at(utc(day, '23:30'), () => fill(cards.b1, stations.b, 10)); // 00:30 in Benin: the next day
  await at(utc(nextDay, '08:00'), () => recharge(partners.q, cards.b1, 5_000));
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

type OperationId = keyof typeof operationTable;
type Value = string | number | boolean | null;
type Row = Record<string, Value>;

interface Export {
  /** The JSON answer's `data` (of the first page), and its rows over every page. */
  data: Record<string, unknown> & { lines?: unknown; nextCursor?: string | null };
  json: Row[];
  csv: Row[];
  xlsx: Row[];
}

const columnsOf = (operationId: OperationId) => {
  const csv = operationTable[operationId].csv;
  if (!csv) throw new Error(`${operationId} declares no export`);
  return csv;
};

/** A cell as the three formats agree on it: an instant in RFC 3339 UTC, an amount in its unit's smallest denomination, no cell as null. */
function normalised(type: string, value: unknown, scale = 0): Value {
  if (value === null || value === undefined || value === '') return null;
  switch (type) {
    case 'date-time':
      return new Date(value instanceof Date ? value : String(value)).toISOString();
    case 'amount':
      return Math.round(Number(value) * 10 ** scale);
    case 'number':
      return Number(value);
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'true';
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value as string);
  }
}

const valueAt = (row: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : null), row);

/** The export of `path` in the three formats, as rows of the contract's columns. */
async function download(operationId: OperationId, path: string, bearer = token): Promise<Export> {
  const table = columnsOf(operationId);
  const headers = (accept: string) => ({ headers: { authorization: `Bearer ${bearer}`, accept } });
  const toRow = (cells: (column: (typeof table.columns)[number], index: number) => Value): Row =>
    Object.fromEntries(table.columns.map((column, index) => [column.name, cells(column, index)]));

  // JSON: every page.
  const pages: Record<string, unknown>[] = [];
  for (let cursor: string | null | undefined = undefined; pages.length === 0 || cursor; ) {
    const answer = await call(`${server.url}${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers('application/json'));
    expect([path, answer.status]).toEqual([path, 200]);
    pages.push(answer.body.data as Record<string, unknown>);
    cursor = answer.body.data.nextCursor as string | null | undefined;
  }
  const json = pages.flatMap((page) => page[table.rows] as unknown[]).map((line) => toRow((column) => normalised(column.type, valueAt(line, column.path))));

  // CSV, split as a spreadsheet splits it.
  const text = await call(`${server.url}${path}`, headers('text/csv'));
  expect([path, text.status]).toEqual([path, 200]);
  const [header, ...cells] = spreadsheetCells(text.text, ',');
  expect(header).toEqual(table.columns.map((column) => column.name));
  const csv = cells.map((line) => toRow((column, index) => normalised(column.type, line[index])));

  // XLSX, read back with exceljs; an amount is shown at its unit's scale (XOF: 0).
  const response = await fetch(`${server.url}${path}`, headers(XLSX));
  expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, XLSX]);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  expect((sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1)).toEqual(
    table.columns.map((column) => (column.type === 'date-time' ? `${column.name} (UTC)` : column.name)),
  );
  const xlsx = Array.from({ length: sheet.rowCount - 1 }, (_, index) =>
    toRow((column, at) => normalised(column.type, sheet.getRow(index + 2).getCell(at + 1).value)),
  );
  return { data: pages[0], json, csv, xlsx };
}

/** The sum of a column over rows (optionally those whose `where` column holds `equals`). */
const total = (rows: Row[], column: string, where?: [string, Value]) =>
  rows.filter((row) => !where || row[where[0]] === where[1]).reduce((sum, row) => sum + Number(row[column] ?? 0), 0);

/** The three formats hold the same rows, cell for cell; hence the same totals of every amount column. */
function expectSameInEveryFormat(exported: Export, operationId: OperationId): void {
  expect(exported.csv).toEqual(exported.json);
  expect(exported.xlsx).toEqual(exported.json);
  const amounts = columnsOf(operationId).columns.filter((column) => column.type === 'amount' || column.type === 'number');
  for (const format of [exported.csv, exported.xlsx])
    expect(amounts.map((column) => [column.name, total(format, column.name)])).toEqual(
      amounts.map((column) => [column.name, total(exported.json, column.name)]),
    );
}

/** Each line's balance after is the previous one's plus its movement, from the opening to the closing; in every format. */
function expectBalancesFollow(exported: Export, movement: string, balanceAfter: string, opening: number, closing: number): void {
  for (const rows of [exported.json, exported.csv, exported.xlsx]) {
    let balance = opening;
    const checked = rows.map((row) => {
      balance += Number(row[movement]);
      // A line that moved no balance (a partner's payment on its float statement) shows none.
      return row[balanceAfter] === null ? [row[movement], null] : [row[movement], balance];
    });
    expect(checked).toEqual(rows.map((row) => [row[movement], row[balanceAfter]]));
    expect(balance).toBe(closing);
  }
}

const money = (data: Record<string, unknown>, field: string) => (data[field] as { value: number }).value;
const query = (from: Date, to: Date) => `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;

describe('statements', () => {
  it.each([
    ['a1', ABIDJAN, day, 100_000, [30_000, -14_000, -3_500, 3_500, -100, 15_000], 130_900],
    ['b1', PORTO_NOVO, day, 100_000, [25_000, -7_000, -100, 10_000, -3_500], 124_400],
    ['b1', PORTO_NOVO, nextDay, 124_400, [-7_000, 5_000], 122_400],
  ] as const)(
    'when card %s’s statement of the %s day %s is exported, then JSON, CSV and XLSX agree and each balance follows from the last',
    async (card, zone, of, opening, movements, closing) => {
      const { start, end } = dayBounds(of, zone);
      const exported = await download('getCardStatement', `/core/v1/cards/${cards[card]}/statement?unit=XOF&${query(start, end)}`);
      expectSameInEveryFormat(exported, 'getCardStatement');
      expect([money(exported.data, 'openingBalance'), money(exported.data, 'closingBalance')]).toEqual([opening, closing]);
      expect(exported.json.map((row) => row['amount.value'])).toEqual(movements);
      expectBalancesFollow(exported, 'amount.value', 'balanceAfter.value', opening, closing);
    },
  );

  it.each([
    ['p', day, ABIDJAN, 900_000, [250_000, -30_000, -20_000, 20_000], 1_120_000],
    ['q', day, PORTO_NOVO, 900_000, [-25_000], 875_000],
    ['q', nextDay, PORTO_NOVO, 875_000, [-5_000], 870_000],
  ] as const)(
    'when partner %s’s statement of %s (%s) is exported, then JSON, CSV and XLSX agree, its float follows line by line and its totals are its lines’',
    async (partner, of, zone, opening, movements, closing) => {
      const exported = await download('getPartnerDailyStatement', `/partner/v1/statements/${of}?unit=XOF`, partners[partner].token);
      expectSameInEveryFormat(exported, 'getPartnerDailyStatement');
      expect(exported.data).toMatchObject({ day: of, timeZone: zone, closed: true });
      expect([money(exported.data, 'openingFloat'), money(exported.data, 'closingFloat')]).toEqual([opening, closing]);
      expect(exported.json.map((row) => row['floatMovement.value'])).toEqual(movements);
      expectBalancesFollow(exported, 'floatMovement.value', 'floatBalanceAfter.value', opening, closing);
      const totals = exported.data.totals as { type: string; count: number; amount: { value: number } }[];
      for (const rows of [exported.json, exported.csv, exported.xlsx])
        expect(totals.map((line) => [line.type, line.count, line.amount.value])).toEqual(
          totals.map((line) => [line.type, rows.filter((row) => row.type === line.type).length, total(rows, 'amount.value', ['type', line.type])]),
        );
    },
  );
});

describe('settlements', () => {
  it.each([
    ['a', day, ABIDJAN, { sales: [2, 25_000, 17_500], cancellations: [1, -5_000, -3_500], net: 14_000 }],
    ['b', day, PORTO_NOVO, { sales: [2, 15_000, 10_500], cancellations: [0, 0, 0], net: 10_500 }],
    ['b', nextDay, PORTO_NOVO, { sales: [1, 10_000, 7_000], cancellations: [0, 0, 0], net: 7_000 }],
  ] as const)(
    'when station %s’s settlement of %s (%s) is exported, then JSON, CSV and XLSX agree and add up to its totals',
    async (station, of, zone, expected) => {
      const exported = await download('getServicePointSettlement', `/core/v1/service-points/${stations[station].id}/settlements/${of}?unit=XOF`);
      expectSameInEveryFormat(exported, 'getServicePointSettlement');
      const { start, end } = dayBounds(of, zone);
      expect(exported.data).toMatchObject({ day: of, timeZone: zone, from: start.toISOString(), to: end.toISOString(), closed: true, balanced: true });
      const totals = exported.data.totals as Record<'sales' | 'cancellations', { count: number; quantityMl: number; amount: { value: number } }> &
        Record<'net' | 'fees', { value: number }>;
      const figures = (kind: 'sales' | 'cancellations') => [totals[kind].count, totals[kind].quantityMl, totals[kind].amount.value];
      expect([figures('sales'), figures('cancellations'), totals.fees.value, totals.net.value]).toEqual([
        expected.sales,
        expected.cancellations,
        0,
        expected.net,
      ]);
      for (const rows of [exported.json, exported.csv, exported.xlsx]) {
        const payments = ['type', 'payment'] as [string, Value];
        expect([total(rows, 'count', payments), total(rows, 'quantityMl', payments), total(rows, 'amount.value', payments)]).toEqual(expected.sales);
        expect(total(rows, 'amount.value')).toBe(money(exported.data, 'movements'));
        expect(money(exported.data, 'openingBalance') + total(rows, 'amount.value')).toBe(money(exported.data, 'closingBalance'));
      }
    },
  );

  it('when the station partner exports its settlement, then it is the Core’s, in every format', async () => {
    const path = (api: string) => `/${api}/v1/service-points/${stations.b.id}/settlements/${nextDay}?unit=XOF`;
    const own = await download('getPartnerServicePointSettlement', path('partner'), partners.stationB.token);
    const issuer = await download('getServicePointSettlement', path('core'));
    expectSameInEveryFormat(own, 'getPartnerServicePointSettlement');
    expect(own.json).toEqual(issuer.json);
    expect(own.data.totals).toEqual(issuer.data.totals);
  });

  it('when a station’s settlement days are exported, then JSON, CSV and XLSX agree and each day is its settlement’s figures', async () => {
    const exported = await download('listServicePointSettlements', `/core/v1/service-points/${stations.b.id}/settlements?unit=XOF&from=${day}&to=${nextDay}`);
    expectSameInEveryFormat(exported, 'listServicePointSettlements');
    expect(exported.json.map((row) => [row.day, row.closed, row['sales.amount.value'], row['net.value']])).toEqual([
      [day, true, 10_500, 10_500],
      [nextDay, true, 7_000, 7_000],
    ]);
    // No payout was made: each day closes at its opening plus its net, and opens at the last one's closing.
    expectBalancesFollow(
      exported,
      'net.value',
      'closingBalance.value',
      Number(exported.json[0]['openingBalance.value']),
      Number(exported.json.at(-1)?.['closingBalance.value']),
    );
  });

  it('when a day’s settlements are compared with its operations, then each station’s sales are the payments made there that day', async () => {
    for (const [station, of, zone] of [
      ['a', day, ABIDJAN],
      ['b', day, PORTO_NOVO],
      ['b', nextDay, PORTO_NOVO],
    ] as const) {
      const { start, end } = dayBounds(of, zone);
      const operations = await download('listOperations', `/core/v1/operations?${query(start, end)}`);
      const settlement = (await core().coreLedger.getServicePointSettlement({ servicePointId: stations[station].id, day: of, unit: 'XOF' })).data;
      for (const rows of [operations.json, operations.csv, operations.xlsx]) {
        const payments = rows.filter((row) => row.type === 'payment' && row.servicePointId === stations[station].id);
        expect([station, of, payments.length, total(payments, 'amount.value')]).toEqual([
          station,
          of,
          settlement.totals.sales.count,
          settlement.totals.sales.amount.value,
        ]);
      }
    }
  });
});

describe('fees', () => {
  it('when the day’s fees are reconciled, then they are the member cards’ (fee revenue), a station bears none, and one charged to a station is refused', async () => {
    const { start, end } = dayBounds(day, ABIDJAN);
    const fees = (await core().coreLedger.listOperations({ type: 'fee', from: start, to: end, limit: 100 })).data.items;
    expect(fees.map((operation) => [operation.debit.kind, operation.debit.cardId, operation.credit.kind, operation.amount.value])).toEqual([
      ['card', cards.a1, 'fee-revenue', 100],
      ['card', cards.b1, 'fee-revenue', 100],
    ]);
    const refused = await failure(
      core().coreLedger.createFee({ idempotencyKey: randomUUID(), feeCreate: { cardId: stations.a.cardId, amount: xof(100), reason: 'Frais de station' } }),
    );
    expect([refused.status, refused.body.code]).toEqual([400, '4018']);
    const settlement = (await core().coreLedger.getServicePointSettlement({ servicePointId: stations.a.id, day, unit: 'XOF' })).data;
    expect([settlement.totals.fees, settlement.lines.filter((line) => line.type === 'fee' || line.cancels === 'fee')]).toEqual([xof(0), []]);
  });
});

describe('operations', () => {
  it.each([
    [ABIDJAN, day, { recharge: [5, 100_000], payment: [5, 35_000], cancellation: [2, 23_500], fee: [2, 200], 'float-funding': [1, 250_000] }],
    [PORTO_NOVO, nextDay, { payment: [1, 7_000], recharge: [1, 5_000] }],
  ] as const)('when the operations of the %s day %s are exported, then JSON, CSV and XLSX agree, per type', async (zone, of, expected) => {
    const { start, end } = dayBounds(of, zone);
    const exported = await download('listOperations', `/core/v1/operations?${query(start, end)}`);
    expectSameInEveryFormat(exported, 'listOperations');
    for (const rows of [exported.json, exported.csv, exported.xlsx]) {
      const byType = Object.fromEntries(
        Object.keys(expected).map((type) => [type, [rows.filter((row) => row.type === type).length, total(rows, 'amount.value', ['type', type])]]),
      );
      expect([rows.length, byType]).toEqual([Object.values(expected).reduce((count, [n]) => count + n, 0), expected]);
      expect(rows.every((row) => String(row.createdAt) >= start.toISOString() && String(row.createdAt) < end.toISOString())).toBe(true);
    }
  });

  it('when a partner exports its operations of the day, then JSON, CSV and XLSX agree with its statement’s lines', async () => {
    const { start, end } = dayBounds(day, ABIDJAN);
    const exported = await download('listPartnerOperations', `/partner/v1/operations?${query(start, end)}`, partners.p.token);
    expectSameInEveryFormat(exported, 'listPartnerOperations');
    const statement = await download('getPartnerDailyStatement', `/partner/v1/statements/${day}?unit=XOF`, partners.p.token);
    const key = (rows: Row[], id: string) =>
      rows.map((row) => [row[id], row.type, row['amount.value']]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    for (const rows of [exported.json, exported.csv, exported.xlsx]) expect(key(rows, 'id')).toEqual(key(statement.json, 'operationId'));
  });
});
