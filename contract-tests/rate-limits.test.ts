/**
 * Rate limits and brute-force defences over real HTTP, with limits small enough to reach.
 * Counters live in the database: two servers on one database share them.
 */
import { basic, call, form, FORM } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';
import type { AppConfig } from '../src/app';

/** The per-minute counters fade with the previous minute: start well inside a minute. */
async function awayFromMinuteEdge(): Promise<void> {
  const second = new Date().getSeconds();
  if (second > 50) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

const tokenRequest = (url: string, key: string, secret: string, headers: Record<string, string> = {}) =>
  call(`${url}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(key, secret), ...headers },
    body: form({ grant_type: 'client_credentials' }),
  });
const me = (url: string, token: string) => call(`${url}/partner/v1/me`, { headers: { authorization: `Bearer ${token}` } });

function expectRetryAfter(answer: { headers: Headers }, max: number): void {
  const value = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(value) && value >= 1 && value <= max).toBe(true);
}

describe('per-partner limits, shared by two instances', () => {
  let first: TestServer;
  let second: TestServer;
  const limits: Partial<AppConfig> = { rateLimitPerMinute: 10, tokenRateLimitPerMinute: 3 };

  beforeAll(async () => {
    first = await startTestServer({ config: limits });
    second = await startTestServer({ config: limits, database: first.database });
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('when a partner makes more resource calls than its limit across both instances, then the excess gets 429 1011 with Retry-After, and other partners are unaffected', async () => {
    await awayFromMinuteEdge();
    const partner = await first.partner();
    const token = (await tokenRequest(first.url, partner.key, partner.secret)).body.access_token;
    usedSecret(token);
    const answers = await Promise.all(Array.from({ length: 16 }, (_, index) => me(index % 2 ? second.url : first.url, token)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(statuses.filter((status) => status === 429)).toHaveLength(6);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect([refused.body.success, refused.body.code]).toEqual([false, '1011']);
    expect(refused.body.debugMessage).toMatch(/^Rate limit of 10 calls per minute exceeded; retry after \d+ seconds$/);
    expectRetryAfter(refused, 120);

    const other = await first.partner();
    const otherToken = (await tokenRequest(second.url, other.key, other.secret)).body.access_token;
    usedSecret(otherToken);
    expect((await me(first.url, otherToken)).status).toBe(200);
  });

  it('when a partner asks for more tokens than its limit, then the token endpoint answers 429 temporarily_unavailable and issues nothing more', async () => {
    await awayFromMinuteEdge();
    const partner = await first.partner();
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await tokenRequest(index % 2 ? second.url : first.url, partner.key, partner.secret));
    answers.slice(0, 3).forEach((answer) => usedSecret(answer.body.access_token));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
    expect([answers[3].body.error, answers[3].body.code, answers[3].headers.get('cache-control')]).toEqual(['temporarily_unavailable', '1011', 'no-store']);
    expectRetryAfter(answers[3], 120);
    const issued = await first.database.db.query<{ n: string }>('SELECT count(*) AS n FROM access_tokens WHERE partner_id = $1', [partner.id]);
    expect(Number(issued[0].n)).toBe(3);
  });
});

describe('failed authentications', () => {
  let server: TestServer;
  let core: string;
  const config: Partial<AppConfig> = { authFailureLimit: 4, authFailureWindowSeconds: 60, trustProxy: ['loopback'] };
  /** Calls come through a trusted proxy on loopback, so each test picks its client address. */
  const from = (address: string) => ({ 'x-forwarded-for': address, 'x-forwarded-proto': 'https' });

  beforeAll(async () => {
    server = await startTestServer({ config });
    core = await server.coreToken();
  });
  afterAll(() => server.stop());

  it('when one address fails repeatedly, then failures are slowed, then every attempt is refused 429 1014, even a right secret', async () => {
    await awayFromMinuteEdge();
    const partner = await server.partner();
    const address = from('198.51.100.10');
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await tokenRequest(server.url, partner.key, 'cs_wrong', address)).status);
    const started = Date.now();
    statuses.push((await tokenRequest(server.url, partner.key, 'cs_wrong', address)).status);
    // Limit 4: failures past 2 wait (failures - 2) × 500 ms; the 4th waits about 1 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(statuses).toEqual([401, 401, 401, 401]);

    const locked = await tokenRequest(server.url, partner.key, partner.secret, address);
    expect([locked.status, locked.body.error, locked.body.code]).toEqual([429, 'temporarily_unavailable', '1014']);
    expectRetryAfter(locked, 120);
    const anotherKey = await server.partner();
    expect((await tokenRequest(server.url, anotherKey.key, anotherKey.secret, address)).body.code).toBe('1014');
    const basicCall = await call(`${server.url}/partner/v1/me`, { headers: { authorization: basic(anotherKey.key, anotherKey.secret), ...address } });
    expect([basicCall.status, basicCall.body.code]).toEqual([429, '1014']);
    const elsewhere = await tokenRequest(server.url, anotherKey.key, anotherKey.secret, from('198.51.100.11'));
    expect(elsewhere.status).toBe(200);
    usedSecret(elsewhere.body.access_token);

    const recorded = (await call(`${server.url}/core/v1/security-events?address=198.51.100.10&limit=100`, { headers: { authorization: `Bearer ${core}` } }))
      .body.data.items;
    expect(recorded.filter((event: { type: string }) => event.type === 'auth.failed')).toHaveLength(4);
    expect(recorded.filter((event: { type: string }) => event.type === 'auth.locked-out')).toEqual([
      // The address and the key both reached the limit with the 4th failure: one event each.
      expect.objectContaining({ partnerId: null, reason: 'too-many-failures' }),
      expect.objectContaining({ partnerId: partner.id, reason: 'too-many-failures' }),
    ]);
  });

  it('when one key fails from many addresses, then its further wrong secrets get 429 1014 but its right secret still works', async () => {
    await awayFromMinuteEdge();
    const partner = await server.partner();
    for (let index = 1; index <= 4; index += 1) {
      expect((await tokenRequest(server.url, partner.key, 'cs_wrong', from(`198.51.100.${100 + index}`))).status).toBe(401);
    }
    const guessing = await tokenRequest(server.url, partner.key, 'cs_wrong', from('198.51.100.200'));
    expect([guessing.status, guessing.body.code]).toEqual([429, '1014']);
    expectRetryAfter(guessing, 120);
    const own = await tokenRequest(server.url, partner.key, partner.secret, from('198.51.100.201'));
    expect(own.status).toBe(200);
    usedSecret(own.body.access_token);
    const recorded = (
      await call(`${server.url}/core/v1/security-events?partnerId=${partner.id}&type=auth.locked-out`, { headers: { authorization: `Bearer ${core}` } })
    ).body.data.items;
    expect(recorded).toHaveLength(1);
  });

  it('when 30 right token requests from one address race in parallel, then all succeed: only failures count', async () => {
    const partner = await server.partner();
    const answers = await Promise.all(Array.from({ length: 30 }, () => tokenRequest(server.url, partner.key, partner.secret, from('198.51.100.50'))));
    answers.forEach((answer) => usedSecret(answer.body.access_token));
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(200));
  });

  it("when many wrong secrets for one key race in parallel, then only the limit's worth are answered 401, the rest 429 1014", async () => {
    await awayFromMinuteEdge();
    const partner = await server.partner();
    const answers = await Promise.all(Array.from({ length: 12 }, () => tokenRequest(server.url, partner.key, 'cs_wrong', from('198.51.100.60'))));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(4);
    expect(statuses.filter((status) => status === 429)).toHaveLength(8);
  });

  it('when the revocation endpoint is hammered with wrong secrets, then it locks out the same way', async () => {
    await awayFromMinuteEdge();
    const partner = await server.partner();
    const revoke = (secret: string) =>
      call(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(partner.key, secret), ...from('198.51.100.70') },
        body: form({ token: 'x' }),
      });
    for (let index = 0; index < 4; index += 1) expect((await revoke('cs_wrong')).status).toBe(401);
    const locked = await revoke(partner.secret);
    expect([locked.status, locked.body.error, locked.body.code]).toEqual([429, 'temporarily_unavailable', '1014']);
  });

  it('when a Basic header is malformed at the token endpoint, then it is a recorded, counted failure', async () => {
    const answer = await call(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: 'Basic !!!', ...from('198.51.100.80') },
      body: form({ grant_type: 'client_credentials' }),
    });
    expect([answer.status, answer.body.error]).toEqual([401, 'invalid_client']);
    const recorded = (await call(`${server.url}/core/v1/security-events?address=198.51.100.80`, { headers: { authorization: `Bearer ${core}` } })).body.data
      .items;
    expect(recorded).toEqual([expect.objectContaining({ type: 'auth.failed', reason: 'malformed-credentials', authMethod: 'basic', partnerId: null })]);
  });
});
