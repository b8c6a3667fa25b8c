/**
 * The clock a use case takes its instant from. On a live deployment it is the wall clock; in a
 * sandbox, a client's world (its member cards) may run ahead of it: the sandbox partner
 * contracted for the client moves it forward (a test clock, docs/sandbox.md), and the moves are
 * kept (migration 043). Rows keep the database's own time (created_at is never in the future;
 * a card's validity date, a date of the world's calendar, is set and judged by worldNowOf);
 * a clock maps it to the world's time (`local`) and back (`real`), so that rules counting days,
 * weeks, months, hours and intervals judge by the world's time without a sandbox branch of
 * their own.
 */
import type { Queryable } from '../db/database';
import { deploymentMode } from './deployment';

export interface Clock {
  /** How far the world is ahead of the wall clock now, in seconds (0 on the wall clock). */
  readonly offsetSeconds: number;
  /** The world's time now. */
  now(): Date;
  /** When, in the world's time, something stamped `real` by the database's clock happened. */
  local(real: Date): Date;
  /** The earliest wall-clock instant whose world time is `local` or later (the inverse of `local`). */
  real(local: Date): Date;
}

/** The wall clock: every live deployment's, and a sandbox world's until it is moved. */
export const WALL_CLOCK: Clock = {
  offsetSeconds: 0,
  now: () => new Date(),
  local: (real) => real,
  real: (local) => local,
};

interface Move {
  /** From when (the database's clock) the offset holds. */
  at: number;
  /** Milliseconds ahead. */
  offsetMs: number;
}

/** The clock of a world moved by `moves` (ascending by time, offsets growing). */
export function movedClock(moves: readonly { movedAt: Date; offsetSeconds: number }[]): Clock {
  if (moves.length === 0) return WALL_CLOCK;
  const steps: Move[] = [{ at: -Infinity, offsetMs: 0 }, ...moves.map((move) => ({ at: move.movedAt.getTime(), offsetMs: move.offsetSeconds * 1000 }))];
  const offsetAt = (real: number) => steps.reduce((offset, step) => (step.at <= real ? step.offsetMs : offset), 0);
  const last = steps[steps.length - 1];
  return {
    offsetSeconds: last.offsetMs / 1000,
    now: () => new Date(Date.now() + offsetAt(Date.now())),
    local: (real) => new Date(real.getTime() + offsetAt(real.getTime())),
    real: (local) => {
      const target = local.getTime();
      // Step i covers world times [at_i + offset_i, at_(i+1) + offset_i); a move jumps over the gap between steps.
      for (let i = 0; i < steps.length; i += 1) {
        const step = steps[i];
        if (target < step.at + step.offsetMs) return new Date(step.at);
        if (i === steps.length - 1 || target < steps[i + 1].at + step.offsetMs) return new Date(target - step.offsetMs);
      }
      return new Date(target - last.offsetMs);
    },
  };
}

/**
 * SQL of the moves of the clock of client `client` (a column or placeholder), as a JSON array
 * (`movedAt`, `offsetSeconds`, ascending), for a statement that reads a card's world with its
 * clock in one round trip: an index probe, empty on a live deployment. Read it with clockOfMoves.
 */
export function clockMovesOf(client: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('movedAt', m.moved_at, 'offsetSeconds', m.offset_seconds) ORDER BY m.moved_at, m.offset_seconds), '[]')
             FROM sandbox_clock_moves m WHERE m.client_id = ${client})`;
}

/**
 * SQL of the time now in the world of client `client` (a column or placeholder; NULL for an
 * E-service card, which belongs to no client's world): the database's `now()` plus the offset
 * its clock was last moved to. The one instant a card's expiry is judged at (cards.ts,
 * ledger/posting.ts, payments/orders.ts): an index probe, empty on a live deployment, where it is
 * `now()`.
 */
export const worldNowOf = (client: string): string =>
  `(now() + make_interval(secs => coalesce((SELECT max(m.offset_seconds) FROM sandbox_clock_moves m WHERE m.client_id = ${client}), 0)))`;

/** The clock of the moves clockMovesOf read. */
export const clockOfMoves = (moves: readonly { movedAt: string; offsetSeconds: number | string }[] | null): Clock =>
  movedClock((moves ?? []).map((move) => ({ movedAt: new Date(move.movedAt), offsetSeconds: Number(move.offsetSeconds) })));

/**
 * The clock of a sandbox partner's world, as it moved it (each move at the furthest offset it
 * gave one of its clients): for what is the partner's own rather than one card's (its day
 * statement). The wall clock on a live deployment, without a query.
 */
export async function partnerClock(db: Queryable, partnerId: string): Promise<Clock> {
  if ((await deploymentMode(db)) !== 'sandbox') return WALL_CLOCK;
  const rows = await db.query<{ moved_at: Date; offset_seconds: string }>(
    'SELECT moved_at, max(offset_seconds)::text AS offset_seconds FROM sandbox_clock_moves WHERE moved_by = $1 GROUP BY moved_at ORDER BY moved_at',
    [partnerId],
  );
  return movedClock(rows.map((row) => ({ movedAt: row.moved_at, offsetSeconds: Number(row.offset_seconds) })));
}

/**
 * Moves the clocks of the clients' worlds forward by `seconds` (each from its own offset), as
 * partner `partnerId` asked; returns the largest offset reached. The caller checked that they
 * are a sandbox partner's own clients and serialises its moves.
 */
export async function moveClientClocks(tx: Queryable, partnerId: string, clientIds: readonly string[], seconds: number): Promise<number> {
  const rows = await tx.query<{ offset_seconds: string }>(
    `INSERT INTO sandbox_clock_moves (client_id, offset_seconds, moved_by)
     SELECT c.id, coalesce((SELECT max(m.offset_seconds) FROM sandbox_clock_moves m WHERE m.client_id = c.id), 0) + $2, $3
       FROM unnest($1::text[]) AS c (id)
     RETURNING offset_seconds`,
    [clientIds, seconds, partnerId],
  );
  return Math.max(0, ...rows.map((row) => Number(row.offset_seconds)));
}

/** The largest offset of the clients' clocks now, in seconds (0 when none moved). */
export async function clientClocksOffset(db: Queryable, clientIds: readonly string[]): Promise<number> {
  const [row] = await db.query<{ offset_seconds: string | null }>(
    'SELECT max(offset_seconds) AS offset_seconds FROM sandbox_clock_moves WHERE client_id = ANY($1::text[])',
    [clientIds],
  );
  return Number(row?.offset_seconds ?? 0);
}
