/**
 * Clients' price agreements on the station's papers: the station partner's daily statement
 * gives each fuel payment's pump price, the client's price and the discount per litre, and the
 * discount on the whole fill (JSON, CSV in the contract's columns, XLSX in typed cells), and the
 * station's settlement gives, per client and product, the discount its clients were given (a
 * cancelled fill giving its discount back).
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { operationTable } from '../generated/operations';
import { CardService } from '../generated/sdk';
import { spreadsheetCells } from './support/csv';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  newClient,
  newClientWorld,
  newEnergyType,
  newStation,
  xof,
  type ClientWorld,
  type ContractedPartner,
  type Station,
} from './support/world';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** GASOIL's pump price, and the discount per litre of the client with an agreement (XOF). */
const [PRICE, DISCOUNT] = [715, 10];

let server: TestServer;
let token: string;
let owner: ClientWorld;
let station: Station;
let partner: ContractedPartner;
const sdk = () => server.sdk({ token });
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'REMISES');
  station = await newStation(sdk(), owner.networkId, 'STATION-REMISES');
  await newEnergyType(sdk(), 'GASOIL', PRICE);
  partner = await contractedPartner(server, sdk(), {
    name: 'Station Remises',
    scopes: ['partner:payments.write', 'partner:operations.read'],
    servicePointId: station.id,
  });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

/** The station partner's fuel payment of `litres` of GASOIL at the pump price, with the card of `number`. */
const stationFill = async (number: string, litres: number) =>
  (
    await server.sdk({ token: partner.token }).partner.createPartnerPayment({
      idempotencyKey: randomUUID(),
      partnerPaymentCreate: {
        cardNumber: number,
        servicePointId: station.id,
        amount: xof(litres * PRICE),
        service: CardService.Fuel,
        fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(PRICE) },
        receiptNumber: `REM-${randomUUID().slice(0, 8)}`,
        externalReference: `STN-REM-${randomUUID().slice(0, 8)}`,
      },
    })
  ).data;

/** The answer of `path` in `accept` with `bearer`'s token. */
const read = (path: string, accept: string, bearer = partner.token) => call(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept } });

/** A CSV answer's rows keyed by its header, after checking the header is the contract's columns, in order. */
function csvRows(text: string, operationId: keyof typeof operationTable): Record<string, string>[] {
  const [header, ...rows] = spreadsheetCells(text, ',');
  expect(header).toEqual(operationTable[operationId].csv?.columns.map((column) => column.name));
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
}

describe("discounts on the station's statement and settlement", () => {
  let discounted: string;
  let cancelled: string;
  let plain: string;
  let clientId: string;

  beforeAll(async () => {
    clientId = await newClient(sdk(), owner.networkId, 'FLOTTE-RABAIS');
    await sdk().coreReferential.createPriceAgreement({
      clientId,
      priceAgreementCreate: { energyTypeCode: 'GASOIL', kind: 'discount', value: xof(DISCOUNT) as never, effectiveAt: new Date('2026-01-01T00:00:00Z') },
    });
    const card = await fundedCard(sdk(), { clientId, profileId: owner.profileId }, 200_000);
    const other = await fundedCard(sdk(), owner, 100_000);
    discounted = (await stationFill(card.number, 20)).id;
    cancelled = (await stationFill(card.number, 5)).id;
    await sdk().coreLedger.cancelOperation({ operationId: cancelled, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Ticket en double' } });
    plain = (await stationFill(other.number, 10)).id;
  });

  it("when the station partner reads its day as JSON, then each fuel payment gives the pump price, the client's price and the discount, per litre and on the fill, with their scale", async () => {
    const answer = await read(`/partner/v1/statements/${today()}?unit=XOF`, 'application/json');
    expect(answer.status).toBe(200);
    const lines = (answer.body as { data: { lines: { operationId: string; type: string; fuel: Record<string, unknown> | null }[] } }).data.lines;
    const line = (id: string) => lines.find((candidate) => candidate.operationId === id);
    expect(line(discounted)?.fuel).toEqual({
      energyTypeCode: 'GASOIL',
      quantityMl: 20_000,
      pumpPrice: xof(PRICE),
      unitPrice: xof(PRICE - DISCOUNT),
      priceInForce: xof(PRICE),
      discount: xof(DISCOUNT),
      discountAmount: xof(20 * DISCOUNT),
      agreementId: expect.stringMatching(/^pag_/),
    });
    expect(line(plain)?.fuel).toMatchObject({ pumpPrice: xof(PRICE), unitPrice: xof(PRICE), discount: xof(0), discountAmount: xof(0), agreementId: null });
    expect(lines.filter((candidate) => candidate.type !== 'payment').every((candidate) => candidate.fuel === null || candidate.type === 'cancellation')).toBe(
      true,
    );
  });

  it('when the station partner exports its day as CSV, then the prices and discounts are in the contract’s columns, in order, beside their unit and scale', async () => {
    const answer = await read(`/partner/v1/statements/${today()}?unit=XOF`, 'text/csv');
    expect([answer.status, answer.headers.get('content-disposition')]).toEqual([200, `attachment; filename="partner-statement_${today()}_XOF.csv"`]);
    const rows = csvRows(answer.text, 'getPartnerDailyStatement');
    const columns = [
      'amount.value',
      'fuel.quantityMl',
      'fuel.pumpPrice.value',
      'fuel.unitPrice.value',
      'fuel.discount.value',
      'fuel.unitPrice.unit',
      'fuel.unitPrice.scale',
      'fuel.discountAmount.value',
    ];
    const row = (id: string) => columns.map((name) => rows.find((candidate) => candidate.operationId === id)?.[name]);
    expect(row(discounted)).toEqual(['14100', '20000', '715', '705', '10', 'XOF', '0', '200']);
    expect(row(plain)).toEqual(['7150', '10000', '715', '715', '0', 'XOF', '0', '0']);
  });

  it('when the station partner exports its day as XLSX, then the prices and discounts are number cells at the unit’s scale', async () => {
    const response = await fetch(`${server.url}/partner/v1/statements/${today()}?unit=XOF`, {
      headers: { authorization: `Bearer ${partner.token}`, accept: XLSX },
    });
    expect([response.status, response.headers.get('content-disposition')]).toEqual([200, `attachment; filename="partner-statement_${today()}_XOF.xlsx"`]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const names = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    expect(names).toEqual(
      operationTable.getPartnerDailyStatement.csv?.columns.map((column) => (column.type === 'date-time' ? `${column.name} (UTC)` : column.name)),
    );
    const rowOf = (id: string) =>
      Array.from({ length: sheet.rowCount - 1 }, (_, index) => sheet.getRow(index + 2)).find(
        (row) => row.getCell(names.indexOf('operationId') + 1).value === id,
      );
    const cell = (id: string, name: string) => rowOf(id)?.getCell(names.indexOf(name) + 1);
    expect(
      ['fuel.pumpPrice.value', 'fuel.unitPrice.value', 'fuel.discount.value', 'fuel.discountAmount.value'].map((name) => cell(discounted, name)?.value),
    ).toEqual([715, 705, 10, 200]);
    expect(cell(discounted, 'fuel.discount.value')?.numFmt).toBe('#,##0 "XOF"');
    expect(cell(discounted, 'fuel.unitPrice.scale')?.value).toBe(0);
  });

  it('when the station’s day is settled, then each client’s fuel line gives the discount its agreement took off the pump price, a cancellation giving it back', async () => {
    const settlement = (await sdk().coreLedger.getServicePointSettlement({ servicePointId: station.id, day: today(), unit: 'XOF' })).data;
    const line = (type: string, client: string) => settlement.lines.find((candidate) => candidate.type === type && candidate.clientId === client);
    expect([line('payment', clientId)?.amount, line('payment', clientId)?.discountAmount]).toEqual([xof(25 * (PRICE - DISCOUNT)), xof(25 * DISCOUNT)]);
    expect([line('cancellation', clientId)?.amount, line('cancellation', clientId)?.discountAmount]).toEqual([
      xof(-5 * (PRICE - DISCOUNT)),
      xof(-5 * DISCOUNT),
    ]);
    expect(line('payment', owner.clientId)?.discountAmount).toEqual(xof(0));
    const csv = await read(`/core/v1/service-points/${station.id}/settlements/${today()}?unit=XOF`, 'text/csv', token);
    const rows = csvRows(csv.text, 'getServicePointSettlement');
    expect(
      rows
        .filter((row) => row.clientId === clientId)
        .map((row) => [row.type, row['amount.value'], row['amount.unit'], row['amount.scale'], row['discountAmount.value']]),
    ).toEqual([
      ['payment', String(25 * (PRICE - DISCOUNT)), 'XOF', '0', String(25 * DISCOUNT)],
      ['cancellation', String(-5 * (PRICE - DISCOUNT)), 'XOF', '0', String(-5 * DISCOUNT)],
    ]);
  });

  it('when the station’s settlement days are read, then each day’s sales and cancellations total the discounts of their lines, in JSON and CSV', async () => {
    const settlement = (await sdk().coreLedger.getServicePointSettlement({ servicePointId: station.id, day: today(), unit: 'XOF' })).data;
    const discounts = (type: string) => settlement.lines.filter((line) => line.type === type).reduce((total, line) => total + line.discountAmount.value, 0);
    expect([discounts('payment'), discounts('cancellation')]).toEqual([25 * DISCOUNT, -5 * DISCOUNT]);
    expect([settlement.totals.sales.discountAmount, settlement.totals.cancellations.discountAmount]).toEqual([xof(25 * DISCOUNT), xof(-5 * DISCOUNT)]);
    const days = `/core/v1/service-points/${station.id}/settlements?unit=XOF&from=${today()}&to=${today()}`;
    const listed = (await sdk().coreLedger.listServicePointSettlements({ servicePointId: station.id, unit: 'XOF', from: today(), to: today() })).data.items;
    expect(listed.map((day) => [day.totals.sales.discountAmount, day.totals.cancellations.discountAmount])).toEqual([[xof(25 * DISCOUNT), xof(-5 * DISCOUNT)]]);
    const rows = csvRows((await read(days, 'text/csv', token)).text, 'listServicePointSettlements');
    expect(rows.map((row) => [row['sales.discountAmount.value'], row['cancellations.discountAmount.value']])).toEqual([
      [String(25 * DISCOUNT), String(-5 * DISCOUNT)],
    ]);
  });
});
