/** The SDK as partners use it: the token helper and the example script, against a real server. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ClientCredentialsTokenProvider, PartnerApi } from '../generated/sdk';
import { startTestServer, type TestServer } from './support/server';

let server: TestServer;
let partner: { id: string; key: string; secret: string };
const issuedTokens = async () => (await server.database.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_tokens'))[0].n;

beforeAll(async () => {
  server = await startTestServer({ config: { tokenTtlSeconds: 600 } });
  partner = await server.partner({ name: 'Flotte Connect' });
});
afterAll(() => server.stop());

describe('ClientCredentialsTokenProvider', () => {
  it('when calls follow each other, then one token serves them until shortly before it expires', async () => {
    let now = Date.now();
    const tokens = new ClientCredentialsTokenProvider({ basePath: server.url, consumerKey: partner.key, consumerSecret: partner.secret, refreshMarginSeconds: 60, now: () => now });
    const api = new PartnerApi(tokens.configuration());
    const before = await issuedTokens();

    await Promise.all([api.getPartnerMe(), api.getPartnerMe(), api.getPartnerMe()]);
    await api.getPartnerMe();
    expect(await issuedTokens()).toBe(before + 1);

    now += 535_000; // about 64 s before expiry (expires_in may round down a second): still kept
    await api.getPartnerMe();
    expect(await issuedTokens()).toBe(before + 1);

    now += 10_000; // about 54 s before expiry: inside the margin, a new token
    const me = await api.getPartnerMe();
    expect(await issuedTokens()).toBe(before + 2);
    expect(me.data.partnerId).toBe(partner.id);
  });

  it('when the credentials are wrong, then the call fails with the token endpoint error', async () => {
    const tokens = new ClientCredentialsTokenProvider({ basePath: server.url, consumerKey: partner.key, consumerSecret: 'cs_wrong' });
    await expect(tokens.accessToken()).rejects.toMatchObject({ response: { status: 401 } });
  });
});

describe('the SDK example script', () => {
  it('when run against a server with valid credentials, then it prints who the partner is', async () => {
    const root = join(__dirname, '..');
    const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [join(root, 'generated/sdk/examples/demo.ts')], {
      env: { ...process.env, CYNOD_BASE_URL: server.url, CYNOD_CONSUMER_KEY: partner.key, CYNOD_CONSUMER_SECRET: partner.secret },
    });
    expect(stdout).toContain(`Connected as Flotte Connect (${partner.id}) with scopes: partner:profile.read`);
  });
});
