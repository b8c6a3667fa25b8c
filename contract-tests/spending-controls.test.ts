/**
 * Spending controls at payment time: each rule kind refuses a payment or an
 * authorisation in hard mode (the figures in the answer, nothing moves, the attempt kept among
 * the declines once) and approves it with an exception in soft mode; a card's rule replaces
 * its profile's; open authorisations count against the limits.
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, failure, type Answer } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, newClientWorld, newEnergyType, fundedCard as newFundedCard, newNetwork, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let clientId: string;
let profileId: string;
let networkId: string;
let servicePointId: string;
let otherServicePointId: string;
let receipt = 0;
const sdk = () => server.sdk({ token });
const ledger = () => sdk().coreLedger;
const key = () => randomUUID();

const put = (path: string, body: unknown): Promise<Answer> =>
  call(`${server.url}/core/v1/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const fundedCard = async (value: number) => (await newFundedCard(sdk(), { clientId, profileId }, value)).id;

async function cardWith(controls: object, value = 100000): Promise<string> {
  const cardId = await fundedCard(value);
  const answer = await put(`cards/${cardId}/controls`, controls);
  expect(answer.status).toBe(200);
  return cardId;
}

/** A fuel payment of `litres` of GASOIL at 700 XOF/L. */
const fill = (cardId: string, litres: number, options: { station?: string; idempotencyKey?: string; energyTypeCode?: string } = {}) =>
  ledger().createPayment({
    idempotencyKey: options.idempotencyKey ?? key(),
    paymentCreate: {
      cardId,
      servicePointId: options.station ?? servicePointId,
      amount: xof(litres * 700),
      service: CardService.Fuel,
      receiptNumber: options.idempotencyKey ? `R-${options.idempotencyKey}` : `R-${(receipt += 1)}`,
      fuel: { energyTypeCode: options.energyTypeCode ?? 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(700) },
    },
  });

const authorise = (cardId: string, value: number, extra: { energyTypeCode?: string; quantityMl?: number } = {}) =>
  ledger().createAuthorization({
    idempotencyKey: key(),
    authorizationCreate: { cardId, servicePointId, amount: xof(value), service: CardService.Fuel, pumpNumber: 4, ...extra },
  });
const available = async (cardId: string) => (await ledger().listLedgerAccounts({ cardId })).data.items[0].available.value;
const declines = async (cardId: string) => (await sdk().coreCards.listCardDeclines({ cardId })).data.items;
const exceptions = async (cardId: string) => (await sdk().coreCards.listCardExceptions({ cardId })).data.items;

/** The window of every day that ends now (local time at UTC+0): the current minute is outside it. */
function windowEndingNow(): { days: string[]; from: string; to: string } {
  const now = new Date();
  const minutes = now.getUTCHours() * 60 + now.getUTCMinutes();
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  if (minutes === 0) return { days, from: '00:01', to: '24:00' };
  const hhmm = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return { days, from: '00:00', to: hhmm };
}

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  ({ networkId, clientId, profileId } = await newClientWorld(sdk(), 'REGLES', { allowedServices: [CardService.Fuel, CardService.Shop] }));
  servicePointId = (await newStation(sdk(), networkId, 'STATION-REGLES', { timeZone: 'Africa/Abidjan' })).id;
  otherServicePointId = (await newStation(sdk(), networkId, 'STATION-AUTRE')).id;
  await newEnergyType(sdk(), 'GASOIL', 700);
  await newEnergyType(sdk(), 'SUPER');
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

/** Each rule kind, with a control that the second fill of 30 L (after one of 30 L) breaches, and the code it is refused with. */
const RULES: {
  rule: string;
  code: string;
  controls: (mode: 'hard' | 'soft') => object;
  breach: (cardId: string, idempotencyKey?: string) => ReturnType<typeof fill>;
}[] = [
  {
    rule: 'amount',
    code: '4053',
    controls: (mode) => ({ amount: { limits: [{ perDay: xof(40000) }], mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey }),
  },
  {
    rule: 'volume',
    code: '4054',
    controls: (mode) => ({ volume: { perWeek: 50000, mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey }),
  },
  {
    rule: 'transactions',
    code: '4055',
    controls: (mode) => ({ transactions: { perDay: 1, mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey }),
  },
  {
    rule: 'products',
    code: '4056',
    controls: (mode) => ({ products: { energyTypes: ['GASOIL'], mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey, energyTypeCode: 'SUPER' }),
  },
  {
    rule: 'locations',
    code: '4057',
    controls: (mode) => ({ locations: { list: 'deny', servicePointIds: [otherServicePointId], mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey, station: otherServicePointId }),
  },
  {
    rule: 'schedule',
    code: '4058',
    controls: (mode) => ({ schedule: { windows: [windowEndingNow()], mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey }),
  },
  {
    rule: 'fillInterval',
    code: '4059',
    controls: (mode) => ({ fillInterval: { minMinutes: 60, mode } }),
    breach: (cardId, idempotencyKey) => fill(cardId, 30, { idempotencyKey }),
  },
];

describe('spending controls at payment time', () => {
  it.each(RULES)(
    'when a hard $rule rule is breached, then the payment is refused with $code and its figures, nothing moves, and the attempt is declined once',
    async ({ rule, code, controls, breach }) => {
      const cardId = await cardWith(controls('hard'));
      if (rule !== 'schedule') await fill(cardId, 30); // within every rule but the schedule
      const before = await available(cardId);
      const idempotencyKey = key();
      const refused = await failure(breach(cardId, idempotencyKey));
      expect([refused.status, refused.body.code, refused.body.details]).toEqual([409, code, expect.objectContaining({ rule, source: 'card', mode: 'hard' })]);
      expectDocumented('createPayment', 409, refused.body);
      expect(await available(cardId)).toBe(before);
      const [declined, ...more] = await declines(cardId);
      expect(more).toEqual([]);
      expect(declined).toMatchObject({ cardId, clientId, attempt: 'payment', code, rule, details: refused.body.details, service: 'fuel', quantityMl: 30000 });
      const replay = await failure(breach(cardId, idempotencyKey));
      expect([replay.headers.get('idempotent-replayed'), replay.body.code]).toEqual(['true', code]);
      expect(await declines(cardId)).toHaveLength(1);
      expect(await exceptions(cardId)).toEqual([]);
    },
  );

  it.each(RULES)(
    'when a soft $rule rule is breached, then the payment is approved and raises an exception with an event',
    async ({ rule, controls, breach }) => {
      const cardId = await cardWith(controls('soft'));
      if (rule !== 'schedule') await fill(cardId, 30);
      const before = await available(cardId);
      const payment = (await breach(cardId)).data;
      expect(await available(cardId)).toBe(before - 21000);
      const [exception, ...more] = await exceptions(cardId);
      expect(more).toEqual([]);
      expect(exception).toMatchObject({
        cardId,
        clientId,
        kind: 'soft-rule',
        rule,
        operationId: payment.id,
        authorizationId: null,
        details: expect.objectContaining({ rule, mode: 'soft', source: 'card' }),
      });
      const events = await server.database.db.query<{ type: string; card_id: string }>('SELECT type, card_id FROM events WHERE resource_id = $1', [
        exception.id,
      ]);
      expect(events).toEqual([{ type: 'exception.raised', card_id: cardId }]);
      expect(await declines(cardId)).toEqual([]);
    },
  );

  it('when ten payments of one card race against its daily limit, then exactly as many pass as the limit allows and the rest are declined', async () => {
    const cardId = await cardWith({ amount: { limits: [{ perDay: xof(5 * 7000) }], mode: 'hard' }, transactions: { perDay: 8, mode: 'hard' } }, 1_000_000);
    const answers = await Promise.allSettled(Array.from({ length: 10 }, () => fill(cardId, 10)));
    expect(answers.filter((answer) => answer.status === 'fulfilled')).toHaveLength(5);
    expect(await available(cardId)).toBe(1_000_000 - 5 * 7000);
    expect((await declines(cardId)).map((item) => item.code)).toEqual(Array(5).fill('4053'));
  });

  it('when the profile sets a hard rule and the card overrides it with a soft one, then the card rule applies; without an override the profile one does', async () => {
    expect((await put(`card-profiles/${profileId}/controls`, { amount: { limits: [{ perTransaction: xof(20000) }], mode: 'hard' } })).status).toBe(200);
    try {
      const inherits = await fundedCard(100000);
      const refused = await failure(fill(inherits, 30));
      expect([refused.body.code, refused.body.details]).toEqual([
        '4053',
        { rule: 'amount', source: 'profile', mode: 'hard', period: 'perTransaction', unit: 'XOF', scale: 0, limit: 20000, used: 0, held: 0, requested: 21000 },
      ]);
      const overrides = await cardWith({ amount: { limits: [{ perTransaction: xof(20000) }], mode: 'soft' } });
      await fill(overrides, 30);
      expect((await exceptions(overrides)).map((item) => item.details)).toEqual([
        expect.objectContaining({ source: 'card', mode: 'soft', limit: 20000, requested: 21000 }),
      ]);
    } finally {
      await put(`card-profiles/${profileId}/controls`, {});
    }
  });

  it("when yesterday's fills are outside today's period, then only today's count against the daily limit, and a cancelled payment gives its allowance back", async () => {
    const cardId = await cardWith({ amount: { limits: [{ perDay: xof(40000) }], mode: 'hard' } });
    const yesterday = (await fill(cardId, 30)).data;
    await server.database.db.query(
      "UPDATE ledger_operations SET created_at = (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - interval '1 minute' WHERE id = $1",
      [yesterday.id],
    );
    const today = (await fill(cardId, 30)).data;
    expect((await failure(fill(cardId, 30))).body.details).toMatchObject({ period: 'perDay', used: 21000, requested: 21000, limit: 40000 });
    await ledger().cancelOperation({ operationId: today.id, idempotencyKey: key(), cancellationCreate: { reason: 'Erreur de saisie' } });
    await fill(cardId, 30);
  });

  it('when an authorisation is open, then it counts against the limits; a hard breach refuses the authorisation and is declined, a soft one raises an exception on it', async () => {
    const cardId = await cardWith({ amount: { limits: [{ perDay: xof(50000) }], mode: 'hard' }, transactions: { perDay: 1, mode: 'soft' } });
    const hold = (await authorise(cardId, 30000, { energyTypeCode: 'GASOIL' })).data;
    expect(hold).toMatchObject({ energyTypeCode: 'GASOIL', amount: xof(30000), limitedBy: 'request', quantityMl: 42857 }); // 30000 XOF at 700 XOF/L
    const refused = await failure(fill(cardId, 30));
    expect(refused.body.details).toMatchObject({ rule: 'amount', period: 'perDay', used: 0, held: 30000, requested: 21000 });
    const second = (await authorise(cardId, 30000)).data; // what the day still allows; the second transaction of a day allowing one (soft)
    expect(second).toMatchObject({ amount: xof(20000), requested: xof(30000), limitedBy: 'amount-limit' });
    const third = await failure(authorise(cardId, 1000));
    expect([third.status, third.body.code, third.body.details]).toEqual([
      409,
      '4053',
      expect.objectContaining({ period: 'perDay', used: 0, held: 50000, requested: 1000 }),
    ]);
    expectDocumented('createAuthorization', 409, third.body);
    expect((await declines(cardId)).map((item) => [item.attempt, item.code])).toEqual([
      ['payment', '4053'],
      ['authorization', '4053'],
    ]);
    expect((await exceptions(cardId)).map((item) => [item.rule, item.authorizationId, item.operationId])).toEqual([['transactions', second.id, null]]);
    const otherFuel = await failure(
      ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: {
          amount: xof(7000),
          receiptNumber: `R-${(receipt += 1)}`,
          fuel: { energyTypeCode: 'SUPER', quantityMl: 10000, unitPrice: xof(700) },
        },
      }),
    );
    expect([otherFuel.status, otherFuel.body.code]).toEqual([400, '4021']);
  });

  it('when a product rule allows only some fuels, then an authorisation that names none is refused', async () => {
    const cardId = await cardWith({ products: { energyTypes: ['GASOIL'], mode: 'hard' } });
    const unnamed = await failure(
      ledger().createAuthorization({ idempotencyKey: key(), authorizationCreate: { cardId, servicePointId, amount: xof(1000), service: CardService.Fuel } }),
    );
    expect([unnamed.body.code, unnamed.body.details.energyTypeCode]).toEqual(['4056', null]);
    const shopWithFuel = await failure(
      ledger().createAuthorization({
        idempotencyKey: key(),
        authorizationCreate: { cardId, servicePointId, amount: xof(1000), service: CardService.Shop, energyTypeCode: 'GASOIL' },
      }),
    );
    expect([shopWithFuel.status, shopWithFuel.body.code]).toEqual([400, '4021']);
  });

  it('when a location rule allows a network, then its service points are allowed and others refused', async () => {
    const elsewhere = await newNetwork(sdk(), 'RES-AILLEURS', 'Ailleurs');
    const foreign = (await newStation(sdk(), elsewhere, 'STATION-AILLEURS', { name: 'Station Bouaké', address: 'Bouaké' })).id;
    const cardId = await cardWith({ locations: { list: 'allow', networkIds: [networkId], mode: 'hard' } });
    await fill(cardId, 10);
    await fill(cardId, 10, { station: otherServicePointId });
    const refused = await failure(fill(cardId, 10, { station: foreign }));
    expect([refused.body.code, refused.body.details]).toEqual([
      '4057',
      { rule: 'locations', source: 'card', mode: 'hard', list: 'allow', servicePointId: foreign, networkId: elsewhere },
    ]);
  });

  it('when the card is refused for its state or its funds, then the attempt is declined too; a malformed one is not', async () => {
    const cardId = await fundedCard(1000);
    expect((await failure(fill(cardId, 30))).body.code).toBe('4010');
    const mismatch = await failure(
      ledger().createPayment({
        idempotencyKey: key(),
        paymentCreate: {
          cardId,
          servicePointId,
          amount: xof(999),
          service: CardService.Fuel,
          receiptNumber: 'R-X',
          fuel: { energyTypeCode: 'GASOIL', quantityMl: 1000, unitPrice: xof(700) },
        },
      }),
    );
    expect(mismatch.body.code).toBe('4023');
    expect((await declines(cardId)).map((item) => [item.code, item.rule, item.details])).toEqual([
      ['4010', null, expect.objectContaining({ bound: 'available-not-below-zero' })],
    ]);
    const byClient = (await sdk().coreCards.listCardDeclines({ clientId })).data.items;
    expect(byClient.every((item) => item.clientId === clientId)).toBe(true);
  });
});

describe('pump authorisations sized by the rules', () => {
  it.each([
    ['the request', { amount: 30000 }, {}, 30000, 42857, 'request'],
    ['the litres asked', { amount: 30000, quantityMl: 20000 }, {}, 14000, 20000, 'request'],
    ['the balance', { amount: 90000 }, {}, 60000, 85714, 'balance'],
    ['a money limit', { amount: 30000 }, { amount: { limits: [{ perTransaction: xof(25000) }], mode: 'hard' } }, 25000, 35714, 'amount-limit'],
    ['a litre limit', { amount: 30000 }, { volume: { perDay: 40000, mode: 'hard' } }, 28000, 40000, 'volume-limit'],
    ['nothing soft', { amount: 30000 }, { volume: { perTransaction: 10000, mode: 'soft' } }, 30000, 42857, 'request'],
  ] as const)('when %s is the lowest bound, then it sets the authorisation', async (_name, asked, controls, amount, quantityMl, limitedBy) => {
    const cardId = await cardWith(controls, 60000);
    const hold = (await authorise(cardId, asked.amount, { energyTypeCode: 'GASOIL', ...('quantityMl' in asked ? { quantityMl: asked.quantityMl } : {}) })).data;
    expect(hold).toMatchObject({ amount: xof(amount), requested: xof(asked.amount), quantityMl, limitedBy });
    expect(await available(cardId)).toBe(60000 - amount);
  });

  it('when the capture dispenses more litres than authorised, then it is refused; the authorised litres are captured', async () => {
    const cardId = await cardWith({ volume: { perTransaction: 20000, mode: 'hard' } });
    const hold = (await authorise(cardId, 30000, { energyTypeCode: 'GASOIL' })).data;
    expect([hold.amount, hold.quantityMl, hold.limitedBy]).toEqual([xof(14000), 20000, 'volume-limit']);
    const capture = (ml: number) =>
      ledger().captureAuthorization({
        authorizationId: hold.id,
        idempotencyKey: key(),
        authorizationCapture: {
          amount: xof((ml * 700) / 1000),
          receiptNumber: `R-${(receipt += 1)}`,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: ml, unitPrice: xof(700) },
        },
      });
    const over = await failure(capture(20010));
    expect([over.status, over.body.code]).toEqual([409, '4043']);
    expect((await capture(20000)).data).toMatchObject({ status: 'captured', captured: xof(14000) });
  });

  it('when a litre limit applies and the authorisation names no fuel, or litres are asked without it, then it is refused 4021; a used-up litre limit is 4054', async () => {
    const cardId = await cardWith({ volume: { perDay: 10000, mode: 'hard' } });
    const unnamed = await failure(authorise(cardId, 1000));
    expect([unnamed.status, unnamed.body.code, unnamed.body.errors]).toEqual([
      400,
      '4021',
      [{ path: '/body/energyTypeCode', message: 'required to size the litres' }],
    ]);
    const litresOnly = await failure(authorise(cardId, 1000, { quantityMl: 1000 }));
    expect([litresOnly.status, litresOnly.body.code]).toEqual([400, '4021']);
    await fill(cardId, 10);
    const usedUp = await failure(authorise(cardId, 1000, { energyTypeCode: 'GASOIL' }));
    expect([usedUp.status, usedUp.body.code, usedUp.body.details]).toEqual([
      409,
      '4054',
      expect.objectContaining({ period: 'perDay', used: 10000, limit: 10000 }),
    ]);
    expect((await declines(cardId)).map((item) => item.code)).toEqual(['4054']);
  });
});
