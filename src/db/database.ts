/**
 * The one database adapter: PostgreSQL through `pg` when a connection string is given,
 * otherwise the embedded PGlite in a data directory. Both speak PostgreSQL SQL with `$n`
 * parameters. Connection failures surface as DatabaseUnavailableError (answered 503).
 */
import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';

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
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database cannot be reached (stopped, refused, connection lost, closed). */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/** True for errors that mean "no database", as opposed to a faulty statement. */
function isConnectionFailure(error: unknown): boolean {
  // Duck-typed: errors raised by node:net may come from another realm (as under Jest).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (NETWORK_ERRORS.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code))) {
    return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|PGlite is closed|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message)
  );
}

async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
  }
}

export interface DatabaseOptions {
  databaseUrl?: string;
  dataDir?: string;
  poolSize?: number;
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

function openPostgres(connectionString: string, options: DatabaseOptions): Database {
  const pool = new Pool({ connectionString, max: options.poolSize ?? 10, connectionTimeoutMillis: 5000 });
  pool.on('error', (error) => options.onIdleError?.(error));
  const on = (client: Pool | PoolClient): Queryable => ({
    query: async <Row>(sql: string, params: unknown[] = [], queryOptions: QueryOptions = {}) =>
      guarded(async () => {
        const query = queryOptions.prepare ? { name: statementName(sql), text: sql, values: params } : { text: sql, values: params };
        return (await client.query(query)).rows as Row[];
      }),
    exec: async (sql: string) => guarded(async () => void (await client.query(sql))),
  });
  return {
    kind: 'postgres',
    ...on(pool),
    async transaction(work) {
      const client = await guarded(() => pool.connect());
      try {
        await guarded(() => client.query('BEGIN'));
        const result = await work(on(client));
        await guarded(() => client.query('COMMIT'));
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  const pglite = options.loadDataDir
    ? await PGlite.create({ loadDataDir: options.loadDataDir })
    : await PGlite.create(options.dataDir ?? 'memory://');
  return wrapPglite(pglite);
}

/** The adapter over an open PGlite instance. */
export function wrapPglite(pglite: PGlite): Database {
  type Session = Pick<PGlite, 'query' | 'exec'>;
  const on = (session: Session): Queryable => ({
    query: async <Row>(sql: string, params: unknown[] = []) => guarded(async () => (await session.query<Row>(sql, params)).rows),
    exec: async (sql: string) => guarded(async () => void (await session.exec(sql))),
  });
  return {
    kind: 'pglite',
    ...on(pglite),
    transaction: (work) => guarded(() => pglite.transaction((tx) => work(on(tx)))),
    close: async () => {
      if (!pglite.closed) await pglite.close();
    },
  };
}
