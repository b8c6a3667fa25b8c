/** GET /partner/v1/me: the first secured operation, with bearer tokens, Basic and scopes. */
import { expectDocumented } from './support/contract';
import { basic, call, failure } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partner: { id: string; key: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  partner = await server.partner({ name: 'MTN Mobile Money' });
});
afterAll(() => server.stop());

const meUrl = () => `${server.url}/partner/v1/me`;

describe('when a partner calls with a valid bearer token', () => {
  it('then it sees its own id, name, scopes and token expiry in the success envelope', async () => {
    const token = await server.token(partner.key, partner.secret);
    const answer = await server.sdk({ token }).partner.getPartnerMe();

    expect(answer).toMatchObject({ success: true, code: '0000', message: 'Opération réussie' });
    expect(answer.data).toMatchObject({ partnerId: partner.id, name: 'MTN Mobile Money', scopes: ['partner:profile.read'], authMethod: 'bearer' });
    expect(new Date(answer.data.tokenExpiresAt!).getTime()).toBeGreaterThan(Date.now());
  });

  it('then the message is in English when the request asks for it, and the request id is echoed', async () => {
    const token = await server.token(partner.key, partner.secret);
    const answer = await call(meUrl(), { headers: { authorization: `Bearer ${token}`, 'accept-language': 'en', 'x-request-id': 'partner-trace-42' } });
    expect(answer.body.message).toBe('Operation successful');
    expect(answer.headers.get('x-request-id')).toBe('partner-trace-42');
    expectDocumented('getPartnerMe', 200, answer.body);
  });
});

describe('when the caller has no valid credential', () => {
  it('then no token is 401 with the envelope and a Bearer challenge', async () => {
    const answer = await failure(server.sdk().partner.getPartnerMe());
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="cynod"');
    expect(answer.body).toMatchObject({ success: false, code: '1001', moreInfo: '/docs#error-1001' });
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    expectDocumented('getPartnerMe', 401, answer.body);
  });

  it('then an unknown token is 401 invalid_token with code 1002', async () => {
    const answer = await failure(server.sdk({ token: 'not-a-real-token' }).partner.getPartnerMe());
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('1002');
    expect(answer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('then a token in the query string is refused, not used', async () => {
    const token = await server.token(partner.key, partner.secret);
    const answer = await call(`${meUrl()}?access_token=${token}`);
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('1001');
  });

  it('then an unknown authorization scheme is 401', async () => {
    const answer = await call(meUrl(), { headers: { authorization: 'Digest username="x"' } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('1001');
  });
});

describe('when the credential lacks the scope', () => {
  it('then a token without partner:profile.read is 403 insufficient_scope', async () => {
    const scopeless = await server.partner({ name: 'Sans droits', scopes: [] });
    const token = await server.token(scopeless.key, scopeless.secret);
    const answer = await failure(server.sdk({ token }).partner.getPartnerMe());
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('1006');
    expect(answer.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expectDocumented('getPartnerMe', 403, answer.body);
  });
});

describe('when a partner uses HTTP Basic on a resource', () => {
  it('then it is refused with 403 unless Basic is enabled for it', async () => {
    const answer = await failure(server.sdk({ key: partner.key, secret: partner.secret }).partner.getPartnerMe());
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('1005');
  });

  it('then a partner allowed to use Basic is served, with the partner scopes', async () => {
    const basicPartner = await server.partner({ name: 'Banque Atlantique', basicAllowed: true });
    const answer = await server.sdk({ key: basicPartner.key, secret: basicPartner.secret }).partner.getPartnerMe();
    expect(answer.data).toMatchObject({ partnerId: basicPartner.id, authMethod: 'basic', tokenExpiresAt: null });
  });

  it('then wrong Basic credentials are 401 with a Basic challenge', async () => {
    const answer = await call(meUrl(), { headers: { authorization: basic(partner.key, 'cs_wrong') } });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe('1004');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="cynod"/);
  });
});
