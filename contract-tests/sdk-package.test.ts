/** The SDK as partners use it: the token helper and the example script, against a real server. */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
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
    const tokens = new ClientCredentialsTokenProvider({
      basePath: server.url,
      consumerKey: partner.key,
      consumerSecret: partner.secret,
      refreshMarginSeconds: 60,
      now: () => now,
    });
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
  const root = join(__dirname, '..');
  /** `npm run sdk:example` with these settings (and none of the CYNOD_ ones from the caller). */
  async function runExample(settings: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CYNOD_')));
    try {
      const { stdout, stderr } = await promisify(execFile)('npm', ['run', '-s', 'sdk:example'], { cwd: root, env: { ...env, ...settings } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  it('when run against a server with valid credentials, then it prints who the partner is', async () => {
    const { code, stdout } = await runExample({ CYNOD_BASE_URL: server.url, CYNOD_CONSUMER_KEY: partner.key, CYNOD_CONSUMER_SECRET: partner.secret });
    expect(code).toBe(0);
    expect(stdout).toContain(`Connected as Flotte Connect (${partner.id}) with scopes: partner:profile.read`);
  });

  it('when CYNOD_BASE_URL is not set, then it prints one line saying what to set and exits 1, without a stack trace', async () => {
    const { code, stdout, stderr } = await runExample({ CYNOD_CONSUMER_KEY: partner.key, CYNOD_CONSUMER_SECRET: partner.secret });
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^set CYNOD_BASE_URL, e\.g\. CYNOD_BASE_URL=http:\/\/127\.0\.0\.1:8080 CYNOD_CONSUMER_KEY=ck_\.\.\. /),
    ]);
  });

  it('when nothing is set, then the line names the three settings', async () => {
    const { code, stderr } = await runExample({});
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^set CYNOD_BASE_URL, CYNOD_CONSUMER_KEY, CYNOD_CONSUMER_SECRET, e\.g\. /)]);
  });

  it('when no server answers at CYNOD_BASE_URL, then it says so in one line and exits 1', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as { port: number };
    await new Promise((done) => closed.close(done));
    const { code, stderr } = await runExample({
      CYNOD_BASE_URL: `http://127.0.0.1:${port}`,
      CYNOD_CONSUMER_KEY: partner.key,
      CYNOD_CONSUMER_SECRET: partner.secret,
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `no answer from CYNOD_BASE_URL=http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is the server running? npm start)`,
    ]);
  });
});
