/**
 * When a failed webhook delivery is tried again: exponential backoff with jitter. With the
 * default base (WEBHOOK_RETRY_BASE_MS, 30 s) and attempts (WEBHOOK_MAX_ATTEMPTS, 17) the
 * retries span about 3 days: 30 s, 1 min, 2 min ... 8.5 h (17 h in all), then 12 h five times.
 */

/** The longest retry delay, in multiples of the base (12 h with the 30 s default). */
const MAX_DELAY_FACTOR = 1440;

/**
 * The delay before attempt `attempt + 1` after `attempt` failed: the base doubled per attempt,
 * capped at 1440 times the base, times a jitter factor in [0.75, 1.25).
 */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(baseMs * 2 ** Math.max(attempt - 1, 0), baseMs * MAX_DELAY_FACTOR);
  return Math.round(exponential * (0.75 + random() * 0.5));
}
