/** Security events over real HTTP: what is recorded, with whom, from where, and how it is read. */
import { randomBytes } from 'node:crypto';
import { saveAccessToken } from '../src/auth/oauth-model';
import { basic, call, failure, form, FORM } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';

let server: TestServer;
let core: string;
const events = (query: Record<string, string> = {}) =>
  call(`${server.url}/core/v1/security-events?${new URLSearchParams({ limit: '100', ...query })}`, { headers: { authorization: `Bearer ${core}` } });
const eventsOf = async (partnerId: string) => (await events({ partnerId })).body.data.items as Record<string, unknown>[];
/** The events after the partner's creation (server.partner() records partner.created, channel system). */
const afterCreation = async (partnerId: string) =>
  (await eventsOf(partnerId)).filter((event) => !(event.type === 'partner.created' && event.channel === 'system'));
const tokenRequest = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
  call(`${server.url}/oauth/token`, { method: 'POST', headers: { ...FORM, ...headers }, body: form({ grant_type: 'client_credentials', ...fields }) });

beforeAll(async () => {
  server = await startTestServer();
  core = await server.coreToken();
});
afterAll(() => server.stop());

describe('security events', () => {
  it('when a token is issued, then token.issued names the partner, the address, the request and the scopes', async () => {
    const partner = await server.partner();
    const issued = await tokenRequest({}, { authorization: basic(partner.key, partner.secret), 'x-request-id': 'req-sec-issued-1' });
    usedSecret(issued.body.access_token);
    expect(await afterCreation(partner.id)).toEqual([
      expect.objectContaining({
        type: 'token.issued',
        partnerId: partner.id,
        actorId: partner.id,
        channel: 'api',
        address: '127.0.0.1',
        requestId: 'req-sec-issued-1',
        authMethod: 'basic',
        scopes: ['partner:profile.read'],
        reason: null,
      }),
    ]);
  });

  it('when client authentication fails, then auth.failed says why, for a known key only with its partner', async () => {
    const partner = await server.partner();
    await tokenRequest({ client_id: partner.key, client_secret: 'cs_wrong' });
    await tokenRequest({ client_id: 'ck_nobody', client_secret: 'cs_wrong' }, { 'x-request-id': 'req-sec-unknown-key' });
    expect(await afterCreation(partner.id)).toEqual([
      expect.objectContaining({ type: 'auth.failed', partnerId: partner.id, actorId: null, reason: 'wrong-credentials', authMethod: 'body' }),
    ]);
    const unknown = (await events({ type: 'auth.failed' })).body.data.items.filter((event: { requestId: string }) => event.requestId === 'req-sec-unknown-key');
    expect(unknown).toEqual([expect.objectContaining({ partnerId: null, reason: 'wrong-credentials' })]);

    const admin = server.sdk({ token: core }).corePartners;
    await admin.disablePartner({ partnerId: partner.id });
    await tokenRequest({ client_id: partner.key, client_secret: partner.secret });
    expect((await eventsOf(partner.id)).at(-1)).toMatchObject({ type: 'auth.failed', reason: 'partner-disabled' });

    const noBasic = await server.partner();
    await call(`${server.url}/partner/v1/me`, { headers: { authorization: basic(noBasic.key, noBasic.secret) } });
    expect(await afterCreation(noBasic.id)).toEqual([expect.objectContaining({ type: 'auth.failed', reason: 'basic-not-allowed', authMethod: 'basic' })]);
  });

  it('when a bearer token happens to contain "basic", then it is a bearer call: no Basic failure is recorded', async () => {
    const partner = await server.partner();
    const token = `tok_basic${randomBytes(24).toString('base64url')}`;
    await saveAccessToken(server.database.db, { token, partnerId: partner.id, scopes: ['partner:profile.read'], expiresAt: new Date(Date.now() + 60_000) });
    usedSecret(token);
    const answer = await call(`${server.url}/partner/v1/me`, { headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-bearer-basic' } });
    expect([answer.status, answer.headers.get('cynod-auth-advice')]).toEqual([200, null]);
    const failures = (await events({ type: 'auth.failed' })).body.data.items.filter((event: { requestId: string }) => event.requestId === 'req-bearer-basic');
    expect(failures).toEqual([]);
  });

  it('when a partner revokes its token, then token.revoked is recorded; an unknown token records nothing', async () => {
    const partner = await server.partner();
    const token = await server.token(partner.key, partner.secret);
    const revoke = (value: string) =>
      call(`${server.url}/oauth/revoke`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
        body: form({ token: value }),
      });
    expect((await revoke(token)).status).toBe(200);
    expect((await revoke('not-a-token')).status).toBe(200);
    expect((await afterCreation(partner.id)).map((event) => event.type)).toEqual(['token.issued', 'token.revoked']);
  });

  it('when the Core API changes a partner, then partner.* events name the operator and its address', async () => {
    const admin = server.sdk({ token: core }).corePartners;
    const created = (await admin.createPartner({ partnerCreate: { name: 'Société Générale CI', scopes: [] } })).data;
    usedSecret(created.consumerSecret);
    await admin.updatePartner({ partnerId: created.id, partnerUpdate: { allowedIps: ['198.51.100.0/24'] } });
    usedSecret((await admin.rotatePartnerSecret({ partnerId: created.id, secretRotation: { overlapSeconds: 60 } })).data.consumerSecret);
    await admin.disablePartner({ partnerId: created.id });
    await admin.enablePartner({ partnerId: created.id });
    const recorded = await eventsOf(created.id);
    expect(recorded.map((event) => event.type)).toEqual([
      'partner.created',
      'partner.updated',
      'partner.secret-rotated',
      'partner.disabled',
      'partner.enabled',
    ]);
    const operator = recorded[0].actorId as string;
    expect(operator).toMatch(/^ptn_/);
    expect(recorded.every((event) => event.actorId === operator && event.address === '127.0.0.1' && typeof event.requestId === 'string')).toBe(true);
  });

  it('when filtered by type, address and time, and paged, then each page holds what was asked', async () => {
    const partner = await server.partner();
    for (let index = 0; index < 3; index += 1) await server.token(partner.key, partner.secret);
    const first = (await events({ partnerId: partner.id, type: 'token.issued', limit: '2' })).body.data;
    expect(first.items).toHaveLength(2);
    const second = (await events({ partnerId: partner.id, type: 'token.issued', limit: '2', cursor: first.nextCursor })).body.data;
    expect([second.items.length, second.nextCursor]).toEqual([1, null]);
    expect(new Set([...first.items, ...second.items].map((event: { id: string }) => event.id)).size).toBe(3);
    expect((await events({ partnerId: partner.id, address: '198.51.100.1' })).body.data.items).toEqual([]);
    expect((await events({ partnerId: partner.id, address: '127.0.0.1' })).body.data.items).toHaveLength(3);
    expect((await events({ partnerId: partner.id, from: '2999-01-01T00:00:00Z' })).body.data.items).toEqual([]);
  });

  it('when the filters are invalid or the scope missing, then it is 400 or 403 and nothing leaks', async () => {
    const badType = await events({ type: 'token.stolen' });
    expect([badType.status, badType.body.code]).toEqual([400, '2001']);
    const badCursor = await events({ cursor: 'bm90LWEtY3Vyc29y' });
    expect([badCursor.status, badCursor.body.code]).toEqual([400, '2001']);
    const reader = await server.partner({ scopes: ['core:audit.read'] });
    const answer = await failure(server.sdk({ token: await server.token(reader.key, reader.secret) }).coreAudit.listSecurityEvents({}));
    expect([answer.status, answer.body.code]).toEqual([403, '1006']);
  });

  it('when every event is dumped, then no secret or token offered or issued is in it', async () => {
    const partner = await server.partner();
    const token = await server.token(partner.key, partner.secret);
    await tokenRequest({ client_id: partner.key, client_secret: `${partner.secret}x` });
    await tokenRequest({ client_id: partner.secret, client_secret: partner.secret }); // a secret pasted as the key
    const dump =
      JSON.stringify(await server.database.db.query('SELECT * FROM security_events')) +
      JSON.stringify(await server.database.db.query('SELECT * FROM rate_counters'));
    for (const secret of [partner.secret, token]) expect(dump).not.toContain(secret);
  });
});
