/**
 * The 3rd Party API's events feed: a partner pulls, oldest first and by cursor, the events of
 * its contracted clients' cards and of its own operations, in its own shape; it catches up
 * from the last cursor it kept; another partner's cards, identity and reference stay hidden.
 */
import { randomUUID } from 'node:crypto';
import { CardService, OrderType, type PartnerEvent } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, credit, fundFloat, issueCard, newCardProfile, newClient, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
const core = () => server.sdk({ token });
const key = () => randomUUID();

interface Side {
  partnerId: string;
  token: string;
  clientId: string;
  cardId: string;
}
let a: Side;
let b: Side;
let servicePointId: string;
let profileId: string;
let networkId: string;

async function side(name: string, clientCode: string): Promise<Side> {
  const clientId = await newClient(core(), networkId, clientCode, 'Transports Ivoiriens');
  const cardId = (await issueCard(core(), { clientId, profileId })).id;
  const partner = await contractedPartner(server, core(), { name, scopes: ['partner:events.read', 'partner:cards.read'], clientId });
  return { partnerId: partner.id, token: partner.token, clientId, cardId };
}

/** The partner's whole feed after the cursor, page by page. */
async function feed(partner: Side, query: { cardId?: string; type?: string; cursor?: string; limit?: number } = {}) {
  const items: PartnerEvent[] = [];
  let cursor = query.cursor;
  for (;;) {
    const page = (await server.sdk({ token: partner.token }).partner.listPartnerEvents({ ...query, cursor } as never)).data;
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
    if (!page.hasMore) return { items, cursor };
  }
}

/** The raw JSON answer of a feed call. */
async function rawFeed(partner: Side, query = ''): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const response = await fetch(`${server.url}/partner/v1/events${query}`, { headers: { authorization: `Bearer ${partner.token}` } });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  networkId = await newNetwork(core(), 'RES-FEED');
  profileId = await newCardProfile(core(), 'FEED', { validityMonths: 24, monthlyOfflineCap: xof(0), allowedServices: [CardService.Fuel, CardService.Shop] });
  servicePointId = (await newStation(core(), networkId, 'STATION-FEED')).id;
  a = await side('Orange Money', 'FEED-A');
  b = await side('Wave', 'FEED-B'); // the same client name and holder, another client and partner

  const ledger = core().coreLedger;
  await credit(core(), a.cardId, 50000);
  await credit(core(), b.cardId, 50000);
  const hold = (
    await ledger.createAuthorization({
      idempotencyKey: key(),
      authorizationCreate: { cardId: a.cardId, servicePointId, amount: xof(10000), service: CardService.Fuel, pumpNumber: 4 },
    })
  ).data;
  await ledger.voidAuthorization({ authorizationId: hold.id, idempotencyKey: key() });
  await core().coreCards.suspendCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Suspension demandée par le gestionnaire de flotte' } });
  await core().coreCards.reactivateCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Levée de suspension' } });
  // Wave's float pays a recharge of Orange Money's client's card: Wave's own operation, on a card it is not (any longer) contracted for.
  await fundFloat(core(), b.partnerId, 20000, 'WAVE-FLOAT-1');
  // A float pays only for its partner's contracted clients: Wave is contracted for the client
  // while its voucher is executed, and no longer afterwards.
  const contract = (await core().corePartners.createPartnerContract({ partnerId: b.partnerId, partnerContractCreate: { clientId: a.clientId } })).data;
  const order = (
    await ledger.createOrder({
      idempotencyKey: key(),
      orderCreate: { type: OrderType.Recharge, sourcePartnerId: b.partnerId, lines: [{ cardId: a.cardId, amount: xof(5000) }] },
    })
  ).data;
  await ledger.validateOrder({ orderId: order.id });
  await ledger.executeOrder({ orderId: order.id, idempotencyKey: key() });
  await core().corePartners.endPartnerContract({ partnerId: b.partnerId, contractId: contract.id, partnerContractEnd: { reason: 'Bon exécuté' } });
  const payment = (
    await ledger.createPayment({
      idempotencyKey: key(),
      paymentCreate: { cardId: a.cardId, servicePointId, amount: xof(7000), service: CardService.Shop, receiptNumber: 'FEED-1' },
    })
  ).data;
  await ledger.cancelOperation({ operationId: payment.id, idempotencyKey: key(), cancellationCreate: { reason: 'Erreur de saisie' } });
});
afterAll(() => server.stop());
checkLedgerAfterEach(() => server.database.db);

describe('the events feed', () => {
  it("when a partner pulls its feed, then it gets its card's events oldest first, each numbered in the card's sequence, without internal events", async () => {
    const { items } = await feed(a);
    expect(items.map((event) => [event.type, event.cardId])).toEqual([
      ['operation.completed', a.cardId], // the starting balance
      ['hold.created', a.cardId],
      ['hold.voided', a.cardId],
      ['card.status-changed', a.cardId],
      ['card.status-changed', a.cardId],
      ['operation.completed', a.cardId], // Wave's recharge (no order.status-changed around it)
      ['operation.completed', a.cardId], // the payment
      ['operation.completed', a.cardId], // the payment's cancellation
      ['operation.cancelled', a.cardId], // the payment, now cancelled
    ]);
    const sequences = items.map((event) => Number(event.cardSequence));
    expect([...sequences].sort((x, y) => x - y)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(items[3].data).toMatchObject({ cardId: a.cardId, from: 'active', to: 'suspended' });
    expect(items[1].data).toMatchObject({ status: 'open', own: false, cardId: a.cardId, servicePointId, amount: xof(10000), pumpNumber: 4 });
    expect(items[6].data).toMatchObject({
      type: 'payment',
      status: 'completed',
      own: false,
      amount: xof(7000),
      cardId: a.cardId,
      servicePointId,
      receiptNumber: 'FEED-1',
    });
    expect(items[7].data).toMatchObject({ type: 'cancellation', cancels: items[6].resourceId, reason: 'Erreur de saisie' });
    expect(items[8].data).toMatchObject({ type: 'payment', status: 'cancelled', cancelledBy: items[7].resourceId });
    expectDocumented('listPartnerEvents', 200, (await rawFeed(a)).body);
  });

  it("when another partner's float paid a recharge, then the partner sees it without that partner's identity, reference, actor, request id or accounts; the payer sees it as its own", async () => {
    await server.database.db.query(
      "UPDATE events SET data = jsonb_set(data, '{externalReference}', '\"WAVE-REF-42\"') WHERE resource_type = 'operation' AND data->>'partnerId' = $1",
      [b.partnerId],
    );
    const { text, body } = await rawFeed(a);
    for (const hidden of [b.partnerId, 'WAVE-REF-42', 'Wave', 'requestId', '"actor"', 'acc_', 'debit', 'Suspension demandée', 'holderName', 'vehicleId'])
      expect(text).not.toContain(hidden);
    const recharge = (body.data as { items: { type: string; data: Record<string, unknown> }[] }).items[5];
    expect(recharge.data).toMatchObject({ type: 'recharge', own: false, externalReference: null, cardId: a.cardId, amount: xof(5000) });

    const wave = await feed(b);
    const own = wave.items.filter((event) => event.cardId === a.cardId);
    expect(own.map((event) => [event.type, event.data])).toEqual([
      ['operation.completed', expect.objectContaining({ type: 'recharge', own: true, externalReference: 'WAVE-REF-42' })],
    ]);
    expect(wave.items.filter((event) => event.cardId !== a.cardId).map((event) => event.cardId)).toEqual([b.cardId]);
  });

  it('when a partner pages with a small limit and later polls with its last cursor, then it gets every event once and then only the new ones', async () => {
    const whole = await feed(a, { limit: 100 });
    const paged = await feed(a, { limit: 2 });
    expect(paged.items.map((event) => event.id)).toEqual(whole.items.map((event) => event.id));
    expect(paged.cursor).toBe(whole.cursor);
    const quiet = (await server.sdk({ token: a.token }).partner.listPartnerEvents({ cursor: whole.cursor })).data;
    expect(quiet).toEqual({ items: [], nextCursor: whole.cursor, hasMore: false });

    await core().coreCards.suspendCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Nouvelle suspension' } });
    await core().coreCards.suspendCard({ cardId: b.cardId, cardTransitionRequest: { reason: 'Autre partenaire' } });
    const caughtUp = await feed(a, { cursor: whole.cursor });
    expect(caughtUp.items.map((event) => [event.type, event.cardId, event.cardSequence])).toEqual([
      ['card.status-changed', a.cardId, Number(whole.items[whole.items.length - 1].cardSequence) + 1],
    ]);
    const fromMiddle = await feed(a, { cursor: whole.items[2].cursor });
    expect(fromMiddle.items.map((event) => event.id)).toEqual([...whole.items.slice(3), ...caughtUp.items].map((event) => event.id));
    await core().coreCards.reactivateCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Levée de suspension' } });
    await core().coreCards.reactivateCard({ cardId: b.cardId, cardTransitionRequest: { reason: 'Levée de suspension' } });
  });

  it("when the partner filters by card or type, then only those events come; another partner's card gives an empty page", async () => {
    const holds = await feed(a, { type: 'hold.voided' });
    expect(holds.items.map((event) => [event.type, event.resourceType])).toEqual([['hold.voided', 'authorization']]);
    expect((await feed(a, { cardId: b.cardId })).items).toEqual([]);
    expect((await feed(a, { cardId: 'crd_000000000000000000000000' })).items).toEqual([]);
    const wave = await feed(b, { cardId: a.cardId });
    expect(wave.items.map((event) => event.type)).toEqual(['operation.completed']);
  });

  it("when the partner's contract ends, then the card's later events are no longer in its feed", async () => {
    const partner = await server.partner({ name: 'MTN MoMo', scopes: ['partner:events.read'] });
    const contract = (await core().corePartners.createPartnerContract({ partnerId: partner.id, partnerContractCreate: { clientId: a.clientId } })).data;
    const mtn = { partnerId: partner.id, token: await server.token(partner.key, partner.secret), clientId: a.clientId, cardId: a.cardId };
    const before = await feed(mtn);
    expect(before.items.length).toBeGreaterThan(0);
    await core().corePartners.endPartnerContract({ partnerId: partner.id, contractId: contract.id, partnerContractEnd: { reason: 'Résiliation' } });
    await core().coreCards.suspendCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Après la fin du contrat' } });
    expect((await feed(mtn, { cursor: before.cursor })).items).toEqual([]);
    expect((await feed(a, { type: 'card.status-changed' })).items.length).toBeGreaterThan(0);
    await core().coreCards.reactivateCard({ cardId: a.cardId, cardTransitionRequest: { reason: 'Levée de suspension' } });
  });

  it('when the cursor is not one the API gave, the type unknown or the scope missing, then the answer is 400 or 403', async () => {
    const badCursor = await rawFeed(a, '?cursor=bm90LWEtY3Vyc29y');
    expect([badCursor.status, badCursor.body.code]).toEqual([400, '2001']);
    expectDocumented('listPartnerEvents', 400, badCursor.body);
    const badType = await rawFeed(a, '?type=order.status-changed');
    expect([badType.status, badType.body.code]).toEqual([400, '2001']);
    const cardsOnly = await server.partner({ name: 'Sans flux', scopes: ['partner:cards.read'] });
    const forbidden = await failure(server.sdk({ token: await server.token(cardsOnly.key, cardsOnly.secret) }).partner.listPartnerEvents({}));
    expect([forbidden.status, forbidden.body.code]).toEqual([403, '1006']);
  });
});
