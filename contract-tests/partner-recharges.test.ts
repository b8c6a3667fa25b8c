/**
 * The 3rd Party API's recharges, float, operations and reversals: a partner recharges its
 * contracted clients' cards from its float, exactly once, within its limits; it finds its
 * operations by id, reference and period, reads its float, and reverses its own recharges
 * within the window. Another partner's card or operation answers exactly like an unknown one,
 * and no refusal moves anything.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, issueCard, newCardProfile, newClient, newEnergyType, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
const sdk = () => server.sdk({ token });
const SCOPES = ['partner:recharges.write', 'partner:operations.read', 'partner:cards.read'];

interface Side {
  partnerId: string;
  token: string;
  clientId: string;
  cardId: string;
}
let a: Side;
let b: Side;
let profileId: string;
let networkId: string;
let servicePointId: string;

async function issue(clientId: string): Promise<string> {
  return (await issueCard(sdk(), { clientId, profileId })).id;
}

async function side(name: string, clientCode: string, float: number): Promise<Side> {
  const clientId = await newClient(sdk(), networkId, clientCode, 'Transports Ivoiriens');
  const partner = await contractedPartner(server, sdk(), { name, scopes: SCOPES, clientId, float, floatReference: `VIR-${clientCode}` });
  return { partnerId: partner.id, token: partner.token, clientId, cardId: await issue(clientId) };
}

const partnerApi = (side: Side) => server.sdk({ token: side.token }).partner;
const recharge = (side: Side, cardId: string, value: number, externalReference: string = randomUUID(), idempotencyKey: string = randomUUID()) =>
  partnerApi(side).createPartnerRecharge({ idempotencyKey, partnerRechargeCreate: { cardId, amount: xof(value), externalReference } });
const cardBalance = async (cardId: string) => (await sdk().coreLedger.listLedgerAccounts({ cardId })).data.items[0].posted.value;
const floatOf = async (side: Side) => (await partnerApi(side).getPartnerFloat()).data.floats.find((item) => item.unit === 'XOF');

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  networkId = await newNetwork(sdk(), 'RES-RECH');
  profileId = await newCardProfile(sdk(), 'RECH', { validityMonths: 24, monthlyOfflineCap: xof(0) });
  await newEnergyType(sdk(), 'GASOIL');
  servicePointId = (await newStation(sdk(), networkId, 'STATION-RECH')).id;
  a = await side('Orange Money', 'CLIENT-RA', 5_000_000);
  b = await side('Wave', 'CLIENT-RB', 5_000_000); // the same client name and holder, another partner
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('recharges', () => {
  it("when a partner recharges its client's card, then the card is credited from its float once, and it finds the recharge by id and by its reference", async () => {
    const cardId = await issue(a.clientId);
    const before = await floatOf(a);
    const key = randomUUID();
    const first = await partnerApi(a).createPartnerRechargeRaw({
      idempotencyKey: key,
      partnerRechargeCreate: { cardId, amount: xof(150000), externalReference: 'MM-0001' },
    });
    const operation = (await first.value()).data;
    expect(operation).toEqual({
      id: expect.stringMatching(/^op_/),
      reference: expect.stringMatching(/^OP/),
      type: 'recharge',
      status: 'completed',
      own: true,
      amount: xof(150000),
      cardId,
      servicePointId: null,
      externalReference: 'MM-0001',
      receiptNumber: null,
      service: null,
      fuel: null,
      pumpNumber: null,
      odometerKm: null,
      driverCheck: null,
      reason: null,
      cancels: null,
      cancelledBy: null,
      corrects: null,
      offline: null,
      createdAt: expect.any(Date),
    });
    const again = await partnerApi(a).createPartnerRechargeRaw({
      idempotencyKey: key,
      partnerRechargeCreate: { cardId, amount: xof(150000), externalReference: 'MM-0001' },
    });
    expect(again.raw.headers.get('Idempotent-Replayed')).toBe('true');
    expect((await again.value()).data).toEqual(operation);
    const otherBody = await failure(recharge(a, cardId, 150001, 'MM-0001', key));
    expect([otherBody.status, otherBody.body.code]).toEqual([422, '4031']);
    expect(await cardBalance(cardId)).toBe(150000);
    const after = await floatOf(a);
    expect(after?.available.value).toBe((before?.available.value ?? 0) - 150000);
    expect(after?.today).toMatchObject({ recharged: (before?.today.recharged ?? 0) + 150000, recharges: (before?.today.recharges ?? 0) + 1 });
    expect((await partnerApi(a).getPartnerOperation({ operationId: operation.id })).data).toEqual(operation);
    expect((await partnerApi(a).listPartnerOperations({ externalReference: 'MM-0001' })).data.items).toEqual([operation]);
    const reused = await failure(recharge(a, cardId, 1000, 'MM-0001'));
    expect([reused.status, reused.body.code]).toEqual([409, '4024']);
    expectDocumented('createPartnerRecharge', 409, reused.body);
    expect(await cardBalance(cardId)).toBe(150000);
  });

  it("when a partner names another partner's card, an unknown card or a unit the card does not hold, then it is refused and nothing moves", async () => {
    const float = (await floatOf(a))?.available.value;
    const bBalance = await cardBalance(b.cardId);
    const foreign = await failure(recharge(a, b.cardId, 1000));
    const unknown = await failure(recharge(a, 'crd_000000000000000000000000', 1000));
    expect([foreign.status, foreign.body.code, foreign.body.message]).toEqual([unknown.status, unknown.body.code, unknown.body.message]);
    expect([foreign.status, foreign.body.code, foreign.body.debugMessage]).toEqual([404, '3008', `No card ${b.cardId}`]);
    expectDocumented('createPartnerRecharge', 404, foreign.body);
    const unit = await failure(
      partnerApi(a).createPartnerRecharge({
        idempotencyKey: randomUUID(),
        partnerRechargeCreate: { cardId: a.cardId, amount: { value: 10, unit: 'L-GASOIL' }, externalReference: randomUUID() },
      }),
    );
    expect([unit.status, unit.body.code]).toEqual([400, '4016']);
    expect(await cardBalance(b.cardId)).toBe(bBalance);
    expect((await floatOf(a))?.available.value).toBe(float);
  });

  it('when the float does not cover the recharge, then it is refused with the figures, naming the float but no ledger account, and nothing moves', async () => {
    const poor = await side('MTN MoMo', 'CLIENT-RC', 1000);
    const [reference, key] = [randomUUID(), randomUUID()];
    const refused = await failure(recharge(poor, poor.cardId, 1001, reference, key));
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([
      409,
      '4010',
      { account: 'partner-float', bound: 'available-not-below-zero', available: xof(1000), requested: xof(1001) },
    ]);
    expect(refused.text).not.toMatch(/acc_/);
    expectDocumented('createPartnerRecharge', 409, refused.body);
    // A retry with the key replays the stored refusal in the same shape.
    const replayed = await failure(recharge(poor, poor.cardId, 1001, reference, key));
    expect([replayed.headers.get('idempotent-replayed'), replayed.body]).toEqual(['true', { ...refused.body, requestId: replayed.body.requestId }]);
    expect(replayed.text).not.toMatch(/acc_/);
    expect(await cardBalance(poor.cardId)).toBe(0);
    expect((await floatOf(poor))?.today).toMatchObject({ recharged: 0, recharges: 0 });
  });

  it('when a recharge goes beyond a limit per operation, per card per day or per day, then it is refused 4080 with the figures and nothing moves', async () => {
    const limited = await side('Moov Money', 'CLIENT-RD', 5_000_000);
    const set = await sdk().corePartners.setPartnerRechargeLimits({
      partnerId: limited.partnerId,
      rechargeLimits: { limits: [{ unit: 'XOF', perOperation: 100000, perDay: 250000, perCardPerDay: 150000 }] },
    });
    expect(set.data.limits).toEqual([{ unit: 'XOF', scale: 0, perOperation: 100000, perDay: 250000, perCardPerDay: 150000 }]);
    const perOperation = await failure(recharge(limited, limited.cardId, 100001));
    expect([perOperation.status, perOperation.body.code, perOperation.body.details]).toEqual([
      409,
      '4080',
      { rechargeLimit: 'perOperation', unit: 'XOF', scale: 0, limit: 100000, used: 0, requested: 100001 },
    ]);
    expectDocumented('createPartnerRecharge', 409, perOperation.body);
    await recharge(limited, limited.cardId, 100000);
    const perCard = await failure(recharge(limited, limited.cardId, 50001));
    expect(perCard.body.details).toEqual({ rechargeLimit: 'perCardPerDay', unit: 'XOF', scale: 0, limit: 150000, used: 100000, requested: 50001 });
    const second = await issue(limited.clientId);
    await recharge(limited, second, 100000);
    const perDay = await failure(recharge(limited, await issue(limited.clientId), 50001));
    expect(perDay.body.details).toEqual({ rechargeLimit: 'perDay', unit: 'XOF', scale: 0, limit: 250000, used: 200000, requested: 50001 });
    expect([await cardBalance(limited.cardId), await cardBalance(second)]).toEqual([100000, 100000]);
    expect(await floatOf(limited)).toMatchObject({
      available: xof(4_800_000),
      limits: { perOperation: 100000, perDay: 250000, perCardPerDay: 150000 },
      today: { recharged: 200000, recharges: 2 },
    });
  });

  it('when recharges race against the per-day limit, then exactly as many succeed as the limit allows', async () => {
    const racing = await side('Wizall', 'CLIENT-RE', 5_000_000);
    await sdk().corePartners.setPartnerRechargeLimits({
      partnerId: racing.partnerId,
      rechargeLimits: { limits: [{ unit: 'XOF', perOperation: null, perDay: 50000, perCardPerDay: null }] },
    });
    const cards = await Promise.all(Array.from({ length: 8 }, () => issue(racing.clientId)));
    const answers = await Promise.allSettled(cards.map((cardId) => recharge(racing, cardId, 10000)));
    const refused = await Promise.all(
      answers.filter((answer) => answer.status === 'rejected').map((answer) => failure(Promise.reject((answer as PromiseRejectedResult).reason))),
    );
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(5);
    expect(refused.map((answer) => answer.body.code)).toEqual(['4080', '4080', '4080']);
    const balances = await Promise.all(cards.map(cardBalance));
    expect(balances.reduce((sum, value) => sum + value, 0)).toBe(50000);
    expect((await floatOf(racing))?.today).toMatchObject({ recharged: 50000, recharges: 5 });
  });

  it('when recharge limits are set with a unit twice or an unknown unit, then they are refused; set ones are audited', async () => {
    const partners = sdk().corePartners;
    const twice = await failure(
      partners.setPartnerRechargeLimits({
        partnerId: a.partnerId,
        rechargeLimits: {
          limits: [
            { unit: 'XOF', perOperation: 1, perDay: null, perCardPerDay: null },
            { unit: 'XOF', perOperation: 2, perDay: null, perCardPerDay: null },
          ],
        },
      }),
    );
    expect([twice.status, twice.body.code, twice.body.errors]).toEqual([400, '2001', [{ path: '/body/limits/1/unit', message: 'one entry per unit' }]]);
    const unknown = await failure(
      partners.setPartnerRechargeLimits({
        partnerId: a.partnerId,
        rechargeLimits: { limits: [{ unit: 'EUR', perOperation: 1, perDay: null, perCardPerDay: null }] },
      }),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, '3004']);
    expect((await partners.getPartnerRechargeLimits({ partnerId: a.partnerId })).data).toEqual({ limits: [] });
    await partners.setPartnerRechargeLimits({
      partnerId: a.partnerId,
      rechargeLimits: { limits: [{ unit: 'XOF', perOperation: 9_000_000, perDay: null, perCardPerDay: null }] },
    });
    await partners.setPartnerRechargeLimits({ partnerId: a.partnerId, rechargeLimits: { limits: [] } });
    const audit = (await sdk().coreAudit.listAuditEvents({ resourceId: a.partnerId, action: 'partner-recharge-limits.set' })).data.items;
    expect(audit.map((item) => [item.before, item.after])).toEqual([
      [{ limits: [] }, { limits: [{ unit: 'XOF', scale: 0, perOperation: 9_000_000, perDay: null, perCardPerDay: null }] }],
      [{ limits: [{ unit: 'XOF', scale: 0, perOperation: 9_000_000, perDay: null, perCardPerDay: null }] }, { limits: [] }],
    ]);
    const unknownPartner = await failure(partners.getPartnerRechargeLimits({ partnerId: 'ptn_000000000000000000000000' }));
    expect([unknownPartner.status, unknownPartner.body.code]).toEqual([404, '3011']);
  });

  it('when a partner holds no partner:recharges.write, then a recharge is refused 403 and nothing moves', async () => {
    const reader = await server.partner({ name: 'Lecteur', scopes: ['partner:operations.read'] });
    const readerToken = await server.token(reader.key, reader.secret);
    const refused = await failure(
      server
        .sdk({ token: readerToken })
        .partner.createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId: a.cardId, amount: xof(1), externalReference: 'X-1' } }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '1006']);
  });
});

describe('operations and reversals', () => {
  it('when a partner reverses its recharge, then the value goes back to its float once; again is 4019', async () => {
    const cardId = await issue(a.clientId);
    const made = (await recharge(a, cardId, 20000, 'MM-REV-1')).data;
    const float = (await floatOf(a))?.available.value as number;
    const reversal = (
      await partnerApi(a).reversePartnerOperation({ operationId: made.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Mauvaise carte' } })
    ).data;
    expect(reversal).toMatchObject({
      type: 'cancellation',
      own: true,
      cardId,
      amount: xof(20000),
      cancels: made.id,
      reason: 'Mauvaise carte',
      externalReference: null,
    });
    expect(await cardBalance(cardId)).toBe(0);
    expect((await floatOf(a))?.available.value).toBe(float + 20000);
    expect((await partnerApi(a).getPartnerOperation({ operationId: made.id })).data).toMatchObject({ status: 'cancelled', cancelledBy: reversal.id });
    const twice = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: made.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Encore' } }),
    );
    expect([twice.status, twice.body.code]).toEqual([409, '4019']);
    const ofReversal = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: reversal.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Encore' } }),
    );
    expect([ofReversal.status, ofReversal.body.code]).toEqual([409, '4020']);
  });

  it("when the reversal comes too late, the value is spent, or the operation is not the partner's to reverse, then it is refused with its code and nothing moves", async () => {
    const cardId = await issue(a.clientId);
    const old = (await recharge(a, cardId, 20000)).data;
    await server.database.db.query("UPDATE ledger_operations SET created_at = now() - interval '25 hours' WHERE id = $1", [old.id]);
    const late = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: old.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Trop tard' } }),
    );
    expect([late.status, late.body.code]).toEqual([409, '4081']);
    expectDocumented('reversePartnerOperation', 409, late.body);
    const spent = (await recharge(a, cardId, 30000)).data;
    await sdk().coreLedger.createPayment({
      idempotencyKey: randomUUID(),
      paymentCreate: {
        cardId,
        servicePointId,
        amount: xof(40000),
        service: CardService.Fuel,
        receiptNumber: 'RCH-1',
        fuel: { energyTypeCode: 'GASOIL', quantityMl: 40000, unitPrice: xof(1000) },
      },
    });
    const float = (await floatOf(a))?.available.value;
    const gone = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: spent.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Dépensé' } }),
    );
    expect([gone.status, gone.body.code, gone.body.details]).toEqual([409, '4010', expect.objectContaining({ available: xof(10000), requested: xof(30000) })]);
    expect([await cardBalance(cardId), (await floatOf(a))?.available.value]).toEqual([10000, float]);
    const funding = (await partnerApi(a).listPartnerOperations({ type: 'float-funding' })).data.items[0];
    expect(funding).toMatchObject({ own: true, externalReference: 'VIR-CLIENT-RA' });
    const notIts = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: funding.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Non' } }),
    );
    expect([notIts.status, notIts.body.code]).toEqual([409, '4082']);
    const bOperation = (await recharge(b, b.cardId, 1000)).data;
    const foreign = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: bOperation.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Non' } }),
    );
    const unknown = await failure(
      partnerApi(a).reversePartnerOperation({
        operationId: 'op_000000000000000000000000',
        idempotencyKey: randomUUID(),
        cancellationCreate: { reason: 'Non' },
      }),
    );
    expect([foreign.status, foreign.body.code, foreign.body.message]).toEqual([404, '3012', unknown.body.message]);
    const readForeign = await failure(partnerApi(a).getPartnerOperation({ operationId: bOperation.id }));
    expect([readForeign.status, readForeign.body.code]).toEqual([404, '3012']);
    expect((await sdk().coreLedger.getOperation({ operationId: bOperation.id })).data.status).toBe('completed');
    expect((await sdk().coreLedger.getOperation({ operationId: spent.id })).data.status).toBe('completed');
  });

  it('when another partner recharges a card both are contracted for, then each sees the recharge, only its maker with its reference, and each lists only its own', async () => {
    await sdk().corePartners.createPartnerContract({ partnerId: b.partnerId, partnerContractCreate: { clientId: a.clientId } });
    const made = (await recharge(b, a.cardId, 500, 'WAVE-0042')).data;
    expect(made).toMatchObject({ own: true, externalReference: 'WAVE-0042' });
    expect((await partnerApi(a).getPartnerOperation({ operationId: made.id })).data).toEqual({ ...made, own: false, externalReference: null });
    const mine = (await partnerApi(a).listPartnerOperations({ limit: 100 })).data.items;
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((item) => item.own)).toBe(true);
    expect(mine.map((item) => item.id)).not.toContain(made.id);
    expect((await partnerApi(b).listPartnerOperations({ externalReference: 'WAVE-0042' })).data.items.map((item) => item.id)).toEqual([made.id]);
    expect((await partnerApi(a).listPartnerOperations({ externalReference: 'WAVE-0042' })).data.items).toEqual([]);
    const reverse = await failure(
      partnerApi(a).reversePartnerOperation({ operationId: made.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Non' } }),
    );
    expect([reverse.status, reverse.body.code]).toEqual([409, '4082']);
  });

  it("when a partner reads its daily statement, then the float's opening and closing, the totals per type and every line reconcile; as CSV too", async () => {
    const free = await side('Free Money', 'CLIENT-RF', 1_000_000);
    const first = (await recharge(free, free.cardId, 100000, 'FM-1')).data;
    await recharge(free, free.cardId, 100000, 'FM-2');
    await partnerApi(free).reversePartnerOperation({ operationId: first.id, idempotencyKey: randomUUID(), cancellationCreate: { reason: 'Erreur' } });
    const today = new Date().toISOString().slice(0, 10);
    const statement = (await partnerApi(free).getPartnerDailyStatement({ day: today, unit: 'XOF' })).data;
    expect(statement).toMatchObject({ unit: 'XOF', closed: false, openingFloat: xof(0), closingFloat: xof(900000), nextCursor: null });
    expect(statement.totals).toEqual([
      { type: 'cancellation', count: 1, amount: xof(100000), floatMovement: xof(100000) },
      { type: 'float-funding', count: 1, amount: xof(1_000_000), floatMovement: xof(1_000_000) },
      { type: 'recharge', count: 2, amount: xof(200000), floatMovement: xof(-200000) },
    ]);
    expect(statement.lines.map((line) => [line.type, line.externalReference, line.floatMovement.value, line.floatBalanceAfter?.value, line.cardId])).toEqual([
      ['float-funding', 'VIR-CLIENT-RF', 1_000_000, 1_000_000, null],
      ['recharge', 'FM-1', -100000, 900000, free.cardId],
      ['recharge', 'FM-2', -100000, 800000, free.cardId],
      ['cancellation', null, 100000, 900000, free.cardId],
    ]);
    const paged = (await partnerApi(free).getPartnerDailyStatement({ day: today, unit: 'XOF', limit: 3 })).data;
    expect(paged.lines).toHaveLength(3);
    const rest = (await partnerApi(free).getPartnerDailyStatement({ day: today, unit: 'XOF', cursor: paged.nextCursor as string })).data;
    expect([...paged.lines, ...rest.lines]).toEqual(statement.lines);
    const csv = await fetch(`${server.url}/partner/v1/statements/${today}?unit=XOF`, {
      headers: { authorization: `Bearer ${free.token}`, accept: 'text/csv' },
    });
    expect([csv.status, csv.headers.get('content-type')]).toEqual([200, 'text/csv; charset=utf-8']);
    const rows = (await csv.text())
      .replace(/^\ufeff/, '')
      .trim()
      .split('\r\n');
    expect(rows[0].split(',')).toEqual(expect.arrayContaining(['operationId', 'type', 'externalReference', 'floatMovement.value', 'floatBalanceAfter.value']));
    expect(rows).toHaveLength(5);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    expect((await partnerApi(free).getPartnerDailyStatement({ day: yesterday, unit: 'XOF' })).data).toEqual({
      day: yesterday,
      timeZone: 'Africa/Abidjan',
      from: new Date(`${yesterday}T00:00:00.000Z`),
      to: new Date(`${today}T00:00:00.000Z`),
      unit: 'XOF',
      scale: 0,
      closed: true,
      openingFloat: xof(0),
      closingFloat: xof(0),
      totals: [],
      lines: [],
      nextCursor: null,
    });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const early = await failure(partnerApi(free).getPartnerDailyStatement({ day: tomorrow, unit: 'XOF' }));
    expect([early.status, early.body.code]).toEqual([422, '4083']);
    expectDocumented('getPartnerDailyStatement', 422, early.body);
    const notADay = await failure(partnerApi(a).getPartnerDailyStatement({ day: '2026-02-30', unit: 'XOF' }));
    expect([notADay.status, notADay.body.code, notADay.body.errors]).toEqual([
      400,
      '2001',
      [{ path: '/path/day', message: 'must be a calendar day (YYYY-MM-DD)' }],
    ]);
    const unknown = await failure(partnerApi(a).getPartnerDailyStatement({ day: today, unit: 'EUR' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3004']);
  });
});
