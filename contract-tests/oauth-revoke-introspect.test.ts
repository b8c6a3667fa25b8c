/** POST /oauth/revoke (RFC 7009) and POST /oauth/introspect (RFC 7662) over real HTTP. */
import { oauthScopes } from '../generated/operations';
import { expectDocumented } from './support/contract';
import { basic, call, form, FORM } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partner: { id: string; key: string; secret: string };
let internal: { id: string; key: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  partner = await server.partner({ name: 'Orange Money' });
  internal = await server.partner({ name: 'Passerelle terminaux', scopes: Object.keys(oauthScopes) });
});
afterAll(() => server.stop());

const post = (path: string, who: { key: string; secret: string }, fields: Record<string, string>) =>
  call(`${server.url}${path}`, { method: 'POST', headers: { ...FORM, authorization: basic(who.key, who.secret) }, body: form(fields) });
const me = (token: string) => call(`${server.url}/partner/v1/me`, { headers: { authorization: `Bearer ${token}` } });

describe('revocation', () => {
  it('when a partner revokes its token, then the next call with it is refused', async () => {
    const token = await server.token(partner.key, partner.secret);
    expect((await me(token)).status).toBe(200);
    const answer = await post('/oauth/revoke', partner, { token, token_type_hint: 'access_token' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ success: true, code: '0002', message: 'Jeton révoqué' });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expectDocumented('revokeToken', 200, answer.body);
    const refused = await me(token);
    expect([refused.status, refused.body.code]).toEqual([401, '1002']);
  });

  it("when a partner revokes an unknown token or another partner's, then it is 200 and nothing changes", async () => {
    const theirs = await server.token(internal.key, internal.secret);
    expect((await post('/oauth/revoke', partner, { token: 'unknown-token' })).status).toBe(200);
    expect((await post('/oauth/revoke', partner, { token: theirs })).status).toBe(200);
    expect((await me(theirs)).status).toBe(200);
  });

  it('when the client is not authenticated or the token missing, then nothing is revoked', async () => {
    const token = await server.token(partner.key, partner.secret);
    const wrongSecret = await post('/oauth/revoke', { key: partner.key, secret: 'cs_wrong' }, { token });
    expect([wrongSecret.status, wrongSecret.body.error, wrongSecret.body.code]).toEqual([401, 'invalid_client', '1004']);
    const noToken = await post('/oauth/revoke', partner, {});
    expect([noToken.status, noToken.body.error, noToken.body.code]).toEqual([400, 'invalid_request', '1010']);
    const inQuery = await call(`${server.url}/oauth/revoke?token=${token}`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(partner.key, partner.secret) },
      body: '',
    });
    expect(inQuery.status).toBe(400);
    expect((await me(token)).status).toBe(200);
  });
});

describe('introspection', () => {
  it('when an internal client introspects an active token, then it learns its scopes, partner and lifetime', async () => {
    const token = await server.token(partner.key, partner.secret);
    const answer = await post('/oauth/introspect', internal, { token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      active: true,
      scope: 'partner:profile.read',
      client_id: partner.key,
      sub: partner.id,
      token_type: 'Bearer',
      success: true,
    });
    expect(answer.body.exp - answer.body.iat).toBe(3600);
    expectDocumented('introspectToken', 200, answer.body);
  });

  it('when the token is revoked, expired or unknown, then it is only active: false', async () => {
    const revoked = await server.token(partner.key, partner.secret);
    await post('/oauth/revoke', partner, { token: revoked });
    const expired = await server.token(partner.key, partner.secret);
    await server.database.db.query(`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE expires_at > now() AND partner_id = $1`, [
      partner.id,
    ]);
    for (const token of [revoked, expired, 'unknown']) {
      const answer = await post('/oauth/introspect', internal, { token });
      expect(answer.body).toEqual({ active: false, success: true, code: '0000', message: 'Opération réussie' });
    }
  });

  it('when the client lacks core:tokens.introspect, then it is 403 insufficient_scope', async () => {
    const answer = await post('/oauth/introspect', partner, { token: 'anything' });
    expect([answer.status, answer.body.error, answer.body.code]).toEqual([403, 'insufficient_scope', '1006']);
    expectDocumented('introspectToken', 403, answer.body);
  });
});
