/**
 * PostgreSQL restarted under a keyed money load: a cluster of the test's own
 * (support/throwaway-postgres.ts, never the machine's shared server) is crashed (`pg_ctl stop
 * -m immediate`) while 10 clients send payments and regularisations, left down for a second,
 * and started again (crash recovery). While it is down the API answers 503 (9999) and /ready
 * says not ready; once it is back the same server serves again by itself, and the clients'
 * retries with the same keys end with exactly one operation per key (support/keyed-load.ts).
 * Runs where DATABASE_URL is set (the PostgreSQL pass) and initdb is installed.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { usingPostgres, type TestDatabase } from './support/database';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { expectExactlyOnce, keyedRequests, runKeyedLoad, seenOf, setUpLedger } from './support/keyed-load';
import { startTestServer, type TestServer } from './support/server';
import { startThrowawayPostgres, throwawayPostgresAvailable, type ThrowawayPostgres } from './support/throwaway-postgres';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onOwnPostgres = usingPostgres() && throwawayPostgresAvailable() ? describe : describe.skip;

onOwnPostgres("PostgreSQL restarted under load (a throwaway cluster of the test's own)", () => {
  let cluster: ThrowawayPostgres | undefined;
  let server: TestServer | undefined;
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
    await cluster?.destroy();
  });

  it('when PostgreSQL crashes and comes back under a keyed load, then the API answers 503 while it is down, serves again by itself, and every key retried makes exactly one operation', async () => {
    cluster = await startThrowawayPostgres();
    const db = await openDatabase({ databaseUrl: cluster.url, poolSize: 10 });
    await migrate(db);
    database = { db, url: cluster.url, dispose: () => db.close() };
    server = await startTestServer({ database });
    const token = await server.coreToken();
    const ledger = await setUpLedger(server.url, token, 'Redemarrage');
    const requests = keyedRequests(`restart-${randomBytes(3).toString('hex')}`, 200, ledger);
    const own = cluster;
    const url = server.url;
    let restart: Promise<{ ready: Awaited<ReturnType<typeof call>> }> | undefined;
    const result = await runKeyedLoad(requests, {
      clients: 10,
      token,
      target: () => url,
      sendings: () => (Math.random() < 0.1 ? 2 : 1),
      onAnswer: (answered) => {
        if (answered !== 60) return;
        restart = (async () => {
          await own.stop('immediate');
          await sleep(300);
          const ready = await call(`${url}/ready`);
          await sleep(700);
          await own.start();
          return { ready };
        })();
      },
    });
    const { ready } = await restart!;
    expect([ready.status, ready.body.code]).toEqual([503, '9999']);
    expectDocumented('getReady', 503, ready.body);
    expect(result.seen.get('503 9999') ?? 0).toBeGreaterThan(0);
    // The same server, not restarted, serves again.
    expect((await call(`${url}/ready`)).status).toBe(200);
    await expectExactlyOnce(db, ledger, requests, result);
    if (process.env.FAULTS_SUMMARY) process.stdout.write(`${JSON.stringify(seenOf(result))}\n`);
  }, 60_000);
});
