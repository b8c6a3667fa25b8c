/**
 * The sliding estimate of counts kept in fixed windows (see rate-counters.ts, which
 * counts them): previous × (1 − elapsed/window) + current. Shared by the rate limits and the
 * operator's view of failed-authentication lock-outs.
 */

export interface Count {
  /** The window the hit was counted in (epoch seconds). */
  windowStart: number;
  /** Hits in the current window, this one included. */
  current: number;
  /** Hits in the previous window. */
  previous: number;
  /** Seconds elapsed in the current window. */
  elapsed: number;
  window: number;
}

/** The sliding estimate of the hits in the last `window` seconds. */
export const estimate = (count: Count) => count.previous * (1 - count.elapsed / count.window) + count.current;

/** Seconds until the estimate falls below the limit again (at least 1). */
export function retryAfterSeconds(count: Count, limit: number): number {
  const { current, previous, elapsed, window } = count;
  // In the next window the current count becomes the previous one and fades linearly.
  const wait = current >= limit ? window - elapsed + window * (1 - limit / current) : previous > 0 ? window * (1 - (limit - current) / previous) - elapsed : 0;
  return Math.max(1, Math.ceil(wait));
}
