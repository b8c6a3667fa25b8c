/** Core API: networks, clients and their audit trail, over real HTTP through the SDK. */
import { oauthScopes } from '../generated/operations';
import { expectDocumented } from './support/contract';
import { call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let token: string;
let backOffice: { id: string };
const core = () => server.sdk({ token });
const counts = async () =>
  (
    await server.database.db.query<{ n: number; t: string }>(
      `SELECT 'networks' AS t, count(*)::int AS n FROM networks UNION ALL SELECT 'clients', count(*)::int FROM clients UNION ALL SELECT 'audit', count(*)::int FROM audit_events`,
    )
  )
    .map((row) => `${row.t}=${row.n}`)
    .join(' ');

beforeAll(async () => {
  server = await startTestServer();
  const partner = await server.partner({ name: 'Back-office CYNOD', scopes: Object.keys(oauthScopes) });
  backOffice = partner;
  token = await server.token(partner.key, partner.secret);
});
afterAll(() => server.stop());

describe('networks', () => {
  it('when a network is created, read, updated, then every step answers the current network', async () => {
    const created = await core().coreReferential.createNetwork({ networkCreate: { code: 'RES-BOUAKE', name: 'Réseau Bouaké' } });
    expect(created.data).toMatchObject({ code: 'RES-BOUAKE', name: 'Réseau Bouaké' });
    expect(created.data.id).toMatch(/^net_[0-9a-f]{24}$/);

    const read = await core().coreReferential.getNetwork({ networkId: created.data.id });
    expect(read.data).toEqual(created.data);

    const updated = await core().coreReferential.updateNetwork({ networkId: created.data.id, networkUpdate: { name: 'Réseau Grand Bouaké' } });
    expect(updated.data).toMatchObject({ id: created.data.id, code: 'RES-BOUAKE', name: 'Réseau Grand Bouaké' });
  });

  it('when a code is taken, then creating another network with it is 409 4002 and nothing changes', async () => {
    await core().coreReferential.createNetwork({ networkCreate: { code: 'RES-SAN-PEDRO', name: 'Réseau San-Pédro' } });
    const before = await counts();
    const answer = await failure(core().coreReferential.createNetwork({ networkCreate: { code: 'RES-SAN-PEDRO', name: 'Autre' } }));
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('4002');
    expectDocumented('createNetwork', 409, answer.body);
    expect(await counts()).toBe(before);
  });

  it('when an id is unknown or of another kind, then it is 404 3002 or 400', async () => {
    const unknown = await failure(core().coreReferential.getNetwork({ networkId: 'net_000000000000000000000000' }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('3002');
    const foreign = await call(`${server.url}/core/v1/networks/cli_0a1b2c3d4e5f6a7b8c9d0e1f`, { headers: { authorization: `Bearer ${token}` } });
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].path).toBe('/path/networkId');
  });

  it('when networks are listed by pages, then every network comes once, in creation order, even as new ones arrive', async () => {
    for (const code of ['PG-A', 'PG-B', 'PG-C']) await core().coreReferential.createNetwork({ networkCreate: { code, name: code } });
    const seen: string[] = [];
    let cursor: string | undefined;
    let added = false;
    do {
      const page = await core().coreReferential.listNetworks({ limit: 2, cursor });
      expectDocumented('listNetworks', 200, JSON.parse(JSON.stringify(page)));
      seen.push(...page.data.items.map((network) => network.code));
      cursor = page.data.nextCursor ?? undefined;
      if (!added) {
        await core().coreReferential.createNetwork({ networkCreate: { code: 'PG-LATE', name: 'Arrivé pendant la lecture' } });
        added = true;
      }
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(-4)).toEqual(['PG-A', 'PG-B', 'PG-C', 'PG-LATE']);
  });

  it('when the cursor was not given by the API or the limit is out of range, then it is 400', async () => {
    const badCursor = await call(`${server.url}/core/v1/networks?cursor=bm90LWEtc2Vx`, { headers: { authorization: `Bearer ${token}` } });
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].path).toBe('/query/cursor');
    const badLimit = await call(`${server.url}/core/v1/networks?limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    expect(badLimit.status).toBe(400);
  });
});

describe('clients', () => {
  let networkId: string;
  beforeAll(async () => {
    networkId = (await core().coreReferential.createNetwork({ networkCreate: { code: 'RES-YAMOUSSOUKRO', name: 'Réseau Yamoussoukro' } })).data.id;
  });

  it('when a client is created in a network, then it is active and listed under that network', async () => {
    const created = await core().coreReferential.createClient({
      clientCreate: { networkId, code: 'TRANSPORTS-KONE', name: 'Transports Koné', phone: '+2250701020304' },
    });
    expect(created.data).toMatchObject({ networkId, status: 'active', phone: '+2250701020304' });
    const listed = await core().coreReferential.listClients({ networkId });
    expect(listed.data.items.map((client) => client.id)).toEqual([created.data.id]);
    expect((await core().coreReferential.getClient({ clientId: created.data.id })).data).toEqual(created.data);
    const unknown = await failure(core().coreReferential.getClient({ clientId: 'cli_000000000000000000000000' }));
    expect([unknown.status, unknown.body.code]).toEqual([404, '3003']);
  });

  it('when the network does not exist, then creating a client is 404 3002 and nothing changes', async () => {
    const before = await counts();
    const answer = await failure(
      core().coreReferential.createClient({ clientCreate: { networkId: 'net_000000000000000000000000', code: 'ORPHAN', name: 'Orphelin' } }),
    );
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('3002');
    expect(await counts()).toBe(before);
  });

  it.each([
    ['an invalid phone number', { phone: '0701020304' }, '/body/phone'],
    ['a lower-case code', { code: 'lower' }, '/body/code'],
    ['a blank name', { name: '   ' }, '/body/name'],
    ['an undocumented field', { balance: 1000000 }, '/body/balance'],
  ])('when the body has %s, then it is 400 with the field path and nothing changes', async (_label, patch, path) => {
    const before = await counts();
    const body = { networkId, code: 'GOOD-CODE', name: 'Bon nom', ...patch };
    const answer = await call(`${server.url}/core/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('2001');
    expect(answer.body.errors.map((error: { path: string }) => error.path)).toContain(path);
    expect(await counts()).toBe(before);
  });

  it('when a client is deactivated and activated, then each is recorded, and repeating one is 409 4001', async () => {
    const client = (await core().coreReferential.createClient({ clientCreate: { networkId, code: 'SOCOPAO', name: 'Socopao' } })).data;
    const deactivated = await core().coreReferential.deactivateClient({ clientId: client.id });
    expect(deactivated.data.status).toBe('inactive');
    expect((await core().coreReferential.listClients({ networkId, status: 'inactive' })).data.items.map((c) => c.id)).toEqual([client.id]);

    const again = await failure(core().coreReferential.deactivateClient({ clientId: client.id }));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('4001');

    const activated = await core().coreReferential.activateClient({ clientId: client.id });
    expect(activated.data.status).toBe('active');
  });

  it('when a client is updated, then the audit trail holds who, what, before, after and the request id', async () => {
    const client = (await core().coreReferential.createClient({ clientCreate: { networkId, code: 'LIBYA-OIL-FLEET', name: 'Flotte Libya Oil' } })).data;
    const raw = await core().coreReferential.updateClientRaw({ clientId: client.id, clientUpdate: { phone: '+2250505060708' } });
    const requestId = raw.raw.headers.get('x-request-id');

    const events = await core().coreAudit.listAuditEvents({ resourceType: 'client', resourceId: client.id });
    expectDocumented('listAuditEvents', 200, JSON.parse(JSON.stringify(events)));
    expect(events.data.items.map((event) => event.action)).toEqual(['client.created', 'client.updated']);
    const update = events.data.items[1];
    expect(update).toMatchObject({ actor: { id: backOffice.id, name: 'Back-office CYNOD' }, channel: 'api', requestId });
    expect(update.before).not.toHaveProperty('phone');
    expect(update.after).toMatchObject({ phone: '+2250505060708' });

    const byAction = await core().coreAudit.listAuditEvents({ action: 'client.updated', resourceId: client.id });
    expect(byAction.data.items).toHaveLength(1);
    const future = await core().coreAudit.listAuditEvents({ resourceId: client.id, from: new Date(Date.now() + 3600_000) });
    expect(future.data.items).toHaveLength(0);
  });

  it('when the token lacks the client scopes, then reading and writing clients is 403', async () => {
    const partner = await server.partner({ name: 'Partenaire', scopes: ['partner:profile.read'] });
    const partnerToken = await server.token(partner.key, partner.secret);
    const answer = await failure(server.sdk({ token: partnerToken }).coreReferential.listClients({}));
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('1006');
  });
});
