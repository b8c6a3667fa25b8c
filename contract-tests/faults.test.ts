/**
 * Faults under a money load, on real PostgreSQL (PGlite has one session and cannot show them):
 * PostgreSQL backends terminated again and again under a running server, and the API process
 * killed with SIGKILL mid-load then started again on the same database. 20 clients send
 * payments and regularisations with Idempotency-Keys (some keys twice at once) and retry each
 * with the same key until a final answer. Afterwards (support/keyed-load.ts): every key
 * answered 200 made exactly one operation, the one it answered; none was refused; copies got
 * the same answer; no answer was a 500, every 503 the documented envelope (9999 or 9998)
 * without internals; no key is left claimed; the balances are what the answers say; the
 * ledger's invariants hold.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseUnavailableError } from '../src/db/errors';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { checkLedger } from '../src/domain/ledger/invariants';
import { createPartner } from '../src/domain/partners/partners';
import { oauthScopes } from '../generated/operations';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { basic, call, FORM } from './support/http';
import { expectExactlyOnce, keyedRequests, runKeyedLoad, seenOf, setUpLedger } from './support/keyed-load';
import { startTestServer, usedSecret, type TestServer } from './support/server';

const CLIENTS = 20;
const KEYS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('faults under a keyed money load (PostgreSQL only)', () => {
  let database: TestDatabase;
  afterEach(async () => database?.dispose());

  it('when PostgreSQL terminates the server\'s backends again and again, then the affected requests get 503 9999, the server recovers by itself, and every key retried makes exactly one operation', async () => {
    database = await createTestDatabase({ poolSize: 10 });
    const server: TestServer = await startTestServer({ database });
    const killer = new Client({ connectionString: database.url });
    try {
      const token = await server.coreToken();
      const ledger = await setUpLedger(server.url, token, 'Coupures');
      const requests = keyedRequests(`kill-${randomBytes(3).toString('hex')}`, KEYS, ledger);
      await killer.connect();
      let terminated = 0;
      let loading = true;
      // Every 100-200 ms, every session on the test's database but the killer's own: the server's pool, in and out of transactions.
      const killing = (async () => {
        while (loading) {
          await sleep(100 + Math.floor(Math.random() * 100));
          const [{ n }] = (await killer.query<{ n: number }>(
            'SELECT count(*) FILTER (WHERE t)::int AS n FROM (SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) k',
          )).rows;
          terminated += n;
        }
      })();
      const result = await runKeyedLoad(requests, { clients: CLIENTS, token, target: () => server.url, sendings: () => (Math.random() < 0.1 ? 2 : 1) });
      loading = false;
      await killing;
      await sleep(300); // the pool drops its idle clients whose sessions the last round ended, as it hears of it

      // The faults happened, and were answered as documented.
      expect([terminated > 10, (result.seen.get('503 9999') ?? 0) > 0]).toEqual([true, true]);
      await expectExactlyOnce(database.db, ledger, requests, result);
      // The same server, not restarted, serves again.
      expect((await call(`${server.url}/ready`)).status).toBe(200);
      const after = await runKeyedLoad(keyedRequests(`after-kill-${randomBytes(3).toString('hex')}`, 5, ledger), { clients: 1, token, target: () => server.url, maxAttempts: 1 });
      expect([after.failures, [...after.finals.values()].flat().map((answer) => answer.status)]).toEqual([[], [200, 200, 200, 200, 200]]);
      if (process.env.FAULTS_SUMMARY) process.stdout.write(`backends killed: ${terminated}, ${JSON.stringify(seenOf(result))}\n`);
    } finally {
      await killer.end().catch(() => undefined);
      await server.stop();
    }
  }, 60_000);

  it('when a session ends between two statements of a transaction, then the next statement fails as unavailable (503), the process does not crash, and the pool serves again', async () => {
    database = await createTestDatabase({ poolSize: 2 });
    const killer = new Client({ connectionString: database.url });
    await killer.connect();
    try {
      const failed = database.db.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await killer.query('SELECT pg_terminate_backend($1)', [pid]);
        await sleep(200); // the FATAL reaches the client while no statement is running: its 'error' event
        return tx.query('SELECT 1');
      });
      await expect(failed).rejects.toBeInstanceOf(DatabaseUnavailableError);
      expect(await database.db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await killer.end();
    }
  });

  it('when the API process is killed while a keyed payment waits on a lock, then its claim lasts until PostgreSQL ends that transaction: the retry on a new process is 409 4030 meanwhile, then makes the payment once', async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, { name: 'Back-office CYNOD', scopes: Object.keys(oauthScopes), internal: true });
    usedSecret(consumerSecret);
    const env = { DATABASE_URL: database.url!, CARD_HASH_KEY: randomBytes(32).toString('base64'), CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'), DATABASE_LOCK_TIMEOUT_MS: '20000' };
    const first = startApiProcess(env);
    let second: ApiProcess | undefined;
    const blocker = new Client({ connectionString: database.url });
    try {
      const firstUrl = await first.url;
      const token = (await call(`${firstUrl}/oauth/token`, { method: 'POST', headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) }, body: 'grant_type=client_credentials' })).body.access_token as string;
      usedSecret(token);
      const ledger = await setUpLedger(firstUrl, token, 'Verrou', 1);
      const [request] = keyedRequests(`dead-claim-${randomBytes(3).toString('hex')}`, 1, ledger);
      const send = (url: string) =>
        call(url + request.path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': request.key, 'content-type': 'application/json' }, body: JSON.stringify(request.body) });
      const advisoryLocks = async () => (await database.db.query("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).length;
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ledger_accounts IN ACCESS EXCLUSIVE MODE');
      const cut = send(firstUrl).then(() => 'answered', () => 'cut');
      await sleep(500);
      expect(await advisoryLocks()).toBe(1); // the key is claimed; its work waits on the lock
      first.kill('SIGKILL');
      expect([await cut, (await first.exit).signal]).toEqual(['cut', 'SIGKILL']);
      second = startApiProcess(env);
      const secondUrl = await second.url;
      // The dead process's backend still waits on the lock, in its transaction: the key is still claimed.
      const meanwhile = await send(secondUrl);
      expect([meanwhile.status, meanwhile.body.code, meanwhile.headers.get('retry-after')]).toEqual([409, '4030', '1']);
      await blocker.query('COMMIT');
      let final = meanwhile;
      for (let attempt = 0; attempt < 200 && final.status === 409 && final.body.code === '4030'; attempt++) {
        await sleep(25);
        final = await send(secondUrl);
      }
      expect([final.status, final.headers.get('idempotent-replayed')]).toEqual([200, null]); // the dead one's transaction never committed: this one ran
      const made = await database.db.query<{ id: string }>('SELECT id FROM ledger_operations WHERE receipt_number = $1 OR reason = $1', [request.mark]);
      expect(made.map((row) => row.id)).toEqual([final.body.data.id]);
      expect(await advisoryLocks()).toBe(0);
      expect((await checkLedger(database.db, SYSTEM_ACTORS.system)).filter((check) => check.violations.length > 0)).toEqual([]);
    } finally {
      await blocker.end().catch(() => undefined);
      first.kill('SIGKILL');
      const last = second as ApiProcess | undefined;
      last?.kill('SIGTERM');
      await Promise.all([first.exit, last?.exit]);
    }
  }, 30_000);

  it('when the API process is killed with SIGKILL mid-load and started again on the same database, then every key retried completes exactly once and none stays in flight', async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, { name: 'Back-office CYNOD', scopes: Object.keys(oauthScopes), internal: true });
    usedSecret(consumerSecret);
    const env = { DATABASE_URL: database.url!, CARD_HASH_KEY: randomBytes(32).toString('base64'), CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const first = startApiProcess(env);
    let second: ApiProcess | undefined;
    try {
      const firstUrl = await first.url;
      const token = (await call(`${firstUrl}/oauth/token`, { method: 'POST', headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) }, body: 'grant_type=client_credentials' })).body.access_token as string;
      usedSecret(token);
      const ledger = await setUpLedger(firstUrl, token, 'Arret');
      const requests = keyedRequests(`sigkill-${randomBytes(3).toString('hex')}`, KEYS, ledger);
      let current: Promise<string> = first.url;
      let killedAt = 0;
      const result = await runKeyedLoad(requests, {
        clients: CLIENTS,
        token,
        target: () => current,
        sendings: () => (Math.random() < 0.1 ? 2 : 1),
        onAnswer: (answered) => {
          if (answered !== 120) return;
          // Mid-load: 20 requests in flight, some inside their transaction, some committed and not yet answered.
          killedAt = answered;
          first.kill('SIGKILL');
          current = first.exit.then(() => (second = startApiProcess(env)).url);
        },
      });
      expect([killedAt, (await first.exit).signal, (result.seen.get('transport') ?? 0) > 0]).toEqual([120, 'SIGKILL', true]);
      await expectExactlyOnce(database.db, ledger, requests, result);
      if (process.env.FAULTS_SUMMARY) process.stdout.write(`${JSON.stringify(seenOf(result))}\n`);
    } finally {
      first.kill('SIGKILL');
      const last = second as ApiProcess | undefined;
      last?.kill('SIGTERM');
      await Promise.all([first.exit, last?.exit]);
    }
  }, 60_000);
});
