/**
 * Transactions that behave under contention: an isolation level per transaction, the whole
 * work run again (a bounded number of times, after a jittered exponential pause) when
 * PostgreSQL aborts it for a serialization failure, a deadlock or a lock timeout, and nested
 * use-cases joining the transaction already open instead of starting their own.
 */
import { classifyDatabaseError, isRetryableTransactionError, type RetryableKind } from './errors';
import { transactionRetried } from './observation';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Default 'read committed'. A joined transaction may ask the outer one's level or a weaker one. */
  isolation?: IsolationLevel;
  /**
   * How many times the whole work is run again after a serialization failure (40001), a
   * deadlock (40P01) or a lock timeout (55P03); default 3, so at most 4 attempts. Only the
   * outermost transaction retries: a joined one has no retries of its own.
   */
  retries?: number;
}

const DEFAULT_RETRIES = 3;
const MAX_RETRIES = 10;
const BASE_DELAY_MS = 20;
const MAX_DELAY_MS = 1000;

const RANK: Record<IsolationLevel, number> = { 'read committed': 0, 'repeatable read': 1, serializable: 2 };

/** The isolation level asked for, checked (callers in plain JavaScript may pass anything). */
export function isolationOf(options: TransactionOptions = {}): IsolationLevel {
  const isolation = options.isolation ?? 'read committed';
  if (!(isolation in RANK)) throw new TypeError(`unknown isolation level "${String(isolation)}": use read committed, repeatable read or serializable`);
  return isolation;
}

function retriesOf(options: TransactionOptions = {}): number {
  const retries = options.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES)
    throw new TypeError(`transaction retries must be an integer between 0 and ${MAX_RETRIES}, got ${retries}`);
  return retries;
}

/** Full jitter: a random pause up to base * 2^attempt, capped, so racing retries spread out. */
export const retryDelayMs = (attempt: number, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, throws an error not worth retrying, or the retries run out (the last error is thrown). */
export async function withRetries<T>(options: TransactionOptions | undefined, attempt: () => Promise<T>): Promise<T> {
  const retries = retriesOf(options);
  for (let done = 0; ; done += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (done >= retries || !isRetryableTransactionError(error)) throw error;
      transactionRetried.publish({ cause: classifyDatabaseError(error) as RetryableKind });
      await sleep(retryDelayMs(done));
    }
  }
}

/**
 * The statement that opens a transaction at a level (BEGIN ISOLATION LEVEL ... on a pool
 * client; SET TRANSACTION ... inside an already opened PGlite transaction).
 */
export const isolationClause = (isolation: IsolationLevel): string => `ISOLATION LEVEL ${isolation.toUpperCase()}`;

/**
 * The check a joined transaction makes: no new BEGIN and no retries, but asking a stronger
 * isolation than the open transaction has is a programming error (its guarantees would be
 * silently missing).
 */
export function checkJoin(outer: IsolationLevel, options: TransactionOptions | undefined): void {
  const inner = isolationOf(options);
  if (RANK[inner] > RANK[outer]) {
    throw new Error(`a transaction asking ${inner} cannot join an open ${outer} transaction: open the outer one at ${inner} or stronger`);
  }
}
