/** The shared rate counter on the real database: exact under concurrency, and its arithmetic. */
import { estimate, RateLimiter, retryAfterSeconds } from '../src/auth/rate-limiter';
import { createTestDatabase, type TestDatabase } from './support/database';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

describe('RateLimiter', () => {
  it('when 300 hits race on one bucket from two limiters, then each sees a distinct count and the total is exact', async () => {
    const clock = () => 1_800_000_030_000; // 30 s into a minute window
    const limiters = [new RateLimiter(database.db, clock), new RateLimiter(database.db, clock)];
    const counts = await Promise.all(Array.from({ length: 300 }, (_, index) => limiters[index % 2].hit('api:ptn_race', 60)));
    expect(counts.map((count) => count.current).sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
    expect(counts.every((count) => count.previous === 0 && count.elapsed === 30 && count.window === 60)).toBe(true);
    const peeked = await limiters[0].peek(['api:ptn_race', 'api:ptn_other'], 60);
    expect(peeked.get('api:ptn_race')).toMatchObject({ current: 300, previous: 0 });
    expect(peeked.get('api:ptn_other')).toMatchObject({ current: 0, previous: 0 });
  });

  it('when the next window starts, then the previous count is returned and fades in the estimate', async () => {
    let now = 1_800_000_050_000;
    const limiter = new RateLimiter(database.db, () => now);
    for (let index = 0; index < 6; index += 1) await limiter.hit('api:ptn_fade', 60);
    now += 60_000; // 50 s into the next window
    const count = await limiter.hit('api:ptn_fade', 60);
    expect(count).toMatchObject({ current: 1, previous: 6 });
    expect(count.elapsed).toBe(50);
    expect(estimate(count)).toBeCloseTo(6 * (10 / 60) + 1);
  });
});

describe('retryAfterSeconds', () => {
  it.each([
    [{ current: 10, previous: 0, elapsed: 20, window: 60 }, 10, 40],
    [{ current: 20, previous: 0, elapsed: 20, window: 60 }, 10, 70],
    [{ current: 5, previous: 10, elapsed: 30, window: 60 }, 10, 1],
    [{ current: 5, previous: 20, elapsed: 0, window: 60 }, 10, 45],
  ])('when the counts are %j and the limit %i, then retry after %i s', (count, limit, expected) => {
    expect(retryAfterSeconds(count, limit)).toBe(expected);
  });
});
