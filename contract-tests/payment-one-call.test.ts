/**
 * A payment in one call (migration 047, src/domain/payments/one-call.ts) writes what the general
 * path writes: its answer is the operation as it is read back, replayed under its key, and
 * carried by its two events (the member card's with its next sequence number, the station's
 * without); it has the fields, in the same shapes, of a payment the general path took (a
 * station's first payment in a unit, which opens its account). A payment the call hands back
 * is refused by the general path as before, the refusal kept under its key.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { failure, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newClientWorld, newStation, xof, type ClientWorld } from './support/world';

let server: TestServer;
let token: string;
let owner: ClientWorld;
const sdk = () => server.sdk({ token });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  owner = await newClientWorld(sdk(), 'UN', { label: 'Flotte', validityMonths: 24, monthlyOfflineCap: xof(50000), allowedServices: [CardService.Shop] });
});
afterAll(async () => {
  await server?.stop();
});
checkLedgerAfterEach(() => server.database.db);

/** The events of an operation, in the order recorded. */
const eventsOf = (operationId: string) =>
  server.database.db.query<{ card_id: string; card_sequence: string | null; data: unknown; partner_id: string | null }>(
    'SELECT card_id, card_sequence::text, data, partner_id FROM events WHERE resource_id = $1 ORDER BY seq',
    [operationId],
  );
const lastSequence = async (cardId: string) =>
  Number((await server.database.db.query<{ n: string }>('SELECT event_sequence::text AS n FROM cards WHERE id = $1', [cardId]))[0].n);

/** The answer stored under a key. */
const storedAnswer = async (key: string) =>
  (await server.database.db.query<{ answer: { data: Record<string, unknown> } }>('SELECT answer FROM idempotency_keys WHERE key = $1', [key]))[0].answer.data;

/** An operation as recorded (in its events and under its key) shown as the API answers it: amounts with their scale. */
const asAnswered = (data: Record<string, unknown>) => ({
  ...data,
  amount: { ...(data.amount as object), scale: 0, decimal: String((data.amount as { value: number }).value) },
  settles: undefined,
});

/** A refusal as its replay must repeat it: all but its request's id, and whether it is the replay. */
const refusal = (answer: Answer) => ({
  status: answer.status,
  body: { ...answer.body, requestId: undefined },
  replayed: answer.headers.get('Idempotent-Replayed'),
});

/** A value's shape: its keys, nested, and the type of each leaf. */
const shape = (value: unknown): unknown =>
  value !== null && typeof value === 'object'
    ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shape(item)]))
    : value === null
      ? null
      : typeof value;

it('a Core payment in one call answers the operation as read back, replayed and carried by its events, as the general path records it', async () => {
  const station = await newStation(sdk(), owner.networkId, 'STATION-UN-1');
  const ledger = sdk().coreLedger;
  const card = await fundedCard(sdk(), owner, 5000);
  // A card with a spending control (one it passes) is handed back: the general path takes its payment.
  const controlled = await fundedCard(sdk(), owner, 5000);
  await sdk().coreCards.replaceCardControls({ cardId: controlled.id, spendingControls: { amount: { limits: [{ perMonth: xof(100000) }], mode: 'hard' } } });
  const payment = (cardId: string) => ({
    cardId,
    servicePointId: station.id,
    amount: xof(250),
    service: CardService.Shop,
    receiptNumber: randomUUID(),
    pumpNumber: 3,
    odometerKm: 12345,
  });
  const generalKey = randomUUID();
  const general = (await ledger.createPayment({ idempotencyKey: generalKey, paymentCreate: payment(controlled.id) })).data;
  const before = await lastSequence(card.id);
  const idempotencyKey = randomUUID();
  const paymentCreate = payment(card.id);
  const paid = (await ledger.createPayment({ idempotencyKey, paymentCreate })).data;

  expect(paid).toEqual((await ledger.getOperation({ operationId: paid.id })).data);
  const replay = await ledger.createPaymentRaw({ idempotencyKey, paymentCreate });
  expect(replay.raw.headers.get('Idempotent-Replayed')).toBe('true');
  expect((await replay.value()).data).toEqual(paid);
  const events = await eventsOf(paid.id);
  expect(events.map(({ card_id, card_sequence, partner_id }) => ({ card_id, card_sequence, partner_id }))).toEqual([
    { card_id: card.id, card_sequence: String(before + 1), partner_id: null },
    { card_id: station.cardId, card_sequence: null, partner_id: null },
  ]);
  const stored = await storedAnswer(idempotencyKey);
  expect(asAnswered(stored)).toEqual(JSON.parse(JSON.stringify(paid)));
  for (const event of events) expect(event.data).toEqual(stored);

  // The general path's payment of the same request by another card: the same record but for what names the card, the operation and the request.
  const generalStored = await storedAnswer(generalKey);
  for (const event of await eventsOf(general.id)) expect(event.data).toEqual(generalStored);
  const unnamed = ({ id, reference, createdAt, requestId, receiptNumber, debit, ...rest }: Record<string, unknown>) => ({
    ...rest,
    debit: { ...(debit as object), accountId: undefined, cardId: undefined },
    kinds: shape({ id, reference, createdAt, requestId, receiptNumber, debit }),
  });
  expect(unnamed(stored)).toEqual(unnamed(generalStored));
  expect(paid).toMatchObject({ pumpNumber: 3, odometerKm: 12345, driverCheck: 'no-driver', amount: { value: 250, unit: 'XOF' } });
  const [account] = (await sdk().coreLedger.listLedgerAccounts({ cardId: card.id })).data.items;
  expect(account.posted.value).toBe(5000 - 250);
});

it("a station's payment in one call is the partner's, by the card's number, replayed as it was answered", async () => {
  const card = await fundedCard(sdk(), owner, 5000);
  const station = await newStation(sdk(), owner.networkId, 'STATION-UN-2');
  const partner = await contractedPartner(server, sdk(), { name: 'Station UN', scopes: ['partner:payments.write'], servicePointId: station.id });
  const api = server.sdk({ token: partner.token }).partner;
  const payment = { cardNumber: card.number, servicePointId: station.id, amount: xof(100), service: CardService.Shop, externalReference: randomUUID() };
  await api.createPartnerPayment({ idempotencyKey: randomUUID(), partnerPaymentCreate: { ...payment, receiptNumber: randomUUID() } }); // opens the station's account
  const idempotencyKey = randomUUID();
  const partnerPaymentCreate = { ...payment, externalReference: randomUUID(), receiptNumber: randomUUID() };
  const paid = (await api.createPartnerPayment({ idempotencyKey, partnerPaymentCreate })).data;
  expect((await api.createPartnerPayment({ idempotencyKey, partnerPaymentCreate })).data).toEqual(paid);
  expect(paid).toMatchObject({ own: true, externalReference: partnerPaymentCreate.externalReference, receiptNumber: partnerPaymentCreate.receiptNumber });
  const operation = (await sdk().coreLedger.getOperation({ operationId: paid.id })).data;
  expect(operation).toMatchObject({ partnerId: partner.id, externalReference: partnerPaymentCreate.externalReference, debit: { cardId: card.id } });
  const events = await eventsOf(paid.id);
  expect(events.map((event) => event.partner_id)).toEqual([partner.id, partner.id]);
  const stored = await storedAnswer(idempotencyKey);
  expect(asAnswered(stored)).toEqual(JSON.parse(JSON.stringify(operation)));
  for (const event of events) expect(event.data).toEqual(stored);
  // The same reference again: handed back, refused by the general path, the refusal kept under its key.
  const reused = { ...partnerPaymentCreate, receiptNumber: randomUUID() };
  const key = randomUUID();
  const refused = await failure(api.createPartnerPaymentRaw({ idempotencyKey: key, partnerPaymentCreate: reused }));
  expect(refused).toMatchObject({ status: 409, body: { code: '4024' } }); // EXTERNAL_REFERENCE_REUSED
  expect(refusal(await failure(api.createPartnerPaymentRaw({ idempotencyKey: key, partnerPaymentCreate: reused })))).toEqual({
    ...refusal(refused),
    replayed: 'true',
  });
});

it('a payment the call hands back is refused as before: a suspended card, funds short with their figures', async () => {
  const card = await fundedCard(sdk(), owner, 300);
  const station = await newStation(sdk(), owner.networkId, 'STATION-UN-3');
  const ledger = sdk().coreLedger;
  const pay = (value: number) => ({ cardId: card.id, servicePointId: station.id, amount: xof(value), service: CardService.Shop, receiptNumber: randomUUID() });
  await ledger.createPayment({ idempotencyKey: randomUUID(), paymentCreate: pay(100) });
  const short = await failure(ledger.createPaymentRaw({ idempotencyKey: randomUUID(), paymentCreate: pay(201) }));
  expect(short).toMatchObject({ status: 409, body: { code: '4010' } }); // INSUFFICIENT_FUNDS
  expect(short.body.details).toMatchObject({ account: 'card', bound: 'available-not-below-zero', available: { value: 200 }, requested: { value: 201 } });
  await sdk().coreCards.suspendCard({ cardId: card.id, cardTransitionRequest: { reason: 'Contrôle' } });
  const idempotencyKey = randomUUID();
  const paymentCreate = pay(10);
  const suspended = await failure(ledger.createPaymentRaw({ idempotencyKey, paymentCreate }));
  expect(suspended).toMatchObject({ status: 409, body: { code: '4011' } }); // CARD_SUSPENDED
  expect(refusal(await failure(ledger.createPaymentRaw({ idempotencyKey, paymentCreate })))).toEqual({ ...refusal(suspended), replayed: 'true' });
});
