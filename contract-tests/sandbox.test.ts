/**
 * The sandbox (docs/sandbox.md): a deployment of its own (CYNOD_MODE=sandbox) on its own
 * database, whose consumer-keys start with ck_test_; a live server refuses them, a sandbox
 * refuses live ones, and neither starts on the other's database. Simulations
 * (/partner/v1/simulate/...) run production's use cases on the partner's own contracted cards and
 * service points: each one's event is in the feed and arrives as a webhook signed by the
 * Standard Webhooks library's rules. A live server answers them 4222.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { readConfig } from '../src/config';
import { WebhookDispatcher } from '../src/domain/webhooks/dispatcher';
import { CardService, type PartnerEvent, type SandboxCard, type SandboxCardPurposeEnum, type SandboxPartner } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { basic, call, failure, form, FORM } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newClientWorld, newStation, xof, type ContractedPartner, type Station } from './support/world';

const SIMULATE = ['partner:profile.read', 'partner:sandbox.simulate', 'partner:events.read', 'partner:webhooks.manage', 'partner:cards.read'];

let live: TestServer;
let sandbox: TestServer;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let dispatcher: WebhookDispatcher;
let partner: ContractedPartner;
let outsider: ContractedPartner;
let livePartner: ContractedPartner;
let cardId: string;
let station: Station;
let otherCardId: string;
let expiringCardId: string;
let otherStation: Station;

const simulate = (who: ContractedPartner, server = sandbox) => server.sdk({ token: who.token }).partner;
const feed = async (who: ContractedPartner, server = sandbox): Promise<PartnerEvent[]> =>
  (await server.sdk({ token: who.token }).partner.listPartnerEvents({ limit: 100 })).data.items;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const webhooks = { ...readConfig({}).webhooks, allowLoopbackHttp: true, timeoutMs: 1000 };
  [live, sandbox] = await Promise.all([startTestServer(), startTestServer({ config: { mode: 'sandbox', webhooks } })]);
  dispatcher = new WebhookDispatcher(sandbox.database.db, sandbox.cardVault, {
    ...webhooks,
    retryBaseMs: 20,
    policy: { allowLoopbackHttp: true },
    random: () => 0.5,
  });

  const core = sandbox.sdk({ token: await sandbox.coreToken() });
  const world = await newClientWorld(core, 'BAC', { allowedServices: [CardService.Fuel, CardService.Shop] });
  station = await newStation(core, world.networkId, 'BAC-1');
  otherStation = await newStation(core, world.networkId, 'BAC-2');
  cardId = (await fundedCard(core, world, 100_000)).id;
  expiringCardId = (await fundedCard(core, world, 10_000)).id;
  const otherClient = await core.coreReferential.createClient({ clientCreate: { networkId: world.networkId, code: 'AUTRE-BAC', name: 'Autre' } });
  otherCardId = (await fundedCard(core, { clientId: otherClient.data.id, profileId: world.profileId }, 100_000)).id;
  partner = await contractedPartner(sandbox, core, { name: 'Banque Test', scopes: SIMULATE, clientId: world.clientId, servicePointId: station.id });
  outsider = await contractedPartner(sandbox, core, { name: 'Autre Banque', scopes: SIMULATE });

  const liveCore = live.sdk({ token: await live.coreToken() });
  livePartner = await contractedPartner(live, liveCore, { name: 'Banque Réelle', scopes: SIMULATE });
});

afterAll(async () => {
  await dispatcher?.drain();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await Promise.all([live?.stop(), sandbox?.stop()]);
});

checkLedgerAfterEach(() => sandbox.database.db);

describe('two environments', () => {
  it('when each server is asked, then /health and /partner/v1/me say its mode, and its consumer-keys carry the mode', async () => {
    expect((await live.sdk().system.getHealth()).data).toEqual({ status: 'ok', mode: 'live' });
    expect((await sandbox.sdk().system.getHealth()).data).toEqual({ status: 'ok', mode: 'sandbox' });
    expect((await simulate(partner).getPartnerMe()).data.mode).toBe('sandbox');
    expect((await simulate(livePartner, live).getPartnerMe()).data.mode).toBe('live');
    expect(partner.key).toMatch(/^ck_test_[A-Za-z0-9_-]{22}$/);
    expect(livePartner.key).toMatch(/^ck_live_[A-Za-z0-9_-]{22}$/);
  });

  it('when a sandbox credential is sent to a live server, then it is refused with 4220, by Basic or in the body, and at resources', async () => {
    const byBasic = await call(`${live.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect([byBasic.status, byBasic.body.code, byBasic.body.error]).toEqual([401, '4220', 'invalid_client']);
    expectDocumented('createToken', 401, byBasic.body);
    const inBody = await call(`${live.url}/oauth/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ grant_type: 'client_credentials', client_id: partner.key, client_secret: partner.secret }),
    });
    expect([inBody.status, inBody.body.code, inBody.body.error]).toEqual([400, '4220', 'invalid_client']);
    const resource = await call(`${live.url}/partner/v1/me`, { headers: { authorization: basic(partner.key, partner.secret) } });
    expect([resource.status, resource.body.code]).toEqual([401, '4220']);
    // Its bearer token names nothing on the live server either.
    const token = await call(`${live.url}/partner/v1/me`, { headers: { authorization: `Bearer ${partner.token}` } });
    expect([token.status, token.body.code]).toEqual([401, '1002']);
  });

  it('when a live credential is sent to a sandbox, then it is refused with 4221, and a live token names nothing there', async () => {
    const byBasic = await call(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(livePartner.key, livePartner.secret) },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect([byBasic.status, byBasic.body.code, byBasic.body.error]).toEqual([401, '4221', 'invalid_client']);
    expectDocumented('createToken', 401, byBasic.body);
    // A key of the form made before modes existed is a live one.
    const legacy = await call(`${sandbox.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic('ck_5nG2ZkQ8mB4wR7tX1yV3pA', 'cs_x') },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect(legacy.body.code).toBe('4221');
    const token = await call(`${sandbox.url}/partner/v1/events`, { headers: { authorization: `Bearer ${livePartner.token}` } });
    expect([token.status, token.body.code]).toEqual([401, '1002']);
  });

  it('when a server starts on the database of the other mode, then it refuses to start', async () => {
    await expect(startTestServer({ database: sandbox.database, config: { mode: 'live' } })).rejects.toThrow(
      /CYNOD_MODE is live but this database belongs to a sandbox/,
    );
    await expect(startTestServer({ database: live.database, config: { mode: 'sandbox' } })).rejects.toThrow(
      /CYNOD_MODE is sandbox but this database belongs to a live/,
    );
  });

  it('when a live server is asked for a simulation, then it answers 403 code 4222 and does nothing', async () => {
    const refused = await failure(
      simulate(livePartner, live).simulateVoucherExecution({ simulatedVoucher: { cardId: 'crd_00000000000000000000000a', amount: xof(100) } }),
    );
    expect([refused.status, refused.body.code]).toEqual([403, '4222']);
    expectDocumented('simulateVoucherExecution', 403, refused.body);
    const payment = await failure(
      simulate(livePartner, live).simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: 'crd_00000000000000000000000a',
          servicePointId: 'spt_00000000000000000000000a',
          amount: xof(100),
          service: CardService.Shop,
          receiptNumber: 'R-1',
        },
      }),
    );
    expect([payment.status, payment.body.code]).toEqual([403, '4222']);
  });
});

describe('simulations', () => {
  it('when every simulation runs, then each event is in the feed and arrives as a webhook whose signature the library verifies', async () => {
    const endpoint = (await simulate(partner).createPartnerWebhookEndpoint({ webhookEndpointCreate: { url: `${receiverUrl}/sandbox` } })).data;
    usedSecret(endpoint.secret);
    const api = simulate(partner);

    const payment = (
      await api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: { cardId, servicePointId: station.id, amount: xof(1500), service: CardService.Shop, receiptNumber: `SIM-${randomUUID()}` },
      })
    ).data;
    expect(payment).toMatchObject({ simulation: 'payment', resourceType: 'operation', cardIds: [cardId] });

    const hold = (
      await api.simulateAuthorization({
        idempotencyKey: randomUUID(),
        authorizationCreate: { cardId, servicePointId: station.id, amount: xof(2000), service: CardService.Shop },
      })
    ).data;
    expect(hold).toMatchObject({ simulation: 'authorization', resourceType: 'authorization' });
    const expired = (await api.simulateHoldTimeOut({ authorizationId: hold.resourceIds[0] })).data;
    expect(expired).toEqual({ simulation: 'hold-time-out', resourceType: 'authorization', resourceIds: hold.resourceIds, cardIds: [cardId] });
    const again = await failure(api.simulateHoldTimeOut({ authorizationId: hold.resourceIds[0] }));
    expect([again.status, again.body.code]).toEqual([409, '4044']);

    await api.simulateCardStatus({ cardId, simulatedCardStatus: { action: 'suspend', reason: 'Simulation' } });
    await api.simulateCardStatus({ cardId, simulatedCardStatus: { action: 'reactivate', reason: 'Simulation' } });
    // The issuer expires a card now (PUT /core/v1/cards/{cardId}/expiry without a date): it reads expired and pays no more, with production's code.
    await api.simulateCardStatus({ cardId: expiringCardId, simulatedCardStatus: { action: 'expire', reason: 'Simulation' } });
    expect((await api.getPartnerCard({ cardId: expiringCardId })).data.status).toBe('expired');
    const refused = await failure(
      api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: expiringCardId,
          servicePointId: station.id,
          amount: xof(100),
          service: CardService.Shop,
          receiptNumber: `SIM-${randomUUID()}`,
        },
      }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4014']);

    const batch = (
      await api.simulateOfflineBatch({
        servicePointId: station.id,
        offlineFillBatch: {
          terminalId: 'TPE-SIM',
          fills: [
            {
              terminalTransactionId: `SIM-${randomUUID()}`,
              occurredAt: new Date(),
              cardId,
              amount: xof(700),
              service: CardService.Shop,
              receiptNumber: 'OFF-1',
            },
          ],
        },
      })
    ).data;
    expect(batch).toMatchObject({ simulation: 'offline-batch', resourceType: 'operation', cardIds: [cardId] });
    expect(batch.resourceIds).toHaveLength(1);

    const voucher = (await api.simulateVoucherExecution({ simulatedVoucher: { cardId, amount: xof(5000) } })).data;
    expect(voucher).toMatchObject({ simulation: 'voucher-execution', resourceType: 'operation', cardIds: [cardId] });

    const events = await feed(partner);
    const expected: [string, string][] = [
      ['operation.completed', payment.resourceIds[0]],
      ['hold.created', hold.resourceIds[0]],
      ['hold.expired', hold.resourceIds[0]],
      ['card.status-changed', cardId],
      ['card.status-changed', expiringCardId],
      ['operation.completed', batch.resourceIds[0]],
      ['operation.completed', voucher.resourceIds[0]],
    ];
    for (const [type, resourceId] of expected) expect(events).toContainEqual(expect.objectContaining({ type, resourceId }));
    // Every event of these types carries its card (only webhook-endpoint.disabled concerns none).
    for (const event of events)
      expect([event.cardId === null, event.cardSequence === null]).toEqual([
        event.type === 'webhook-endpoint.disabled',
        event.type === 'webhook-endpoint.disabled',
      ]);
    // (the SDK reads a feed event's data as every variant at once: compare the status change's own fields)
    const changes = events.filter((event) => event.type === 'card.status-changed').map((event) => event.data as { cardId: string; from: string; to: string });
    expect(changes.map(({ cardId: card, from, to }) => ({ cardId: card, from, to }))).toEqual([
      { cardId, from: 'active', to: 'suspended' },
      { cardId, from: 'suspended', to: 'active' },
      { cardId: expiringCardId, from: 'active', to: 'expired' },
    ]);
    const card = (await api.getPartnerCard({ cardId })).data;
    expect(card.balances[0].available).toBe(100_000 - 1500 - 700 + 5000);

    // Every event since the endpoint was registered arrives signed; the library verifies each with the endpoint's secret.
    const verify = (request: (typeof received)[number]) =>
      new Webhook(endpoint.secret).verify(request.body, {
        'webhook-id': String(request.headers['webhook-id']),
        'webhook-timestamp': String(request.headers['webhook-timestamp']),
        'webhook-signature': String(request.headers['webhook-signature']),
      }) as PartnerEvent;
    const arrived = (type: string, resourceId: string) => received.map(verify).some((event) => event.type === type && event.resourceId === resourceId);
    const deadline = Date.now() + 20_000;
    while (!expected.every(([type, resourceId]) => arrived(type, resourceId))) {
      if (Date.now() > deadline) throw new Error(`only ${received.length} webhooks arrived`);
      await dispatcher.run();
      await dispatcher.drain();
      await sleep(10);
    }
    const pushed = received.map(verify);
    expect(pushed.filter((event) => event.type === 'card.status-changed')).toHaveLength(3);
    const raw = await call(`${sandbox.url}/partner/v1/events?limit=100`, { headers: { authorization: `Bearer ${partner.token}` } });
    for (const event of pushed) expect(event).toEqual((raw.body.data.items as PartnerEvent[]).find((inFeed) => inFeed.id === event.id)); // push and pull agree, field for field
  });

  it("when a simulation names a card or a service point outside the partner's contracts, then it is 404 as an unknown one and nothing happens", async () => {
    const api = simulate(partner);
    const otherCard = await failure(api.simulateVoucherExecution({ simulatedVoucher: { cardId: otherCardId, amount: xof(100) } }));
    expect([otherCard.status, otherCard.body.code]).toEqual([404, '3008']);
    const unknownCard = await failure(api.simulateVoucherExecution({ simulatedVoucher: { cardId: 'crd_00000000000000000000000a', amount: xof(100) } }));
    expect(unknownCard.body).toMatchObject({ code: '3008' });
    const otherPoint = await failure(
      api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: { cardId, servicePointId: otherStation.id, amount: xof(100), service: CardService.Shop, receiptNumber: 'R-OUT' },
      }),
    );
    expect([otherPoint.status, otherPoint.body.code]).toEqual([404, '3009']);
    const uncontracted = await failure(simulate(outsider).simulateCardStatus({ cardId, simulatedCardStatus: { action: 'oppose', reason: 'Vol' } }));
    expect([uncontracted.status, uncontracted.body.code]).toEqual([404, '3008']);
    expect((await simulate(partner).getPartnerCard({ cardId })).data.status).toBe('active');
  });

  it('when a voucher simulation is retried with its Idempotency-Key, then one voucher is executed and the retry replays its answer; another body under the key is 422', async () => {
    const api = simulate(partner);
    const vouchers = async () => Number((await sandbox.database.db.query<{ n: string }>('SELECT count(*) AS n FROM orders'))[0].n);
    const balance = async () => (await api.getPartnerCard({ cardId })).data.balances[0].available;
    const [beforeVouchers, beforeBalance] = [await vouchers(), await balance()];
    const request = { idempotencyKey: randomUUID(), simulatedVoucher: { cardId, amount: xof(250) } };
    const answers = await Promise.allSettled([api.simulateVoucherExecutionRaw(request), api.simulateVoucherExecutionRaw(request)]);
    const first = await api.simulateVoucherExecutionRaw(request);
    expect(first.raw.headers.get('idempotent-replayed')).toBe('true');
    const data = (await first.value()).data;
    for (const answer of answers) if (answer.status === 'fulfilled') expect((await answer.value.value()).data).toEqual(data);
    expect(await vouchers()).toBe(beforeVouchers + 1);
    expect(await balance()).toBe(beforeBalance + 250);
    const reused = await failure(api.simulateVoucherExecution({ ...request, simulatedVoucher: { cardId, amount: xof(300) } }));
    expect([reused.status, reused.body.code]).toEqual([422, '4031']);
    expect(await vouchers()).toBe(beforeVouchers + 1);
  });

  it('when a voucher simulation is refused at execution, then no voucher is left', async () => {
    const before = Number((await sandbox.database.db.query<{ n: string }>('SELECT count(*) AS n FROM orders'))[0].n);
    const refused = await failure(
      simulate(partner).simulateVoucherExecution({ idempotencyKey: randomUUID(), simulatedVoucher: { cardId: expiringCardId, amount: xof(100) } }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4014']);
    expect(Number((await sandbox.database.db.query<{ n: string }>('SELECT count(*) AS n FROM orders'))[0].n)).toBe(before);
  });

  it("when a payment simulation is refused by a business rule, then the refusal is production's", async () => {
    const refused = await failure(
      simulate(partner).simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: { cardId, servicePointId: station.id, amount: xof(10_000_000), service: CardService.Shop, receiptNumber: `SIM-${randomUUID()}` },
      }),
    );
    expect([refused.status, refused.body.code]).toEqual([409, '4010']);
    expectDocumented('simulatePayment', 409, refused.body);
  });
});

describe('a seeded sandbox partner', () => {
  let seeded: SandboxPartner;
  const cardFor = (purpose: SandboxCardPurposeEnum) => seeded.cards.find((card) => card.purpose === purpose) as SandboxCard;

  beforeAll(async () => {
    seeded = (
      await sandbox.sdk({ token: await sandbox.coreToken() }).corePartners.createSandboxPartner({ sandboxPartnerCreate: { name: 'Banque du Quick Start' } })
    ).data;
    usedSecret(seeded.partner.consumerSecret);
  });

  it('when the issuer seeds one in one call, then it holds ck_test_ credentials, a contracted station, a float and funded cards', () => {
    expect(seeded.partner.consumerKey).toMatch(/^ck_test_/);
    expect(seeded.cards.filter((card) => card.purpose === 'funded').map((card) => card.balance.value)).toEqual([100_000, 100_000]);
    expect(seeded.cards.every((card) => /^[0-9]{16}$/.test(card.number ?? ''))).toBe(true);
  });

  it('when the partner walks the quick start on its sandbox credentials, then every step answers as production does', async () => {
    const { consumerKey: key, consumerSecret: secret } = seeded.partner;
    const token = await sandbox.token(key, secret);
    const api = sandbox.sdk({ token }).partner;
    expect((await api.getPartnerMe()).data).toMatchObject({ partnerId: seeded.partner.id, mode: 'sandbox', authMethod: 'bearer' });
    const funded = cardFor('funded');
    const card = (await api.lookupPartnerCard({ cardLookup: { cardNumber: funded.number as string } })).data;
    expect(card).toMatchObject({ id: funded.id, status: 'active', balances: [expect.objectContaining({ unit: 'XOF', available: 100_000 })] });
    await api.getPartnerCardAllowances({ cardId: card.id });
    expect((await api.listPartnerUnits()).data.items.map((unit) => unit.code)).toContain('XOF');

    const idempotencyKey = `quick-start-recharge-${card.id}`;
    const recharge = { idempotencyKey, partnerRechargeCreate: { cardId: card.id, amount: xof(150_000), externalReference: 'MM-QS-0001' } };
    const first = (await api.createPartnerRecharge(recharge)).data;
    expect(first).toMatchObject({ type: 'recharge', status: 'completed', own: true });
    const replay = await api.createPartnerRechargeRaw(recharge);
    expect(replay.raw.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.getPartnerFloat()).data.floats[0]).toMatchObject({ unit: 'XOF', available: xof(10_000_000 - 150_000) });
    expect((await api.listPartnerOperations({ externalReference: 'MM-QS-0001' })).data.items.map((operation) => operation.id)).toEqual([first.id]);

    // the station side: an authorisation at its own service point, captured
    const hold = (
      await api.createPartnerAuthorization({
        idempotencyKey: randomUUID(),
        partnerAuthorizationCreate: {
          cardNumber: funded.number as string,
          servicePointId: seeded.servicePointId,
          amount: xof(30_000),
          service: CardService.Shop,
        },
      })
    ).data;
    const captured = (
      await api.capturePartnerAuthorization({
        authorizationId: hold.id,
        idempotencyKey: randomUUID(),
        partnerAuthorizationCapture: { amount: xof(14_300), receiptNumber: 'QS-0001', externalReference: 'STN-QS-0001' },
      })
    ).data;
    expect(captured.status).toBe('captured');
    const types = (await api.listPartnerEvents({ cardId: card.id, limit: 100 })).data.items.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['operation.completed', 'hold.created', 'hold.captured']));
    expect((await api.getPartnerCard({ cardId: card.id })).data.balances[0].available).toBe(100_000 + 150_000 - 14_300);
  });

  it('when each magic card pays at the seeded station, then it gives its documented refusal', async () => {
    const token = await sandbox.token(seeded.partner.consumerKey, seeded.partner.consumerSecret);
    const api = sandbox.sdk({ token }).partner;
    const pay = (purpose: SandboxCardPurposeEnum, fields: { value?: number; service?: CardService; driverCode?: string } = {}) =>
      api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: cardFor(purpose).id,
          servicePointId: seeded.servicePointId,
          amount: xof(fields.value ?? 500),
          service: fields.service ?? CardService.Shop,
          driverCode: fields.driverCode,
          receiptNumber: `MAGIC-${randomUUID()}`,
        },
      });
    const refusal = async (promise: Promise<unknown>) => {
      const answer = await failure(promise);
      expectDocumented('simulatePayment', answer.status, answer.body);
      return answer.body.code as string;
    };
    expect(await refusal(pay('insufficient-funds'))).toBe('4010');
    expect(await refusal(pay('opposed'))).toBe('4012');
    expect(await refusal(pay('wrong-driver-code', { driverCode: '000000' }))).toBe('4074');
    await pay('wrong-driver-code', { driverCode: '482915' }); // the right code pays
    expect(await refusal(pay('amount-limit', { value: 1_001 }))).toBe('4053');
    await pay('amount-limit', { value: 1_000 });
    await pay('transaction-count-limit');
    expect(await refusal(pay('transaction-count-limit'))).toBe('4055');
    expect(await refusal(pay('product-not-allowed', { service: CardService.Shop }))).toBe('4056');
    expect(await refusal(pay('location-not-allowed'))).toBe('4057');
    const fill = (purpose: SandboxCardPurposeEnum, litres: number) =>
      api.simulatePayment({
        idempotencyKey: randomUUID(),
        paymentCreate: {
          cardId: cardFor(purpose).id,
          servicePointId: seeded.servicePointId,
          amount: xof(litres * 715),
          service: CardService.Fuel,
          fuel: { energyTypeCode: 'GASOIL', quantityMl: litres * 1000, unitPrice: xof(715) },
          receiptNumber: `MAGIC-${randomUUID()}`,
        },
      });
    expect(await refusal(fill('volume-limit', 21))).toBe('4054');
    await fill('volume-limit', 20);
    await fill('fill-interval', 10);
    expect(await refusal(fill('fill-interval', 10))).toBe('4059');
    expect(await refusal(pay('outside-allowed-hours'))).toBe('4058');
    await pay('funded');
  });

  it('when the issuer seeds one twice with one Idempotency-Key, then the second answer replays the first, secret and numbers included, and one partner exists', async () => {
    const core = sandbox.sdk({ token: await sandbox.coreToken() }).corePartners;
    const request = { idempotencyKey: randomUUID(), sandboxPartnerCreate: { name: 'Banque Rejouée' } };
    const first = await core.createSandboxPartnerRaw(request);
    const again = await core.createSandboxPartnerRaw(request);
    expect([first.raw.headers.get('idempotent-replayed'), again.raw.headers.get('idempotent-replayed')]).toEqual([null, 'true']);
    const seededOnce = (await first.value()).data;
    usedSecret(seededOnce.partner.consumerSecret);
    expect((await again.value()).data).toEqual(seededOnce);
    expect(seededOnce.cards.every((card) => /^[0-9]{16}$/.test(card.number ?? ''))).toBe(true);
    expect(await sandbox.database.db.query("SELECT 1 FROM partners WHERE name = 'Banque Rejouée'")).toHaveLength(1);

    const reused = await failure(core.createSandboxPartner({ ...request, sandboxPartnerCreate: { name: 'Une autre' } }));
    expect([reused.status, reused.body.code]).toEqual([422, '4031']);
    expectDocumented('createSandboxPartner', 422, reused.body);
  });

  it('when the seed fails partway, then nothing of it is left: no partner, network, card or money', async () => {
    const db = sandbox.database.db;
    const counts = async () =>
      (
        await db.query<{ counts: string }>(
          `SELECT concat_ws(' ', (SELECT count(*) FROM partners), (SELECT count(*) FROM networks), (SELECT count(*) FROM cards),
                  (SELECT count(*) FROM ledger_operations), (SELECT count(*) FROM card_controls), (SELECT count(*) FROM audit_events)) AS counts`,
        )
      )[0].counts;
    const core = sandbox.sdk({ token: await sandbox.coreToken() }).corePartners;
    const before = await counts();
    // The driver of the wrong-driver-code card comes late in the seed: make its creation fail.
    await db.exec(`CREATE FUNCTION refuse_driver() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no driver today'; END $$;
      CREATE TRIGGER refuse_driver BEFORE INSERT ON drivers FOR EACH ROW EXECUTE FUNCTION refuse_driver();`);
    try {
      const refused = await failure(core.createSandboxPartner({ sandboxPartnerCreate: { name: 'Banque Inachevée' } }));
      expect(refused.status).toBe(500);
    } finally {
      await db.exec('DROP TRIGGER refuse_driver ON drivers; DROP FUNCTION refuse_driver();');
    }
    expect(await counts()).toBe(before);
    expect(await db.query("SELECT 1 FROM partners WHERE name = 'Banque Inachevée'")).toHaveLength(0);
  });

  it('when a live server is asked to seed one, then it answers 4222 and creates nothing', async () => {
    const refused = await failure(live.sdk({ token: await live.coreToken() }).corePartners.createSandboxPartner({ sandboxPartnerCreate: { name: 'Réel' } }));
    expect([refused.status, refused.body.code]).toEqual([403, '4222']);
    expect((await live.database.db.query("SELECT 1 FROM partners WHERE name = 'Réel'")).length).toBe(0);
  });
});
