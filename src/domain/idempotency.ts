/**
 * Idempotency of money-moving requests (draft-ietf-httpapi-idempotency-key-header; Stripe's
 * semantics). A key is scoped to its caller and claimed in the transaction of the ledger
 * write, so the operation and the stored answer commit together or not at all:
 *
 * - a transaction-scoped advisory lock on (caller, key) is tried first: a request whose key is
 *   held by one still in flight is refused at once, 409 IDEMPOTENCY_KEY_IN_FLIGHT with
 *   Retry-After, and does nothing;
 * - a key already stored replays its answer (the operation, or the refusal) when the request
 *   is the same (same operation, path and body: the fingerprint), and is 422
 *   IDEMPOTENCY_KEY_REUSED otherwise;
 * - a new key runs the work: its result is stored with the key, in the work's transaction;
 *   its business refusal (a 4xx AppError) rolls the work back and is stored with the key
 *   just after. System failures (5xx, 503) store nothing, so a retry runs the work again.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/database';
import { isRetryableTransactionError, isUniqueViolation } from '../db/errors';
import { AppError, type ErrorCodeName, type ErrorDetails } from './app-error';
import type { Actor } from './actor';
import { moneyRequestAnswered, type MoneyRequestOutcome } from './observation';

export interface IdempotentRequest {
  /** The Idempotency-Key header. */
  key: string;
  /** The contract's operationId. */
  operation: string;
  /** requestFingerprint() of the request. */
  fingerprint: string;
}

/** What a replayed answer is marked with. */
export const REPLAY_HEADER = 'Idempotent-Replayed';
/** Seconds a caller is told to wait while its first request is in flight. */
const IN_FLIGHT_RETRY_AFTER_SECONDS = 1;

/** JSON with object keys sorted, so that two spellings of one body have one fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The fingerprint of a request: its operation, path parameters and body. */
export function requestFingerprint(operation: string, path: unknown, body: unknown): string {
  return createHash('sha256')
    .update(canonical([operation, path ?? {}, body ?? null]))
    .digest('base64url');
}

const callerOf = (actor: Actor) => `${actor.kind}:${actor.id ?? actor.name}`;

interface StoredRefusal {
  codeName: ErrorCodeName;
  debugMessage: string;
  errors?: { path: string; message: string }[];
  details?: ErrorDetails;
}

export interface KeyRow {
  operation: string;
  fingerprint: string;
  status: number;
  answer: { data: unknown } | { refusal: StoredRefusal };
}

type Outcome<T> = { replayed: boolean; data: T } | { replayed: boolean; refusal: StoredRefusal; status: number };

const refusalOf = (error: AppError): StoredRefusal => ({
  codeName: error.codeName,
  debugMessage: error.debugMessage,
  ...(error.errors ? { errors: error.errors } : {}),
  ...(error.details ? { details: error.details } : {}),
});

async function store(tx: Queryable, caller: string, request: IdempotentRequest, status: number, answer: KeyRow['answer']): Promise<void> {
  await tx.query('INSERT INTO idempotency_keys (caller, key, operation, fingerprint, status, answer) VALUES ($1, $2, $3, $4, $5, $6::jsonb)', [
    caller,
    request.key,
    request.operation,
    request.fingerprint,
    status,
    JSON.stringify(answer),
  ]);
}

/**
 * Claims the key (the advisory lock) and reads what is stored under it, in one statement:
 * null for a new key, the stored outcome, or the refusal of the claim (in flight, reused),
 * which is returned rather than thrown: it is never stored. The read's snapshot may predate
 * the lock by a moment, so a request that committed in that moment is not seen: its key's
 * INSERT then fails here, and `idempotent` runs again, to find it.
 */
async function claim<T>(tx: Queryable, caller: string, request: IdempotentRequest): Promise<Outcome<T> | AppError | null> {
  const [row] = await tx.query<{ claimed: boolean; stored: KeyRow | null }>(
    `SELECT l.claimed, CASE WHEN l.claimed THEN (SELECT to_jsonb(k) FROM (SELECT operation, fingerprint, status, answer FROM idempotency_keys WHERE caller = $1 AND key = $2) k) END AS stored
       FROM (SELECT pg_try_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 0)) AS claimed) l`,
    [caller, request.key],
    { prepare: true },
  );
  return claimed<T>(request, row.claimed, row.stored);
}

/** What a claim found (the lock taken or not, the key's stored row) means: null for a new key. */
function claimed<T>(request: IdempotentRequest, taken: boolean, stored: KeyRow | null): Outcome<T> | AppError | null {
  if (!taken) {
    return new AppError(
      'IDEMPOTENCY_KEY_IN_FLIGHT',
      `A request with this Idempotency-Key is still being processed; retry in ${IN_FLIGHT_RETRY_AFTER_SECONDS} second`,
      {
        headers: { 'Retry-After': String(IN_FLIGHT_RETRY_AFTER_SECONDS) },
      },
    );
  }
  if (!stored) return null;
  if (stored.operation !== request.operation || stored.fingerprint !== request.fingerprint) {
    return new AppError(
      'IDEMPOTENCY_KEY_REUSED',
      `This Idempotency-Key was first used for another request (${stored.operation === request.operation ? 'another body or path' : stored.operation}); use a new key for a new operation`,
    );
  }
  return 'data' in stored.answer
    ? { replayed: true, data: stored.answer.data as T }
    : { replayed: true, refusal: stored.answer.refusal, status: stored.status };
}

/**
 * A use-case's work done in one statement of its own (the key's claim, the work and its stored
 * answer, as `claim`, the work and `store` do them in the general path: a payment, migration
 * 047), or handed back. `claimed` false: the key is in flight; `stored`: the key's row; `data`:
 * the work's result, committed with its key. Claimed, with neither: nothing was written, and
 * the general path runs.
 */
export interface OneCall<T> {
  claimed: boolean;
  stored: KeyRow | null;
  data: T | null;
}

/**
 * The one call's outcome, or null for the general path: also when it failed on a unique
 * violation (a key stored meanwhile, a receipt or reference reused) or on contention (a
 * deadlock, a lock timeout): the general path finds the stored key, refuses with the
 * violation's answer, or retries.
 */
async function inOneCall<T>(request: IdempotentRequest, caller: string, call: (caller: string) => Promise<OneCall<T>>): Promise<Outcome<T> | AppError | null> {
  let result: OneCall<T>;
  try {
    result = await call(caller);
  } catch (error) {
    if (isUniqueViolation(error) || isRetryableTransactionError(error)) return null;
    throw error;
  }
  const outcome = claimed<T>(request, result.claimed, result.stored);
  if (outcome) return outcome;
  return result.data === null ? null : { replayed: false, data: result.data };
}

/** What the outcome reports to the metrics. */
function observed<T>(outcome: Outcome<T> | AppError): MoneyRequestOutcome {
  if (outcome instanceof AppError) return { kind: outcome.codeName === 'IDEMPOTENCY_KEY_IN_FLIGHT' ? 'key-in-flight' : 'key-reused' };
  if (outcome.replayed) return { kind: 'replayed' };
  return 'data' in outcome ? { kind: 'completed' } : { kind: 'refused', code: outcome.refusal.codeName };
}

/** The work's outcome as the caller sees it (and as it is reported): its data, or its refusal (or the claim's) thrown. */
function answer<T>(request: IdempotentRequest, outcome: Outcome<T> | AppError): { data: T; replayed: boolean } {
  moneyRequestAnswered.publish({ operation: request.operation, ...observed(outcome) });
  if (outcome instanceof AppError) throw outcome;
  if ('data' in outcome) return outcome;
  throw new AppError(outcome.refusal.codeName, outcome.refusal.debugMessage, {
    status: outcome.status,
    errors: outcome.refusal.errors,
    details: outcome.refusal.details,
    headers: outcome.replayed ? { [REPLAY_HEADER]: 'true' } : {},
  });
}

/**
 * Runs `work` once per (caller, key): returns its result, or the stored one with
 * `replayed: true`; throws its refusal (the stored one, marked as replayed, on a replay).
 *
 * The work's transaction commits with its key. A refusal (a 4xx AppError) rolls the work back
 * whole, then is stored under the key in a transaction of its own (with what `onRefusal`
 * writes), unless another request with the key has stored an answer in between (that answer
 * is then the key's).
 */
/** What an idempotent operation resolves to: its answer, and whether it replays an earlier one. */
export type Idempotent<T> = Promise<{ data: T; replayed: boolean }>;

export async function idempotent<T>(
  db: Queryable,
  actor: Actor,
  request: IdempotentRequest,
  work: (tx: Queryable) => Promise<T>,
  /** Runs in the refusal's transaction, before it is stored: once per refused key. */
  onRefusal?: (tx: Queryable, refusal: AppError) => Promise<void>,
  /** Tried first: the work in one statement (OneCall), which may hand it back to `work`. */
  oneCall?: (caller: string) => Promise<OneCall<T>>,
): Idempotent<T> {
  try {
    const caller = callerOf(actor);
    const done = oneCall && (await inOneCall(request, caller, oneCall));
    if (done) return answer(request, done);
    return await runOnce(db, caller, request, work, onRefusal);
  } catch (error) {
    // Refusals (4xx) were reported as they were answered; anything else stored nothing.
    if (!(error instanceof AppError && error.status < 500)) moneyRequestAnswered.publish({ operation: request.operation, kind: 'failed' });
    throw error;
  }
}

async function runOnce<T>(
  db: Queryable,
  caller: string,
  request: IdempotentRequest,
  work: (tx: Queryable) => Promise<T>,
  onRefusal: ((tx: Queryable, refusal: AppError) => Promise<void>) | undefined,
): Promise<{ data: T; replayed: boolean }> {
  for (let attempt = 1; ; attempt += 1) {
    let outcome: Outcome<T> | AppError;
    try {
      outcome = await db.transaction(async (tx): Promise<Outcome<T> | AppError> => {
        const claimed = await claim<T>(tx, caller, request);
        if (claimed) return claimed;
        const data = await work(tx);
        await store(tx, caller, request, 200, { data });
        return { replayed: false, data }; // what the work left for just before COMMIT runs after
      });
    } catch (error) {
      // The claim's refusals are returned, not thrown: a 4xx thrown here is the work's, or its last statements'.
      if (error instanceof AppError && error.status < 500) {
        const refusal = refusalOf(error);
        return answer(
          request,
          await db.transaction(async (tx): Promise<Outcome<T> | AppError> => {
            const claimed = await claim<T>(tx, caller, request);
            if (claimed) return claimed;
            await onRefusal?.(tx, error);
            await store(tx, caller, request, error.status, { refusal });
            return { replayed: false, refusal, status: error.status };
          }),
        );
      }
      if (attempt < 3 && isUniqueViolation(error, 'idempotency_keys_pkey')) continue;
      throw error;
    }
    return answer(request, outcome); // outside the try: a claim's refusal or a stored one is thrown as it is, never stored
  }
}

/**
 * Forgets the keys older than the retention (at least 24 h), `limit` at a time; returns how
 * many. Idempotent, so several instances running it at once only share the work.
 */
export async function purgeIdempotencyKeys(db: Queryable, actor: Actor, retentionHours: number, limit = 1000): Promise<number> {
  const rows = await db.query(
    `DELETE FROM idempotency_keys WHERE (caller, key) IN (
       SELECT caller, key FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1) LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING 1`,
    [Math.max(retentionHours, 24), limit],
  );
  return rows.length;
}
