/**
 * Idempotency-Key on money-moving POSTs (draft-ietf-httpapi-idempotency-key-header): missing
 * is 400, a replay answers the first answer marked Idempotent-Replayed, another request with
 * the key is 422, concurrent duplicates make one operation, and refusals are replayed too.
 */
import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { purgeIdempotencyKeys } from '../src/domain/idempotency';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { checkLedgerAfterEach, issueCard, newClientWorld, newEnergyType, xof } from './support/world';

let server: TestServer;
let token: string;
let cardId: string;
let clientId: string;
let profileId: string;
const post = (path: string, body: object, idempotencyKey?: string, bearer = token) =>
  call(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${bearer}`,
      'content-type': 'application/json',
      ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }),
    },
    body: JSON.stringify(body),
  });
const regularisation = (value: number, direction = 'credit') => ({ cardId, direction, amount: xof(value), reason: 'Essai' });
const operationCount = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_operations'))[0].n;

beforeAll(async () => {
  server = await startTestServer();
  token = await server.coreToken();
  const core = server.sdk({ token });
  ({ clientId, profileId } = await newClientWorld(core, 'IDEM'));
  await newEnergyType(core, 'GASOIL');
  cardId = (await issueCard(core, { clientId, profileId })).id;
});
checkLedgerAfterEach(() => server.database.db);
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
    expect((await server.database.db.query("SELECT count(*)::int AS n FROM ledger_operations WHERE type = 'regularisation' AND amount = 250"))[0]).toEqual({
      n: 1,
    });
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
    const balance = (await server.database.db.query<{ posted: string }>('SELECT posted::text FROM ledger_accounts WHERE card_id = $1', [cardId]))[0].posted;
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
    const keys = (await server.database.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [[old, fresh]])).map(
      (row) => row.key,
    );
    expect(keys).toEqual([fresh]);
    const after = await post('/core/v1/regularisations', regularisation(11), old);
    expect([after.status, after.headers.get('idempotent-replayed')]).toEqual([200, null]);
    expect(after.body.data.id).not.toBe(first.body.data.id);
  });
});

describe('Idempotency-Key on the POSTs that create (voucher entry among them)', () => {
  const count = async (table: string) => (await server.database.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
  const voucher = () => ({ type: 'recharge', lines: [{ cardId, amount: xof(100) }], reason: 'Dotation' });
  const storedAnswer = async (key: string) => JSON.stringify((await server.database.db.query('SELECT answer FROM idempotency_keys WHERE key = $1', [key]))[0]);

  it('when a voucher is entered without a key, then 400 2010 and no voucher is entered', async () => {
    const before = await count('orders');
    const answer = await post('/core/v1/orders', voucher());
    expect([answer.status, answer.body.code]).toEqual([400, '2010']);
    expectDocumented('createOrder', 400, answer.body);
    expect(await count('orders')).toBe(before);
  });

  it('when a timed-out voucher entry is retried with its key, then one voucher exists and the retry replays it; another voucher with the key is 422', async () => {
    const key = randomUUID();
    const before = await count('orders');
    const first = await post('/core/v1/orders', voucher(), key);
    const again = await post('/core/v1/orders', voucher(), key);
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(again.body.data).toEqual(first.body.data);
    expectDocumented('createOrder', 200, again.body);
    expect(await count('orders')).toBe(before + 1);
    const other = await post('/core/v1/orders', { ...voucher(), reason: 'Autre' }, key);
    expect([other.status, other.body.code]).toEqual([422, '4031']);
    expectDocumented('createOrder', 422, other.body);
    expect(await count('orders')).toBe(before + 1);
  });

  it('when voucher entries with one key race, then exactly one voucher is entered and the others replay it or are 409 4030', async () => {
    const key = randomUUID();
    const before = await count('orders');
    const answers = await Promise.all(Array.from({ length: 8 }, () => post('/core/v1/orders', voucher(), key)));
    expect(await count('orders')).toBe(before + 1);
    const ids = new Set(answers.filter((answer) => answer.status === 200).map((answer) => answer.body.data.id));
    expect(ids.size).toBe(1);
    for (const answer of answers.filter((item) => item.status !== 200)) {
      expect([answer.status, answer.body.code, answer.headers.get('retry-after')]).toEqual([409, '4030', '1']);
      expectDocumented('createOrder', 409, answer.body);
    }
  });

  const n = () => randomUUID().slice(0, 8).toUpperCase();
  it.each<[string, string, string, () => object]>([
    ['issueCard', '/core/v1/cards', 'cards', () => ({ clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250707080911' } })],
    ['createVehicle', '/core/v1/vehicles', 'vehicles', () => ({ clientId, registration: `${n()} CI 01`, tankCapacityMl: 60000, energyTypeCode: 'GASOIL' })],
    ['createDriver', '/core/v1/drivers', 'drivers', () => ({ clientId, name: 'Bamba Ouattara', phone: '+2250102020202', driverCode: '4821' })],
    ['createNetwork', '/core/v1/networks', 'networks', () => ({ code: `RES-${n()}`, name: 'Réseau' })],
    ['createClient', '/core/v1/clients', 'clients', () => ({ networkId: undefined, code: `CLI-${n()}`, name: 'Client' })],
    [
      'createCardProfile',
      '/core/v1/card-profiles',
      'card_profiles',
      () => ({
        code: `P-${n()}`,
        label: 'Profil',
        validityMonths: 12,
        rechargeMode: 'manual',
        monthlyOfflineCap: xof(0),
        allowedServices: ['fuel'],
        allowedUnits: ['XOF'],
      }),
    ],
    ['createPartner', '/core/v1/partners', 'partners', () => ({ name: 'Wave', scopes: ['partner:profile.read'] })],
  ])('when %s is retried with its key, then one is created and the retry replays the first answer', async (operation, path, table, body) => {
    const input = body() as Record<string, unknown>;
    if ('networkId' in input) input.networkId = (await server.sdk({ token }).coreReferential.listNetworks({})).data.items[0].id;
    const key = randomUUID();
    const before = await count(table);
    const first = await post(path, input, key);
    const again = await post(path, input, key);
    expect([first.status, again.status, again.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(again.body.data).toEqual(first.body.data);
    expectDocumented(operation, 200, again.body);
    expect(await count(table)).toBe(before + 1);
  });

  it('when a partner contract is created again with its key, then the first answer is replayed rather than 409 4063', async () => {
    const partner = await server.partner({ name: 'Orange Money' });
    const key = randomUUID();
    const first = await post(`/core/v1/partners/${partner.id}/contracts`, { clientId }, key);
    const again = await post(`/core/v1/partners/${partner.id}/contracts`, { clientId }, key);
    expect([first.status, again.status, again.headers.get('idempotent-replayed'), again.body.data]).toEqual([200, 200, 'true', first.body.data]);
    const unkeyed = await post(`/core/v1/partners/${partner.id}/contracts`, { clientId });
    expect([unkeyed.status, unkeyed.body.code]).toEqual([409, '4063']);
  });

  it('when a creation that shows a secret once is replayed, then the same secret is shown again, and the stored answer keeps it encrypted', async () => {
    const partnerKey = randomUUID();
    const partner = await post('/core/v1/partners', { name: 'MTN MoMo', scopes: ['partner:profile.read'] }, partnerKey);
    const partnerAgain = await post('/core/v1/partners', { name: 'MTN MoMo', scopes: ['partner:profile.read'] }, partnerKey);
    expect(partnerAgain.body.data.consumerSecret).toBe(partner.body.data.consumerSecret);
    expect(await server.token(partner.body.data.consumerKey, partnerAgain.body.data.consumerSecret)).toEqual(expect.any(String));
    expect(await storedAnswer(partnerKey)).not.toContain(partner.body.data.consumerSecret);

    const cardKey = randomUUID();
    const card = await post('/core/v1/cards', { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250707080911' } }, cardKey);
    const cardAgain = await post('/core/v1/cards', { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250707080911' } }, cardKey);
    expect(card.body.data.number).toMatch(/^\d{16}$/);
    expect(cardAgain.body.data.number).toBe(card.body.data.number);
    expect(await storedAnswer(cardKey)).not.toContain(card.body.data.number);

    const driverKey = randomUUID();
    await post('/core/v1/drivers', { clientId, name: 'Koné Ibrahim', phone: '+2250102020203', driverCode: '739105' }, driverKey);
    const [row] = await server.database.db.query<{ fingerprint: string }>('SELECT fingerprint FROM idempotency_keys WHERE key = $1', [driverKey]);
    const { requestFingerprint } = await import('../src/domain/idempotency');
    expect(row.fingerprint).not.toBe(requestFingerprint('createDriver', {}, { clientId, name: 'Koné Ibrahim', phone: '+2250102020203', driverCode: '739105' }));
  });

  it("when a card issue is replayed to a token of the same caller without core:cards.reveal, then the number is not shown; a service point's E-service card number is replayed like a card's", async () => {
    const issuer = await server.partner({ name: 'Émission', scopes: ['core:cards.write', 'core:cards.reveal', 'core:service-points.write'] });
    const full = await server.token(issuer.key, issuer.secret);
    const narrow = await server.token(issuer.key, issuer.secret, 'core:cards.write');
    const key = randomUUID();
    const body = { clientId, profileId, holder: { name: 'Awa Traoré', phone: '+2250707080911' } };
    const shown = await post('/core/v1/cards', body, key, full);
    const replayed = await post('/core/v1/cards', body, key, narrow);
    expect([shown.status, replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([200, 200, 'true']);
    expect(shown.body.data.number).toMatch(/^\d{16}$/);
    expect(replayed.body.data).toEqual({ ...shown.body.data, number: undefined });
    expect(replayed.body.data).not.toHaveProperty('number');

    const networkId = (await server.sdk({ token }).coreReferential.listNetworks({})).data.items[0].id;
    const pointKey = randomUUID();
    const point = { code: `STATION-${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Station Cocody', address: 'Cocody', networkId };
    const created = await post('/core/v1/service-points', point, pointKey, full);
    const again = await post('/core/v1/service-points', point, pointKey, full);
    expect(created.body.data.eServiceCard.number).toMatch(/^\d{16}$/);
    expect(again.body.data).toEqual(created.body.data);
    expect(await storedAnswer(pointKey)).not.toContain(created.body.data.eServiceCard.number);
  });

  it('when a creation is sent twice without a key, then it creates twice (the key is optional outside vouchers)', async () => {
    const before = await count('drivers');
    for (let i = 0; i < 2; i++)
      expect((await post('/core/v1/drivers', { clientId, name: 'Sans clé', phone: '+2250102020204', driverCode: '1234' })).status).toBe(200);
    expect(await count('drivers')).toBe(before + 2);
  });
});
