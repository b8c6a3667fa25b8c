/**
 * GET /metrics after traffic like the contract suite's (payments, a refusal, a replay, key
 * conflicts, unknown paths carrying a card number and ids): every metric of docs/operating.md is
 * there, and no label value is a card number (16 Luhn-valid digits) or an id (`xxx_` + 24 hex).
 */
import { randomUUID } from 'node:crypto';
import { CardService } from '../generated/sdk';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { expectLedgerHolds, issueCard, newClientWorld, newStation, xof } from './support/world';

let server: TestServer;
let token: string;
let cardId: string;
let cardNumber: string;
let servicePointId: string;
const post = (path: string, body: object, idempotencyKey: string) =>
  call(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
const payment = (value: number) => ({ cardId, servicePointId, amount: xof(value), service: 'shop', receiptNumber: `R-${randomUUID()}` });
const scrape = (bearer?: string) => call(`${server.url}/metrics`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const core = server.sdk({ token });
  const owner = await newClientWorld(core, 'MET', { allowedServices: [CardService.Shop] });
  servicePointId = (await newStation(core, owner.networkId, 'STATION-MET')).id;
  ({ id: cardId, number: cardNumber } = await issueCard(core, owner));
  expect((await post('/core/v1/regularisations', { cardId, direction: 'credit', amount: xof(1000), reason: 'Essai' }, randomUUID())).status).toBe(200);
});
afterAll(() => server.stop());

/** A card number: 16 digits passing the Luhn check. */
function isCardNumber(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Every label value of a Prometheus text scrape. */
const labelValues = (text: string) => [...text.matchAll(/[{,][a-zA-Z_][a-zA-Z0-9_]*="((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]);

/** The metric families a scrape names (# TYPE lines). */
const families = (text: string) => [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1]);

/** The value of one sample, e.g. sample(text, 'cynod_ledger_operations_total{type="createPayment",outcome="completed"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('when called without a token, then 401; with a token lacking core:metrics.read, then 403', async () => {
    const anonymous = await scrape();
    expect(anonymous.status).toBe(401);
    expectDocumented('getMetrics', 401, anonymous.body);
    const partner = await server.partner({ scopes: ['partner:profile.read'] });
    const forbidden = await scrape(await server.token(partner.key, partner.secret));
    expect([forbidden.status, forbidden.body.code]).toEqual([403, '1006']);
    expectDocumented('getMetrics', 403, forbidden.body);
  });

  it('when money moved, was refused, replayed and conflicted, then every metric is scraped, counted, and no label is a card number or an id', async () => {
    const key = randomUUID();
    const paid = await post('/core/v1/payments', payment(100), key);
    expect(paid.status).toBe(200);
    const paymentBody = { ...payment(10) };
    const replayKey = randomUUID();
    await post('/core/v1/payments', paymentBody, replayKey);
    expect((await post('/core/v1/payments', paymentBody, replayKey)).headers.get('idempotent-replayed')).toBe('true');
    expect((await post('/core/v1/payments', payment(11), replayKey)).status).toBe(422);
    expect((await post('/core/v1/payments', payment(1_000_000), randomUUID())).body.code).toBe('4010');
    // Paths carrying ids, queries and bodies carrying a card number: none of them may become a label.
    // (Not a card number in a path: the access log writes paths, and the log check would rightly fail.)
    await call(`${server.url}/core/v1/cards/${cardId}?number=${cardNumber}`, { headers: { authorization: `Bearer ${token}` } });
    await call(`${server.url}/core/v1/cards/${cardId}/statement?from=2026-01-01`, { headers: { authorization: `Bearer ${token}` } });
    await call(`${server.url}/nothing/${cardId}?card=${cardNumber}`);
    await call(`${server.url}/core/v1/cards/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ number: cardNumber }),
    });

    const answer = await scrape(token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = answer.text;

    expect(families(text)).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds',
        'cynod_db_pool_in_use',
        'cynod_db_pool_idle',
        'cynod_db_pool_waiting',
        'cynod_db_transaction_retries_total',
        'cynod_ledger_operations_total',
        'cynod_idempotency_replays_total',
        'cynod_idempotency_conflicts_total',
        'cynod_open_holds',
        'cynod_background_job_lag_seconds',
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
        'nodejs_heap_size_used_bytes',
      ]),
    );
    expect(sample(text, 'cynod_ledger_operations_total{type="createPayment",outcome="completed"}')).toBe(2);
    expect(sample(text, 'cynod_ledger_operations_total{type="createPayment",outcome="INSUFFICIENT_FUNDS"}')).toBe(1);
    expect(sample(text, 'cynod_idempotency_replays_total{type="createPayment"}')).toBe(1);
    expect(sample(text, 'cynod_idempotency_conflicts_total{type="createPayment",reason="reused"}')).toBe(1);
    expect(sample(text, 'cynod_db_transaction_retries_total{cause="deadlock"}')).toBe(0);
    expect(sample(text, 'cynod_open_holds')).toBe(0);
    expect(sample(text, 'cynod_background_job_lag_seconds{job="hold-expiry"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'cynod_db_pool_in_use')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'http_request_duration_seconds_count{operation="createPayment",method="POST",status="200"}')).toBe(3);
    expect(sample(text, 'http_request_duration_seconds_count{operation="createToken",method="POST",status="200"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count{operation="unmatched",method="GET",status="404"}')).toBe(1);

    const values = labelValues(text);
    expect(values.length).toBeGreaterThan(100);
    expect(values.filter((value) => [...value.matchAll(/\d{16}/g)].some((match) => isCardNumber(match[0])))).toEqual([]);
    expect(values.filter((value) => /[a-z]{3}_[0-9a-f]{24}/.test(value) || value.includes('/'))).toEqual([]);
    expect(text).not.toContain(cardNumber);
    expect(text).not.toContain(cardId);
    await expectLedgerHolds(server.database.db);
  });
});
