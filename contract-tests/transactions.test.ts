/**
 * Transactions under contention on a real database: serialization failures and deadlocks
 * retried to success, a held lock answered 503 DATABASE_BUSY after the retries, statement
 * timeouts classified, nested use-cases sharing one transaction, retries bounded. What needs
 * two sessions contending runs on PostgreSQL only (PGlite has one session: its row locks
 * never contend); the rest runs on both.
 */
import { Client } from 'pg';
import { handlers } from '../src/handlers';
import { openDatabase, type Database, type Queryable } from '../src/db/database';
import { classifyDatabaseError } from '../src/db/errors';
import { migrate } from '../src/db/migrate';
import { createTestDatabase, usingPostgres, type TestDatabase } from './support/database';
import { expectDocumented } from './support/contract';
import { call } from './support/http';
import { startTestServer } from './support/server';

let database: TestDatabase;
let db: Database;

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  await db.exec('CREATE TABLE tx_accounts (id integer PRIMARY KEY, balance integer NOT NULL)');
});
afterAll(() => database.dispose());
beforeEach(() => db.exec('DELETE FROM tx_accounts; INSERT INTO tx_accounts VALUES (1, 100), (2, 100)'));

const balances = async (on: Queryable = db) =>
  (await on.query<{ id: number; balance: number }>('SELECT id, balance FROM tx_accounts ORDER BY id')).map((row) => row.balance);
const pgError = (code: string) => Object.assign(new Error(`planted SQLSTATE ${code}`), { code });

/** Resolves once `parties` callers have arrived: makes two transactions interleave on purpose. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived >= parties) open();
    return opened;
  };
}

/** A second database over the same schema with its own session limits. */
async function withTimeouts(timeouts: { lockTimeoutMs?: number; statementTimeoutMs?: number }): Promise<Database> {
  return openDatabase({ databaseUrl: database.url, poolSize: 2, timeouts });
}

const onPostgres = usingPostgres() ? describe : describe.skip;

onPostgres('when transactions contend on PostgreSQL (skipped on PGlite: one session, row locks never contend)', () => {
  it('when two serializable transactions race on the same row, then the loser is retried and no update is lost', async () => {
    const bothRead = barrier(2);
    let attempts = 0;
    const addTen = () =>
      db.transaction(
        async (tx) => {
          attempts += 1;
          const [{ balance }] = await tx.query<{ balance: number }>('SELECT balance FROM tx_accounts WHERE id = 1');
          await bothRead();
          await tx.query('UPDATE tx_accounts SET balance = $1 WHERE id = 1', [balance + 10]);
        },
        { isolation: 'serializable' },
      );

    await Promise.all([addTen(), addTen()]);

    expect(await balances()).toEqual([120, 100]);
    expect(attempts).toBe(3);
  });

  it('when two transactions lock two rows in opposite orders, then the deadlock is detected and retried so both finish', async () => {
    const bothLockedOne = barrier(2);
    let attempts = 0;
    const move = (first: number, second: number) =>
      db.transaction(async (tx) => {
        attempts += 1;
        await tx.query('UPDATE tx_accounts SET balance = balance + 1 WHERE id = $1', [first]);
        await bothLockedOne();
        await tx.query('UPDATE tx_accounts SET balance = balance + 1 WHERE id = $1', [second]);
      });

    await Promise.all([move(1, 2), move(2, 1)]);

    expect(await balances()).toEqual([102, 102]);
    expect(attempts).toBe(3);
  });

  it('when another session holds the row lock past lock_timeout, then after the retries the answer is 503 DATABASE_BUSY with Retry-After', async () => {
    const busyDb = await withTimeouts({ lockTimeoutMs: 100 });
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    let attempts = 0;
    const server = await startTestServer({
      database: { db: busyDb, url: database.url, dispose: () => busyDb.close() },
      handlers: {
        ...handlers,
        getReady: async ({ db: serverDb }) => {
          await serverDb.transaction(async (tx) => {
            attempts += 1;
            await tx.query('SELECT balance FROM tx_accounts WHERE id = 1 FOR UPDATE');
          });
          return { status: 'ready', database: 'up' };
        },
      },
    });
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT balance FROM tx_accounts WHERE id = 1 FOR UPDATE');

      const answer = await call(`${server.url}/ready`);

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ success: false, code: '9998', message: 'Service momentanément surchargé, veuillez réessayer' });
      expect(answer.headers.get('retry-after')).toBe('1');
      expectDocumented('getReady', 503, answer.body);
      expect(answer.text).not.toMatch(/lock|tx_accounts|55P03/i);
      expect(attempts).toBe(4);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
      await server.stop();
      await busyDb.close();
    }
  });

  it('when a statement outlives statement_timeout, then it is classified statement_timeout and not retried', async () => {
    const slowDb = await withTimeouts({ statementTimeoutMs: 100 });
    try {
      let attempts = 0;
      const failure = await slowDb
        .transaction(async (tx) => {
          attempts += 1;
          await tx.query('SELECT pg_sleep(2)');
        })
        .catch((error: unknown) => error);

      expect(classifyDatabaseError(failure)).toBe('statement_timeout');
      expect(attempts).toBe(1);
    } finally {
      await slowDb.close();
    }
  });

  it('when timeouts are configured, then every pooled session carries them', async () => {
    const limited = await openDatabase({
      databaseUrl: database.url,
      poolSize: 1,
      timeouts: { statementTimeoutMs: 1500, lockTimeoutMs: 250, idleInTransactionTimeoutMs: 4000 },
    });
    try {
      const [row] = await limited.query<Record<string, string>>(
        "SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock, current_setting('idle_in_transaction_session_timeout') AS idle",
      );
      expect(row).toEqual({ statement: '1500ms', lock: '250ms', idle: '4s' });
    } finally {
      await limited.close();
    }
  });
});

describe('when use-cases are nested', () => {
  /** A use-case written against any Queryable: on the pool it opens a transaction, inside one it joins. */
  const creditAccount = (on: Queryable, id: number) =>
    on.transaction(async (tx) => {
      const [row] = await tx.query<{ balance: number }>('UPDATE tx_accounts SET balance = balance + 5 WHERE id = $1 RETURNING balance', [id]);
      return row.balance;
    });

  it('when the inner use-case joins, then it sees the outer uncommitted writes and runs in the same transaction', async () => {
    const [seen, sameTransaction] = await db.transaction(async (tx) => {
      await tx.query('UPDATE tx_accounts SET balance = 500 WHERE id = 1');
      const [outer] = await tx.query<{ id: string }>('SELECT txid_current()::text AS id');
      const balance = await creditAccount(tx, 1);
      const [inner] = await tx.transaction((joined) => joined.query<{ id: string }>('SELECT txid_current()::text AS id'));
      return [balance, outer.id === inner.id];
    });

    expect(seen).toBe(505);
    expect(sameTransaction).toBe(true);
    expect(await balances()).toEqual([505, 100]);
  });

  it('when the outer transaction rolls back, then the inner use-case writes are undone', async () => {
    const failure = await db
      .transaction(async (tx) => {
        await creditAccount(tx, 2);
        throw new Error('outer use-case refuses');
      })
      .catch((error: Error) => error);

    expect(failure).toMatchObject({ message: 'outer use-case refuses' });
    expect(await balances()).toEqual([100, 100]);
  });

  it('when the inner use-case asks a stronger isolation than the outer one, then it is refused clearly', async () => {
    const failure = await db.transaction((tx) => tx.transaction(async () => 'never runs', { isolation: 'serializable' })).catch((error: Error) => error);

    expect(String(failure)).toMatch(/serializable cannot join an open read committed transaction/);
  });

  it('when a transaction asks an isolation level, then its statements run at that level', async () => {
    const levels = await Promise.all(
      (['read committed', 'repeatable read', 'serializable'] as const).map((isolation) =>
        db.transaction(async (tx) => (await tx.query<{ level: string }>("SELECT current_setting('transaction_isolation') AS level"))[0].level, { isolation }),
      ),
    );
    expect(levels).toEqual(['read committed', 'repeatable read', 'serializable']);
  });
});

describe('when work is left for just before COMMIT', () => {
  it("when a use-case leaves statements for the end, then they run after the whole work (a joined use-case's too), in order, inside the transaction", async () => {
    const order: string[] = [];
    await db.transaction(async (tx) => {
      tx.beforeCommit(async () => {
        order.push('first hook');
        await tx.query('UPDATE tx_accounts SET balance = balance + 1 WHERE id = 1');
      });
      await tx.transaction(async (inner) => inner.beforeCommit(async () => void order.push('joined hook')));
      order.push('work');
    });
    expect(order).toEqual(['work', 'first hook', 'joined hook']);
    expect(await balances()).toEqual([101, 100]);
  });

  it('when a statement left for the end fails, then the whole transaction rolls back and the failure is thrown', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('UPDATE tx_accounts SET balance = 0 WHERE id = 2');
        tx.beforeCommit(async () => {
          throw new Error('refused at the end');
        });
      }),
    ).rejects.toThrow('refused at the end');
    expect(await balances()).toEqual([100, 100]);
    expect(() => db.beforeCommit(async () => undefined)).toThrow('only for an open transaction');
  });
});

describe('when the work keeps failing', () => {
  it('when every attempt fails with 40001, then it gives up after the retries and throws the failure', async () => {
    let attempts = 0;
    const failure = await db
      .transaction(
        async (tx) => {
          attempts += 1;
          await tx.query('UPDATE tx_accounts SET balance = balance + 1 WHERE id = 1');
          throw pgError('40001');
        },
        { retries: 2 },
      )
      .catch((error: unknown) => error);

    expect(classifyDatabaseError(failure)).toBe('serialization_failure');
    expect(attempts).toBe(3);
    expect(await balances()).toEqual([100, 100]);
  });

  it('when no retries are given, then a deadlock is run again three times at most', async () => {
    let attempts = 0;
    await expect(
      db.transaction(async () => {
        attempts += 1;
        throw pgError('40P01');
      }),
    ).rejects.toMatchObject({ code: '40P01' });
    expect(attempts).toBe(4);
  });

  it('when a joined use-case fails with 40001, then only the outermost transaction retries, running the whole work again', async () => {
    let outerRuns = 0;
    let innerRuns = 0;
    const result = await db.transaction(async (tx) => {
      outerRuns += 1;
      return tx.transaction(async () => {
        innerRuns += 1;
        if (innerRuns === 1) throw pgError('40001');
        return 'done';
      });
    });

    expect(result).toBe('done');
    expect([outerRuns, innerRuns]).toEqual([2, 2]);
  });

  it('when the failure is not contention, then it is not retried', async () => {
    let attempts = 0;
    await expect(
      db.transaction(async () => {
        attempts += 1;
        throw pgError('23505');
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(attempts).toBe(1);
  });
});

onPostgres('when migrations run under tight session limits (PostgreSQL only: PGlite ignores the limits)', () => {
  it('when another starter holds the migration lock longer than the limits, then migrating waits for it instead of failing', async () => {
    const tight = await withTimeouts({ statementTimeoutMs: 100, lockTimeoutMs: 50 });
    const otherStarter = new Client({ connectionString: database.url });
    await otherStarter.connect();
    try {
      await otherStarter.query('SELECT pg_advisory_lock(7461020)');
      const released = new Promise((resolve) => setTimeout(resolve, 1000)).then(() => otherStarter.query('SELECT pg_advisory_unlock(7461020)'));

      await expect(migrate(tight)).resolves.toEqual([]);
      await released;
    } finally {
      await otherStarter.end();
      await tight.close();
    }
  });
});
