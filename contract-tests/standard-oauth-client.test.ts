/** A standard OAuth 2.0 client library (simple-oauth2), used as documented, gets a token and calls the API. */
import { ClientCredentials } from 'simple-oauth2';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partner: { id: string; key: string; secret: string };

beforeAll(async () => {
  server = await startTestServer();
  partner = await server.partner({ name: 'Flotte Express' });
});
afterAll(() => server.stop());

describe.each(['header', 'body'] as const)('when simple-oauth2 authenticates the client in the %s', (authorizationMethod) => {
  it('then it obtains a bearer token that calls /partner/v1/me, and revokes it', async () => {
    const client = new ClientCredentials({
      client: { id: partner.key, secret: partner.secret },
      auth: { tokenHost: server.url, tokenPath: '/oauth/token' },
      options: { authorizationMethod },
    });
    const accessToken = await client.getToken({ scope: 'partner:profile.read' });
    expect(accessToken.expired()).toBe(false);
    expect(accessToken.token.token_type).toBe('Bearer');

    const me = await call(`${server.url}/partner/v1/me`, { headers: { authorization: `Bearer ${accessToken.token.access_token}` } });
    expect(me.status).toBe(200);
    expect(me.body.data.partnerId).toBe(partner.id);

    // The library's own revocation (RFC 7009, revokePath defaults to /oauth/revoke).
    await accessToken.revoke('access_token');
    const after = await call(`${server.url}/partner/v1/me`, { headers: { authorization: `Bearer ${accessToken.token.access_token}` } });
    expect(after.status).toBe(401);
  });

  it('then a wrong secret is reported by the library as an OAuth error', async () => {
    const client = new ClientCredentials({
      client: { id: partner.key, secret: 'cs_wrong' },
      auth: { tokenHost: server.url, tokenPath: '/oauth/token' },
      options: { authorizationMethod },
    });
    await expect(client.getToken({})).rejects.toMatchObject({ data: { payload: { error: 'invalid_client' } } });
  });
});
