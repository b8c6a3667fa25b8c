/**
 * Order vouchers: entered, validated by someone else, executed in one transaction; recharges
 * from the issuer's or a partner's float, transfers, full transfers, E-service recharges; every
 * step recorded; refusals with their codes and nothing moved.
 */
import { randomUUID } from 'node:crypto';
import { OrderType, type OrderCreate } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, issueCard as newCard, newClient, newClientWorld, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let admin: string; // holds every scope, core:orders.chain included
let maker: string;
let checker: string;
let networkId: string;
let clientId: string;
let profileId: string;
let servicePointId: string;
let stationCardId: string;
const ledger = (token = admin) => server.sdk({ token }).coreLedger;
const ORDER_SCOPES = 'core:orders.enter core:orders.validate core:orders.execute core:ledger.read core:cards.read';

const issueCard = async (client = clientId) => (await newCard(server.sdk({ token: admin }), { clientId: client, profileId })).id;
const available = async (cardId: string) => (await server.sdk({ token: admin }).coreCards.getCard({ cardId })).data.balances[0].value;
const enter = async (input: OrderCreate, token = admin) => (await ledger(token).createOrder({ idempotencyKey: randomUUID(), orderCreate: input })).data;
const execute = (orderId: string, token = admin, idempotencyKey = randomUUID()) => ledger(token).executeOrder({ orderId, idempotencyKey });
/** Enters, validates and executes a voucher as the admin (who may chain the steps). */
const run = async (input: OrderCreate) => {
  const order = await enter(input);
  await ledger().validateOrder({ orderId: order.id });
  return (await execute(order.id)).data;
};
const ledgerState = async () =>
  JSON.stringify(await server.database.db.query('SELECT id, posted, version FROM ledger_accounts ORDER BY id')) +
  JSON.stringify(await server.database.db.query('SELECT count(*)::int AS n FROM ledger_operations'));

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.coreToken();
  const makerPartner = await server.partner({ name: 'Saisie', scopes: ORDER_SCOPES.split(' ') });
  const checkerPartner = await server.partner({ name: 'Validation', scopes: ORDER_SCOPES.split(' ') });
  maker = await server.token(makerPartner.key, makerPartner.secret);
  checker = await server.token(checkerPartner.key, checkerPartner.secret);
  const core = server.sdk({ token: admin });
  ({ networkId, clientId, profileId } = await newClientWorld(core, 'BONS'));
  ({ id: servicePointId, cardId: stationCardId } = await newStation(core, networkId, 'STATION-BONS'));
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('maker-checker', () => {
  it('when a voucher is entered, validated by another actor and executed, then each step is recorded with its actor and the cards are credited', async () => {
    const cardId = await issueCard();
    const order = await enter({ type: OrderType.Recharge, lines: [{ cardId, amount: xof(25000) }], reason: 'Dotation décembre' }, maker);
    expect(order).toMatchObject({ status: 'entered', steps: [{ step: 'entered', actor: { name: 'Saisie' } }], operationIds: [] });
    expect(await available(cardId)).toBe(0);
    const refused = await failure(ledger(maker).validateOrder({ orderId: order.id }));
    expect([refused.status, refused.body.code]).toEqual([403, '4041']);
    expectDocumented('validateOrder', 403, refused.body);
    const early = await failure(execute(order.id, checker));
    expect([early.status, early.body.code]).toEqual([409, '4040']);
    await ledger(checker).validateOrder({ orderId: order.id, orderStepRequest: { comment: 'Conforme' } });
    const executed = (await execute(order.id, maker)).data;
    expect(executed.status).toBe('executed');
    expect(executed.steps.map((step) => [step.step, step.actor.name])).toEqual([
      ['entered', 'Saisie'],
      ['validated', 'Validation'],
      ['executed', 'Saisie'],
    ]);
    expect(executed.operationIds).toHaveLength(1);
    expect((await ledger().getOperation({ operationId: executed.operationIds[0] })).data).toMatchObject({
      type: 'recharge',
      orderId: order.id,
      debit: { kind: 'issuer-float' },
      credit: { cardId },
    });
    expect(await available(cardId)).toBe(25000);
    const again = await failure(execute(order.id, maker));
    expect([again.status, again.body.code]).toEqual([409, '4040']);
  });

  it('when a voucher is rejected or cancelled, then it is final and nothing moves', async () => {
    const cardId = await issueCard();
    const rejected = await enter({ type: OrderType.Recharge, lines: [{ cardId, amount: xof(10) }] }, maker);
    const noReason = await failure(ledger(checker).rejectOrder({ orderId: rejected.id }));
    expect([noReason.status, noReason.body.code]).toEqual([400, '2001']);
    expect((await ledger(checker).rejectOrder({ orderId: rejected.id, orderStepRequest: { comment: 'Montant erroné' } })).data.status).toBe('rejected');
    const cancelled = await enter({ type: OrderType.Recharge, lines: [{ cardId, amount: xof(10) }] }, maker);
    await ledger(checker).validateOrder({ orderId: cancelled.id });
    expect((await ledger(maker).cancelOrder({ orderId: cancelled.id })).data.status).toBe('cancelled');
    for (const id of [rejected.id, cancelled.id]) {
      const answer = await failure(ledger(checker).validateOrder({ orderId: id }));
      expect([answer.status, answer.body.code]).toEqual([409, '4040']);
    }
    expect(await available(cardId)).toBe(0);
    expect((await ledger().listOrders({ status: 'rejected' })).data.items.map((item) => item.id)).toContain(rejected.id);
  });
});

describe('maker-checker across identities: a second identity of the maker is the maker', () => {
  const ADMIN_SCOPES = ['core:partners.write', 'core:partners.read', 'core:orders.enter', 'core:orders.validate', 'core:cards.read'];
  /** An internal partner that administers partners and both enters and validates vouchers (without core:orders.chain), with its token. */
  const author = async () => {
    const partner = await server.partner({ name: 'Outil interne', scopes: ADMIN_SCOPES, internal: true });
    return { ...partner, token: await server.token(partner.key, partner.secret) };
  };
  /** A partner created through the API by `creator`, with its token. */
  const createdBy = async (creator: string, scopes: string[]) => {
    const created = (await server.sdk({ token: creator }).corePartners.createPartner({ partnerCreate: { name: 'Identité seconde', scopes, internal: true } }))
      .data;
    return { id: created.id, token: await server.token(created.consumerKey, created.consumerSecret) };
  };
  const voucher = async (token: string) => enter({ type: OrderType.Recharge, lines: [{ cardId: await issueCard(), amount: xof(100) }] }, token);
  const expectSameActor = async (orderId: string, token: string) => {
    const refused = await failure(ledger(token).validateOrder({ orderId }));
    expect([refused.status, refused.body.code]).toEqual([403, '4041']);
    expectDocumented('validateOrder', 403, refused.body);
    expect((await ledger().getOrder({ orderId })).data.status).toBe('entered');
  };

  it('when a partner validates a voucher through a partner it created, directly or through another it created, then it is 403 4041 and the voucher stays entered', async () => {
    const maker = await author();
    const direct = await createdBy(maker.token, ['core:orders.validate']);
    expect((await server.sdk({ token: admin }).corePartners.getPartner({ partnerId: direct.id })).data.createdBy).toBe(maker.id);
    const order = await voucher(maker.token);
    await expectSameActor(order.id, direct.token);
    const relay = await createdBy(maker.token, ['core:partners.write', 'core:partners.read', 'core:orders.validate']);
    const grandchild = await createdBy(relay.token, ['core:orders.validate']);
    await expectSameActor(order.id, grandchild.token);
    const rejected = await failure(ledger(grandchild.token).rejectOrder({ orderId: order.id, orderStepRequest: { comment: 'Non' } }));
    expect([rejected.status, rejected.body.code]).toEqual([403, '4041']);
    // An independent checker still validates it.
    expect((await ledger(checker).validateOrder({ orderId: order.id })).data.status).toBe('validated');
  });

  it('when two partners created by one partner enter and validate, or the author was created by the validator, then it is 403 4041', async () => {
    const root = await author();
    const enterer = await createdBy(root.token, ['core:orders.enter', 'core:cards.read']);
    const validator = await createdBy(root.token, ['core:orders.validate']);
    await expectSameActor((await voucher(enterer.token)).id, validator.token);
    await expectSameActor((await voucher(enterer.token)).id, root.token);
  });

  it("when a partner rotates another's secret and validates its own voucher with it, then it is 403 4041", async () => {
    const maker = await author();
    const independent = await server.partner({ name: 'Validation indépendante', scopes: ['core:orders.validate'] });
    const order = await voucher(maker.token);
    const rotated = (
      await server.sdk({ token: maker.token }).corePartners.rotatePartnerSecret({ partnerId: independent.id, secretRotation: { overlapSeconds: 0 } })
    ).data;
    await expectSameActor(order.id, await server.token(independent.key, rotated.consumerSecret));
  });

  it("when a partner created by an administrator changes that administrator's access, then it is 403 4100", async () => {
    const administrator = await author();
    const created = await createdBy(administrator.token, ADMIN_SCOPES);
    const refused = await failure(
      server.sdk({ token: created.token }).corePartners.updatePartner({ partnerId: administrator.id, partnerUpdate: { basicAllowed: true } }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '4100']);
    expect((await server.sdk({ token: admin }).corePartners.getPartner({ partnerId: administrator.id })).data.basicAllowed).toBe(false);
  });
});

describe("vouchers paid from a partner's float keep its recharge limits and contracts", () => {
  /** A partner with a funded float and these limits in XOF, contracted for `clientId` unless told not to be. */
  const floatPartner = async (limits: { perOperation?: number; perDay?: number; perCardPerDay?: number }, contracted = true) => {
    const partner = await server.partner({ name: 'Wave flotte', scopes: ['partner:operations.read', 'partner:recharges.write'] });
    await ledger().createFloatFunding({
      idempotencyKey: randomUUID(),
      floatFundingCreate: { partnerId: partner.id, amount: xof(5_000_000), externalReference: `FLT-${randomUUID()}` },
    });
    await server.sdk({ token: admin }).corePartners.setPartnerRechargeLimits({
      partnerId: partner.id,
      rechargeLimits: {
        limits: [{ unit: 'XOF', perOperation: limits.perOperation ?? null, perDay: limits.perDay ?? null, perCardPerDay: limits.perCardPerDay ?? null }],
      },
    });
    if (contracted) await server.sdk({ token: admin }).corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId } });
    return { ...partner, token: await server.token(partner.key, partner.secret) };
  };
  const validated = async (input: OrderCreate) => {
    const order = await enter(input);
    await ledger().validateOrder({ orderId: order.id });
    return order;
  };
  const today = async (token: string) => (await server.sdk({ token }).partner.getPartnerFloat()).data.floats.find((item) => item.unit === 'XOF')?.today;
  const refusedExecution = async (orderId: string) => {
    const before = await ledgerState();
    const refused = await failure(execute(orderId));
    expectDocumented('executeOrder', refused.status, refused.body);
    expect(await ledgerState()).toBe(before);
    expect((await ledger().getOrder({ orderId })).data.status).toBe('validated');
    return refused;
  };

  it('when the card belongs to a client the partner has no contract with, then it is 409 4101 naming the line, and nothing moves', async () => {
    const partner = await floatPartner({}, false);
    const order = await validated({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: [{ cardId: await issueCard(), amount: xof(2_000_000) }] });
    const refused = await refusedExecution(order.id);
    expect([refused.status, refused.body.code, refused.body.debugMessage]).toEqual([409, '4101', expect.stringMatching(/^Line 1: /)]);
  });

  it('when a line exceeds the per-operation limit, or the lines for one card its per-card daily limit, then it is 409 4080 with the figures, and nothing moves', async () => {
    const partner = await floatPartner({ perOperation: 1000, perCardPerDay: 1500 });
    const big = await validated({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: [{ cardId: await issueCard(), amount: xof(2_000_000) }] });
    const perOperation = await refusedExecution(big.id);
    expect([perOperation.status, perOperation.body.code, perOperation.body.details]).toEqual([
      409,
      '4080',
      expect.objectContaining({ rechargeLimit: 'perOperation', limit: 1000, requested: 2_000_000 }),
    ]);
    const cardId = await issueCard();
    const twice = await validated({
      type: OrderType.Recharge,
      sourcePartnerId: partner.id,
      lines: [
        { cardId, amount: xof(1000) },
        { cardId, amount: xof(1000) },
      ],
    });
    const perCard = await refusedExecution(twice.id);
    expect([perCard.status, perCard.body.code, perCard.body.debugMessage, perCard.body.details]).toEqual([
      409,
      '4080',
      expect.stringMatching(/^Line 2: /),
      expect.objectContaining({ rechargeLimit: 'perCardPerDay', used: 1000 }),
    ]);
  });

  it("when a voucher is executed within the partner's terms, then it counts in the partner's day, and the per-day limit holds across vouchers", async () => {
    const partner = await floatPartner({ perDay: 2500 });
    await run({
      type: OrderType.Recharge,
      sourcePartnerId: partner.id,
      lines: [
        { cardId: await issueCard(), amount: xof(1000) },
        { cardId: await issueCard(), amount: xof(1000) },
      ],
    });
    expect(await today(partner.token)).toMatchObject({ recharged: 2000, recharges: 2 });
    const over = await validated({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: [{ cardId: await issueCard(), amount: xof(1000) }] });
    const refused = await refusedExecution(over.id);
    expect([refused.status, refused.body.code, refused.body.details]).toEqual([
      409,
      '4080',
      expect.objectContaining({ rechargeLimit: 'perDay', limit: 2500, used: 2000 }),
    ]);
    expect(await today(partner.token)).toMatchObject({ recharged: 2000, recharges: 2 });
  });

  it("when vouchers and the partner's own recharges race at its per-day limit, then only what fits is executed", async () => {
    const partner = await floatPartner({ perDay: 2500 });
    const orders = await Promise.all(
      [1, 2].map(async () => validated({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: [{ cardId: await issueCard(), amount: xof(1000) }] })),
    );
    const cardId = await issueCard();
    const answers = await Promise.allSettled([
      ...orders.map((order) => execute(order.id)),
      server
        .sdk({ token: partner.token })
        .partner.createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId, amount: xof(1000), externalReference: randomUUID() } }),
    ]);
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(2);
    expect(await today(partner.token)).toMatchObject({ recharged: 2000, recharges: 2 });
  });
});

describe('executions', () => {
  it('when a recharge voucher of many cards is executed from a partner float, then every card is credited and the float debited once per line', async () => {
    const partner = await server.partner({ name: 'Wave CI' });
    await server.sdk({ token: admin }).corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId } });
    await ledger().createFloatFunding({
      idempotencyKey: randomUUID(),
      floatFundingCreate: { partnerId: partner.id, amount: xof(100000), externalReference: 'WAVE-1' },
    });
    const cards = await Promise.all(Array.from({ length: 20 }, () => issueCard()));
    const order = await run({
      type: OrderType.Recharge,
      sourcePartnerId: partner.id,
      lines: cards.map((cardId, index) => ({ cardId, amount: xof(1000 + index) })),
    });
    expect(order.operationIds).toHaveLength(20);
    expect(await Promise.all(cards.map(available))).toEqual(cards.map((_, index) => 1000 + index));
    const [float] = (await ledger().listLedgerAccounts({ partnerId: partner.id })).data.items;
    expect(float).toMatchObject({ available: xof(100000 - 20 * 1000 - 190), version: 21 });
  });

  it('when one line cannot be executed (the float runs out), then nothing moves, the voucher stays validated, and the refusal names the line', async () => {
    const partner = await server.partner({ name: 'MTN MoMo' });
    await server.sdk({ token: admin }).corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId } });
    await ledger().createFloatFunding({
      idempotencyKey: randomUUID(),
      floatFundingCreate: { partnerId: partner.id, amount: xof(1500), externalReference: 'MTN-1' },
    });
    const cards = [await issueCard(), await issueCard()];
    const order = await enter({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: cards.map((cardId) => ({ cardId, amount: xof(1000) })) });
    await ledger().validateOrder({ orderId: order.id });
    const before = await ledgerState();
    const answer = await failure(execute(order.id));
    expect([answer.status, answer.body.code]).toEqual([409, '4010']);
    expect(answer.body.debugMessage).toMatch(/^Line \d: /);
    expect(answer.body.details).toMatchObject({ available: xof(500), requested: xof(1000) });
    expect(await ledgerState()).toBe(before);
    expect((await ledger().getOrder({ orderId: order.id })).data.status).toBe('validated');
  });

  it('when a transfer is executed, then it moves within a client or a network, and across networks it is 4026 from entry on', async () => {
    const [from, to] = [await issueCard(), await issueCard()];
    await run({ type: OrderType.Recharge, lines: [{ cardId: from, amount: xof(5000) }] });
    const transfer = await run({ type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: to, amount: xof(2000) }], reason: 'Rééquilibrage' });
    expect(transfer.operationIds).toHaveLength(1);
    expect([await available(from), await available(to)]).toEqual([3000, 2000]);
    const core = server.sdk({ token: admin });
    const sameNetwork = await newClient(core, networkId, 'BONS-2');
    const sibling = await issueCard(sameNetwork);
    await run({ type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: sibling, amount: xof(500) }] });
    expect(await available(sibling)).toBe(500);
    const stranger = await issueCard(await newClient(core, await newNetwork(core, 'RES-AUTRE'), 'AUTRE'));
    const before = await ledgerState();
    const answer = await failure(
      ledger().createOrder({
        idempotencyKey: randomUUID(),
        orderCreate: { type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: stranger, amount: xof(100) }] },
      }),
    );
    expect([answer.status, answer.body.code]).toEqual([409, '4026']);
    expectDocumented('createOrder', 409, answer.body);
    expect(await ledgerState()).toBe(before);
  });

  it('when a full transfer is executed, then the whole balance of the opposed card moves, and an active source is 4027 from entry on', async () => {
    const [from, to] = [await issueCard(), await issueCard()];
    await run({ type: OrderType.Recharge, lines: [{ cardId: from, amount: xof(7300) }] });
    const refused = await failure(
      ledger().createOrder({ idempotencyKey: randomUUID(), orderCreate: { type: OrderType.FullTransfer, fromCardId: from, lines: [{ cardId: to }] } }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4027']);
    await server.sdk({ token: admin }).coreCards.opposeCard({ cardId: from, cardOppositionRequest: { reason: 'stolen' } });
    const opposed = await enter({ type: OrderType.FullTransfer, fromCardId: from, lines: [{ cardId: to }] });
    await ledger().validateOrder({ orderId: opposed.id });
    await execute(opposed.id);
    expect([await available(from), await available(to)]).toEqual([0, 7300]);
    const nothing = await enter({ type: OrderType.FullTransfer, fromCardId: from, lines: [{ cardId: to }] });
    await ledger().validateOrder({ orderId: nothing.id });
    const empty = await failure(execute(nothing.id));
    expect([empty.status, empty.body.code]).toEqual([409, '4028']);
  });

  it('when an E-service recharge is executed, then the service point is credited from the issuer float', async () => {
    const before = await available(stationCardId);
    const order = await run({ type: OrderType.EserviceRecharge, lines: [{ servicePointId, amount: xof(40000) }] });
    expect((await ledger().getOperation({ operationId: order.operationIds[0] })).data).toMatchObject({
      type: 'eservice-recharge',
      servicePointId,
      credit: { cardId: stationCardId },
    });
    expect(await available(stationCardId)).toBe(before + 40000);
  });

  it('when the execution is retried with its key, then the executed voucher is replayed and nothing moves twice', async () => {
    const cardId = await issueCard();
    const order = await enter({ type: OrderType.Recharge, lines: [{ cardId, amount: xof(300) }] });
    await ledger().validateOrder({ orderId: order.id });
    const key = randomUUID();
    const first = await ledger().executeOrderRaw({ orderId: order.id, idempotencyKey: key });
    const again = await ledger().executeOrderRaw({ orderId: order.id, idempotencyKey: key });
    expect(again.raw.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.value()).data).toEqual((await first.value()).data);
    expect(await available(cardId)).toBe(300);
  });
});

describe('bad vouchers', () => {
  it.each<[string, OrderCreate, number, string]>([
    ['a transfer without a source card', { type: OrderType.Transfer, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(1) }] }, 400, '2001'],
    ['a recharge line without an amount', { type: OrderType.Recharge, lines: [{ cardId: 'crd_000000000000000000000001' }] }, 400, '2001'],
    [
      'a full transfer with an amount',
      { type: OrderType.FullTransfer, fromCardId: 'crd_000000000000000000000001', lines: [{ cardId: 'crd_000000000000000000000002', amount: xof(1) }] },
      400,
      '2001',
    ],
    [
      'an E-service recharge naming a card',
      { type: OrderType.EserviceRecharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(1) }] },
      400,
      '2001',
    ],
    ['an unknown card', { type: OrderType.Recharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(1) }] }, 404, '3008'],
    ['a zero amount', { type: OrderType.Recharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(0) }] }, 400, '2001'],
  ])('when %s is entered, then it is refused', async (_case, input, status, code) => {
    const answer = await failure(ledger().createOrder({ idempotencyKey: randomUUID(), orderCreate: input }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('createOrder', status, answer.body);
  });
});
