/**
 * IP allow-lists over real HTTP: enforced at the OAuth endpoints and on every resource call,
 * X-Forwarded-For believed only from a trusted proxy, invalid ranges refused with nothing
 * changed. The test server listens on 127.0.0.1, so "outside the list" is any list without it.
 */
import { basic, call, failure, form, FORM } from './support/http';
import { startTestServer, usedSecret, type TestServer } from './support/server';

let server: TestServer;
let proxied: TestServer;
let core: string;
const OUTSIDE = ['203.0.113.0/24', '2001:db8:4f::/48'];

beforeAll(async () => {
  server = await startTestServer();
  proxied = await startTestServer({ config: { trustProxy: ['loopback'] }, database: server.database });
  core = await server.coreToken();
});
afterAll(async () => {
  await proxied.stop();
  await server.stop();
});

const tokenRequest = (url: string, key: string, secret: string, headers: Record<string, string> = {}) =>
  call(`${url}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(key, secret), ...headers },
    body: form({ grant_type: 'client_credentials' }),
  });
const me = (url: string, authorization: string, headers: Record<string, string> = {}) =>
  call(`${url}/partner/v1/me`, { headers: { authorization, ...headers } });
const tokenCount = async (partnerId: string) =>
  Number((await server.database.db.query<{ n: string }>('SELECT count(*) AS n FROM access_tokens WHERE partner_id = $1', [partnerId]))[0].n);

describe('IP allow-list at the OAuth endpoints', () => {
  it('when a partner calls from outside its list, then the token endpoint answers 400 unauthorized_client 1012 and issues nothing', async () => {
    const partner = await server.partner({ allowedIps: OUTSIDE });
    const answer = await tokenRequest(server.url, partner.key, partner.secret);
    expect([answer.status, answer.body.error, answer.body.code]).toEqual([400, 'unauthorized_client', '1012']);
    expect(answer.body.debugMessage).toBe('Calls for this partner are not accepted from 127.0.0.1');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(await tokenCount(partner.id)).toBe(0);
  });

  it('when the secret is wrong, then the answer is invalid_client and says nothing about the list', async () => {
    const partner = await server.partner({ allowedIps: OUTSIDE });
    const answer = await tokenRequest(server.url, partner.key, 'cs_wrong');
    expect([answer.status, answer.body.error, answer.body.code]).toEqual([401, 'invalid_client', '1004']);
  });

  it('when the list holds the address, then a token is issued; revocation and introspection check the list too', async () => {
    const partner = await server.partner({ allowedIps: ['127.0.0.0/8'] });
    const token = await server.token(partner.key, partner.secret);
    await server.database.db.query('UPDATE partners SET allowed_ips = $2 WHERE id = $1', [partner.id, OUTSIDE]);
    const revoke = await call(`${server.url}/oauth/revoke`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
      body: form({ token }),
    });
    expect([revoke.status, revoke.body.error, revoke.body.code]).toEqual([400, 'unauthorized_client', '1012']);
    const introspector = await server.partner({ scopes: ['core:tokens.introspect'], allowedIps: OUTSIDE });
    const introspect = await call(`${server.url}/oauth/introspect`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(introspector.key, introspector.secret) },
      body: form({ token }),
    });
    expect([introspect.status, introspect.body.error, introspect.body.code]).toEqual([400, 'unauthorized_client', '1012']);
  });
});

describe('IP allow-list on resource calls', () => {
  it('when the list is changed to exclude the caller, then its live token is refused on the next call, and accepted again once restored', async () => {
    const partner = await server.partner({ allowedIps: ['127.0.0.1'] });
    const token = await server.token(partner.key, partner.secret);
    expect((await me(server.url, `Bearer ${token}`)).status).toBe(200);
    await server.sdk({ token: core }).corePartners.updatePartner({ partnerId: partner.id, partnerUpdate: { allowedIps: OUTSIDE } });
    const refused = await me(server.url, `Bearer ${token}`);
    expect([refused.status, refused.body.code, refused.body.success]).toEqual([403, '1012', false]);
    await server.sdk({ token: core }).corePartners.updatePartner({ partnerId: partner.id, partnerUpdate: { allowedIps: [] } });
    expect((await me(server.url, `Bearer ${token}`)).status).toBe(200);
  });

  it('when a Basic caller is outside its list, then it is 403 1012, with the bearer-preferred advice', async () => {
    const partner = await server.partner({ allowedIps: OUTSIDE, basicAllowed: true });
    const answer = await me(server.url, basic(partner.key, partner.secret));
    expect([answer.status, answer.body.code]).toEqual([403, '1012']);
    expect(answer.headers.get('cynod-auth-advice')).toBe('bearer-preferred');
  });
});

describe('X-Forwarded-For', () => {
  it('when no proxy is trusted, then X-Forwarded-For is ignored: the socket address decides', async () => {
    const partner = await server.partner({ allowedIps: ['203.0.113.0/24'] });
    const answer = await tokenRequest(server.url, partner.key, partner.secret, { 'x-forwarded-for': '203.0.113.9' });
    expect([answer.status, answer.body.code]).toEqual([400, '1012']);
  });

  it('when the proxy is trusted, then the forwarded client address decides, for tokens and resources', async () => {
    const partner = await server.partner({ allowedIps: ['203.0.113.0/24'] });
    // The proxy terminated TLS (a forwarded plain-HTTP call from afar is refused: https.test.ts).
    const fromInside = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' };
    const issued = await tokenRequest(proxied.url, partner.key, partner.secret, fromInside);
    expect(issued.status).toBe(200);
    usedSecret(issued.body.access_token);
    expect((await me(proxied.url, `Bearer ${issued.body.access_token}`, fromInside)).status).toBe(200);
    const outside = await me(proxied.url, `Bearer ${issued.body.access_token}`, { 'x-forwarded-for': '198.51.100.4', 'x-forwarded-proto': 'https' });
    expect([outside.status, outside.body.code, outside.body.debugMessage]).toEqual([403, '1012', 'Calls for this partner are not accepted from 198.51.100.4']);
    // The client address is the rightmost untrusted one: a forged left-hand entry does not help.
    const forged = await me(proxied.url, `Bearer ${issued.body.access_token}`, {
      'x-forwarded-for': '203.0.113.9, 198.51.100.4',
      'x-forwarded-proto': 'https',
    });
    expect(forged.status).toBe(403);
  });
});

describe('managing allow-lists', () => {
  const admin = () => server.sdk({ token: core }).corePartners;

  it('when a partner is created with ranges, then they are stored canonical and shown', async () => {
    const created = (await admin().createPartner({ partnerCreate: { name: 'Ecobank', scopes: [], allowedIps: ['203.0.113.7', '2001:DB8:4F::/48'] } })).data;
    usedSecret(created.consumerSecret);
    expect(created.allowedIps).toEqual(['203.0.113.7/32', '2001:db8:4f::/48']);
    expect((await admin().getPartner({ partnerId: created.id })).data.allowedIps).toEqual(['203.0.113.7/32', '2001:db8:4f::/48']);
  });

  it.each([
    [['203.0.113.7/24'], '/body/allowedIps/0'],
    [['10.0.0.0/8', '300.1.1.1'], '/body/allowedIps/1'],
    [['2001:db8::/129'], '/body/allowedIps/0'],
    [['10.0.0.1', '10.0.0.1/32'], '/body/allowedIps'],
  ])('when the list is %j, then create and update answer 400 2001 at %s and nothing changes', async (allowedIps, path) => {
    const before = (await admin().listPartners({ limit: 100 })).data.items.length;
    const create = await failure(admin().createPartner({ partnerCreate: { name: 'Invalide', scopes: [], allowedIps } }));
    expect([create.status, create.body.code, create.body.errors.map((error: { path: string }) => error.path)]).toEqual([400, '2001', [path]]);
    expect((await admin().listPartners({ limit: 100 })).data.items.length).toBe(before);

    const partner = await server.partner({ allowedIps: ['127.0.0.1'] });
    const update = await failure(admin().updatePartner({ partnerId: partner.id, partnerUpdate: { allowedIps } }));
    expect([update.status, update.body.code]).toEqual([400, '2001']);
    expect((await admin().getPartner({ partnerId: partner.id })).data.allowedIps).toEqual(['127.0.0.1/32']);
  });

  it('when the list has more than 100 ranges or a non-address string, then the contract refuses it', async () => {
    const tooMany = Array.from({ length: 101 }, (_, index) => `10.0.${index}.0/24`);
    expect((await failure(admin().createPartner({ partnerCreate: { name: 'Trop', scopes: [], allowedIps: tooMany } }))).status).toBe(400);
    const junk = await failure(admin().createPartner({ partnerCreate: { name: 'Junk', scopes: [], allowedIps: ['<script>'] } }));
    expect([junk.status, junk.body.code]).toEqual([400, '2001']);
  });
});

describe('HTTP Basic advice', () => {
  it('when a call uses Basic, then every answer says bearer is preferred; bearer answers do not', async () => {
    const partner = await server.partner({ basicAllowed: true });
    const ok = await me(server.url, basic(partner.key, partner.secret));
    expect([ok.status, ok.headers.get('cynod-auth-advice')]).toEqual([200, 'bearer-preferred']);
    const wrong = await me(server.url, basic(partner.key, 'cs_wrong'));
    expect([wrong.status, wrong.headers.get('cynod-auth-advice')]).toEqual([401, 'bearer-preferred']);
    const bearer = await me(server.url, `Bearer ${await server.token(partner.key, partner.secret)}`);
    expect([bearer.status, bearer.headers.get('cynod-auth-advice')]).toEqual([200, null]);
  });
});
