/**
 * The one database adapter: PostgreSQL through `pg` when a connection string is given,
 * otherwise the embedded PGlite in a data directory. Both speak PostgreSQL SQL with `$n`
 * parameters. Connection failures surface as DatabaseUnavailableError (answered 503);
 * transactions take an isolation level and retry contention (see transaction.ts).
 */
import { createHash } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';
import { classifyDatabaseError, DatabaseUnavailableError, scrubStatementError } from './errors';
import { checkJoin, isolationClause, isolationOf, withRetries, type IsolationLevel, type TransactionOptions } from './transaction';

interface QueryOptions {
  /**
   * PostgreSQL: run it as a named prepared statement, parsed and planned once per connection
   * instead of on every call. For hot, fixed statements; the text must not depend on data.
   * (A pooler in transaction mode needs prepared-statement support for this, e.g. PgBouncer
   * 1.21+ with max_prepared_statements.) PGlite ignores it.
   */
  prepare?: boolean;
}

export interface Queryable {
  /** Runs one parameterised statement and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws.
   * On the database it opens one (at `options.isolation`) and runs the whole work again on
   * serialization failures, deadlocks and lock timeouts (`options.retries`). On an open
   * transaction it joins it: no new BEGIN, no retries of its own (the outermost retries the
   * whole work), and asking a stronger isolation than the open one throws.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Inside a transaction: runs `work` in it once its work has resolved, just before COMMIT
   * (several in the order given); what it throws rolls the transaction back and is thrown by
   * `transaction`. For the statements that should hold their locks the shortest time (the
   * ledger's hot accounts). Outside a transaction it throws.
   */
  beforeCommit(work: () => Promise<void>): void;
}

/** How the connections are used right now (read at each scrape of the metrics). */
interface PoolUsage {
  /** Connections running a statement or a transaction. */
  inUse: number;
  /** Open connections waiting for work. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** PostgreSQL: the pool's counts. PGlite, one session: in use 1 while a call runs (idle 0), the calls queued behind it waiting. */
  usage(): PoolUsage;
  close(): Promise<void>;
}

/** Runs one driver call; a failed statement's error keeps its name and loses its values (see scrubStatementError). */
async function guarded<T>(operation: () => Promise<T>, sql?: string): Promise<T> {
  try {
    return await operation();
  } catch (raw) {
    const error = sql === undefined ? raw : scrubStatementError(raw, statementName(sql));
    throw classifyDatabaseError(error) === 'connection_lost' && !(error instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(error) : error;
  }
}

const HORIZON_ATTEMPTS = 4;

/**
 * A statement outside a transaction, run again at once when the settled horizon moved while it
 * was read (CYH01, migration 028): the next snapshot no longer has the transaction that ended.
 * The 4th attempt runs with cynod.settled_horizon = 'hold', where the horizon holds there
 * instead of raising (safe: what it hides comes in a later read), so a busy machine never
 * turns a read into a failure. Inside a transaction the whole transaction runs again (withRetries).
 */
async function rereadOnMovedHorizon<T>(statement: () => Promise<T>, holding: () => Promise<T>): Promise<T> {
  for (let attempt = 1; attempt < HORIZON_ATTEMPTS; attempt += 1) {
    try {
      return await statement();
    } catch (error) {
      if (classifyDatabaseError(error) !== 'horizon_moved') throw error;
    }
  }
  return holding();
}

/** Per-session limits in milliseconds (0 or absent: the server's own setting). */
interface SessionTimeouts {
  /** statement_timeout: a statement running longer is cancelled (57014). */
  statementTimeoutMs?: number;
  /** lock_timeout: a lock not granted within it fails the statement (55P03). */
  lockTimeoutMs?: number;
  /** idle_in_transaction_session_timeout: a session idle inside a transaction that long is closed. */
  idleInTransactionTimeoutMs?: number;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
  /** PostgreSQL only: sent as startup parameters of every connection. PGlite (one session, no contention) ignores them. */
  timeouts?: SessionTimeouts;
  /** A PGlite data-directory dump to start from (tests load a migrated template). */
  loadDataDir?: Blob;
  /** Called with errors of idle pooled connections (they must not crash the process). */
  onIdleError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options);
}

/** Prepared statements are named after their text, so one text is always one statement. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `s_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`));
  return name;
}

type Statements = Omit<Queryable, 'transaction' | 'beforeCommit'>;

const outsideTransaction = () => {
  throw new Error('beforeCommit is only for an open transaction');
};

/**
 * Runs `work` on the Queryable of an open transaction (whose `transaction` joins it), then
 * what it asked to run before COMMIT.
 */
async function inTransaction<T>(statements: Statements, isolation: IsolationLevel, work: (tx: Queryable) => Promise<T>): Promise<T> {
  const beforeCommit: (() => Promise<void>)[] = [];
  const tx: Queryable = {
    ...statements,
    async transaction(inner, options) {
      checkJoin(isolation, options);
      return inner(tx);
    },
    beforeCommit: (last) => void beforeCommit.push(last),
  };
  const result = await work(tx);
  for (let next = beforeCommit.shift(); next; next = beforeCommit.shift()) await next();
  return result;
}

function openPostgres(connectionString: string, options: DatabaseOptions): Database {
  const { statementTimeoutMs, lockTimeoutMs, idleInTransactionTimeoutMs } = options.timeouts ?? {};
  const pool = new Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    // Startup parameters: set before the first statement, without a round trip, and not
    // overridden by the connection string's own `options` (tests set search_path there).
    statement_timeout: statementTimeoutMs || undefined,
    lock_timeout: lockTimeoutMs || undefined,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs || undefined,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // The pool listens for a client's errors only while the client is idle: one whose session
  // ends while it is checked out (pg_terminate_backend, a restart, a FATAL read with the last
  // answer of its work) emits 'error' with no listener, which would crash the process. Heard
  // here, it is left to fail: its next statement throws (503), and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const on = (client: Pool | PoolClient): Statements => ({
    query: async <Row>(sql: string, params: unknown[] = [], queryOptions: QueryOptions = {}) =>
      guarded(async () => {
        const query = queryOptions.prepare ? { name: statementName(sql), text: sql, values: params } : { text: sql, values: params };
        return (await client.query(query)).rows as Row[];
      }, sql),
    exec: async (sql: string) => guarded(async () => void (await client.query(sql)), sql),
  });
  const attempt = async <T>(work: (tx: Queryable) => Promise<T>, isolation: IsolationLevel): Promise<T> => {
    const client = await guarded(() => pool.connect());
    let lost: Error | undefined;
    try {
      await guarded(() => client.query(`BEGIN ${isolationClause(isolation)}`));
      const result = await inTransaction(on(client), isolation, work);
      await guarded(() => client.query('COMMIT'));
      return result;
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) lost = error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A client whose connection failed is discarded, not handed to the next caller.
      client.release(lost);
    }
  };
  const statements = on(pool);
  return {
    kind: 'postgres',
    query: (sql, params, queryOptions) =>
      rereadOnMovedHorizon(
        () => statements.query(sql, params, queryOptions),
        () =>
          attempt(async (tx) => {
            await tx.exec("SET LOCAL cynod.settled_horizon = 'hold'");
            return tx.query(sql, params, queryOptions);
          }, 'read committed'),
      ),
    exec: statements.exec,
    beforeCommit: outsideTransaction,
    transaction: (work, txOptions) => {
      const isolation = isolationOf(txOptions);
      return withRetries(txOptions, () => attempt(work, isolation));
    },
    usage: () => ({ inUse: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    close: () => pool.end(),
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  // Loaded only here: on PostgreSQL the embedded database's module (about 35 MB of resident
  // memory once imported) is never loaded.
  const { PGlite } = await import('@electric-sql/pglite');
  const pglite = options.loadDataDir ? await PGlite.create({ loadDataDir: options.loadDataDir }) : await PGlite.create(options.dataDir ?? 'memory://');
  return wrapPglite(pglite);
}

/** The adapter over an open PGlite instance (one session: its transactions are queued). */
export function wrapPglite(pglite: PGlite): Database {
  type Session = Pick<PGlite, 'query' | 'exec'>;
  const on = (session: Session): Statements => ({
    query: async <Row>(sql: string, params: unknown[] = []) => guarded(async () => (await session.query<Row>(sql, params)).rows, sql),
    exec: async (sql: string) => guarded(async () => void (await session.exec(sql)), sql),
  });
  // Calls on the instance (statements, transactions) running or queued behind the one session.
  let calls = 0;
  const counted = async <T>(call: () => Promise<T>): Promise<T> => {
    calls += 1;
    try {
      return await call();
    } finally {
      calls -= 1;
    }
  };
  const statements = on(pglite);
  return {
    kind: 'pglite',
    query: (sql, params, queryOptions) => counted(() => statements.query(sql, params, queryOptions)),
    exec: (sql) => counted(() => statements.exec(sql)),
    beforeCommit: outsideTransaction,
    transaction: (work, txOptions) => {
      const isolation = isolationOf(txOptions);
      return counted(() =>
        withRetries(txOptions, () =>
          guarded(() =>
            pglite.transaction(async (session) => {
              await session.exec(`SET TRANSACTION ${isolationClause(isolation)}`);
              return inTransaction(on(session), isolation, work);
            }),
          ),
        ),
      );
    },
    usage: () => ({ inUse: Math.min(calls, 1), idle: calls > 0 ? 0 : 1, waiting: Math.max(calls - 1, 0) }),
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}
