/**
 * The process's start and stop, as an operator sees them: a database it cannot reach is one
 * line and exit 1; SIGTERM refuses new connections, lets the request in flight finish and
 * exits 0; past SHUTDOWN_GRACE_SECONDS what is open is cut and the exit is 1; /ready says so
 * while it drains. The server runs
 * as its own process (`node --import tsx src/main.ts`, what `npm start` runs). A request is
 * held in flight by a table lock from another session: PostgreSQL only.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { createPartner } from '../src/domain/partners/partners';
import { startApiProcess } from './support/api-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { expectDocumented } from './support/contract';
import { basic, call, FORM } from './support/http';
import { startTestServer, usedSecret } from './support/server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('when the database cannot be reached at start, then the process says so in one line, without the password, and exits 1', async () => {
  const { exit } = startApiProcess({ DATABASE_URL: 'postgres://cynod:s3cret-pw@127.0.0.1:1/cynod' });
  const { code, output } = await exit;
  expect(code).toBe(1);
  expect(output.trim().split('\n')).toEqual([
    'failed to start: cannot reach postgres://cynod@127.0.0.1:1/cynod (ECONNREFUSED); is PostgreSQL running and DATABASE_URL right?',
  ]);
});

it('when the server is shutting down, then GET /ready answers 503 9999 with Retry-After, and /health still 200', async () => {
  let draining = false;
  const server = await startTestServer({ draining: () => draining });
  try {
    expect((await call(`${server.url}/ready`)).status).toBe(200);
    draining = true;
    const ready = await call(`${server.url}/ready`);
    expect([ready.status, ready.body.code, ready.headers.get('retry-after')]).toEqual([503, '9999', '5']);
    expectDocumented('getReady', 503, ready.body);
    expect((await call(`${server.url}/health`)).status).toBe(200);
  } finally {
    await server.stop();
  }
});

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres("SIGTERM (PostgreSQL only: a request is held in flight by another session's lock)", () => {
  let database: TestDatabase;
  let credentials: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.cli, { name: 'Orange Money', scopes: ['partner:profile.read'] });
    usedSecret(consumerSecret);
    credentials = basic(partner.consumerKey, consumerSecret);
  });
  afterAll(() => database?.dispose());

  /** Starts the server, sends a token request that waits on a lock held by another session, then SIGTERM. */
  async function stopWithRequestInFlight(env: Record<string, string>) {
    const keys = { CARD_HASH_KEY: randomBytes(32).toString('base64'), CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const server = startApiProcess({ DATABASE_URL: database.url as string, ...keys, ...env });
    const url = await server.url;
    const blocker = new Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE partners IN ACCESS EXCLUSIVE MODE');
    // Settled, never rejected: the request may be cut while nobody awaits it yet.
    const inFlight = fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: credentials },
      body: 'grant_type=client_credentials',
    }).then(
      (answer) => ({ answer, error: null }),
      (error: unknown) => ({ answer: null, error }),
    );
    await sleep(500); // the request now waits on the lock
    server.kill('SIGTERM');
    await sleep(300);
    return {
      server,
      url,
      internalUrl: await server.internalUrl,
      inFlight,
      release: async () => void (await blocker.query('COMMIT').finally(() => blocker.end())),
    };
  }

  it('when SIGTERM comes with a request in flight, then new connections are refused, the request finishes, and the process exits 0', async () => {
    const { server, url, inFlight, release } = await stopWithRequestInFlight({});
    await expect(fetch(`${url}/health`)).rejects.toThrow(); // the listener is closed
    await release();
    const { answer } = await inFlight;
    expect([answer?.status, ((await answer?.json()) as { access_token?: string }).access_token?.length]).toEqual([200, expect.any(Number)]);
    const { code, output } = await server.exit;
    expect(code).toBe(0);
    expect(output).toMatch(/shutting down: finishing in-flight requests/);
    expect(output).toMatch(/"msg":"stopped"/);
  });

  it('when SIGTERM comes to a server with an internal listener, then both listeners refuse new connections, the request finishes, and the process exits 0', async () => {
    const { server, url, internalUrl, inFlight, release } = await stopWithRequestInFlight({ INTERNAL_PORT: '0' });
    expect(internalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    await expect(fetch(`${internalUrl}/health`)).rejects.toThrow();
    await release();
    expect((await inFlight).answer?.status).toBe(200);
    expect((await server.exit).code).toBe(0);
  });

  it('when the request in flight outlasts SHUTDOWN_GRACE_SECONDS, then it is cut and the process exits 1, saying so', async () => {
    const { server, inFlight, release } = await stopWithRequestInFlight({ SHUTDOWN_GRACE_SECONDS: '1', DATABASE_LOCK_TIMEOUT_MS: '20000' });
    const { code, output } = await server.exit;
    await release();
    expect(code).toBe(1);
    expect(output).toMatch(/shutdown grace period elapsed: open requests cut/);
    const { answer, error } = await inFlight;
    expect([answer, String(error)]).toEqual([null, 'TypeError: fetch failed']); // the connection was closed under it
  });
});
