/**
 * Scopes taken from a partner stop working on its live tokens at the next call, as a
 * disabled status and a changed IP allow-list already do; introspection shows the effective
 * scopes.
 */
import { basic, call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("when a partner's scopes are reduced while its token is live", () => {
  it('then the token loses the removed scope at once, keeps the others, and introspection says so', async () => {
    const core = await server.coreToken();
    const partner = await server.partner({ scopes: ['partner:profile.read', 'core:networks.read'] });
    const token = await server.token(partner.key, partner.secret);
    const asPartner = { headers: { authorization: `Bearer ${token}` } };
    expect((await call(`${server.url}/core/v1/networks`, asPartner)).status).toBe(200);

    const patched = await call(`${server.url}/core/v1/partners/${partner.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ scopes: ['partner:profile.read'] }),
      headers: { authorization: `Bearer ${core}`, 'content-type': 'application/json' },
    });
    expect(patched.status).toBe(200);

    const refused = await call(`${server.url}/core/v1/networks`, asPartner);
    expect([refused.status, refused.body.code]).toEqual([403, '1006']);
    const me = await call(`${server.url}/partner/v1/me`, asPartner);
    expect([me.status, me.body.data.scopes]).toEqual([200, ['partner:profile.read']]);

    const internal = await server.partner({ scopes: ['core:tokens.introspect'] });
    const introspection = await call(`${server.url}/oauth/introspect`, {
      method: 'POST',
      body: new URLSearchParams({ token }).toString(),
      headers: { authorization: basic(internal.key, internal.secret), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(introspection.body).toMatchObject({ active: true, scope: 'partner:profile.read' });
  });
});
