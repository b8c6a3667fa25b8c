/**
 * Signed webhooks against a receiver started here: every delivery verifies with the
 * `standardwebhooks` library and is the event exactly as the feed gives it; failures on purpose
 * (500, timeout, connection refused, 410) are retried with backoff, disable the endpoint (410,
 * or the last retry failing), and are in the delivery log; redelivery on demand; rotation signs
 * with both secrets; a dispatcher that dies mid-delivery loses nothing; an endpoint CYNOD
 * disables is told in the partner's feed and to its other endpoints; the delivery log is purged
 * after its retention; the issuer reads the log, redelivers and pings as the partner can; a
 * partner never sees another's endpoints. The dispatcher runs here with a short retry base (20 ms) and fixed jitter.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { readConfig } from '../src/config';
import { WebhookDispatcher, type DispatcherSettings } from '../src/domain/webhooks/dispatcher';
import type { PartnerEvent, WebhookEndpointWithSecret } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call, failure } from './support/http';
import { usingPostgres } from './support/database';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import { contractedPartner, credit, issueCard, newClientWorld, type ContractedPartner } from './support/world';

/** What the receiver does with the next request on a path: answer a status, never answer, answer 200 after SLOW_MS, or answer 200 once the test calls release(). */
type Behaviour = number | 'hang' | 'slow' | 'held';
const SLOW_MS = 150;
/** The answers held back ('held'), sent by release(). */
const held: (() => void)[] = [];
const release = () => held.splice(0).forEach((answer) => answer());

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: TestServer;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Per path: requests being answered now, and the most there were at once. */
const open = new Map<string, { now: number; most: number }>();
const scripts = new Map<string, Behaviour[]>();
let token: string;
let cardId: string;
let clientId: string;
let a: ContractedPartner;
let b: ContractedPartner;

const settings: DispatcherSettings = {
  ...readConfig({}).webhooks,
  timeoutMs: 300,
  retryBaseMs: 20,
  maxAttempts: 4,
  circuitThreshold: 100,
  circuitOpenMs: 50,
  policy: { allowLoopbackHttp: true },
  random: () => 0.5,
};
let dispatcher: WebhookDispatcher;

const partnerApi = (partner: ContractedPartner) => server.sdk({ token: partner.token }).partner;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const postgresOnly = usingPostgres() ? it : it.skip;

/** Runs the dispatcher (and waits for its deliveries) until `done` holds. */
async function dispatchUntil(done: () => boolean | Promise<boolean>, by = dispatcher, seconds = 20): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('the dispatcher did not get there in time');
    await by.run();
    await by.drain();
    await sleep(10);
  }
}

async function register(partner: ContractedPartner, path: string, fields: { eventTypes?: string[] } = {}): Promise<WebhookEndpointWithSecret> {
  const created = (await partnerApi(partner).createPartnerWebhookEndpoint({ webhookEndpointCreate: { url: `${receiverUrl}${path}`, ...fields } as never }))
    .data;
  usedSecret(created.secret);
  return created;
}

const deliveriesTo = (path: string) => received.filter((request) => request.path === path);

/** Verifies a request as a receiver would, with the library; returns the payload. */
function verified(request: Received, secret: string): PartnerEvent {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(request.body, headers) as PartnerEvent;
}

async function attempts(partner: ContractedPartner, endpointId: string) {
  return (await partnerApi(partner).listPartnerWebhookAttempts({ endpointId, limit: 100 })).data.items.reverse(); // oldest first
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = scripts.get(path)?.shift() ?? 200;
      if (next === 'hang') return;
      const counts = open.get(path) ?? { now: 0, most: 0 };
      open.set(path, counts);
      counts.most = Math.max(counts.most, ++counts.now);
      const answer = () => {
        counts.now -= 1;
        const status = typeof next === 'number' ? next : 200;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : `status ${status}`);
      };
      if (next === 'held') held.push(answer);
      else setTimeout(answer, next === 'slow' ? SLOW_MS : 0);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  server = await startTestServer({ config: { webhooks: { ...readConfig({}).webhooks, allowLoopbackHttp: true, timeoutMs: 300 } } });
  dispatcher = new WebhookDispatcher(server.database.db, server.cardVault, settings);
  token = await server.coreToken();
  const core = server.sdk({ token });
  const world = await newClientWorld(core, 'WHK');
  cardId = (await issueCard(core, world)).id;
  clientId = world.clientId;
  const scopes = ['partner:webhooks.manage', 'partner:events.read'];
  a = await contractedPartner(server, core, { name: 'Orange Money', scopes, clientId: world.clientId });
  b = await contractedPartner(server, core, { name: 'Wave', scopes });
});

afterAll(async () => {
  await dispatcher.drain();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await server.stop();
});

describe('delivery', () => {
  it('when an event happens, then the endpoint receives it signed, exactly as the feed gives it', async () => {
    const endpoint = await register(a, '/ok');
    expect(endpoint.secret).toMatch(/^whsec_/);
    await credit(server.sdk({ token }), cardId, 5000);
    await dispatchUntil(() => deliveriesTo('/ok').length >= 1);

    const payload = verified(deliveriesTo('/ok')[0], endpoint.secret);
    const feed = await call(`${server.url}/partner/v1/events?limit=100`, { headers: { authorization: `Bearer ${a.token}` } });
    expect(payload).toEqual((feed.body.data.items as PartnerEvent[]).find((event) => event.id === payload.id)); // the JSON the feed answers, field for field
    expect(payload).toMatchObject({ type: 'operation.completed', cardId, cardSequence: expect.any(Number) });
    expect(deliveriesTo('/ok')[0].headers['webhook-id']).toBe(payload.id);
    expect(await attempts(a, endpoint.id)).toEqual([
      expect.objectContaining({ eventId: payload.id, attempt: 1, statusCode: 200, outcome: 'succeeded', responseExcerpt: 'ok' }),
    ]);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when a partner is disabled, then its endpoints are pushed nothing; enabled again, they carry on from the feed', async () => {
    const core = server.sdk({ token });
    const paused = await contractedPartner(server, core, { name: 'Flotte Suspendue', scopes: ['partner:webhooks.manage', 'partner:events.read'], clientId });
    const endpoint = await register(paused, '/paused');
    await credit(core, cardId, 700); // queued before the partner is disabled
    await dispatcher.queueFromFeeds();
    await core.corePartners.disablePartner({ partnerId: paused.id });
    await credit(core, cardId, 800); // happens while it is disabled
    for (let run = 0; run < 5; run++) {
      await dispatcher.run();
      await dispatcher.drain();
    }
    expect(deliveriesTo('/paused')).toEqual([]);

    await core.corePartners.enablePartner({ partnerId: paused.id });
    await dispatchUntil(() => deliveriesTo('/paused').length >= 2);
    const amounts = deliveriesTo('/paused').map((request) => (verified(request, endpoint.secret).data as { amount: { value: number } }).amount.value);
    expect(amounts).toEqual([700, 800]);
  });

  it('when the receiver answers 500, then times out, then 200, then the delivery is retried with growing delays until it succeeds', async () => {
    scripts.set('/flaky', [500, 'hang', 500, 200]);
    const endpoint = await register(a, '/flaky');
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(async () => (await attempts(a, endpoint.id)).some((attempt) => attempt.outcome === 'succeeded'));

    const log = await attempts(a, endpoint.id);
    expect(log.map((attempt) => [attempt.attempt, attempt.statusCode, attempt.outcome])).toEqual([
      [1, 500, 'retrying'],
      [2, null, 'retrying'],
      [3, 500, 'retrying'],
      [4, 200, 'succeeded'],
    ]);
    expect(log[1].error).toBe('no answer within 300 ms');
    // Retry delays with the fixed jitter: 20 ms, 40 ms, 80 ms after each failure ended.
    const at = (attempt: (typeof log)[number]) => new Date(attempt.attemptedAt).getTime();
    const gaps = log.slice(1).map((attempt, index) => at(attempt) - at(log[index]) - log[index].latencyMs);
    expect(gaps[0]).toBeGreaterThanOrEqual(20 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(80 - 5);
    const ids = new Set(deliveriesTo('/flaky').map((request) => verified(request, endpoint.secret).id));
    expect(ids.size).toBe(1); // the same event every time, with the same webhook-id
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when the receiver refuses connections until the last retry, then the endpoint is disabled as failing', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const endpoint = (await partnerApi(a).createPartnerWebhookEndpoint({ webhookEndpointCreate: { url: `http://127.0.0.1:${port}/down` } })).data;
    usedSecret(endpoint.secret);
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(async () => (await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data.status === 'disabled');

    const log = await attempts(a, endpoint.id);
    expect(log.map((attempt) => attempt.outcome)).toEqual(['retrying', 'retrying', 'retrying', 'failed']);
    expect(log.every((attempt) => attempt.statusCode === null && /ECONNREFUSED/.test(attempt.error ?? ''))).toBe(true);
    const shown = (await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data;
    expect(shown).toMatchObject({ enabled: false, status: 'disabled', disabledReason: 'failing', failingSince: expect.any(Date) });
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when the receiver answers 410, then the endpoint is disabled at once and its next events wait', async () => {
    scripts.set('/gone', [410]);
    const endpoint = await register(a, '/gone');
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(async () => (await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data.status === 'disabled');
    expect((await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data.disabledReason).toBe('gone');
    expect((await attempts(a, endpoint.id)).map((attempt) => [attempt.statusCode, attempt.outcome])).toEqual([[410, 'gone']]);

    await credit(server.sdk({ token }), cardId, 100);
    for (let run = 0; run < 5; run++) await dispatcher.run().then(() => dispatcher.drain());
    expect(deliveriesTo('/gone')).toHaveLength(1);

    // Enabled again: the event that waited is delivered.
    const enabled = (await partnerApi(a).updatePartnerWebhookEndpoint({ endpointId: endpoint.id, webhookEndpointUpdate: { enabled: true } })).data;
    expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null, circuit: 'closed' });
    await dispatchUntil(() => deliveriesTo('/gone').length >= 2);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when CYNOD disables an endpoint, then the partner is told once: the status says why and since when, the feed has the event and the other endpoints receive it', async () => {
    scripts.set('/vanished', [410, 410]);
    const witness = await register(a, '/witness', { eventTypes: ['webhook-endpoint.disabled'] });
    const vanished = await register(a, '/vanished');
    await credit(server.sdk({ token }), cardId, 100);
    await credit(server.sdk({ token }), cardId, 200); // both may be in flight when the first 410 comes: one notice all the same
    await dispatchUntil(() => deliveriesTo('/witness').length >= 1);

    const shown = (await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: vanished.id })).data;
    expect(shown).toMatchObject({ status: 'disabled', disabledReason: 'gone', disabledAt: expect.any(Date) });
    const notice = verified(deliveriesTo('/witness')[0], witness.secret);
    expect(notice).toMatchObject({
      type: 'webhook-endpoint.disabled',
      resourceType: 'webhook-endpoint',
      resourceId: vanished.id,
      cardId: null,
      cardSequence: null,
      data: {
        endpointId: vanished.id,
        url: vanished.url,
        disabledReason: 'gone',
        disabledAt: shown.disabledAt!.toISOString(),
        failingSince: expect.any(String),
      },
    });
    const feed = await call(`${server.url}/partner/v1/events?type=webhook-endpoint.disabled&limit=100`, { headers: { authorization: `Bearer ${a.token}` } });
    const notices = (feed.body.data.items as PartnerEvent[]).filter((event) => event.resourceId === vanished.id);
    expect(notices).toEqual([notice]); // once, exactly as pushed
    const ofCard = await call(`${server.url}/partner/v1/events?cardId=${cardId}&limit=100`, { headers: { authorization: `Bearer ${a.token}` } });
    expect((ofCard.body.data.items as PartnerEvent[]).some((event) => event.type === 'webhook-endpoint.disabled')).toBe(false);
    const others = await call(`${server.url}/partner/v1/events?type=webhook-endpoint.disabled&limit=100`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(others.body.data.items).toEqual([]); // another partner's feed never shows it

    for (let run = 0; run < 3; run++) await dispatcher.run().then(() => dispatcher.drain());
    expect(deliveriesTo('/witness')).toHaveLength(1);
    const enabled = (await partnerApi(a).updatePartnerWebhookEndpoint({ endpointId: vanished.id, webhookEndpointUpdate: { enabled: true } })).data;
    expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null, disabledAt: null });
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: vanished.id });
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: witness.id });
  });

  it('when the delivery log is older than its retention, then the dispatcher purges it, and what it purged can no longer be redelivered', async () => {
    const endpoint = await register(a, '/kept');
    await credit(server.sdk({ token }), cardId, 100);
    await credit(server.sdk({ token }), cardId, 200);
    await dispatchUntil(() => deliveriesTo('/kept').length >= 2);
    const [old, recent] = await attempts(a, endpoint.id);
    await server.database.db.query("UPDATE webhook_attempts SET attempted_at = now() - interval '31 days' WHERE endpoint_id = $1 AND event_id = $2", [
      endpoint.id,
      old.eventId,
    ]);
    await server.database.db.query("UPDATE webhook_deliveries SET completed_at = now() - interval '31 days' WHERE endpoint_id = $1 AND event_id = $2", [
      endpoint.id,
      old.eventId,
    ]);

    const purging = new WebhookDispatcher(server.database.db, server.cardVault, settings); // 30 days by default
    expect(await purging.purgeLog()).toBe(2); // the attempt, then its delivery
    expect(await purging.purgeLog()).toBe(0); // not due again before a minute: less than a batch was found
    expect((await attempts(a, endpoint.id)).map((attempt) => attempt.eventId)).toEqual([recent.eventId]);
    const purged = await failure(partnerApi(a).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: { eventId: old.eventId } }));
    expect([purged.status, purged.body.code]).toEqual([404, '4154']);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when redelivery is asked for one event or a time range, then the receiver gets them again with their webhook-id', async () => {
    const endpoint = await register(a, '/again');
    const since = new Date(Date.now() - 1000);
    await credit(server.sdk({ token }), cardId, 100);
    await credit(server.sdk({ token }), cardId, 200);
    await dispatchUntil(() => deliveriesTo('/again').length >= 2);
    const first = verified(deliveriesTo('/again')[0], endpoint.secret);

    expect((await partnerApi(a).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: { eventId: first.id } })).data.queued).toBe(1);
    await dispatchUntil(() => deliveriesTo('/again').length >= 3);
    expect(verified(deliveriesTo('/again')[2], endpoint.secret)).toEqual(first);

    const range = { from: since, to: new Date(Date.now() + 1000) };
    expect((await partnerApi(a).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: range })).data.queued).toBe(2);
    await dispatchUntil(() => deliveriesTo('/again').length >= 5);

    const unknown = await failure(
      partnerApi(a).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: { eventId: 'evt_000000000000000000000000' } }),
    );
    expect([unknown.status, unknown.body.code]).toEqual([404, '4154']);
    expectDocumented('redeliverPartnerWebhookEvents', 404, unknown.body);
    const both = await failure(
      partnerApi(a).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: { eventId: first.id, ...range } as never }),
    );
    expect([both.status, both.body.code]).toEqual([400, '4152']);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when the secret is rotated with an overlap, then deliveries carry two signatures, each verifying with its secret', async () => {
    const endpoint = await register(a, '/rotated');
    const rotated = (await partnerApi(a).rotatePartnerWebhookSecret({ endpointId: endpoint.id, secretRotation: { overlapSeconds: 3600 } })).data;
    usedSecret(rotated.secret);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(() => deliveriesTo('/rotated').length >= 1);
    const request = deliveriesTo('/rotated')[0];
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verified(request, rotated.secret)).toEqual(verified(request, endpoint.secret));

    const cut = (await partnerApi(a).rotatePartnerWebhookSecret({ endpointId: endpoint.id, secretRotation: { overlapSeconds: 0 } })).data;
    usedSecret(cut.secret);
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(() => deliveriesTo('/rotated').length >= 2);
    const after = deliveriesTo('/rotated')[1];
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => verified(after, rotated.secret)).toThrow();
    expect(verified(after, cut.secret).type).toBe('operation.completed');
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when a dispatcher dies mid-delivery, then its lease runs out and another delivers the event; its late answer is not recorded twice', async () => {
    scripts.set('/dying', ['hang', 200]);
    const endpoint = await register(a, '/dying');
    const dying = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 1500 });
    await credit(server.sdk({ token }), cardId, 100);
    while ((await dying.run()).started === 0) await sleep(10); // the first attempt hangs: the dispatcher is not waited for
    while (deliveriesTo('/dying').length === 0) await sleep(10);
    const other = new WebhookDispatcher(server.database.db, server.cardVault, settings);
    expect((await other.run()).started).toBe(0); // leased: nobody else runs the same attempt
    await server.database.db.query("UPDATE webhook_deliveries SET lease_until = now() - interval '1 second' WHERE endpoint_id = $1", [endpoint.id]);
    await dispatchUntil(() => deliveriesTo('/dying').length >= 2, other);
    await other.drain();
    await dying.drain(); // the dead one's attempt ends late: the delivery is no longer its own
    const log = await attempts(a, endpoint.id);
    expect(log.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([[2, 'succeeded']]);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it("when deliveries succeed, then each hands its slot to the endpoint's next due one: one run sends them all, never more at once than the slots", async () => {
    scripts.set('/chain', Array<Behaviour>(8).fill('slow'));
    const endpoint = await register(a, '/chain');
    for (let index = 0; index < 8; index++) await credit(server.sdk({ token }), cardId, 20 + index);
    const errors: unknown[] = [];
    const chain = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 5000, maxInFlightPerEndpoint: 2 }, (error) =>
      errors.push(error),
    );
    await chain.run(); // the only run: it starts two, the successes hand the rest over
    while (deliveriesTo('/chain').length < 8) await sleep(20);
    await chain.drain();
    expect(open.get('/chain')?.most).toBe(2);
    expect(errors).toEqual([]);
    const log = await attempts(a, endpoint.id);
    expect(log.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual(Array(8).fill([1, 'succeeded']));
    expect(new Set(log.map((attempt) => attempt.eventId)).size).toBe(8);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when an endpoint is disabled while a delivery is in flight, then its success is recorded and hands nothing over', async () => {
    scripts.set('/handover-stop', ['held', 'slow', 'slow']);
    const endpoint = await register(a, '/handover-stop');
    for (let index = 0; index < 3; index++) await credit(server.sdk({ token }), cardId, 30 + index);
    const one = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 5000, maxInFlightPerEndpoint: 1 });
    await one.run();
    while (deliveriesTo('/handover-stop').length === 0) await sleep(5);
    await partnerApi(a).updatePartnerWebhookEndpoint({ endpointId: endpoint.id, webhookEndpointUpdate: { enabled: false } });
    release(); // the first delivery succeeds only now, the endpoint disabled
    while ((await attempts(a, endpoint.id)).length === 0) await sleep(5);
    await sleep(2 * SLOW_MS); // what it handed over would be sent meanwhile (drain would stop it)
    await one.drain();
    expect(deliveriesTo('/handover-stop')).toHaveLength(1);
    expect((await attempts(a, endpoint.id)).map((attempt) => attempt.outcome)).toEqual(['succeeded']);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  // PostgreSQL only: the test holds the endpoint's row in a session of its own (PGlite has one session).
  postgresOnly('when an endpoint is deleted while a delivery of it is being recorded, then both go through (no deadlock)', async () => {
    scripts.set('/deleted-busy', ['held']);
    const endpoint = await register(a, '/deleted-busy');
    await credit(server.sdk({ token }), cardId, 40);
    const errors: unknown[] = [];
    const busy = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 5000 }, (error) => errors.push(error));
    const deleting = new Client({ connectionString: server.database.url });
    await deleting.connect();
    try {
      await busy.run();
      while (deliveriesTo('/deleted-busy').length === 0) await sleep(5);
      // As deleteEndpoint does: the endpoint's row locked, then deleted (the cascade locks its deliveries),
      // here with the delivery's record started in between.
      await deleting.query('BEGIN');
      await deleting.query('SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [endpoint.id]);
      release(); // the delivery succeeds: its record runs now, and waits for the endpoint
      for (let waited = 0; ; waited += 10) {
        const { rows } = await deleting.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if (rows[0].n > 0) break;
        if (waited > 5000) throw new Error('the record never waited for the endpoint');
        await sleep(10);
      }
      await deleting.query('DELETE FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
      await deleting.query('COMMIT');
      await busy.drain();
    } finally {
      await deleting.end();
    }
    expect(errors).toEqual([]);
    expect(await server.database.db.query('SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1', [endpoint.id])).toEqual([]);
  });

  it('when two dispatchers run at once, then every event is delivered once', async () => {
    const endpoint = await register(a, '/pair');
    for (let index = 0; index < 6; index++) await credit(server.sdk({ token }), cardId, 10 + index);
    // A deadline no loaded machine misses: a copy here would be a second claim, not a retry after a timeout.
    const [one, other] = [0, 1].map(() => new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 5000 }));
    await dispatchUntil(async () => {
      await Promise.all([other.run(), one.run()]);
      await Promise.all([other.drain(), one.drain()]);
      return deliveriesTo('/pair').length >= 6;
    });
    const ids = deliveriesTo('/pair').map((request) => verified(request, endpoint.secret).id);
    expect(new Set(ids).size).toBe(ids.length);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it("when one partner's receiver hangs, then another partner's deliveries go out meanwhile", async () => {
    scripts.set('/stuck', ['hang', 'hang', 'hang', 'hang']);
    const stuck = await register(a, '/stuck');
    const world = await newClientWorld(server.sdk({ token }), 'WHK-B');
    const bCard = (await issueCard(server.sdk({ token }), world)).id;
    await server.sdk({ token }).corePartners.createPartnerContract({ partnerId: b.id, partnerContractCreate: { clientId: world.clientId } });
    const free = await register(b, '/free');
    const slow = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, timeoutMs: 3000 });
    await credit(server.sdk({ token }), cardId, 100);
    await credit(server.sdk({ token }), bCard, 100);
    const started = Date.now();
    while (deliveriesTo('/free').length === 0) {
      if (Date.now() - started > 2500) throw new Error("the other partner's delivery waited for the stuck receiver");
      await slow.run(); // not drained: the stuck receiver's attempt stays in flight
      await sleep(10);
    }
    expect(deliveriesTo('/stuck')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2500);
    await slow.drain();
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: stuck.id });
    await partnerApi(b).deletePartnerWebhookEndpoint({ endpointId: free.id });
  });

  it('when an endpoint fails several times in a row, then its circuit opens, half-opens after the pause, and closes on a success', async () => {
    scripts.set('/breaker', [500, 500, 200]);
    const endpoint = await register(a, '/breaker');
    const breaker = new WebhookDispatcher(server.database.db, server.cardVault, { ...settings, circuitThreshold: 2, circuitOpenMs: 2000, retryBaseMs: 10 });
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(async () => (await attempts(a, endpoint.id)).length >= 2, breaker);
    expect((await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data.circuit).toBe('open');
    const scraped = await call(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.text).toMatch(/^cynod_webhook_open_circuits 1$/m);
    await breaker.run().then(() => breaker.drain());
    expect(deliveriesTo('/breaker')).toHaveLength(2); // open: nothing sent, though the retry is due

    await sleep(2050); // the pause outlasts what a loaded machine takes between the second failure and the run above
    expect((await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data.circuit).toBe('half-open');
    await dispatchUntil(async () => (await attempts(a, endpoint.id)).length >= 3, breaker);
    expect((await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data).toMatchObject({ circuit: 'closed', failingSince: null });
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it('when an attempt ends, then /metrics counts it by outcome and reports the backlog', async () => {
    const scrape = async () => (await call(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text;
    const gone = (text: string) => Number(/^cynod_webhook_attempts_total\{outcome="gone"\} (\d+)$/m.exec(text)?.[1] ?? 0);
    const before = gone(await scrape());
    scripts.set('/gone-counted', [410]);
    const endpoint = await register(a, '/gone-counted');
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(() => deliveriesTo('/gone-counted').length >= 1);
    const after = await scrape();
    expect(gone(after)).toBe(before + 1);
    expect(after).toMatch(/^cynod_webhook_attempt_duration_seconds_count\{outcome="gone"\} [1-9]/m);
    expect(after).toMatch(/^cynod_webhook_open_circuits 0$/m);
    expect(after).toMatch(/^cynod_webhook_delivery_lag_seconds \d/m);
    expect(after).toMatch(/^cynod_webhook_deliveries_pending \d/m);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });
});

describe('endpoints', () => {
  it('when a ping is asked, then the endpoint gets a signed webhook.ping and the answer is told', async () => {
    const endpoint = await register(a, '/ping');
    const ping = (await partnerApi(a).pingPartnerWebhookEndpoint({ endpointId: endpoint.id })).data;
    expect(ping).toMatchObject({ succeeded: true, statusCode: 200, responseExcerpt: 'ok' });
    expect(verified(deliveriesTo('/ping')[0], endpoint.secret)).toMatchObject({ type: 'webhook.ping', endpointId: endpoint.id });
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it.each([
    ['http://localhost:9/hook', /only to 127\.0\.0\.1/],
    ['https://10.0.0.1/hook', /10\.0\.0\.1 is a private address/],
    ['https://[::ffff:169.254.169.254]/hook', /ipv4Mapped/],
  ])('when the URL is %s, then registration is refused with 4150', async (url, reason) => {
    const refused = await failure(partnerApi(a).createPartnerWebhookEndpoint({ webhookEndpointCreate: { url } }));
    expect([refused.status, refused.body.code]).toEqual([400, '4150']);
    expect(refused.body.debugMessage).toMatch(reason);
    expectDocumented('createPartnerWebhookEndpoint', 400, refused.body);
  });

  it('when a partner has 5 endpoints, then a sixth is refused with 4151', async () => {
    const created = [];
    for (let index = 0; index < 5; index++) created.push(await register(b, `/b${index}`));
    const refused = await failure(partnerApi(b).createPartnerWebhookEndpoint({ webhookEndpointCreate: { url: `${receiverUrl}/b5` } }));
    expect([refused.status, refused.body.code]).toEqual([409, '4151']);
    expectDocumented('createPartnerWebhookEndpoint', 409, refused.body);
    for (const endpoint of created) await partnerApi(b).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it("when a partner names another partner's endpoint, then it is not found (404, 4153) and nothing changes", async () => {
    const endpoint = await register(a, '/mine');
    expect((await partnerApi(b).listPartnerWebhookEndpoints()).data.items).toEqual([]);
    for (const attempt of [
      partnerApi(b).getPartnerWebhookEndpoint({ endpointId: endpoint.id }),
      partnerApi(b).updatePartnerWebhookEndpoint({ endpointId: endpoint.id, webhookEndpointUpdate: { enabled: false } }),
      partnerApi(b).deletePartnerWebhookEndpoint({ endpointId: endpoint.id }),
      partnerApi(b).rotatePartnerWebhookSecret({ endpointId: endpoint.id, secretRotation: {} }),
      partnerApi(b).pingPartnerWebhookEndpoint({ endpointId: endpoint.id }),
      partnerApi(b).listPartnerWebhookAttempts({ endpointId: endpoint.id }),
      partnerApi(b).redeliverPartnerWebhookEvents({ endpointId: endpoint.id, webhookRedelivery: { eventId: 'evt_000000000000000000000000' } }),
    ]) {
      const refused = await failure(attempt);
      expect([refused.status, refused.body.success, refused.body.code]).toEqual([404, false, '4153']);
      expectDocumented('getPartnerWebhookEndpoint', 404, refused.body);
    }
    expect((await partnerApi(a).getPartnerWebhookEndpoint({ endpointId: endpoint.id })).data).toMatchObject({ status: 'enabled', url: `${receiverUrl}/mine` });
    expect(deliveriesTo('/mine')).toHaveLength(0);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it("when the issuer reads a partner's delivery log, redelivers and pings, then it gets what the partner gets, and never another partner's endpoint", async () => {
    const endpoint = await register(a, '/issuer-ops');
    await credit(server.sdk({ token }), cardId, 100);
    await dispatchUntil(() => deliveriesTo('/issuer-ops').length >= 1);
    const core = server.sdk({ token }).corePartners;
    const log = (await core.listCoreWebhookAttempts({ partnerId: a.id, endpointId: endpoint.id })).data.items;
    expect(log).toEqual((await partnerApi(a).listPartnerWebhookAttempts({ endpointId: endpoint.id })).data.items);
    const { eventId } = log[0];
    expect((await core.redeliverCoreWebhookEvents({ partnerId: a.id, endpointId: endpoint.id, webhookRedelivery: { eventId } })).data.queued).toBe(1);
    await dispatchUntil(() => deliveriesTo('/issuer-ops').length >= 2);
    expect(verified(deliveriesTo('/issuer-ops')[1], endpoint.secret).id).toBe(eventId);
    expect((await core.pingCoreWebhookEndpoint({ partnerId: a.id, endpointId: endpoint.id })).data).toMatchObject({ succeeded: true, statusCode: 200 });
    expect(verified(deliveriesTo('/issuer-ops')[2], endpoint.secret)).toMatchObject({ type: 'webhook.ping', endpointId: endpoint.id });

    for (const attempt of [
      core.listCoreWebhookAttempts({ partnerId: b.id, endpointId: endpoint.id }),
      core.redeliverCoreWebhookEvents({ partnerId: b.id, endpointId: endpoint.id, webhookRedelivery: { eventId } }),
      core.pingCoreWebhookEndpoint({ partnerId: b.id, endpointId: endpoint.id }),
    ]) {
      const refused = await failure(attempt);
      expect([refused.status, refused.body.code]).toEqual([404, '4153']);
      expectDocumented('listCoreWebhookAttempts', 404, refused.body);
    }
    expect(deliveriesTo('/issuer-ops')).toHaveLength(3);
    await partnerApi(a).deletePartnerWebhookEndpoint({ endpointId: endpoint.id });
  });

  it("when the issuer manages a partner's endpoints, then it sees them, disables one (reason issuer) and deletes it", async () => {
    const endpoint = await register(a, '/issuer');
    const core = server.sdk({ token }).corePartners;
    expect((await core.listCoreWebhookEndpoints({ partnerId: a.id })).data.items.map((item) => item.id)).toContain(endpoint.id);
    const disabled = (await core.updateCoreWebhookEndpoint({ partnerId: a.id, endpointId: endpoint.id, webhookEndpointUpdate: { enabled: false } })).data;
    expect(disabled).toMatchObject({ status: 'disabled', disabledReason: 'issuer' });
    const elsewhere = await failure(core.deleteCoreWebhookEndpoint({ partnerId: b.id, endpointId: endpoint.id }));
    expect([elsewhere.status, elsewhere.body.code]).toEqual([404, '4153']);
    await core.deleteCoreWebhookEndpoint({ partnerId: a.id, endpointId: endpoint.id });
    expect((await partnerApi(a).listPartnerWebhookEndpoints()).data.items.map((item) => item.id)).not.toContain(endpoint.id);
    const created = (await core.createCoreWebhookEndpoint({ partnerId: b.id, webhookEndpointCreate: { url: `${receiverUrl}/for-b` } })).data;
    usedSecret(created.secret);
    expect((await partnerApi(b).listPartnerWebhookEndpoints()).data.items.map((item) => item.id)).toEqual([created.id]);
    await partnerApi(b).deletePartnerWebhookEndpoint({ endpointId: created.id });
  });
});
