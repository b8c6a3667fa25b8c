/**
 * Order vouchers: entered, validated by someone else, executed in one transaction; recharges
 * from the issuer's or a partner's float, transfers, full transfers, E-service recharges; every
 * step recorded; refusals with their codes and nothing moved.
 */
import { randomUUID } from 'node:crypto';
import { CardService, OrderType, RechargeMode, type OrderCreate } from '../generated/sdk';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let admin: string; // holds every scope, core:orders.chain included
let maker: string;
let checker: string;
let networkId: string;
let clientId: string;
let profileId: string;
let servicePointId: string;
let stationCardId: string;
const xof = (value: number) => ({ value, unit: 'XOF' });
const ledger = (token = admin) => server.sdk({ token }).coreLedger;
const ORDER_SCOPES = 'core:orders.enter core:orders.validate core:orders.execute core:ledger.read core:cards.read';

const issueCard = async (client = clientId) =>
  (await server.sdk({ token: admin }).coreCards.issueCard({ cardIssue: { clientId: client, profileId, holder: { name: 'Yao Kouassi', phone: '+2250505050505' } } })).data.id;
const available = async (cardId: string) => (await server.sdk({ token: admin }).coreCards.getCard({ cardId })).data.balances[0].value;
const enter = async (input: OrderCreate, token = admin) => (await ledger(token).createOrder({ orderCreate: input })).data;
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
  const referential = server.sdk({ token: admin }).coreReferential;
  networkId = (await referential.createNetwork({ networkCreate: { code: 'RES-BONS', name: 'Réseau bons' } })).data.id;
  clientId = (await referential.createClient({ clientCreate: { networkId, code: 'BONS', name: 'Bons SA' } })).data.id;
  profileId = (await server.sdk({ token: admin }).coreCards.createCardProfile({
    cardProfileCreate: { code: 'BONS', label: 'Bons', validityMonths: 12, rechargeMode: RechargeMode.Manual, monthlyOfflineCap: xof(1000), allowedServices: [CardService.Fuel], allowedUnits: ['XOF'] },
  })).data.id;
  const servicePoint = (await referential.createServicePoint({ servicePointCreate: { code: 'STATION-BONS', name: 'Station Yopougon', address: 'Yopougon', networkId } })).data;
  servicePointId = servicePoint.id;
  stationCardId = servicePoint.eServiceCard.id;
});
afterEach(async () => {
  expect((await checkLedger(server.database.db, SYSTEM_ACTORS.system)).filter((result) => result.violations.length > 0)).toEqual([]);
});
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
    expect(executed.steps.map((step) => [step.step, step.actor.name])).toEqual([['entered', 'Saisie'], ['validated', 'Validation'], ['executed', 'Saisie']]);
    expect(executed.operationIds).toHaveLength(1);
    expect((await ledger().getOperation({ operationId: executed.operationIds[0] })).data).toMatchObject({ type: 'recharge', orderId: order.id, debit: { kind: 'issuer-float' }, credit: { cardId } });
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

describe('executions', () => {
  it('when a recharge voucher of many cards is executed from a partner float, then every card is credited and the float debited once per line', async () => {
    const partner = await server.partner({ name: 'Wave CI' });
    await ledger().createFloatFunding({ idempotencyKey: randomUUID(), floatFundingCreate: { partnerId: partner.id, amount: xof(100000), externalReference: 'WAVE-1' } });
    const cards = await Promise.all(Array.from({ length: 20 }, () => issueCard()));
    const order = await run({ type: OrderType.Recharge, sourcePartnerId: partner.id, lines: cards.map((cardId, index) => ({ cardId, amount: xof(1000 + index) })) });
    expect(order.operationIds).toHaveLength(20);
    expect(await Promise.all(cards.map(available))).toEqual(cards.map((_, index) => 1000 + index));
    const [float] = (await ledger().listLedgerAccounts({ partnerId: partner.id })).data.items;
    expect(float).toMatchObject({ available: xof(100000 - 20 * 1000 - 190), version: 21 });
  });

  it('when one line cannot be executed (the float runs out), then nothing moves, the voucher stays validated, and the refusal names the line', async () => {
    const partner = await server.partner({ name: 'MTN MoMo' });
    await ledger().createFloatFunding({ idempotencyKey: randomUUID(), floatFundingCreate: { partnerId: partner.id, amount: xof(1500), externalReference: 'MTN-1' } });
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

  it('when a transfer is executed, then it moves within a client or a network, and across networks it is 4026', async () => {
    const [from, to] = [await issueCard(), await issueCard()];
    await run({ type: OrderType.Recharge, lines: [{ cardId: from, amount: xof(5000) }] });
    const transfer = await run({ type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: to, amount: xof(2000) }], reason: 'Rééquilibrage' });
    expect(transfer.operationIds).toHaveLength(1);
    expect([await available(from), await available(to)]).toEqual([3000, 2000]);
    const referential = server.sdk({ token: admin }).coreReferential;
    const sameNetwork = (await referential.createClient({ clientCreate: { networkId, code: 'BONS-2', name: 'Bons filiale' } })).data.id;
    const sibling = await issueCard(sameNetwork);
    await run({ type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: sibling, amount: xof(500) }] });
    expect(await available(sibling)).toBe(500);
    const otherNetwork = (await referential.createNetwork({ networkCreate: { code: 'RES-AUTRE', name: 'Autre réseau' } })).data.id;
    const stranger = await issueCard((await referential.createClient({ clientCreate: { networkId: otherNetwork, code: 'AUTRE', name: 'Autre' } })).data.id);
    const order = await enter({ type: OrderType.Transfer, fromCardId: from, lines: [{ cardId: stranger, amount: xof(100) }] });
    await ledger().validateOrder({ orderId: order.id });
    const answer = await failure(execute(order.id));
    expect([answer.status, answer.body.code]).toEqual([409, '4026']);
  });

  it('when a full transfer is executed, then the whole balance of the opposed card moves, and an active source is 4027', async () => {
    const [from, to] = [await issueCard(), await issueCard()];
    await run({ type: OrderType.Recharge, lines: [{ cardId: from, amount: xof(7300) }] });
    const notOpposed = await enter({ type: OrderType.FullTransfer, fromCardId: from, lines: [{ cardId: to }] });
    await ledger().validateOrder({ orderId: notOpposed.id });
    const refused = await failure(execute(notOpposed.id));
    expect([refused.status, refused.body.code]).toEqual([409, '4027']);
    await server.sdk({ token: admin }).coreCards.opposeCard({ cardId: from, cardOppositionRequest: { reason: 'stolen' } });
    await execute(notOpposed.id);
    expect([await available(from), await available(to)]).toEqual([0, 7300]);
    const nothing = await enter({ type: OrderType.FullTransfer, fromCardId: from, lines: [{ cardId: to }] });
    await ledger().validateOrder({ orderId: nothing.id });
    const empty = await failure(execute(nothing.id));
    expect([empty.status, empty.body.code]).toEqual([409, '4028']);
  });

  it('when an E-service recharge is executed, then the service point is credited from the issuer float', async () => {
    const before = await available(stationCardId);
    const order = await run({ type: OrderType.EserviceRecharge, lines: [{ servicePointId, amount: xof(40000) }] });
    expect((await ledger().getOperation({ operationId: order.operationIds[0] })).data).toMatchObject({ type: 'eservice-recharge', servicePointId, credit: { cardId: stationCardId } });
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
    ['a full transfer with an amount', { type: OrderType.FullTransfer, fromCardId: 'crd_000000000000000000000001', lines: [{ cardId: 'crd_000000000000000000000002', amount: xof(1) }] }, 400, '2001'],
    ['an E-service recharge naming a card', { type: OrderType.EserviceRecharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(1) }] }, 400, '2001'],
    ['an unknown card', { type: OrderType.Recharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(1) }] }, 404, '3008'],
    ['a zero amount', { type: OrderType.Recharge, lines: [{ cardId: 'crd_000000000000000000000001', amount: xof(0) }] }, 400, '2001'],
  ])('when %s is entered, then it is refused', async (_case, input, status, code) => {
    const answer = await failure(ledger().createOrder({ orderCreate: input }));
    expect([answer.status, answer.body.code]).toEqual([status, code]);
    expectDocumented('createOrder', status, answer.body);
  });
});
