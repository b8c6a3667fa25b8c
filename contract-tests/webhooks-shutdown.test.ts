/**
 * `npm start` runs the webhook dispatcher beside the hold sweep: an event committed through the
 * API reaches a receiver, and SIGTERM with a delivery in flight lets it finish (the receiver's
 * slow 200 is recorded as the attempt's success, seen after a restart on the same data).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from './support/http';
import { npmStart } from './support/npm-start';

const dataDir = mkdtempSync(join(tmpdir(), 'cynod-webhooks-'));
const env = { WEBHOOK_ALLOW_LOOPBACK_HTTP: 'true', WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_TIMEOUT_MS: '8000' };
let receiver: Server;
const arrived: string[] = [];
let answered = false;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived.push(String(req.headers['webhook-id']));
      setTimeout(() => {
        res.end('ok', () => {
          answered = true;
        });
      }, 1500); // still in flight when SIGTERM comes
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function tokenOf(url: string): Promise<string> {
  const { consumerKey, consumerSecret } = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as {
    consumerKey: string;
    consumerSecret: string;
  };
  const answer = await call(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return answer.body.access_token as string;
}

it('when SIGTERM comes with a webhook delivery in flight, then the delivery finishes and is recorded as succeeded', async () => {
  const first = await npmStart(dataDir, env);
  const token = await tokenOf(first.url);
  const json = (method: string, path: string, body?: object) =>
    call(`${first.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: body && JSON.stringify(body),
    });
  const port = (receiver.address() as AddressInfo).port;
  const endpoint = (await json('POST', '/partner/v1/webhook-endpoints', { url: `http://127.0.0.1:${port}/hook` })).body.data;
  const cardId = (await json('GET', '/core/v1/cards?kind=member&limit=1')).body.data.items[0].id as string;
  expect((await json('POST', '/core/v1/regularisations', { cardId, direction: 'credit', amount: { value: 1000, unit: 'XOF' }, reason: 'Essai' })).status).toBe(
    200,
  );
  const since = Date.now();
  while (arrived.length === 0) {
    if (Date.now() - since > 60_000) throw new Error('no delivery within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(answered).toBe(false);
  await first.stop(); // SIGTERM while the receiver holds its answer
  expect(answered).toBe(true);

  const second = await npmStart(dataDir, env);
  try {
    const log = await call(`${second.url}/partner/v1/webhook-endpoints/${endpoint.id}/attempts`, {
      headers: { authorization: `Bearer ${await tokenOf(second.url)}` },
    });
    expect(log.body.data.items).toEqual([expect.objectContaining({ eventId: arrived[0], attempt: 1, statusCode: 200, outcome: 'succeeded' })]);
    expect(arrived).toHaveLength(1);
  } finally {
    await second.stop();
  }
}, 480_000);
