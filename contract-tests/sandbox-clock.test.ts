/**
 * A sandbox partner's test clock (docs/sandbox.md, issue 28 item 9): the partner moves the time
 * of its world (the cards of its own clients) forward, and what time drives follows for that world
 * only: its cards' daily limits and intervals between fills start again, its open holds expire,
 * its webhook retries come due. A client shared with another partner, a partner without a client
 * and a live deployment are refused.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readConfig } from '../src/config';
import { WebhookDispatcher } from '../src/domain/webhooks/dispatcher';
import { CardService, type PartnerApi, type SandboxCard, type SandboxCardPurposeEnum, type SandboxPartner } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { failure } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newCardProfile, xof } from './support/world';

const DAY = 86_400;
const SIMULATE = ['partner:profile.read', 'partner:sandbox.simulate'];

let live: TestServer;
let sandbox: TestServer;
let seeded: SandboxPartner;
let api: PartnerApi;
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];

const cardFor = (purpose: SandboxCardPurposeEnum) => seeded.cards.find((card) => card.purpose === purpose) as SandboxCard;
const pay = (purpose: SandboxCardPurposeEnum, service: CardService = CardService.Shop) =>
  api.simulatePayment({
    idempotencyKey: randomUUID(),
    paymentCreate: {
      cardId: cardFor(purpose).id,
      servicePointId: seeded.servicePointId,
      amount: xof(service === CardService.Fuel ? 7150 : 500),
      service,
      receiptNumber: `CLK-${randomUUID()}`,
      ...(service === CardService.Fuel ? { fuel: { energyTypeCode: 'GASOIL', quantityMl: 10_000, unitPrice: xof(715) } } : {}),
    },
  });
const recharge = async () =>
  (
    await api.createPartnerRecharge({
      idempotencyKey: randomUUID(),
      partnerRechargeCreate: { cardId: seeded.cards[1].id, amount: xof(1000), externalReference: `CLK-${randomUUID()}` },
    })
  ).data.id;
const statement = async (day: string) => {
  const answer = (await api.getPartnerDailyStatement({ day, unit: 'XOF', timeZone: 'Africa/Abidjan' })).data;
  return { closed: answer.closed, lines: answer.lines.map((line) => line.operationId) };
};
const refusal = async (promise: Promise<unknown>) => (await failure(promise)).body.code;
const holdStatus = async (id: string) => (await sandbox.database.db.query<{ status: string }>('SELECT status FROM ledger_holds WHERE id = $1', [id]))[0].status;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['webhook-id']));
      res.writeHead(500).end('down');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const webhooks = { ...readConfig({}).webhooks, allowLoopbackHttp: true, timeoutMs: 1000 };
  [live, sandbox] = await Promise.all([startTestServer(), startTestServer({ config: { mode: 'sandbox', webhooks } })]);
  seeded = (await sandbox.sdk({ token: await sandbox.coreToken() }).corePartners.createSandboxPartner({ sandboxPartnerCreate: { name: 'Banque du Temps' } }))
    .data;
  usedSecret(seeded.partner.consumerSecret);
  api = sandbox.sdk({ token: await sandbox.token(seeded.partner.consumerKey, seeded.partner.consumerSecret) }).partner;
});

afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await Promise.all([live?.stop(), sandbox?.stop()]);
});

checkLedgerAfterEach(() => sandbox.database.db);

describe('a test clock', () => {
  it('when the partner has not moved it, then it reads the wall clock over its own client', async () => {
    const clock = (await api.getSandboxClock()).data;
    expect(clock).toMatchObject({ advancedSeconds: 0, clientIds: [seeded.clientId] });
    expect(Math.abs(new Date(clock.now).getTime() - Date.now())).toBeLessThan(5_000);
  });

  it('when the clock passes a day, then a card at its one transaction a day and a card at its interval between fills pay again, and the new day counts', async () => {
    const today = (await api.getSandboxClock()).data.now.toISOString().slice(0, 10);
    const before = await recharge();
    expect(await statement(today)).toMatchObject({ closed: false, lines: expect.arrayContaining([before]) });
    await pay('transaction-count-limit');
    expect(await refusal(pay('transaction-count-limit'))).toBe('4055');
    await pay('fill-interval', CardService.Fuel);
    expect(await refusal(pay('fill-interval', CardService.Fuel))).toBe('4059');

    const moved = (await api.advanceSandboxClock({ sandboxClockAdvance: { seconds: DAY } })).data;
    expect(moved).toMatchObject({ advancedSeconds: DAY, clientIds: [seeded.clientId] });
    expect(Math.abs(new Date(moved.now).getTime() - Date.now() - DAY * 1000)).toBeLessThan(5_000);
    expect((await api.getSandboxClock()).data.advancedSeconds).toBe(DAY);

    await pay('transaction-count-limit');
    await pay('fill-interval', CardService.Fuel);
    // The payments after the move are the new day's: the limits hold there too.
    expect(await refusal(pay('transaction-count-limit'))).toBe('4055');
    expect(await refusal(pay('fill-interval', CardService.Fuel))).toBe('4059');

    // The partner's day statement closed with the day; the new day's has what came after.
    const after = await recharge();
    const closed = await statement(today);
    expect(closed).toMatchObject({ closed: true, lines: expect.arrayContaining([before]) });
    expect(closed.lines).not.toContain(after);
    expect(await statement(moved.now.toISOString().slice(0, 10))).toEqual({ closed: false, lines: [after] });
  });

  it('when the clock passes an open hold’s expiry, then the hold is released as the sweep releases it, and not before', async () => {
    const card = cardFor('funded');
    const hold = (
      await api.simulateAuthorization({
        idempotencyKey: randomUUID(),
        authorizationCreate: { cardId: card.id, servicePointId: seeded.servicePointId, amount: xof(4000), service: CardService.Shop, holdSeconds: 3600 },
      })
    ).data.resourceIds[0];
    const available = async () => (await api.getPartnerCard({ cardId: card.id })).data.balances[0].available;
    expect(await available()).toBe(100_000 - 4000);

    await api.advanceSandboxClock({ sandboxClockAdvance: { seconds: 1800 } });
    expect(await holdStatus(hold)).toBe('open');
    await api.advanceSandboxClock({ idempotencyKey: randomUUID(), sandboxClockAdvance: { seconds: 1800 } });
    expect(await holdStatus(hold)).toBe('expired');
    expect(await available()).toBe(100_000);
    expect((await api.listPartnerEvents({ limit: 100 })).data.items).toContainEqual(expect.objectContaining({ type: 'hold.expired', resourceId: hold }));
    expect((await api.getSandboxClock()).data.advancedSeconds).toBe(DAY + 3600);
  });

  it('when an advance is retried with its Idempotency-Key, then the clock moves once', async () => {
    const before = (await api.getSandboxClock()).data.advancedSeconds;
    const request = { idempotencyKey: randomUUID(), sandboxClockAdvance: { seconds: 60 } };
    const first = (await api.advanceSandboxClock(request)).data;
    const again = await api.advanceSandboxClockRaw(request);
    expect(again.raw.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.value()).data).toEqual(first);
    expect((await api.getSandboxClock()).data.advancedSeconds).toBe(before + 60);
  });

  it('when a webhook retry is hours away, then advancing the clock makes it due and the dispatcher attempts it again', async () => {
    const endpoint = (
      await sandbox.sdk({ token: await sandbox.coreToken() }).corePartners.createCoreWebhookEndpoint({
        partnerId: seeded.partner.id,
        webhookEndpointCreate: { url: `${receiverUrl}/clock` },
      })
    ).data;
    usedSecret(endpoint.secret);
    const dispatcher = new WebhookDispatcher(sandbox.database.db, sandbox.cardVault, {
      ...readConfig({}).webhooks,
      timeoutMs: 1000,
      retryBaseMs: 3_600_000, // the first retry is at least half an hour away
      circuitThreshold: 1000,
      policy: { allowLoopbackHttp: true },
      random: () => 0.5,
    });
    await pay('funded');
    const attempted = async () => {
      await dispatcher.run();
      await dispatcher.drain();
      return received.length;
    };
    const deadline = Date.now() + 10_000;
    while ((await attempted()) === 0) {
      if (Date.now() > deadline) throw new Error('no first attempt');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const first = received.length;
    expect(await attempted()).toBe(first); // the retries are not due

    await api.advanceSandboxClock({ sandboxClockAdvance: { seconds: DAY } });
    expect(await attempted()).toBeGreaterThan(first);
    expect(new Set(received).size).toBe(first); // the same deliveries, attempted again
    await dispatcher.drain();
  });
});

describe("a card's expiry under a test clock", () => {
  it('when the clock passes a card’s expiry, then the card reads expired to the partner and the issuer and pays and takes recharges no more, with production’s code', async () => {
    const core = sandbox.sdk({ token: await sandbox.coreToken() });
    const profileId = await newCardProfile(core, 'UN-MOIS', { validityMonths: 1, allowedServices: [CardService.Shop] });
    const worldNow = (await api.getSandboxClock()).data.now;
    const card = await fundedCard(core, { clientId: seeded.clientId, profileId }, 10_000);
    // Issued in a world ahead of the wall clock, its month of validity counts from the world's now.
    const issued = (await core.coreCards.getCard({ cardId: card.id })).data;
    expect(Math.abs((issued.expiresAt as Date).getTime() - new Date(worldNow).setUTCMonth(worldNow.getUTCMonth() + 1))).toBeLessThan(60_000);
    const payOn = () =>
      api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: card.id,
          servicePointId: seeded.servicePointId,
          amount: xof(500),
          service: CardService.Shop,
          receiptNumber: `CLK-${randomUUID()}`,
        },
      });
    await payOn();
    expect((await api.getPartnerCard({ cardId: card.id })).data.status).toBe('active');

    await api.advanceSandboxClock({ sandboxClockAdvance: { seconds: 32 * DAY } });
    expect((await api.getPartnerCard({ cardId: card.id })).data.status).toBe('expired');
    expect((await core.coreCards.getCard({ cardId: card.id })).data.status).toBe('expired');
    const listed = (await core.coreCards.listCards({ clientId: seeded.clientId, status: 'expired', limit: 100 })).data.items.map((item) => item.id);
    expect(listed).toContain(card.id);
    const refused = await failure(payOn());
    expect([refused.status, refused.body.code]).toEqual([409, '4014']);
    const recharge = await failure(
      api.createPartnerRecharge({
        idempotencyKey: randomUUID(),
        partnerRechargeCreate: { cardId: card.id, amount: xof(1000), externalReference: `CLK-${randomUUID()}` },
      }),
    );
    expect([recharge.status, recharge.body.code]).toEqual([409, '4014']);
    // On the wall clock the card is still valid: the expiry is the world's, no row moved.
    const [row] = await sandbox.database.db.query<{ valid: boolean }>('SELECT expires_at > now() AS valid FROM cards WHERE id = $1', [card.id]);
    expect(row.valid).toBe(true);

    // The issuer renews it, in the world's time: a date on the wall clock's calendar but before the world's now is out of range.
    const tooEarly = await failure(
      core.coreCards.setCardExpiry({ cardId: card.id, cardExpiryChange: { expiresAt: new Date(Date.now() + 10 * DAY * 1000), reason: 'Renouvellement' } }),
    );
    expect([tooEarly.status, tooEarly.body.code]).toEqual([400, '4225']);
    const renewed = new Date(Date.now() + 400 * DAY * 1000);
    expect((await core.coreCards.setCardExpiry({ cardId: card.id, cardExpiryChange: { expiresAt: renewed, reason: 'Renouvellement' } })).data.status).toBe(
      'active',
    );
    await payOn();
  });

  it('when the issuer’s expiry is simulated in a world ahead of the wall clock, then the card expires at the world’s now and the feed has card.status-changed', async () => {
    const core = sandbox.sdk({ token: await sandbox.coreToken() });
    const profileId = await newCardProfile(core, 'SIM-EXP', { allowedServices: [CardService.Shop] });
    const card = await fundedCard(core, { clientId: seeded.clientId, profileId }, 0);
    const worldNow = (await api.getSandboxClock()).data.now.getTime();
    await api.simulateCardStatus({ cardId: card.id, simulatedCardStatus: { action: 'expire', reason: 'Simulation' } });
    const expired = (await core.coreCards.getCard({ cardId: card.id })).data;
    expect(expired.status).toBe('expired');
    expect(Math.abs((expired.expiresAt as Date).getTime() - worldNow)).toBeLessThan(60_000);
    const events = (await api.listPartnerEvents({ limit: 100 })).data.items;
    expect(events).toContainEqual(expect.objectContaining({ type: 'card.status-changed', resourceId: card.id, cardId: card.id }));
  });
});

describe('what a test clock does not move', () => {
  it('when the clock has moved, then the seeded station’s settlement days are still the wall clock’s: a payment made now is on today’s open day, and no later day exists', async () => {
    expect((await api.getSandboxClock()).data.advancedSeconds).toBeGreaterThan(30 * DAY);
    await pay('funded');
    const wallDay = new Date().toISOString().slice(0, 10); // the seeded network is on UTC (Africa/Abidjan)
    const days = (await api.listPartnerServicePointSettlements({ servicePointId: seeded.servicePointId, unit: 'XOF', limit: 100 })).data.items;
    expect(days.find((day) => day.day === wallDay)).toMatchObject({ closed: false });
    expect(days.every((day) => day.day <= wallDay)).toBe(true);
  });
});

describe('a test clock refused', () => {
  it('when a client of the partner is contracted to another partner too, then advancing is 409 code 4223 and nothing moves', async () => {
    const core = sandbox.sdk({ token: await sandbox.coreToken() });
    await contractedPartner(sandbox, core, { name: 'Voisin', scopes: SIMULATE, clientId: seeded.clientId });
    const before = (await api.getSandboxClock()).data.advancedSeconds;
    const refused = await failure(api.advanceSandboxClock({ sandboxClockAdvance: { seconds: DAY } }));
    expect([refused.status, refused.body.code]).toEqual([409, '4223']);
    expectDocumented('advanceSandboxClock', 409, refused.body);
    expect((await api.getSandboxClock()).data.advancedSeconds).toBe(before);
  });

  it('when the partner has no client, then advancing is 409 code 4224', async () => {
    const core = sandbox.sdk({ token: await sandbox.coreToken() });
    const lonely = await contractedPartner(sandbox, core, { name: 'Sans clients', scopes: SIMULATE });
    const refused = await failure(sandbox.sdk({ token: lonely.token }).partner.advanceSandboxClock({ sandboxClockAdvance: { seconds: DAY } }));
    expect([refused.status, refused.body.code]).toEqual([409, '4224']);
    expect((await sandbox.sdk({ token: lonely.token }).partner.getSandboxClock()).data).toMatchObject({ advancedSeconds: 0, clientIds: [] });
  });

  it('when a live server is asked, then reading and advancing are 403 code 4222', async () => {
    const core = live.sdk({ token: await live.coreToken() });
    const partner = await contractedPartner(live, core, { name: 'Réelle', scopes: SIMULATE });
    const liveApi = live.sdk({ token: partner.token }).partner;
    for (const call of [liveApi.getSandboxClock(), liveApi.advanceSandboxClock({ sandboxClockAdvance: { seconds: DAY } })]) {
      const refused = await failure(call);
      expect([refused.status, refused.body.code]).toEqual([403, '4222']);
    }
  });

  it('when the advance is not a whole number of seconds from 1 to 366 days, then it is 400', async () => {
    for (const seconds of [0, -5, 31_622_401, 1.5]) {
      const refused = await failure(api.advanceSandboxClock({ sandboxClockAdvance: { seconds } }));
      expect(refused.status).toBe(400);
    }
  });
});
