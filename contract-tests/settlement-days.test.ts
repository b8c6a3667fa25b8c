/**
 * A station's settlement days, listed: the days of its network's time zone on which its
 * E-service card moved, oldest first, each with the figures of that day's settlement (bounds,
 * closed or not, balances, totals, payout) and no day without a movement; paged with a cursor,
 * bounded by `from` and `to`; as CSV and XLSX; read by the Core API and by the station's own
 * partner, nobody else. Operations are made now, then dated in the past, as if recorded then.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { operationTable } from '../generated/operations';
import { CardService, type ServicePointSettlement } from '../generated/sdk';
import { localDay } from '../src/domain/time-zones';
import { expectDocumented } from './support/contract';
import { spreadsheetCells } from './support/csv';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  backdateOperationsSince,
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  newCardProfile,
  newClient,
  newNetwork,
  newStation,
  xof,
  type ContractedPartner,
  type Station,
} from './support/world';

const ZONE = 'Africa/Porto-Novo';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DAY_MS = 86_400_000;
const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const today = localDay(new Date(), ZONE);
/** Three closed days with movements, a quiet day between them, and today. */
const [first, quiet, second, third] = [shift(today, -5), shift(today, -4), shift(today, -3), shift(today, -2)];
const utc = (of: string, time: string) => new Date(`${of}T${time}:00.000Z`);

let server: TestServer;
let token: string;
let station: Station;
let otherStation: Station;
let stationPartner: ContractedPartner;
let otherPartner: ContractedPartner;
let card: string;
const core = () => server.sdk({ token });

const fill = (litres: number) =>
  core().coreLedger.createPayment({
    idempotencyKey: randomUUID(),
    paymentCreate: {
      cardId: card,
      servicePointId: station.id,
      amount: xof(litres * 700),
      service: CardService.Fuel,
      receiptNumber: `JRS-${randomUUID().slice(0, 8)}`,
      fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
    },
  });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const since = new Date(Date.now() - 60_000);
  const at = async (when: Date, action: () => Promise<unknown>) => {
    await action();
    await backdateOperationsSince(server.database.db, since, when);
  };
  await core().coreReferential.createEnergyType({ energyTypeCreate: { code: 'GASOIL', label: 'Gasoil' } });
  await core().coreReferential.createEnergyPrice({
    energyTypeCode: 'GASOIL',
    energyPriceCreate: {
      effectiveAt: new Date('2026-01-01T00:00:00Z'),
      priceInclTax: xof(700),
      priceExclVat: xof(600),
      priceExclTaxAndCustoms: xof(550),
      priceExclAllTaxes: xof(500),
    },
  });
  const networkId = await newNetwork(core(), 'RES-JOURS', 'Réseau Bénin', { timeZone: ZONE });
  const clientId = await newClient(core(), networkId, 'FLOTTE-JOURS');
  const profileId = await newCardProfile(core(), 'JOURS');
  station = await newStation(core(), networkId, 'STATION-JOURS');
  otherStation = await newStation(core(), networkId, 'STATION-AUTRE');
  await at(utc(shift(first, -10), '08:00'), async () => (card = (await fundedCard(core(), { clientId, profileId }, 1_000_000)).id));
  await at(utc(first, '09:00'), () => fill(10));
  await at(utc(first, '10:00'), () => fill(20));
  // 23:30 UTC the day before `second`: 00:30 on `second` in Benin.
  await at(utc(quiet, '23:30'), () => fill(5));
  await at(utc(third, '12:00'), () => fill(1));
  await fill(2); // today, not dated
  const scopes = ['partner:operations.read'];
  stationPartner = await contractedPartner(server, core(), { name: 'Station Jours SI', scopes, servicePointId: station.id });
  otherPartner = await contractedPartner(server, core(), { name: 'Station Autre SI', scopes, servicePointId: otherStation.id });
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

const list = (query: string, api = 'core', bearer = token, where: Station = station, accept = 'application/json') =>
  call(`${server.url}/${api}/v1/service-points/${where.id}/settlements?unit=XOF${query}`, { headers: { authorization: `Bearer ${bearer}`, accept } });
const settlement = async (day: string): Promise<ServicePointSettlement> =>
  (await core().coreLedger.getServicePointSettlement({ servicePointId: station.id, day, unit: 'XOF' })).data;

describe("a station's settlement days", () => {
  it('when they are listed, then each day that moved is there, oldest first, with its settlement’s figures, and a quiet day is not', async () => {
    const answer = await list('');
    expect(answer.status).toBe(200);
    expectDocumented('listServicePointSettlements', 200, answer.body);
    const page = answer.body.data;
    expect([page.servicePointId, page.eServiceCardId, page.unit, page.nextCursor]).toEqual([station.id, station.cardId, 'XOF', null]);
    expect(page.items.map((item: { day: string; closed: boolean }) => [item.day, item.closed])).toEqual([
      [first, true],
      [second, true],
      [third, true],
      [today, false],
    ]);
    expect(page.items.map((item: { totals: { sales: { amount: { value: number } } } }) => item.totals.sales.amount.value)).toEqual([21_000, 3_500, 700, 1_400]);
    for (const item of page.items.slice(0, 3)) {
      const { lines, servicePointId, eServiceCardId, ...figures } = await settlement(item.day);
      expect([lines.length > 0, servicePointId, eServiceCardId]).toEqual([true, station.id, station.cardId]);
      expect(item).toEqual(JSON.parse(JSON.stringify(figures)));
    }
    // Each day opens where the last listed closed: nothing moved in between.
    for (let index = 1; index < page.items.length; index += 1) expect(page.items[index].openingBalance).toEqual(page.items[index - 1].closingBalance);
    expect((await settlement(quiet)).lines).toEqual([]);
  });

  it('when they are read a page at a time, then the cursors walk every day once; `from` and `to` bound them, both included', async () => {
    const days: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages += 1) {
      const page = (await list(`&limit=1${cursor}`)).body.data;
      days.push(...page.items.map((item: { day: string }) => item.day));
      if (!page.nextCursor) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
    expect(days).toEqual([first, second, third, today]);
    const bounded = (await list(`&from=${quiet}&to=${third}`)).body.data;
    expect(bounded.items.map((item: { day: string }) => item.day)).toEqual([second, third]);
    expect((await list(`&from=${second}&to=${second}`)).body.data.items.map((item: { day: string }) => item.day)).toEqual([second]);
    expect((await list(`&from=${quiet}&to=${quiet}`)).body.data.items).toEqual([]);
  });

  it('when the selection is wrong, then 400 naming the field, or 404 for an unknown service point or unit', async () => {
    const backwards = await list(`&from=${third}&to=${first}`);
    expect([backwards.status, backwards.body.code, backwards.body.errors?.[0]?.path]).toEqual([400, '2001', '/query/to']);
    const impossible = await list('&from=2026-02-30');
    expect([impossible.status, impossible.body.code, impossible.body.errors?.[0]?.path]).toEqual([400, '2001', '/query/from']);
    const forged = await list(`&cursor=${Buffer.from('not-a-day').toString('base64url')}`);
    expect([forged.status, forged.body.code, forged.body.errors?.[0]?.path]).toEqual([400, '2001', '/query/cursor']);
    const unknown = await failure(core().coreLedger.listServicePointSettlements({ servicePointId: 'spt_000000000000000000000000', unit: 'XOF' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3009']);
    expectDocumented('listServicePointSettlements', 404, unknown.body);
    const unit = await failure(core().coreLedger.listServicePointSettlements({ servicePointId: station.id, unit: 'NOPE' }));
    expect([unit.status, unit.body.code]).toEqual([404, '3004']);
  });

  it('when a station without any movement is listed, then it has no day', async () => {
    expect((await list('', 'core', token, otherStation)).body.data).toMatchObject({ items: [], nextCursor: null });
  });

  it('when the days are exported as CSV and XLSX, then each has the contract’s columns, a row a day and the JSON’s figures', async () => {
    const json = (await list('')).body.data.items as { day: string; totals: { net: { value: number }; sales: { count: number } } }[];
    const columns = (operationTable.listServicePointSettlements.csv ?? { columns: [] }).columns;
    const csv = await list('', 'core', token, station, 'text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="settlements_${station.id}_XOF_start_\\d{8}T\\d{6}Z\\.csv"$`));
    const [header, ...rows] = spreadsheetCells(csv.text, ',');
    expect(header).toEqual(columns.map((column) => column.name));
    const cell = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows.map((row) => [cell(row, 'day'), Number(cell(row, 'net.value')), Number(cell(row, 'sales.count'))])).toEqual(
      json.map((item) => [item.day, item.totals.net.value, item.totals.sales.count]),
    );
    const response = await fetch(`${server.url}/core/v1/service-points/${station.id}/settlements?unit=XOF`, {
      headers: { authorization: `Bearer ${token}`, accept: XLSX },
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const names = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    const value = (row: number, name: string) => sheet.getRow(row).getCell(names.indexOf(name) + 1).value;
    expect(Array.from({ length: sheet.rowCount - 1 }, (_, index) => [value(index + 2, 'day'), value(index + 2, 'net.value')])).toEqual(
      json.map((item) => [item.day, item.totals.net.value]),
    );
    expect(value(2, 'from (UTC)')).toEqual(new Date(`${shift(first, -1)}T23:00:00.000Z`));
  });

  it('when the station’s own partner lists its days, then they are the Core’s; another station’s partner gets 404 as for an unknown one', async () => {
    const own = await list('', 'partner', stationPartner.token);
    expect(own.status).toBe(200);
    expectDocumented('listPartnerServicePointSettlements', 200, own.body);
    expect(own.body.data).toEqual((await list('')).body.data);
    const sdk = await server
      .sdk({ token: stationPartner.token })
      .partner.listPartnerServicePointSettlements({ servicePointId: station.id, unit: 'XOF', limit: 2 });
    expect(sdk.data.items.map((item) => item.day)).toEqual([first, second]);
    const foreign = await list('', 'partner', otherPartner.token);
    expect([foreign.status, foreign.body.code]).toEqual([404, '3009']);
  });
});
