/** Retry timing of webhook deliveries: doubling from the base, capped, jittered within ±25 %, about 3 days with the defaults. */
import { retryDelayMs } from './backoff';

const base = 30_000;

test('when attempts fail, then each delay doubles the one before, from the base', () => {
  expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, base, () => 0.5))).toEqual([30_000, 60_000, 120_000, 240_000]);
});

test('when attempts keep failing, then the delay stops growing at 1440 times the base (12 h)', () => {
  expect(retryDelayMs(12, base, () => 0.5)).toBe(12 * 3_600_000);
  expect(retryDelayMs(40, base, () => 0.5)).toBe(12 * 3_600_000);
});

test('when jitter is drawn, then the delay stays within a quarter of the schedule either way', () => {
  expect(retryDelayMs(3, base, () => 0)).toBe(90_000);
  expect(retryDelayMs(3, base, () => 0.999_999)).toBe(150_000);
});

test('when the defaults apply (17 attempts), then the retries span about three days', () => {
  const total = Array.from({ length: 16 }, (_, index) => retryDelayMs(index + 1, base, () => 0.5)).reduce((sum, delay) => sum + delay, 0);
  expect(total / 86_400_000).toBeGreaterThan(2.9);
  expect(total / 86_400_000).toBeLessThan(3.5);
});
