/**
 * Several instances on one PostgreSQL, sharing nothing else (PostgreSQL only): two server
 * processes (`node --import tsx src/main.ts`, same database and card keys), a keyed money load
 * from 20 clients split across both, a third of its keys sent again at once to the other
 * instance. Afterwards (support/keyed-load.ts): exactly one operation per key, the answers
 * agree, no key left claimed, balances and invariants hold. Then the background work run twice
 * at once, as two instances do (the server processes stopped first, their own sweeps with
 * them): holds past their expiry released by two concurrent sweeps (`expireHolds`, SKIP
 * LOCKED), each once; old Idempotency-Key answers purged by two concurrent purges, each once.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../src/db/database';
import { SYSTEM_ACTORS } from '../src/domain/actor';
import { purgeIdempotencyKeys } from '../src/domain/idempotency';
import { expireHolds } from '../src/domain/payments/holds';
import { createPartner } from '../src/domain/partners/partners';
import { oauthScopes } from '../generated/operations';
import { startApiProcess, type ApiProcess } from './support/api-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { basic, call, FORM } from './support/http';
import { expectExactlyOnce, keyedRequests, runKeyedLoad, seenOf, setUpLedger, type Ledger } from './support/keyed-load';
import { usedSecret } from './support/server';
import { expectLedgerHolds } from './support/world';

const CLIENTS = 20;
const KEYS = 400;
const HOLDS = 40;
const AGED_KEYS = 50;

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('two instances on one database (PostgreSQL only)', () => {
  let database: TestDatabase;
  let instances: ApiProcess[] = [];
  let urls: string[];
  let token: string;
  let ledger: Ledger;
  const tag = randomBytes(3).toString('hex');
  const requests: ReturnType<typeof keyedRequests> = [];
  /** Two more sessions of the test's own: where the two background runs go. */
  let sessions: Database[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const { partner, consumerSecret } = await createPartner(database.db, SYSTEM_ACTORS.system, {
      name: 'Back-office CYNOD',
      scopes: Object.keys(oauthScopes),
      internal: true,
    });
    usedSecret(consumerSecret);
    const env = { DATABASE_URL: database.url!, CARD_HASH_KEY: randomBytes(32).toString('base64'), CARD_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    instances = [startApiProcess(env), startApiProcess(env)];
    urls = await Promise.all(instances.map((instance) => instance.url));
    // A token issued by one instance is good on the other: tokens are in the database.
    token = (
      await call(`${urls[0]}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(partner.consumerKey, consumerSecret) },
        body: 'grant_type=client_credentials',
      })
    ).body.access_token as string;
    usedSecret(token);
    ledger = await setUpLedger(urls[1], token, 'Instances');
    sessions = await Promise.all([openDatabase({ databaseUrl: database.url, poolSize: 2 }), openDatabase({ databaseUrl: database.url, poolSize: 2 })]);
  }, 30_000);
  afterAll(async () => {
    for (const instance of instances) instance.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exit));
    await Promise.all(sessions.map((db) => db.close()));
    await database?.dispose();
  });

  it('when a keyed money load is split across two instances, with copies of keys sent to the other instance at once, then each key makes exactly one operation and the ledger holds', async () => {
    requests.push(...keyedRequests(`inst-${tag}`, KEYS, ledger));
    const index = new Map(requests.map((request, n) => [request.key, n]));
    const served = [0, 0];
    const result = await runKeyedLoad(requests, {
      clients: CLIENTS,
      token,
      // Copy 0 to one instance, copy 1 to the other, copy 2 back to the first; queued together, so that they race.
      target: (request, copy) => {
        const instance = (index.get(request.key)! + copy) % 2;
        served[instance] += 1;
        return urls[instance];
      },
      sendings: () => (Math.random() < 0.33 ? (Math.random() < 0.2 ? 3 : 2) : 1),
    });
    const finals = [...result.finals.values()].flat();
    // Both instances served, and copies met: a replay of the other instance's answer, or its claim in flight.
    expect([served[0] > 200, served[1] > 200, finals.filter((answer) => answer.replayed).length > 50]).toEqual([true, true, true]);
    await expectExactlyOnce(database.db, ledger, requests, result);
    if (process.env.FAULTS_SUMMARY) process.stdout.write(`${JSON.stringify({ served, ...seenOf(result) })}\n`);
  }, 40_000);

  it('when holds are past their expiry and two sweeps run at once, then each hold is released once and the ledger holds', async () => {
    const holds: string[] = [];
    for (let n = 0; n < HOLDS; n++) {
      const answer = await call(`${urls[n % 2]}/core/v1/authorizations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'idempotency-key': `hold-${tag}-${n}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          cardId: ledger.cards[n % ledger.cards.length],
          servicePointId: ledger.station.id,
          amount: { value: 500 + n, unit: 'XOF' },
          service: 'shop',
          holdSeconds: 60,
        }),
      });
      expect([answer.status, answer.body.data?.status]).toEqual([200, 'open']);
      holds.push(answer.body.data.id as string);
    }
    // Each instance sweeps expired holds every 10 s itself: they are stopped, so that only the two sweeps below race.
    for (const instance of instances) instance.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exit));
    // The contract's shortest hold is 60 s: the test moves their expiry into the past.
    await database.db.query("UPDATE ledger_holds SET expires_at = now() - interval '1 second' WHERE id = ANY($1)", [holds]);
    const sweepUntilDone = async (db: Database) => {
      let released = 0;
      for (let batch = await expireHolds(db, SYSTEM_ACTORS.system, 2); batch > 0; batch = await expireHolds(db, SYSTEM_ACTORS.system, 2)) released += batch;
      return released;
    };
    const released = await Promise.all(sessions.map(sweepUntilDone));
    // Between them they released each hold once, and both had a share (they ran at once).
    expect([released[0] + released[1], released.every((count) => count > 0)]).toEqual([HOLDS, true]);
    const rows = await database.db.query<{ id: string; status: string; events: string }>(
      `SELECT h.id, h.status, (SELECT string_agg(e.type, ',' ORDER BY e.seq) FROM events e WHERE e.resource_type = 'authorization' AND e.resource_id = h.id) AS events
         FROM ledger_holds h WHERE h.id = ANY($1)`,
      [holds],
    );
    expect(rows.filter((row) => row.status !== 'expired' || row.events !== 'hold.created,hold.expired')).toEqual([]);
    expect(await database.db.query('SELECT card_id, held::text FROM ledger_accounts WHERE card_id = ANY($1) AND held <> 0', [ledger.cards])).toEqual([]);
    await expectLedgerHolds(database.db);
  });

  it('when old Idempotency-Key answers are purged by two instances at once, then each is purged once and the others stay', async () => {
    const keys = requests.map((request) => request.key);
    expect(keys.length).toBe(KEYS); // the load ran first
    await database.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = ANY($1)", [keys.slice(0, AGED_KEYS)]);
    const purgeUntilDone = async (db: Database) => {
      let purged = 0;
      for (
        let batch = await purgeIdempotencyKeys(db, SYSTEM_ACTORS.system, 24, 3);
        batch > 0;
        batch = await purgeIdempotencyKeys(db, SYSTEM_ACTORS.system, 24, 3)
      )
        purged += batch;
      return purged;
    };
    const purged = await Promise.all(sessions.map(purgeUntilDone));
    expect([purged[0] + purged[1], purged.every((count) => count > 0)]).toEqual([AGED_KEYS, true]);
    const left = await database.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE key = ANY($1)', [keys]);
    expect(left.map((row) => row.key).sort()).toEqual(keys.slice(AGED_KEYS).sort());
  });
});
