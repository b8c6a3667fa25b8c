/**
 * The SDK's client behaviour against a real server: typed errors carrying the envelope, retries
 * of safe failures with one Idempotency-Key (the money moves once), and every item of a paged
 * list or feed.
 */
import { randomUUID } from 'node:crypto';
import { ClientCredentialsTokenProvider, CynodError, PartnerApi, ResponseError, paginate, type FetchAPI } from '../generated/sdk';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, contractedPartner, fundedCard, newClientWorld, xof, type ContractedPartner } from './support/world';

let server: TestServer;
let partner: ContractedPartner;
let cardId: string;

type Call = { method: string; key: string | null };

/** The real fetch, failing the calls `plan` names before they reach the server or after it answered. */
function faultyFetch(plan: (call: Call, seen: readonly Call[]) => 'drop-before' | 'drop-after' | 503 | null) {
  const seen: Call[] = [];
  const fetchApi: FetchAPI = async (url, init = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    const call = { method: (init.method ?? 'GET').toUpperCase(), key: headers['Idempotency-Key'] ?? null };
    seen.push(call);
    const fault = plan(call, seen);
    if (fault === 'drop-before') throw new TypeError('fetch failed: socket hang up');
    if (fault === 503)
      return new Response(JSON.stringify({ success: false, code: '5003', message: 'indisponible' }), { status: 503, headers: { 'Retry-After': '0' } });
    const answer = await fetch(url, init);
    if (fault === 'drop-after') throw new TypeError('fetch failed: connection reset after the request was sent');
    return answer;
  };
  return { fetchApi, seen };
}

const recharge = (api: PartnerApi, value: number) =>
  api.createPartnerRecharge({ idempotencyKey: randomUUID(), partnerRechargeCreate: { cardId, amount: xof(value), externalReference: randomUUID() } });
const rechargesOf = async (value: number) =>
  (await server.database.db.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger_operations WHERE type = 'recharge' AND amount = $1", [value]))[0].n;

const sdkFor = (fetchApi: FetchAPI, sleeps: number[] = []) =>
  new PartnerApi(
    new ClientCredentialsTokenProvider({
      basePath: server.url,
      consumerKey: partner.key,
      consumerSecret: partner.secret,
      fetchApi,
      retry: { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 },
    }).configuration(),
  );

beforeAll(async () => {
  server = await startTestServer();
  const core = server.sdk({ token: await server.coreToken() });
  const world = await newClientWorld(core, 'SDKCLI');
  cardId = (await fundedCard(core, world, 0)).id;
  partner = await contractedPartner(server, core, {
    name: 'SDK Client',
    scopes: ['partner:recharges.write', 'partner:operations.read', 'partner:events.read', 'partner:cards.read'],
    clientId: world.clientId,
    float: 1_000_000,
  });
});
checkLedgerAfterEach(() => server.database.db);
afterAll(() => server.stop());

describe('typed errors', () => {
  it('when the API refuses a call, then the SDK throws a CynodError with the code, the messages, the fields and the request id, still a ResponseError', async () => {
    const api = sdkFor(fetch);
    const refused = await api.getPartnerOperation({ operationId: 'op_000000000000000000000000' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CynodError);
    expect(refused).toBeInstanceOf(ResponseError);
    const error = refused as CynodError;
    expect([error.status, error.code, error.requestId]).toEqual([404, '3012', expect.stringMatching(/\S/)]);
    expect(error.message).toMatch(/^HTTP 404 code 3012: /);
    expect(error.userMessage).not.toBe('');
    expect((await error.response.json()).code).toBe('3012');

    const invalid = (await api.listPartnerOperations({ limit: 0 }).catch((caught: unknown) => caught)) as CynodError;
    expect([invalid.status, invalid.code, invalid.errors]).toEqual([400, '2001', [expect.objectContaining({ path: '/query/limit' })]]);
  });
});

describe('retries', () => {
  it('when the answer to a recharge is lost twice, then the SDK sends it again with the same key and the card is credited once', async () => {
    const keyed = (seen: readonly Call[]) => seen.filter((call) => call.key !== null);
    const { fetchApi, seen } = faultyFetch((call, all) => (call.key !== null && keyed(all).length <= 2 ? 'drop-after' : null));
    const sleeps: number[] = [];
    const answer = await recharge(sdkFor(fetchApi, sleeps), 1111);
    expect(answer.data).toMatchObject({ type: 'recharge', amount: xof(1111) });
    expect(keyed(seen)).toHaveLength(3);
    expect(new Set(keyed(seen).map((call) => call.key)).size).toBe(1);
    expect(sleeps).toEqual([100, 200]); // half of 200 ms, then of 400 ms (random() = 0.5)
    expect(await rechargesOf(1111)).toBe(1);
  });

  it('when the server answers 503 to a read, then the SDK asks again; after maxAttempts it gives the 503 as a CynodError', async () => {
    const flaky = faultyFetch((call, all) => (call.method === 'GET' && all.filter((seen) => seen.method === 'GET').length <= 2 ? 503 : null));
    await expect(sdkFor(flaky.fetchApi).listPartnerOperations({ limit: 1 })).resolves.toMatchObject({ success: true });
    expect(flaky.seen.filter((call) => call.method === 'GET')).toHaveLength(3);

    const down = faultyFetch((call) => (call.method === 'GET' ? 503 : null));
    const failed = (await sdkFor(down.fetchApi)
      .listPartnerOperations({ limit: 1 })
      .catch((error: unknown) => error)) as CynodError;
    expect([failed.status, failed.code, failed.retryAfterSeconds]).toEqual([503, '5003', 0]);
    expect(down.seen.filter((call) => call.method === 'GET')).toHaveLength(3);
  });

  it('when a POST accepts no Idempotency-Key, then the SDK neither adds one nor sends it twice', async () => {
    const { fetchApi, seen } = faultyFetch((call) => (call.method === 'POST' && seen.length > 1 ? 'drop-before' : null));
    await expect(sdkFor(fetchApi).lookupPartnerCard({ cardLookup: { cardNumber: '7000000000000000' } })).rejects.toThrow(/socket hang up|request failed/);
    expect(seen.slice(1)).toEqual([{ method: 'POST', key: null }]);
  });

  it('when retries are off, then a lost answer is the caller’s to retry, and nothing was sent twice', async () => {
    const { fetchApi, seen } = faultyFetch((call) => (call.key !== null ? 'drop-after' : null));
    const api = new PartnerApi(
      new ClientCredentialsTokenProvider({
        basePath: server.url,
        consumerKey: partner.key,
        consumerSecret: partner.secret,
        fetchApi,
        retry: false,
      }).configuration(),
    );
    await expect(recharge(api, 1212)).rejects.toThrow();
    expect(seen.filter((call) => call.key !== null)).toHaveLength(1);
    expect(await rechargesOf(1212)).toBe(1);
  });
});

describe('pages', () => {
  it('when a list spans several pages, then paginate gives every item once, in order', async () => {
    const api = sdkFor(fetch);
    for (let n = 0; n < 5; n++) await recharge(api, 300 + n);
    const all = [];
    for await (const operation of paginate((cursor) => api.listPartnerOperations({ cursor, limit: 2 }))) all.push(operation);
    const direct = (await api.listPartnerOperations({ limit: 100 })).data.items;
    expect(all.map((operation) => operation.id)).toEqual(direct.map((operation) => operation.id));
    expect(all.length).toBeGreaterThanOrEqual(5);

    const events = [];
    for await (const event of paginate((cursor) => api.listPartnerEvents({ cursor, limit: 2 }))) events.push(event.id);
    expect(new Set(events).size).toBe(events.length);
    expect(events.length).toBeGreaterThanOrEqual(5);
  });
});
