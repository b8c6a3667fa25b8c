/**
 * Webhook delivery survives a dispatcher killed mid-run (PostgreSQL only): two server processes
 * on one database, each running its dispatcher, a keyed money load of 1,000 operations split
 * across both, one endpoint whose receiver (started here) verifies every signature with the
 * `standardwebhooks` library, answers after a short pause and fails now and then. One process
 * is SIGKILLed while deliveries flow; the other sends what the dead one had claimed once their
 * short lease (WEBHOOK_TIMEOUT_MS + WEBHOOK_LEASE_MARGIN_MS) runs out. Afterwards: every event
 * of the partner's feed was received at least once, every copy of an event carries the same
 * `webhook-id` and the same bytes, and per card `cardSequence` orders the events as the feed does.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { createPartner } from '../src/domain/partners/partners';
import { oauthScopes } from '../generated/operations';
import type { PartnerEvent } from '../generated/sdk';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { basic, call, FORM } from './support/http';
import { keyedRequests, runKeyedLoad, setUpLedger } from './support/keyed-load';
import { usedSecret } from './support/server';

const KEYS = 1000;
const CLIENTS = 16;
/** Deliveries received before the kill, and load answers too when the load still runs. */
const KILL_AFTER_DELIVERIES = 150;
const KILL_AFTER_ANSWERS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Delivery {
  webhookId: string;
  body: string;
  event: PartnerEvent;
}

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('webhook delivery with a dispatcher killed mid-run (PostgreSQL only)', () => {
  let database: TestDatabase;
  let receiver: Server;
  const instances: ApiProcess[] = [];
  afterAll(async () => {
    for (const instance of instances) instance.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exit));
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
    await database?.dispose();
  });

  it('when 1,000 events are made across two instances and one is SIGKILLed while delivering, then the receiver gets every event at least once, copies share their webhook-id, and per card the sequence orders them', async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
      name: 'Back-office CYNOD',
      scopes: Object.keys(oauthScopes),
      internal: true,
    });
    usedSecret(consumerSecret);

    let secret = '';
    const deliveries: Delivery[] = [];
    let requestsSeen = 0;
    let kill: () => void = () => undefined;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requestsSeen += 1;
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(req.headers['webhook-id']),
          'webhook-timestamp': String(req.headers['webhook-timestamp']),
          'webhook-signature': String(req.headers['webhook-signature']),
        };
        const event = new Webhook(secret).verify(body, headers) as PartnerEvent; // throws on a bad signature: the request then gets no answer and the test fails below
        deliveries.push({ webhookId: headers['webhook-id'], body, event });
        kill();
        const status = requestsSeen % 40 === 0 ? 500 : 200; // now and then a failure, retried with backoff
        setTimeout(() => res.writeHead(status).end(status === 200 ? 'ok' : 'not now'), 5 + (requestsSeen % 4) * 10);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

    const env = {
      DATABASE_URL: database.url!,
      CARD_HASH_KEY: randomBytes(32).toString('base64'),
      CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_LOOPBACK_HTTP: 'true',
      WEBHOOK_POLL_INTERVAL_MS: '50',
      WEBHOOK_TIMEOUT_MS: '3000', // a loaded machine (CI's two passes) answers slowly: timeouts here would be the machine's, not the dispatcher's
      WEBHOOK_LEASE_MARGIN_MS: '500',
      WEBHOOK_RETRY_BASE_MS: '50',
      WEBHOOK_MAX_ATTEMPTS: '50',
      WEBHOOK_CIRCUIT_OPEN_MS: '250', // a burst of slow answers opens the circuit for a moment, not for the default minute
      WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: '32',
    };
    instances.push(startApiProcess(env), startApiProcess(env));
    const urls = await Promise.all(instances.map((instance) => instance.url));
    const token = (
      await call(`${urls[0]}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) },
        body: 'grant_type=client_credentials',
      })
    ).body.access_token as string;
    usedSecret(token);
    const api = (method: string, path: string, body?: object, as = token) =>
      call(`${urls[1]}${path}`, {
        method,
        headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
        body: body && JSON.stringify(body),
      });

    // A partner contracted for the client whose cards the load moves money on.
    const ledger = await setUpLedger(urls[1], token, 'Webhooks', 8);
    const clientId = (await api('GET', `/core/v1/cards/${ledger.cards[0]}`)).body.data.clientId as string;
    const hooked = (await api('POST', '/core/v1/partners', { name: 'Orange Money', scopes: ['partner:webhooks.manage', 'partner:events.read'] })).body.data;
    usedSecret(hooked.consumerSecret);
    expect((await api('POST', `/core/v1/partners/${hooked.id}/contracts`, { clientId })).status).toBe(200);
    const partnerToken = (
      await call(`${urls[1]}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(hooked.consumerKey, hooked.consumerSecret) },
        body: 'grant_type=client_credentials',
      })
    ).body.access_token as string;
    usedSecret(partnerToken);
    const feed = async (): Promise<PartnerEvent[]> => {
      const events: PartnerEvent[] = [];
      for (let cursor: string | null = null, more = true; more; ) {
        const page = (await api('GET', `/partner/v1/events?limit=100${cursor ? `&cursor=${cursor}` : ''}`, undefined, partnerToken)).body.data;
        events.push(...(page.items as PartnerEvent[]));
        cursor = page.nextCursor as string;
        more = page.hasMore as boolean;
      }
      return events;
    };
    const before = new Set((await feed()).map((event) => event.id)); // the setup's events, older than the endpoint
    const endpoint = (await api('POST', '/partner/v1/webhook-endpoints', { url: hookUrl }, partnerToken)).body.data;
    secret = endpoint.secret as string;
    usedSecret(secret);

    // The load, each key to one instance; once the first is killed, its keys go to the second.
    const requests = keyedRequests(`hooks-${randomBytes(3).toString('hex')}`, KEYS, ledger);
    let answered = 0;
    let killed: { deliveries: number; answered: number } | null = null;
    kill = () => {
      if (killed || deliveries.length < KILL_AFTER_DELIVERIES || (answered < KILL_AFTER_ANSWERS && answered < KEYS)) return;
      killed = { deliveries: deliveries.length, answered };
      instances[0].kill('SIGKILL');
    };
    const index = new Map(requests.map((request, n) => [request.key, n]));
    const result = await runKeyedLoad(requests, {
      clients: CLIENTS,
      token,
      target: (request) => urls[killed ? 1 : index.get(request.key)! % 2],
      onAnswer: (count) => {
        answered = count;
        kill();
      },
    });
    const made = [...result.finals.values()].flat().filter((answer) => answer.status === 200).length;
    expect([made, result.failures]).toEqual([KEYS, []]);

    // The surviving dispatcher delivers what remained, the dead one's claims after their lease.
    // A stall fails the test: 30 s without a new event in the feed, or without a new delivery.
    const STALL_MS = 30_000;
    let expected: PartnerEvent[] = [];
    for (let stallAt = Date.now() + STALL_MS; expected.length < KEYS && Date.now() < stallAt; ) {
      const seen = expected.length;
      expected = (await feed()).filter((event) => !before.has(event.id)); // the feed gives an event once it is settled
      if (expected.length > seen) stallAt = Date.now() + STALL_MS;
      if (expected.length < KEYS) await sleep(100);
    }
    expect(expected).toHaveLength(KEYS);
    const missing = () => {
      const received = new Set(deliveries.map((delivery) => delivery.webhookId));
      return expected.filter((event) => !received.has(event.id));
    };
    for (let seen = deliveries.length, stallAt = Date.now() + STALL_MS; missing().length > 0 && Date.now() < stallAt; ) {
      await sleep(100);
      if (deliveries.length > seen) [seen, stallAt] = [deliveries.length, Date.now() + STALL_MS];
    }
    expect([killed !== null, (await instances[0].exit).signal]).toEqual([true, 'SIGKILL']);
    // What a missing event's delivery says (queued or not, its attempts, its endpoint's circuit) is in the failure's diff.
    const states = await database.db.query<{ event_id: string }>(
      `SELECT d.event_id, d.status, d.attempts, d.next_attempt_at, d.lease_until, e.status AS endpoint, e.circuit_open_until
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.event_id = ANY($1)`,
      [missing().map((event) => event.id)],
    );
    expect(missing().map((event) => ({ id: event.id, delivery: states.find((row) => row.event_id === event.id) ?? 'never queued' }))).toEqual([]);

    // Every copy of an event carries its id as webhook-id and the same bytes; it is the feed's event.
    const byId = new Map(expected.map((event) => [event.id, event]));
    const firstBody = new Map<string, string>();
    for (const delivery of deliveries) {
      expect(delivery.webhookId).toBe(delivery.event.id);
      expect(delivery.event).toEqual(byId.get(delivery.webhookId));
      expect(delivery.body).toBe(firstBody.get(delivery.webhookId) ?? delivery.body);
      firstBody.set(delivery.webhookId, delivery.body);
    }
    // Per card, the events received (once each), sorted by cardSequence, are in the ledger's order of the card's balance versions.
    const receivedOnce = [...new Map(deliveries.map((delivery) => [delivery.webhookId, delivery.event])).values()];
    const bySequence = new Map<string, string[]>();
    for (const event of receivedOnce.sort((x, y) => Number(x.cardSequence) - Number(y.cardSequence)))
      bySequence.set(String(event.cardId), [...(bySequence.get(String(event.cardId)) ?? []), event.resourceId]);
    const entries = await database.db.query<{ card_id: string; operation_id: string }>(
      `SELECT a.card_id, e.operation_id FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
        WHERE a.card_id = ANY($1) AND e.version_after IS NOT NULL ORDER BY a.card_id, e.version_after`,
      [ledger.cards],
    );
    const operations = new Set(expected.map((event) => event.resourceId));
    const byVersion = new Map<string, string[]>();
    for (const entry of entries.filter((row) => operations.has(row.operation_id)))
      byVersion.set(entry.card_id, [...(byVersion.get(entry.card_id) ?? []), entry.operation_id]);
    expect(bySequence).toEqual(byVersion);
    if (process.env.FAULTS_SUMMARY)
      process.stdout.write(
        `${JSON.stringify({ killed, received: deliveries.length, events: expected.length, copies: deliveries.length - receivedOnce.length })}\n`,
      );
  }, 300_000);
});
