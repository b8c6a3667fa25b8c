/**
 * The API process killed with SIGKILL, on real PostgreSQL: mid-load (20 clients, keyed
 * payments and regularisations) then started again on the same database, the clients
 * retrying with the same keys (support/keyed-load.ts checks the exactly-once outcome); and
 * while a keyed payment waits on a lock, to show how long a dead process's claim on its key
 * lasts: until PostgreSQL ends that transaction (docs/operating.md, "Operating it").
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { createPartner } from '../src/domain/partners/partners';
import { oauthScopes } from '../generated/operations';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { basic, call, FORM } from './support/http';
import { expectExactlyOnce, keyedRequests, runKeyedLoad, seenOf, setUpLedger } from './support/keyed-load';
import { usedSecret } from './support/server';
import { expectLedgerHolds } from './support/world';

const CLIENTS = 20;
const KEYS = 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('the API process killed with SIGKILL (PostgreSQL only)', () => {
  let database: TestDatabase;
  afterEach(async () => database?.dispose());

  it('when the API process is killed while a keyed payment waits on a lock, then its claim lasts until PostgreSQL ends that transaction: the retry on a new process is 409 4030 meanwhile, then the operation is made once', async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
      name: 'Back-office CYNOD',
      scopes: Object.keys(oauthScopes),
      internal: true,
    });
    usedSecret(consumerSecret);
    const env = {
      DATABASE_URL: database.url!,
      CARD_HASH_KEY: randomBytes(32).toString('base64'),
      CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // Longer than the test can take on a loaded machine (two processes started): the dead
      // process's statement must still be waiting when the blocker commits, not timed out.
      DATABASE_LOCK_TIMEOUT_MS: '120000',
      DATABASE_STATEMENT_TIMEOUT_MS: '120000',
    };
    const first = startApiProcess(env);
    let second: ApiProcess | undefined;
    const blocker = new Client({ connectionString: database.url });
    try {
      const firstUrl = await first.url;
      const token = (
        await call(`${firstUrl}/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) },
          body: 'grant_type=client_credentials',
        })
      ).body.access_token as string;
      usedSecret(token);
      const ledger = await setUpLedger(firstUrl, token, 'Verrou', 1);
      const [request] = keyedRequests(`dead-claim-${randomBytes(3).toString('hex')}`, 1, ledger);
      const send = (url: string) =>
        call(url + request.path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': request.key, 'content-type': 'application/json' },
          body: JSON.stringify(request.body),
        });
      const advisoryLocks = async () =>
        (
          await database.db.query(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
          )
        ).length;
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE ledger_accounts IN ACCESS EXCLUSIVE MODE');
      const cut = send(firstUrl).then(
        () => 'answered',
        () => 'cut',
      );
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
      // Made once: a regularisation's transaction (BEGIN ... COMMIT) never committed when its
      // process died, so the retry ran it; a payment is one statement (migration 047), sent whole
      // by the dead process: it commits once the lock is granted, and the retry replays it.
      expect([final.status, final.headers.get('idempotent-replayed')]).toEqual([200, request.kind === 'payment' ? 'true' : null]);
      const made = await database.db.query<{ id: string }>('SELECT id FROM ledger_operations WHERE receipt_number = $1 OR reason = $1', [request.mark]);
      expect(made.map((row) => row.id)).toEqual([final.body.data.id]);
      expect(await advisoryLocks()).toBe(0);
      await expectLedgerHolds(database.db);
    } finally {
      await blocker.end().catch(() => undefined);
      first.kill('SIGKILL');
      const last = second as ApiProcess | undefined;
      last?.kill('SIGTERM');
      await Promise.all([first.exit, last?.exit]);
    }
  }, 120_000);

  it('when the API process is killed with SIGKILL mid-load and started again on the same database, then every key retried completes exactly once and none stays in flight', async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
      name: 'Back-office CYNOD',
      scopes: Object.keys(oauthScopes),
      internal: true,
    });
    usedSecret(consumerSecret);
    const env = { DATABASE_URL: database.url!, CARD_HASH_KEY: randomBytes(32).toString('base64'), CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const first = startApiProcess(env);
    let second: ApiProcess | undefined;
    try {
      const firstUrl = await first.url;
      const token = (
        await call(`${firstUrl}/oauth/token`, {
          method: 'POST',
          headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) },
          body: 'grant_type=client_credentials',
        })
      ).body.access_token as string;
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
