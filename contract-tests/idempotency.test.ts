/**
 * Idempotency-Key on money-moving POSTs (draft-ietf-httpapi-idempotency-key-header): missing
 * is 400, a replay answers the first answer marked Idempotent-Replayed, another request with
 * the key is 422, concurrent duplicates make one operation, and refusals are replayed too.
 */
import { randomUUID } from 'node:crypto';
import { CardService, RechargeMode } from '../generated/sdk';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { purgeIdempotencyKeys } from '../src/domain/idempotency';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let token: string;
let cardId: string;
const xof = (value: number) => ({ value, unit: 'XOF' });
const post = (path: string, body: object, idempotencyKey?: string, bearer = token) =>
  call(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
    body: JSON.stringify(body),
  });
const regularisation = (value: number, direction = 'credit') => ({ cardId, direction, amount: xof(value), reason: 'Essai' });
const operationCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const core = server.sdk({ token });
  const networkId = (await core.coreReferential.createNetwork({ networkCreate: { code: 'RES-IDEM', name: 'Réseau idempotence' } })).data.id;
  const clientId = (await core.coreReferential.createClient({ clientCreate: { networkId, code: 'IDEM', name: 'Idem SA' } })).data.id;
  const profileId = (await core.coreCards.createCardProfile({
    cardProfileCreate: { code: 'IDEM', label: 'Idem', validityMonths: 12, rechargeMode: RechargeMode.Manual, monthlyOfflineCap: xof(1000), allowedServices: [CardService.Fuel], allowedUnits: ['XOF'] },
  })).data.id;
  cardId = (await core.coreCards.issueCard({ cardIssue: { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250707080911' } } })).data.id;
});
afterEach(async () => {
  expect((await checkLedger(server.database.db, SYSTEM_ACTORS.system)).filter((result) => result.violations.length > 0)).toEqual([]);
});
afterAll(() => server.stop());

describe('Idempotency-Key', () => {
  it('when it is missing, then 400 2010 and nothing moves', async () => {
    const before = await operationCount();
    const answer = await post('/core/v1/regularisations', regularisation(100));
    expect([answer.status, answer.body.code]).toEqual([400, '2010']);
    expectDocumented('createRegularisation', 400, answer.body);
    expect(await operationCount()).toBe(before);
  });

  it('when a request is sent again with its key, then the first answer is replayed, marked, and one operation exists', async () => {
    const key = randomUUID();
    const first = await post('/core/v1/regularisations', regularisation(250), key);
    const again = await post('/core/v1/regularisations', { ...regularisation(250) }, key);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect([again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 'true']);
    expect(again.body.data).toEqual(first.body.data);
    expect((await server.database.db.query('SELECT 1 FROM ledger_operations WHERE id = $1', [first.body.data.id])).length).toBe(1);
    expect((await server.database.db.query("SELECT count(*)::int AS n FROM ledger_operations WHERE type = 'regularisation' AND amount = 250"))[0]).toEqual({ n: 1 });
  });

  it('when the key is reused for another body or another operation, then 422 4031 and nothing moves', async () => {
    const key = randomUUID();
    await post('/core/v1/regularisations', regularisation(300), key);
    const before = await operationCount();
    const otherBody = await post('/core/v1/regularisations', regularisation(301), key);
    const otherOperation = await post('/core/v1/fees', { cardId, amount: xof(300), reason: 'Essai' }, key);
    expect([otherBody.status, otherBody.body.code, otherOperation.status, otherOperation.body.code]).toEqual([422, '4031', 422, '4031']);
    expectDocumented('createFee', 422, otherOperation.body);
    expect(await operationCount()).toBe(before);
  });

  it('when keys are scoped per caller, then another caller with the same key makes its own operation', async () => {
    const key = randomUUID();
    const otherToken = await server.coreToken();
    const mine = await post('/core/v1/regularisations', regularisation(50), key);
    const theirs = await post('/core/v1/regularisations', regularisation(50), key, otherToken);
    expect([mine.status, theirs.status, theirs.headers.get('idempotent-replayed')]).toEqual([200, 200, null]);
    expect(theirs.body.data.id).not.toBe(mine.body.data.id);
  });

  it('when a refused request is retried with its key, then the refusal is replayed even if it would now succeed', async () => {
    const key = randomUUID();
    const balance = (await server.database.db.query<{ posted: string }>("SELECT posted::text FROM ledger_accounts WHERE card_id = $1", [cardId]))[0].posted;
    const refused = await post('/core/v1/fees', { cardId, amount: xof(Number(balance) + 1), reason: 'Trop' }, key);
    expect([refused.status, refused.body.code]).toEqual([409, '4010']);
    await post('/core/v1/regularisations', regularisation(10_000), randomUUID());
    const replay = await post('/core/v1/fees', { cardId, amount: xof(Number(balance) + 1), reason: 'Trop' }, key);
    expect([replay.status, replay.body.code, replay.headers.get('idempotent-replayed')]).toEqual([409, '4010', 'true']);
    expect(replay.body.details).toEqual(refused.body.details);
  });

  it('when duplicates race, then exactly one operation is made and every other answer is its replay or 409 4030 with Retry-After', async () => {
    const key = randomUUID();
    const before = await operationCount();
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/core/v1/regularisations', regularisation(77), key)));
    expect(await operationCount()).toBe(before + 1);
    const firsts = answers.filter((answer) => answer.status === 200 && answer.headers.get('idempotent-replayed') === null);
    expect(firsts).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 200) expect(answer.body.data.id).toBe(firsts[0].body.data.id);
      else {
        expect([answer.status, answer.body.code, answer.headers.get('retry-after')]).toEqual([409, '4030', '1']);
        expectDocumented('createRegularisation', 409, answer.body);
      }
    }
  });

  it('when a key is older than the retention, then the purge forgets it (and only it), and the key then starts a new operation', async () => {
    const [old, fresh] = [randomUUID(), randomUUID()];
    const first = await post('/core/v1/regularisations', regularisation(11), old);
    await post('/core/v1/regularisations', regularisation(12), fresh);
    await server.database.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [old]);
    expect(await purgeIdempotencyKeys(server.database.db, SYSTEM_ACTORS.system, 48)).toBe(0);
    expect(await purgeIdempotencyKeys(server.database.db, SYSTEM_ACTORS.system, 24)).toBe(1);
    const keys = (await server.database.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [[old, fresh]])).map((row) => row.key);
    expect(keys).toEqual([fresh]);
    const after = await post('/core/v1/regularisations', regularisation(11), old);
    expect([after.status, after.headers.get('idempotent-replayed')]).toEqual([200, null]);
    expect(after.body.data.id).not.toBe(first.body.data.id);
  });
});
