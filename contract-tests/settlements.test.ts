/**
 * A station's daily settlement: what its E-service card received on a day of its network's
 * time zone, per client and product, the cancellations as lines of their own, the totals and
 * the net owed to the station, checked against the ledger; the day across a time zone boundary
 * (Benin, UTC+1: a fill at 23:30 UTC is on the next day); a closed day that never changes; the
 * CSV that adds up to the JSON; the station partner's reading and everyone else's 404; the
 * payout of a day, once. The server's clock cannot be set, so operations are made now and their
 * rows then dated in the past in the database, as if the server had recorded them then.
 */
import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { CardService, type ServicePointSettlement } from '../generated/sdk';
import { operationTable } from '../generated/operations';
import { dayBounds, localDay } from '../src/domain/time-zones';
import { expectDocumented } from './support/contract';
import { spreadsheetCells } from './support/csv';
import { usingPostgres } from './support/database';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import {
  checkLedgerAfterEach,
  contractedPartner,
  fundedCard,
  newCardProfile,
  newClient,
  newEnergyType,
  newNetwork,
  newStation,
  xof,
  type Station,
} from './support/world';

const ZONE = 'Africa/Porto-Novo';
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
/** Today in Benin, and the days before it the settlements are read for (all closed). */
const today = localDay(new Date(), ZONE);
const day = shift(today, -2);
const dayBefore = shift(day, -1);
const dayAfter = shift(day, 1);
const bounds = dayBounds(day, ZONE);
const at = (hours: number) => new Date(bounds.start.getTime() + hours * HOUR_MS);

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
let server: TestServer;
let token: string;
let station: Station;
let otherStation: Station;
let networkId: string;
let stationPartner: { id: string; token: string };
let otherPartner: { id: string; token: string };
const cards: Record<'a' | 'b', { id: string; number: string }> = {} as never;
const clients: Record<'a' | 'b', string> = {} as never;
let receipt = 0;
const core = () => server.sdk({ token });
const db = () => server.database.db;

/** The rows of an operation dated `when`, as if recorded then. */
async function dateOperation(operationId: string, when: Date): Promise<void> {
  await db().query('UPDATE ledger_operations SET created_at = $2 WHERE id = $1', [operationId, when]);
  await db().query('UPDATE ledger_entries SET created_at = $2 WHERE operation_id = $1', [operationId, when]);
}

const PRICES = { GASOIL: 700, SUPER: 800 } as const;

/** A fuel payment of `litres` at the station, dated `when` when given. */
async function fill(card: 'a' | 'b', product: keyof typeof PRICES, litres: number, when?: Date, where: Station = station): Promise<string> {
  receipt += 1;
  const payment = await core().coreLedger.createPayment({
    idempotencyKey: randomUUID(),
    paymentCreate: {
      cardId: cards[card].id,
      servicePointId: where.id,
      amount: xof(litres * PRICES[product]),
      service: CardService.Fuel,
      receiptNumber: `STL-${receipt}`,
      fuel: { energyTypeCode: product, quantityMl: litres * 1000, unitPrice: xof(PRICES[product]) },
    },
  });
  if (when) await dateOperation(payment.data.id, when);
  return payment.data.id;
}

async function cancel(operationId: string, when?: Date): Promise<string> {
  const cancellation = await core().coreLedger.cancelOperation({
    operationId,
    idempotencyKey: randomUUID(),
    cancellationCreate: { reason: 'Erreur de saisie' },
  });
  if (when) await dateOperation(cancellation.data.id, when);
  return cancellation.data.id;
}

const settlement = async (of: string, where: Station = station): Promise<ServicePointSettlement> =>
  (await core().coreLedger.getServicePointSettlement({ servicePointId: where.id, day: of, unit: 'XOF' })).data;
const raw = (path: string, bearer = token, accept = 'application/json') =>
  call(`${server.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept } });
const path = (of: string, where: Station = station, api = 'core') => `/${api}/v1/service-points/${where.id}/settlements/${of}?unit=XOF`;

/** The sum of the E-service card's entries dated before `before` (and from `from`), straight from the ledger. */
async function ledgerSum(before: Date, from?: Date): Promise<number> {
  const [row] = await db().query<{ total: string }>(
    `SELECT COALESCE(sum(e.amount), 0)::text AS total FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
      WHERE a.card_id = $1 AND a.unit_code = 'XOF' AND e.created_at < $2 AND e.created_at >= COALESCE($3, '-infinity'::timestamptz)`,
    [station.cardId, before, from ?? null],
  );
  return Number(row.total);
}

let cancelled: string;
let lateFill: string;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  for (const [code, price] of Object.entries(PRICES)) await newEnergyType(core(), code, price, code);
  networkId = await newNetwork(core(), 'RES-BENIN', 'Réseau Bénin', { timeZone: ZONE });
  const profileId = await newCardProfile(core(), 'STL', { monthlyOfflineCap: xof(1_000_000) });
  clients.a = await newClient(core(), networkId, 'FLOTTE-A', 'Transports Ivoiriens');
  clients.b = await newClient(core(), networkId, 'FLOTTE-B', 'Sotra Logistique');
  cards.a = await fundedCard(core(), { clientId: clients.a, profileId }, 1_000_000);
  cards.b = await fundedCard(core(), { clientId: clients.b, profileId }, 1_000_000);
  station = await newStation(core(), networkId, 'STATION-COTONOU');
  otherStation = await newStation(core(), networkId, 'STATION-PARAKOU');
  const scopes = ['partner:operations.read'];
  stationPartner = await contractedPartner(server, core(), { name: 'Station Cotonou SI', scopes, servicePointId: station.id });
  otherPartner = await contractedPartner(server, core(), { name: 'Station Parakou SI', scopes, servicePointId: otherStation.id });

  // The day before: one fill at 22:59 UTC (23:59 in Benin).
  await fill('a', 'GASOIL', 5, new Date(bounds.start.getTime() - 60_000));
  // The day: three fills of client A's card and B's, one of B's cancelled in the afternoon.
  await fill('a', 'GASOIL', 30, at(9));
  await fill('a', 'GASOIL', 20, at(11));
  await fill('b', 'SUPER', 10, at(12));
  cancelled = await fill('b', 'SUPER', 15, at(13));
  await cancel(cancelled, at(15));
  // 23:30 UTC: 00:30 the next day in Benin.
  lateFill = await fill('a', 'GASOIL', 10, new Date(bounds.end.getTime() + 30 * 60_000));
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe("a station's day", () => {
  it('when the day is read, then its lines are per client and product, the cancellation a line of its own, and the totals and balances are the ledger’s', async () => {
    const read = await settlement(day);
    expect(read).toMatchObject({
      servicePointId: station.id,
      eServiceCardId: station.cardId,
      day,
      timeZone: ZONE,
      from: new Date(`${dayBefore}T23:00:00.000Z`),
      to: new Date(`${day}T23:00:00.000Z`),
      unit: 'XOF',
      closed: true,
      payout: null,
    });
    expect(read.lines).toEqual([
      {
        type: 'payment',
        cancels: null,
        clientId: clients.b,
        clientName: 'Sotra Logistique',
        energyTypeCode: 'SUPER',
        service: 'fuel',
        count: 2,
        quantityMl: 25000,
        amount: xof(20000),
        discountAmount: xof(0), // no price agreement
      },
      {
        type: 'payment',
        cancels: null,
        clientId: clients.a,
        clientName: 'Transports Ivoiriens',
        energyTypeCode: 'GASOIL',
        service: 'fuel',
        count: 2,
        quantityMl: 50000,
        amount: xof(35000),
        discountAmount: xof(0), // no price agreement
      },
      {
        type: 'cancellation',
        cancels: 'payment',
        clientId: clients.b,
        clientName: 'Sotra Logistique',
        energyTypeCode: 'SUPER',
        service: 'fuel',
        count: 1,
        quantityMl: -15000,
        amount: xof(-12000),
        discountAmount: xof(0), // no price agreement
      },
    ]);
    expect(read.totals).toEqual({
      sales: { count: 4, quantityMl: 75000, amount: xof(55000), discountAmount: xof(0) },
      cancellations: { count: 1, quantityMl: -15000, amount: xof(-12000), discountAmount: xof(0) },
      fees: xof(0),
      other: xof(0),
      net: xof(43000),
      payouts: xof(0),
    });
    // Against the ledger: the E-service card's entries before and within the day.
    expect(read.openingBalance).toEqual(xof(await ledgerSum(bounds.start)));
    expect(read.openingBalance).toEqual(xof(3500));
    expect(read.closingBalance).toEqual(xof(await ledgerSum(bounds.end)));
    expect(read.movements).toEqual(xof(await ledgerSum(bounds.end, bounds.start)));
    expect([read.movements, read.balanced]).toEqual([xof(43000), true]);
    // And against the E-service card's statement of the same period.
    const statement = (await core().coreLedger.getCardStatement({ cardId: station.cardId, unit: 'XOF', from: bounds.start, to: bounds.end })).data;
    expect([statement.openingBalance, statement.closingBalance]).toEqual([read.openingBalance, read.closingBalance]);
    expect(statement.lines.reduce((sum, line) => sum + line.amount.value, 0)).toBe(read.movements.value);
    expectDocumented('getServicePointSettlement', 200, (await raw(path(day))).body);
  });

  it('when a fill is recorded at 23:30 UTC in a UTC+1 network, then it is on the next day’s settlement, whose opening is the day’s closing', async () => {
    const next = await settlement(dayAfter);
    expect([next.from, next.to]).toEqual([new Date(`${day}T23:00:00.000Z`), new Date(`${dayAfter}T23:00:00.000Z`)]);
    expect(next.lines).toEqual([expect.objectContaining({ type: 'payment', clientId: clients.a, count: 1, quantityMl: 10000, amount: xof(7000) })]);
    expect(next.openingBalance).toEqual((await settlement(day)).closingBalance);
    expect((await settlement(dayBefore)).lines).toEqual([expect.objectContaining({ count: 1, quantityMl: 5000, amount: xof(3500) })]);
    expect(lateFill).toBeDefined();
  });

  it('when the CSV is read back, then its columns are the contract’s and its amounts add up to the JSON’s totals', async () => {
    const answer = await raw(path(day), token, 'text/csv');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="settlement_${station.id}_${day}_XOF.csv"`);
    const [header, ...rows] = spreadsheetCells(answer.text, ',');
    expect(header).toEqual((operationTable.getServicePointSettlement.csv ?? { columns: [] }).columns.map((column) => column.name));
    const json = await settlement(day);
    const column = (name: string) => header.indexOf(name);
    const sum = (selected: string[][], name: string) => selected.reduce((total, row) => total + Number(row[column(name)]), 0);
    expect(rows).toHaveLength(json.lines.length);
    expect(sum(rows, 'amount.value')).toBe(json.movements.value);
    const sales = rows.filter((row) => row[column('type')] === 'payment');
    expect([sum(sales, 'count'), sum(sales, 'quantityMl'), sum(sales, 'amount.value')]).toEqual([
      json.totals.sales.count,
      json.totals.sales.quantityMl,
      json.totals.sales.amount.value,
    ]);
    expect(
      sum(
        rows.filter((row) => row[column('type')] === 'cancellation'),
        'amount.value',
      ),
    ).toBe(json.totals.cancellations.amount.value);
  });

  it('when the Excel workbook is read back, then it has the CSV’s columns, typed, and its amounts add up to the JSON’s movements', async () => {
    const response = await fetch(`${server.url}${path(day)}`, { headers: { authorization: `Bearer ${token}`, accept: XLSX } });
    expect([response.status, response.headers.get('content-type')]).toEqual([200, XLSX]);
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="settlement_${station.id}_${day}_XOF.xlsx"`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    expect(header).toEqual((operationTable.getServicePointSettlement.csv ?? { columns: [] }).columns.map((column) => column.name));
    const json = await settlement(day);
    const amounts = Array.from({ length: sheet.rowCount - 1 }, (_, index) => sheet.getRow(index + 2).getCell(header.indexOf('amount.value') + 1).value);
    expect(amounts).toHaveLength(json.lines.length);
    expect(amounts.every((value) => typeof value === 'number')).toBe(true);
    expect((amounts as number[]).reduce((total, value) => total + value, 0)).toBe(json.movements.value);
  });

  it('when something is booked after the day closed (a late offline fill of that day, a cancellation of its payment), then the day reads the same, and the booking is on today', async () => {
    const before = await settlement(day);
    // The card was issued before the day, so that an offline fill dated in it is accepted.
    await db().query('UPDATE cards SET created_at = $2 WHERE id = $1', [cards.a.id, new Date(bounds.start.getTime() - DAY_MS)]);
    const upload = await core().coreLedger.uploadOfflineFills({
      servicePointId: station.id,
      offlineFillBatch: {
        terminalId: 'TPE-COTONOU',
        fills: [
          {
            terminalTransactionId: 'TPE-COTONOU-1',
            occurredAt: at(10),
            cardId: cards.a.id,
            amount: xof(14000),
            service: CardService.Fuel,
            fuel: { energyTypeCode: 'GASOIL', quantityMl: 20000, unitPrice: xof(700) },
            receiptNumber: 'STL-OFFLINE-1',
          },
        ],
      },
    });
    expect(upload.data.results[0].status).toBe('booked');
    const [first] = (await core().coreLedger.listOperations({ cardId: station.cardId, type: 'payment' })).data.items.filter(
      (item) => item.createdAt.getTime() < bounds.end.getTime() && item.createdAt.getTime() >= bounds.start.getTime(),
    );
    await cancel(first.id);
    expect(await settlement(day)).toEqual(before);
    const now = await settlement(today);
    expect(now.closed).toBe(false);
    expect(now.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'payment', clientId: clients.a, count: 1, quantityMl: 20000, amount: xof(14000) }),
        expect.objectContaining({ type: 'cancellation', cancels: 'payment', count: 1 }),
      ]),
    );
  });
});

describe("the station partner's reading", () => {
  it('when the partner contracted for the service point reads its day, then it is the Core’s settlement, as JSON and CSV', async () => {
    const own = await server.sdk({ token: stationPartner.token }).partner.getPartnerServicePointSettlement({ servicePointId: station.id, day, unit: 'XOF' });
    expect(own.data).toEqual(await settlement(day));
    const csv = await raw(path(day, station, 'partner'), stationPartner.token, 'text/csv');
    expect(csv.text).toBe((await raw(path(day), token, 'text/csv')).text);
  });

  it('when another partner, or a partner without a contract for it, reads the service point, then it is 404 as for an unknown one', async () => {
    const foreign = await raw(path(day, station, 'partner'), otherPartner.token);
    const unknown = await raw(path(day, { id: 'spt_000000000000000000000000', cardId: '' }, 'partner'), otherPartner.token);
    expect([foreign.status, foreign.body.code]).toEqual([404, '3009']);
    expect({ ...foreign.body, requestId: null, debugMessage: null }).toEqual({ ...unknown.body, requestId: null, debugMessage: null });
    expectDocumented('getPartnerServicePointSettlement', 404, foreign.body);
    expect((await raw(path(day, otherStation, 'partner'), otherPartner.token)).status).toBe(200);
  });
});

describe('refusals', () => {
  it('when the day is not a day (its form, or the calendar), then it is 400 2001 on /path/day; a day not started is 422 4203; an unknown unit 404 3004', async () => {
    for (const bad of ['2026-1-01', 'yesterday', '2026-02-30', '2026-13-01']) {
      const answer = await raw(path(bad));
      expect([bad, answer.status, answer.body.code]).toEqual([bad, 400, '2001']);
      expectDocumented('getServicePointSettlement', 400, answer.body);
    }
    expect((await raw(path('2026-02-30'))).body.errors).toEqual([expect.objectContaining({ path: '/path/day' })]);
    const future = await raw(path(shift(today, 2)));
    expect([future.status, future.body.code]).toEqual([422, '4203']);
    expectDocumented('getServicePointSettlement', 422, future.body);
    const unit = await raw(`/core/v1/service-points/${station.id}/settlements/${day}?unit=L-NONE`);
    expect([unit.status, unit.body.code]).toEqual([404, '3004']);
    const station404 = await raw(path(day, { id: 'spt_000000000000000000000000', cardId: '' }));
    expect([station404.status, station404.body.code]).toEqual([404, '3009']);
  });
});

describe('paying a day', () => {
  const pay = (of: string, idempotencyKey: string = randomUUID(), where: Station = station) =>
    core().coreLedger.payServicePointSettlement({
      servicePointId: where.id,
      day: of,
      idempotencyKey,
      settlementPayoutCreate: { unit: 'XOF', externalReference: `VIR-${of}`, comment: `Règlement du ${of}` },
    });

  it('when a closed day is paid, then its net leaves the E-service card for the issuer float once; a second payment is 409 4200, a replay the same answer', async () => {
    const key = randomUUID();
    const unpaid = await settlement(day);
    const net = unpaid.totals.net;
    const balanceBefore = await ledgerSum(new Date(Date.now() + HOUR_MS));
    const payout = (await pay(day, key)).data;
    expect(payout).toMatchObject({ type: 'payout', status: 'completed', amount: net, servicePointId: station.id, externalReference: `VIR-${day}` });
    expect(payout.settles ?? null).toBeNull(); // no card refund: the SDK reads a null it may omit as undefined
    expect([payout.debit.cardId, payout.credit.kind]).toEqual([station.cardId, 'issuer-float']);
    expect(await ledgerSum(new Date(Date.now() + HOUR_MS))).toBe(balanceBefore - net.value);
    const paid = await settlement(day);
    expect(paid.payout).toEqual({ operationId: payout.id, amount: net, externalReference: `VIR-${day}`, paidAt: payout.createdAt });
    expect({ ...paid, payout: null }).toEqual(unpaid);
    // Booked today: a line of today's settlement, not of the day it pays.
    const now = await settlement(today);
    expect(now.lines).toContainEqual(expect.objectContaining({ type: 'payout', clientId: null, count: 1, amount: xof(-net.value) }));
    expect(now.totals.payouts).toEqual(xof(-net.value));

    const replay = await core().coreLedger.payServicePointSettlementRaw({
      servicePointId: station.id,
      day,
      idempotencyKey: key,
      settlementPayoutCreate: { unit: 'XOF', externalReference: `VIR-${day}`, comment: `Règlement du ${day}` },
    });
    expect([replay.raw.headers.get('idempotent-replayed'), (await replay.value()).data.id]).toEqual(['true', payout.id]);
    const twice = await failure(pay(day));
    expect([twice.status, twice.body.code, twice.body.details]).toEqual([409, '4200', { payoutId: payout.id }]);
    expectDocumented('payServicePointSettlement', 409, twice.body);
  });

  it('when its payout is cancelled, then the day is to be paid again, and is paid again once', async () => {
    await fill('b', 'SUPER', 20); // today: enough on the E-service card to pay the day twice over
    const first = (await settlement(dayAfter)).totals.net;
    const payout = (await pay(dayAfter)).data;
    expect(payout.amount).toEqual(first);
    await cancel(payout.id);
    expect((await settlement(dayAfter)).payout).toBeNull();
    const again = (await pay(dayAfter)).data;
    expect((await settlement(dayAfter)).payout?.operationId).toBe(again.id);
    expect((await failure(pay(dayAfter))).body.code).toBe('4200');
  });

  it('when a day is paid twice at once, under two keys, then one payout is recorded and the other is 409 4200', async () => {
    const payRaw = () =>
      call(`${server.url}/core/v1/service-points/${station.id}/settlements/${dayBefore}/payout`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: JSON.stringify({ unit: 'XOF', externalReference: `VIR-${dayBefore}` }),
      });
    const answers = await Promise.all([payRaw(), payRaw()]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body.code).toBe('4200');
    const payouts = await db().query<{ n: number }>('SELECT count(*)::int AS n FROM settlement_payouts WHERE day = $1::date', [dayBefore]);
    expect(payouts[0].n).toBe(1);
    expect((await settlement(dayBefore)).payout?.amount).toEqual(xof(3500));
  });

  it('when the day is not closed, then it is 409 4201; when nothing is owed, 409 4202; nothing moves', async () => {
    const open = await failure(pay(today));
    expect([open.status, open.body.code]).toEqual([409, '4201']);
    expectDocumented('payServicePointSettlement', 409, open.body);
    const empty = await failure(pay(dayBefore, randomUUID(), otherStation));
    expect([empty.status, empty.body.code]).toEqual([409, '4202']);
    expect((await settlement(dayBefore, otherStation)).payout).toBeNull();
  });
});

describe('a closed day and the time zone', () => {
  it("when the network's time zone changes after a day was read closed, then that day keeps its bounds and lines", async () => {
    const before = await settlement(day);
    await core().coreReferential.updateNetwork({ networkId, networkUpdate: { timeZone: 'Africa/Abidjan' } });
    expect(await settlement(day)).toEqual(before);
    // The next day, read closed earlier too, keeps its own, starting where the day ends.
    expect((await settlement(dayAfter)).from).toEqual(before.to);
  });
});

/** Two sessions at once: PGlite has one, where the open transaction would hold the server's reads. */
const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('a day with a transaction still running', () => {
  it('when a transaction begun before the day ended is still running, then the day is not closed (nor paid) until it ends', async () => {
    // A day of the other station kept as ending a millisecond after that transaction began (bounds are read in milliseconds), then passed.
    const past = '2026-01-10';
    await db().transaction(async (tx) => {
      const [{ began }] = await tx.query<{ began: string }>('SELECT pg_current_xact_id()::text AS xid, now()::text AS began');
      await db().query(
        `INSERT INTO settlement_day_starts (service_point_id, day, time_zone, starts_at)
         VALUES ($1, $2::date, $3, $4::timestamptz - interval '1 hour'), ($1, $2::date + 1, $3, date_trunc('milliseconds', $4::timestamptz) + interval '1 millisecond')`,
        [otherStation.id, past, ZONE, began],
      );
      await db().query('SELECT pg_sleep(0.01)');
      expect((await settlement(past, otherStation)).closed).toBe(false);
      const refused = await failure(
        core().coreLedger.payServicePointSettlement({
          servicePointId: otherStation.id,
          day: past,
          idempotencyKey: randomUUID(),
          settlementPayoutCreate: { unit: 'XOF', externalReference: `VIR-${past}` },
        }),
      );
      expect([refused.status, refused.body.code]).toEqual([409, '4201']);
    });
    expect((await settlement(past, otherStation)).closed).toBe(true);
  });
});
