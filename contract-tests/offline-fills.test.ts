/**
 * Offline fills: booked even when the card's rules would refuse them and
 * below a zero balance, once per terminal transaction id (a batch uploaded twice books
 * nothing twice), flagged beyond the monthly offline cap; a bad batch books nothing.
 */
import { randomUUID } from 'node:crypto';
import { CardService, type OfflineFill } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, fundedCard as newFundedCard, newClientWorld, newEnergyType, newStation, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
let servicePointId: string;
let networkId: string;
let sequence = 0;
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const key = () => randomUUID();

const fundedCard = async (value: number) => (await newFundedCard(sdk(), owner, value)).id;

/** A fill of `litres` of GASOIL at 700 XOF/L, now (after the card's issue). */
const offlineFill = (cardId: string, litres: number, occurredAt = new Date()): OfflineFill => {
  sequence += 1;
  return {
    terminalTransactionId: `TPE-1-${sequence}`,
    occurredAt,
    cardId,
    amount: xof(litres * 700),
    service: CardService.Fuel,
    fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
    pumpNumber: 1,
    receiptNumber: `OFF-${sequence}`,
  };
};
const upload = (fills: OfflineFill[], terminalId = 'TPE-1') => ledger().uploadOfflineFills({ servicePointId, offlineFillBatch: { terminalId, fills } });
const posted = async (cardId: string) => (await ledger().listLedgerAccounts({ cardId })).data.items[0].posted.value;
const operationCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'HORS-LIGNE', { monthlyOfflineCap: xof(20000) });
  networkId = owner.networkId;
  servicePointId = (await newStation(sdk(), networkId, 'STATION-HL')).id;
  await newEnergyType(sdk(), 'GASOIL');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('offline fills', () => {
  it('when a suspended card with hard limits uploads fills beyond its balance and its cap, then all are booked, the balance shown below zero, the one over the cap flagged', async () => {
    const cardId = await fundedCard(10000);
    expect(
      (await sdk().coreCards.replaceCardControls({ cardId, spendingControls: { amount: { limits: [{ perTransaction: xof(5000) }], mode: 'hard' } } })).data
        .cardId,
    ).toBe(cardId);
    await sdk().coreCards.suspendCard({ cardId, cardTransitionRequest: { reason: 'contrôle' } });
    const fills = [offlineFill(cardId, 20), offlineFill(cardId, 10)];
    const { data } = await upload(fills);
    expect(data.results.map((result) => [result.status, result.overCap, result.balanceAfter, result.error])).toEqual([
      ['booked', false, xof(-4000), null],
      ['booked', true, xof(-11000), null],
    ]);
    expect(await posted(cardId)).toBe(-11000);
    const operation = (await ledger().getOperation({ operationId: data.results[0].operationId! })).data;
    expect(operation).toMatchObject({
      type: 'payment',
      amount: xof(14000),
      offline: { terminalId: 'TPE-1', terminalTransactionId: fills[0].terminalTransactionId, occurredAt: fills[0].occurredAt },
    });
    const [exception, ...others] = (await sdk().coreCards.listCardExceptions({ cardId })).data.items;
    expect(others).toEqual([]);
    expect(exception).toMatchObject({
      kind: 'offline-over-cap',
      rule: null,
      operationId: data.results[1].operationId,
      details: { cap: 20000, usedBefore: 14000, amount: 7000, unit: 'XOF' },
    });

    const again = (await upload(fills)).data; // the terminal did not see the answer: it uploads again
    expect(again.results.map((result) => [result.status, result.operationId])).toEqual(data.results.map((result) => ['already-booked', result.operationId]));
    expect(await posted(cardId)).toBe(-11000);

    await sdk().coreCards.reactivateCard({ cardId, cardTransitionRequest: { reason: 'fin du contrôle' } });
    const online = await failure(
      ledger().createPayment({
        idempotencyKey: key(),
        paymentCreate: {
          cardId,
          servicePointId,
          amount: xof(100),
          service: CardService.Fuel,
          receiptNumber: 'ON-1',
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 143, unitPrice: xof(700) },
        },
      }),
    );
    expect(online.body.code).toBe('4010'); // below zero, nothing online
    await ledger().createRegularisation({
      idempotencyKey: key(),
      regularisationCreate: { cardId, direction: 'credit', amount: xof(20000), reason: 'Recharge' },
    });
    expect(await posted(cardId)).toBe(9000); // the next recharge makes it good
  });

  it('when a fill of a batch is refused, then the others are booked and its result says why', async () => {
    const cardId = await fundedCard(50000);
    const first = offlineFill(cardId, 5);
    await upload([first]);
    const reusedReceipt = { ...offlineFill(cardId, 5), receiptNumber: first.receiptNumber };
    const conflict = { ...first, amount: xof(4200), fuel: { energyTypeCode: 'GASOIL', quantityMl: 6000, unitPrice: xof(700) } };
    const unknownCard = offlineFill('crd_000000000000000000000000', 5);
    const mismatch = { ...offlineFill(cardId, 5), amount: xof(1) };
    const good = offlineFill(cardId, 5);
    const { data } = await upload([reusedReceipt, conflict, unknownCard, mismatch, good]);
    expect(data.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['refused', '4022'],
      ['refused', '4062'],
      ['refused', '3008'],
      ['refused', '4023'],
      ['booked', null],
    ]);
    expect(await posted(cardId)).toBe(50000 - 2 * 3500);
  });

  it('when a batch lists a transaction id twice or a fill in the future, then it is refused whole and nothing is booked', async () => {
    const cardId = await fundedCard(50000);
    const before = await operationCount();
    const fill = offlineFill(cardId, 5);
    const twice = await failure(upload([fill, { ...fill, receiptNumber: 'OFF-other' }]));
    expect([twice.status, twice.body.code, twice.body.errors]).toEqual([
      400,
      '4060',
      [{ path: '/body/fills/1/terminalTransactionId', message: `${fill.terminalTransactionId} is already fill 0` }],
    ]);
    expectDocumented('uploadOfflineFills', 400, twice.body);
    const future = await failure(upload([offlineFill(cardId, 5), { ...offlineFill(cardId, 5), occurredAt: new Date(Date.now() + 3_600_000) }]));
    expect([future.status, future.body.code, future.body.errors[0].path]).toEqual([400, '4061', '/body/fills/1/occurredAt']);
    const unknownStation = await failure(
      ledger().uploadOfflineFills({
        servicePointId: 'spt_000000000000000000000000',
        offlineFillBatch: { terminalId: 'TPE-1', fills: [offlineFill(cardId, 5)] },
      }),
    );
    expect([unknownStation.status, unknownStation.body.code]).toEqual([404, '3009']);
    expect(await operationCount()).toBe(before);
  });

  it('when one batch is uploaded twice at once, then each fill is booked once', async () => {
    const cardId = await fundedCard(50000);
    const fills = [offlineFill(cardId, 5), offlineFill(cardId, 5), offlineFill(cardId, 5)];
    const [a, b] = await Promise.all([upload(fills), upload(fills)]);
    const outcomes = a.data.results.map((result, index) => [result.status, b.data.results[index].status].sort());
    expect(outcomes).toEqual(fills.map(() => ['already-booked', 'booked']));
    expect(await posted(cardId)).toBe(50000 - 3 * 3500);
  });

  it('when fills are dated before the card was issued (in 1970, or 200 of them month by month from 2000, each at the monthly cap, or just before its issue), then each is refused 4091 and nothing is booked', async () => {
    const cardId = await fundedCard(0);
    const before = await operationCount();
    const backdated = Array.from({ length: 199 }, (_, month) => ({
      ...offlineFill(cardId, 0, new Date(Date.UTC(2000, month, 15))),
      amount: xof(20000),
      fuel: { energyTypeCode: 'GASOIL', quantityMl: 28571, unitPrice: xof(700) },
    }));
    const issued = (await sdk().coreCards.getCard({ cardId })).data.createdAt;
    const fills = [...backdated, offlineFill(cardId, 1, new Date(0)), offlineFill(cardId, 1, new Date(issued.getTime() - 1))];
    const results = [];
    for (let start = 0; start < fills.length; start += 40) results.push(...(await upload(fills.slice(start, start + 40))).data.results); // batches under the test server's body limit
    expect(results).toHaveLength(201);
    expect(new Set(results.map((result) => `${result.status} ${result.error?.code}`))).toEqual(new Set(['refused 4091']));
    // the service point's window is checked first (before the card is looked up), then the card's issue
    expect(results[199].error?.debugMessage).toMatch(/^The fill is dated 1970-01-01T00:00:00.000Z, before the service point's offline window/);
    expect(results[200].error?.debugMessage).toContain(`before card ${cardId}'s issue`);
    expect(await operationCount()).toBe(before);
    expect(await posted(cardId)).toBe(0);
  });

  it("when a fill of an old card is older than the service point's offline window, then it is refused 4091; the window is the issuer's (7 days unless set)", async () => {
    const cardId = await fundedCard(50000);
    await server.database.db.query("UPDATE cards SET created_at = now() - interval '1 year' WHERE id = $1", [cardId]);
    const days = (n: number) => new Date(Date.now() - n * 86_400_000);
    const { data } = await upload([offlineFill(cardId, 1, days(8)), offlineFill(cardId, 1, days(6))]);
    expect(data.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['refused', '4091'],
      ['booked', null],
    ]);
    expect(data.results[0].error?.debugMessage).toMatch(/offline window of 7 days/);
    const policy = (await sdk().coreReferential.getServicePoint({ servicePointId })).data.offlinePolicy;
    expect(policy).toEqual({ maxAgeDays: 7, mode: 'hard', perFill: { amount: null, quantityMl: null }, perDay: { amount: null, quantityMl: null } });
    await sdk().coreReferential.updateServicePoint({ servicePointId, servicePointUpdate: { offlinePolicy: { ...policy, maxAgeDays: 2 } } });
    try {
      const narrowed = (await upload([offlineFill(cardId, 1, days(3)), offlineFill(cardId, 1, days(1))])).data;
      expect(narrowed.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
        ['refused', '4091'],
        ['booked', null],
      ]);
    } finally {
      await sdk().coreReferential.updateServicePoint({ servicePointId, servicePointUpdate: { offlinePolicy: policy } });
    }
  });

  it('when the issuer sets offline ceilings per fill and per day on a station, then a hard policy refuses fills beyond them (4092) and a soft one books and flags them; a ceiling in an unknown unit is 400 2001', async () => {
    const station = (await newStation(sdk(), networkId, `STATION-PLAFOND-${sequence}`)).id;
    const policy = {
      maxAgeDays: 7,
      mode: 'hard' as const,
      perFill: { amount: xof(10000), quantityMl: 12000 },
      perDay: { amount: xof(15000), quantityMl: null },
    };
    expect(
      (await sdk().coreReferential.updateServicePoint({ servicePointId: station, servicePointUpdate: { offlinePolicy: policy } })).data.offlinePolicy,
    ).toEqual(policy);
    const cardId = await fundedCard(100000);
    const at = (fills: OfflineFill[]) => ledger().uploadOfflineFills({ servicePointId: station, offlineFillBatch: { terminalId: 'TPE-P', fills } });
    const hard = (await at([offlineFill(cardId, 15), offlineFill(cardId, 13), offlineFill(cardId, 10), offlineFill(cardId, 10), offlineFill(cardId, 1)])).data;
    // 10,500 XOF beyond 10,000 per fill; 13 L beyond 12 L per fill; 7,000 + 7,000 within the day's 15,000, the third beyond it; 700 still fits
    expect(hard.results.map((result) => [result.status, result.error?.code ?? null])).toEqual([
      ['refused', '4092'],
      ['refused', '4092'],
      ['booked', null],
      ['booked', null],
      ['booked', null],
    ]);
    expect(hard.results[0].error?.debugMessage).toBe("The service point's offline ceiling per fill is 10000 XOF; 0 XOF before this fill of 10500 XOF");
    const again = (await at([offlineFill(cardId, 10)])).data.results[0];
    expect([again.status, again.error?.code, again.error?.debugMessage]).toEqual([
      'refused',
      '4092',
      expect.stringMatching(/per day \(\d{4}-\d\d-\d\d, Africa\/Abidjan\) is 15000 XOF; 14700 XOF before this fill of 7000 XOF/),
    ]);
    await sdk().coreReferential.updateServicePoint({ servicePointId: station, servicePointUpdate: { offlinePolicy: { ...policy, mode: 'soft' } } });
    const soft = (await at([offlineFill(cardId, 10)])).data.results[0];
    expect(soft.status).toBe('booked'); // (and beyond the profile's monthly offline cap: overCap)
    const flagged = (await sdk().coreCards.listCardExceptions({ cardId })).data.items.filter((exception) => exception.kind === 'offline-over-ceiling');
    expect(flagged.map((exception) => [exception.operationId, exception.details])).toEqual([
      [soft.operationId, { ceiling: 'perDay', measure: 'amount', limit: 15000, usedBefore: 14700, fill: 7000, unit: 'XOF', scale: 0 }],
    ]);
    expect(await posted(cardId)).toBe(100000 - 7000 * 3 - 700);
    const unknownUnit = await failure(
      sdk().coreReferential.updateServicePoint({
        servicePointId: station,
        servicePointUpdate: { offlinePolicy: { ...policy, perDay: { amount: { value: 1, unit: 'ZZZ' }, quantityMl: null } } },
      }),
    );
    expect([unknownUnit.status, unknownUnit.body.code, unknownUnit.body.errors]).toEqual([
      400,
      '2001',
      [{ path: '/body/offlinePolicy/perDay/amount/unit', message: 'unknown unit ZZZ' }],
    ]);
  });

  it('when two terminals of a station upload at once fills that together pass its daily ceiling, then one is booked and the other refused 4092', async () => {
    const station = (await newStation(sdk(), networkId, `STATION-COURSE-${sequence}`)).id;
    await sdk().coreReferential.updateServicePoint({
      servicePointId: station,
      servicePointUpdate: {
        offlinePolicy: { maxAgeDays: 7, mode: 'hard', perFill: { amount: null, quantityMl: null }, perDay: { amount: xof(10000), quantityMl: null } },
      },
    });
    const cardId = await fundedCard(50000);
    const at = (terminalId: string) =>
      ledger().uploadOfflineFills({ servicePointId: station, offlineFillBatch: { terminalId, fills: [offlineFill(cardId, 10)] } });
    const answers = await Promise.all([at('TPE-A'), at('TPE-B')]);
    expect(answers.map((answer) => answer.data.results[0].error?.code ?? answer.data.results[0].status).sort()).toEqual(['4092', 'booked']);
    expect(await posted(cardId)).toBe(50000 - 7000);
  });
});
