/**
 * PostgreSQL sessions ending under a running server, on real PostgreSQL (PGlite has one
 * session and cannot show it): backends terminated again and again while 20 clients send
 * payments and regularisations with Idempotency-Keys (some keys twice at once), each retried
 * with the same key until a final answer; and one session ended between two statements of a
 * transaction. Afterwards (support/keyed-load.ts): every key answered 200 made exactly one
 * operation, the one it answered; none was refused; copies got the same answer; no answer
 * was a 500, every 503 the documented envelope (9999 or 9998) without internals; no key is
 * left claimed; the balances are what the answers say; the ledger's invariants hold.
 * (process-kill.test.ts kills the API process; postgres-restart.test.ts restarts PostgreSQL.)
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DatabaseUnavailableError } from '../src/db/errors';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { call } from './support/http';
import { expectExactlyOnce, keyedRequests, runKeyedLoad, seenOf, setUpLedger } from './support/keyed-load';
import { startTestServer, type TestServer } from './support/server';

const CLIENTS = 20;
const KEYS = 300;
/** Rounds of terminating every session of the server (a round about every 150 ms). */
const KILL_ROUNDS = 60;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('sessions ending under a keyed money load (PostgreSQL only)', () => {
  let database: TestDatabase;
  afterEach(async () => database?.dispose());

  it("when PostgreSQL terminates the server's backends again and again, then the affected requests get 503 9999, the server recovers by itself, and every key retried makes exactly one operation", async () => {
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
      // At most KILL_ROUNDS times: past them the load drains (with no bound, a slow machine spent a minute answering 503s).
      const killing = (async () => {
        for (let round = 0; loading && round < KILL_ROUNDS; round++) {
          await sleep(100 + Math.floor(Math.random() * 100));
          const [{ n }] = (
            await killer.query<{ n: number }>(
              'SELECT count(*) FILTER (WHERE t)::int AS n FROM (SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()) k',
            )
          ).rows;
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
      const after = await runKeyedLoad(keyedRequests(`after-kill-${randomBytes(3).toString('hex')}`, 5, ledger), {
        clients: 1,
        token,
        target: () => server.url,
        maxAttempts: 1,
      });
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
});
