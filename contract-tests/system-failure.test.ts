/**
 * A system failure: the database stops under a running server. Calls that need it answer the
 * system envelope (503, code 9999) with nothing internal in the body; liveness stays up.
 */
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer, type TestServer } from './support/server';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

let server: TestServer;
let proxy: TcpProxy | undefined;
let token: string;

let database: TestDatabase | undefined;
beforeAll(async () => {
  if (usingPostgres()) {
    const target = new URL(process.env.DATABASE_URL!);
    const tcpProxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    proxy = tcpProxy;
    database = await createTestDatabase({
      viaUrl: (url) => {
        const proxied = new URL(url);
        proxied.hostname = '127.0.0.1';
        proxied.port = String(tcpProxy.port);
        return proxied.toString();
      },
    });
  }
  server = await startTestServer({ database });
  const partner = await server.partner();
  token = await server.token(partner.key, partner.secret);
  // Stop the database: cut the connection on PostgreSQL, close the embedded engine on PGlite.
  if (proxy) await proxy.cut();
  else await server.database.db.close();
});
afterAll(async () => {
  await server.stop();
  await database?.dispose(); // passed in, so the server leaves it to us
});

/** Nothing that names the database, the host, a file or a stack frame may reach a partner. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/ECONN|postgres|pglite|127\.0\.0\.1|localhost|\.ts:|\bat \w|stack|SELECT|access_tokens|terminated/i);
}

describe('when the database stops under the running server', () => {
  it('then a secured call answers 503 with the system envelope and no internals', async () => {
    const answer = await call(`${server.url}/partner/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ success: false, code: '9999', message: 'Service momentanément indisponible' });
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    expect(answer.headers.get('retry-after')).toBe('5');
    expectDocumented('getPartnerMe', 503, answer.body);
    expectNoInternals(answer.text);
  });

  it('then readiness answers 503 while liveness still answers 200', async () => {
    const ready = await call(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expectDocumented('getReady', 503, ready.body);
    expectNoInternals(ready.text);

    const health = await call(`${server.url}/health`);
    expect(health.status).toBe(200);
  });

  it('then the token endpoint answers temporarily_unavailable in RFC shape', async () => {
    const answer = await call(`${server.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('ck_x:cs_y').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'temporarily_unavailable', success: false, code: '9999' });
    expectDocumented('createToken', 503, answer.body);
    expectNoInternals(answer.text);
  });
});
