/**
 * Batching per turn of the event loop: the calls of a hot statement made in the same turn go to
 * the database as one statement. Under load the round trip, not the statement, is what a read
 * costs the server (each one costs it 60-70 µs of `writev` alone, issue 31), and a few dozen
 * requests arrive in the same turn. This is batching, not caching: every call is answered by a
 * statement sent after the call was made, so whatever changed before it (a revoked token, a
 * disabled partner, a balance) is seen exactly as with one statement per call.
 */
import type { Queryable } from './database';

/** The calls of one turn go together, at most this many per batch (a full batch is sent at once). */
export const MAX_BATCH = 100;

interface Pending<Input, Result> {
  input: Input;
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * Sends the calls made in one turn of the event loop together: `send` gets the inputs of the
 * turn, in the order of the calls, and returns one result per input, in that order. A batch
 * that fails (or returns too few results) rejects each of its calls with that error.
 */
export function perTurn<Input, Result>(send: (inputs: Input[]) => Promise<Result[]>, maxBatch = MAX_BATCH): (input: Input) => Promise<Result> {
  let pending: Pending<Input, Result>[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    let sent: Promise<Result[]>;
    try {
      sent = send(batch.map((call) => call.input));
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent
      .then(
        (results) => {
          if (results.length < batch.length) throw new Error(`a batch of ${batch.length} calls got ${results.length} results`);
          batch.forEach((call, index) => call.resolve(results[index]));
        },
        (error: unknown) => batch.forEach((call) => call.reject(error)),
      )
      .catch((error: unknown) => batch.forEach((call) => call.reject(error)));
  };
  return (input) =>
    new Promise<Result>((resolve, reject) => {
      pending.push({ input, resolve, reject });
      // setImmediate runs once the I/O callbacks of this turn (the other requests) are done.
      if (pending.length === 1) setImmediate(flush);
      else if (pending.length >= maxBatch) flush();
    });
}

/** A row of a batched statement: `ord` is the position (from 1) of the call's parameters in the batch's arrays. */
interface BatchRow {
  ord: string | number;
}

/** Runs a batched statement for one call's parameters on a database handle; the call's rows, in the statement's order. */
type BatchedStatement<Params extends readonly unknown[], Row> = (db: Queryable, params: Params) => Promise<Row[]>;

/**
 * A prepared statement batched per turn of the event loop (see `perTurn`), one batch per
 * database handle. `sql` reads the calls' parameters as arrays, `$n` holding the n-th parameter
 * of every call, through `unnest(...) WITH ORDINALITY` aliased `batch`, and returns the `ord` of
 * the call each row answers, for example:
 *
 *     SELECT batch.ord, c.id, c.status
 *       FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS batch (id, partner_id, ord)
 *       JOIN some_table t ON t.id = batch.id ...
 *
 * Each call gets its own rows (none: an empty array) in the order the statement returns them.
 * Calls of one batch with the same parameters are sent once and share their rows: callers must
 * not change them.
 */
export function batchedStatement<Params extends readonly unknown[], Row extends BatchRow>(sql: string, maxBatch = MAX_BATCH): BatchedStatement<Params, Row> {
  const batches = new WeakMap<Queryable, (params: Params) => Promise<Row[]>>();
  const batching = (db: Queryable) =>
    perTurn<Params, Row[]>(async (calls) => {
      // The distinct parameters, and where each call finds its rows.
      const positions = new Map<string, number>();
      const distinct: Params[] = [];
      const at = calls.map((params) => {
        const key = params.length === 1 && typeof params[0] === 'string' ? `s${params[0]}` : `j${JSON.stringify(params)}`;
        let position = positions.get(key);
        if (position === undefined) {
          positions.set(key, (position = distinct.length));
          distinct.push(params);
        }
        return position;
      });
      const arrays = calls[0].map((_, index) => distinct.map((params) => params[index]));
      const rows = await db.query<Row>(sql, arrays, { prepare: true });
      const answers = distinct.map((): Row[] => []);
      for (const row of rows) {
        const answer = answers[Number(row.ord) - 1];
        if (!answer) throw new Error(`a batched statement returned the row of call ${String(row.ord)} of ${distinct.length}`);
        answer.push(row);
      }
      return at.map((position) => answers[position]);
    }, maxBatch);
  return (db, params) => {
    let batch = batches.get(db);
    if (!batch) batches.set(db, (batch = batching(db)));
    return batch(params);
  };
}
