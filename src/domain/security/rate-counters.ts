/**
 * Counters for rate limits and failed authentications, kept in the database so that every
 * server instance counts against the same limits (no Redis needed: every instance already
 * talks to PostgreSQL). Windows are fixed (window_start = epoch seconds rounded down) and a
 * limit is checked against the sliding estimate previous × (1 − elapsed/window) + current,
 * which has no burst at window edges. Hits made in the same turn of the event loop go to the
 * database as one statement (perTurn, src/db/batched.ts): this is batching,
 * every hit is counted before it is answered.
 */
import type { Queryable } from '../../db/database';
import { perTurn } from '../../db/batched';
import type { Count } from './sliding-window';

const HIT_SQL = `
WITH hits AS (
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::int[], $4::int[]) AS h(bucket, window_start, n, window_seconds)
), counted AS (
  INSERT INTO rate_counters (bucket, window_start, hits, expires_at)
  SELECT bucket, window_start, n, to_timestamp(window_start + 2 * window_seconds) FROM hits
  -- Rows are locked in one order by every statement, so concurrent batches cannot deadlock.
  ORDER BY bucket, window_start
  ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_counters.hits + excluded.hits
  RETURNING bucket, window_start, hits
)
SELECT c.bucket, c.window_start::text AS window_start, c.hits, COALESCE(p.hits, 0) AS previous
  FROM counted c JOIN hits h ON h.bucket = c.bucket AND h.window_start = c.window_start
  LEFT JOIN rate_counters p ON p.bucket = c.bucket AND p.window_start = c.window_start - h.window_seconds`;

/** A hit as counted: its bucket's window and how far into it the hit came. */
interface Hit {
  bucket: string;
  windowStart: number;
  window: number;
  elapsed: number;
}

/** Expired windows are deleted at most this often, by whichever instance counts first. */
const CLEANUP_INTERVAL_MS = 60_000;
const MAX_BATCH = 200;

export class RateLimiter {
  private lastCleanup = 0;
  /** The hits of one turn of the event loop, counted by one statement (src/db/batched.ts). */
  private readonly count = perTurn<Hit, Count>((hits) => this.send(hits), MAX_BATCH);

  constructor(
    private readonly db: Queryable,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit on the bucket and returns the counts of its window. */
  hit(bucket: string, window: number): Promise<Count> {
    const seconds = this.now() / 1000;
    const windowStart = Math.floor(seconds / window) * window;
    return this.count({ bucket, windowStart, window, elapsed: seconds - windowStart });
  }

  /** The counts of one bucket's window, without counting a hit. */
  async peek(bucket: string, window: number): Promise<Count> {
    const seconds = this.now() / 1000;
    const windowStart = Math.floor(seconds / window) * window;
    const rows = await this.db.query<{ window_start: string; hits: number }>(
      'SELECT window_start::text AS window_start, hits FROM rate_counters WHERE bucket = $1 AND window_start IN ($2, $3)',
      [bucket, windowStart, windowStart - window],
      { prepare: true },
    );
    const hitsOf = (start: number) => rows.find((row) => Number(row.window_start) === start)?.hits ?? 0;
    return { windowStart, current: hitsOf(windowStart), previous: hitsOf(windowStart - window), elapsed: seconds - windowStart, window };
  }

  /** Counts the hits of one turn, each bucket's window once with its number of hits; the counts of each hit, in order. */
  private async send(hits: Hit[]): Promise<Count[]> {
    this.cleanUp();
    // The positions of the hits of each bucket's window, in arrival order.
    const groups = new Map<string, number[]>();
    hits.forEach((hit, position) => {
      const key = `${hit.bucket}\u0000${hit.windowStart}`;
      const group = groups.get(key);
      if (group) group.push(position);
      else groups.set(key, [position]);
    });
    const firsts = [...groups.values()].map((group) => hits[group[0]]);
    const params = [
      firsts.map((hit) => hit.bucket),
      firsts.map((hit) => hit.windowStart),
      [...groups.values()].map((group) => group.length),
      firsts.map((hit) => hit.window),
    ];
    const rows = await this.db.query<{ bucket: string; window_start: string; hits: number; previous: number }>(HIT_SQL, params, { prepare: true });
    const counts = new Array<Count>(hits.length);
    for (const row of rows) {
      const key = `${row.bucket}\u0000${Number(row.window_start)}`;
      const group = groups.get(key) ?? [];
      groups.delete(key);
      // The hits of one batch are numbered in arrival order: the last one sees the total.
      group.forEach((position, index) => {
        const hit = hits[position];
        counts[position] = {
          windowStart: hit.windowStart,
          current: row.hits - group.length + index + 1,
          previous: row.previous,
          elapsed: hit.elapsed,
          window: hit.window,
        };
      });
    }
    const missing = [...groups.keys()];
    if (missing.length > 0) throw new Error(`rate counter ${missing[0].split('\u0000')[0]} not returned`);
    return counts;
  }

  private cleanUp(): void {
    if (this.now() - this.lastCleanup < CLEANUP_INTERVAL_MS) return;
    this.lastCleanup = this.now();
    this.db.query('DELETE FROM rate_counters WHERE expires_at < now()').catch(() => undefined);
  }
}
