/**
 * PostgreSQL error classification, in one place: the data-access modules, the transaction
 * retry loop and the HTTP error mapper all ask `classifyDatabaseError`.
 */

/** What a database error means to the code above it. */
export type DatabaseErrorKind =
  /** 23505: another row already has this key. */
  | 'unique_violation'
  /** 40001: a concurrent transaction made this one's reads stale (REPEATABLE READ, SERIALIZABLE). */
  | 'serialization_failure'
  /** 40P01: two transactions waited on each other; PostgreSQL aborted this one. */
  | 'deadlock'
  /** 55P03: a lock was not granted within lock_timeout (or NOWAIT). */
  | 'lock_timeout'
  /** 57014 raised by statement_timeout. */
  | 'statement_timeout'
  /**
   * 57014 "due to user request": pg_cancel_backend (an operator), or, rarely, a lock timeout
   * that PostgreSQL 15 reports so (seen about once in 30,000 lock timeouts under the ledger's
   * concurrency test, with nobody cancelling). Treated as contention: retried, then busy.
   */
  | 'query_canceled'
  /** CYH01 (migration 028): the settled horizon's transaction ended while it was read; a newer snapshot answers. */
  | 'horizon_moved'
  /** No database: stopped, refused, connection lost or closed. */
  | 'connection_lost';

/** The database cannot be reached (stopped, refused, connection lost, closed). */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
/** Server shutdown, crash recovery, too many connections, idle-in-transaction timeout (FATAL: the session is gone). */
const SESSION_GONE = new Set(['57P01', '57P02', '57P03', '53300', '25P03']);
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|PGlite is closed|Client has encountered a connection error|Cannot use a pool after calling end/i;

function fieldsOf(error: unknown): { code?: unknown; message?: unknown } {
  // Duck-typed: errors raised by node:net may come from another realm (as under Jest).
  return typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown }) : {};
}

/** The kind of a database error, or undefined when it is none of the known kinds. */
export function classifyDatabaseError(error: unknown): DatabaseErrorKind | undefined {
  if (error instanceof DatabaseUnavailableError) return 'connection_lost';
  const { code, message } = fieldsOf(error);
  switch (code) {
    case '23505':
      return 'unique_violation';
    case '40001':
      return 'serialization_failure';
    case '40P01':
      return 'deadlock';
    case '55P03':
      return 'lock_timeout';
    case 'CYH01':
      return 'horizon_moved';
    case '57014':
      return typeof message === 'string' && /statement timeout/i.test(message) ? 'statement_timeout' : 'query_canceled';
  }
  if (typeof code === 'string' && (NETWORK_ERRORS.has(code) || code.startsWith('08') || SESSION_GONE.has(code))) return 'connection_lost';
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message) ? 'connection_lost' : undefined;
}

/** Kinds after which running the whole transaction again may succeed. */
export const RETRYABLE_KINDS = [
  'serialization_failure',
  'deadlock',
  'lock_timeout',
  'query_canceled',
  'horizon_moved',
] as const satisfies readonly DatabaseErrorKind[];

export type RetryableKind = (typeof RETRYABLE_KINDS)[number];

const RETRYABLE: ReadonlySet<DatabaseErrorKind> = new Set(RETRYABLE_KINDS);

/** True when the whole transaction is worth running again (serialization failure, deadlock, lock timeout, a cancelled statement, a moved horizon). */
export const isRetryableTransactionError = (error: unknown): boolean => {
  const kind = classifyDatabaseError(error);
  return kind !== undefined && RETRYABLE.has(kind);
};

/** True for contention that outlived its retries or a statement cut by statement_timeout: answered 503 DATABASE_BUSY. */
export const isDatabaseBusy = (error: unknown): boolean => {
  const kind = classifyDatabaseError(error);
  return kind !== undefined && (RETRYABLE.has(kind) || kind === 'statement_timeout');
};

/** True for a unique_violation (23505), optionally on a given constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const { constraint: name } = (error ?? {}) as { constraint?: unknown };
  return classifyDatabaseError(error) === 'unique_violation' && (constraint === undefined || name === constraint);
}

/** Fields of a driver error that can carry the statement's values (PGlite's query and params; PostgreSQL's detail, where, internal query). */
const VALUE_BEARING_FIELDS = ['params', 'query', 'queryOptions', 'detail', 'where', 'internalQuery', 'hint'] as const;

/**
 * Makes a failed statement's error safe to log: records the statement's name (a hash of its
 * text, as prepared statements are named) and removes every field that can carry its
 * parameters. The SQLSTATE code, table and constraint stay (the domain reads them).
 */
export function scrubStatementError(error: unknown, statement: string): unknown {
  if (typeof error !== 'object' || error === null || typeof (error as { code?: unknown }).code !== 'string') return error;
  const fields = error as Record<string, unknown>;
  for (const field of VALUE_BEARING_FIELDS) delete fields[field];
  fields.statement = statement;
  return error;
}

/**
 * What a log line may say about a database error: its class, SQLSTATE, statement name, table
 * and constraint, never its message (PostgreSQL quotes offending values there) nor its values.
 * Undefined for errors that are not the database's.
 */
export function loggableDatabaseError(error: unknown): Record<string, unknown> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statement, table, constraint, severity, name } = error as Record<string, unknown>;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  return {
    type: typeof name === 'string' ? name : 'DatabaseError',
    code,
    condition: classifyDatabaseError(error) ?? 'statement_failed',
    statement,
    table,
    constraint,
    severity,
  };
}
