/** The shared rate counter on the real database: exact under concurrency, and its arithmetic. */
import { RateLimiter } from '../src/domain/security/rate-counters';
import { estimate, retryAfterSeconds } from '../src/domain/security/sliding-window';
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
    const [stored] = await database.db.query<{ hits: number }>("SELECT hits FROM rate_counters WHERE bucket = 'api:ptn_race'");
    expect(stored.hits).toBe(300);
  });

  it('when batches hit several buckets in opposite orders at once, then none deadlocks and every count is exact', async () => {
    const buckets = ['api:ptn_a', 'api:ptn_b', 'api:ptn_c', 'api:ptn_d'];
    const limiters = Array.from({ length: 8 }, () => new RateLimiter(database.db, () => 1_800_000_030_000));
    const hits: Promise<unknown>[] = [];
    for (let round = 0; round < 40; round += 1) {
      limiters.forEach((limiter, index) => {
        const order = index % 2 ? [...buckets].reverse() : buckets;
        for (const bucket of order) hits.push(limiter.hit(bucket, 60));
      });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(hits);
    const rows = await database.db.query<{ bucket: string; hits: number }>('SELECT bucket, hits FROM rate_counters WHERE bucket = ANY($1) ORDER BY bucket', [
      buckets,
    ]);
    expect(rows).toEqual(buckets.map((bucket) => ({ bucket, hits: 320 })));
  });

  it('when a bucket is peeked, then its counts come back and nothing is counted', async () => {
    const limiter = new RateLimiter(database.db, () => 1_800_000_030_000);
    await limiter.hit('fail-address:192.0.2.9', 900);
    await limiter.hit('fail-address:192.0.2.9', 900);
    expect(await limiter.peek('fail-address:192.0.2.9', 900)).toMatchObject({ current: 2, previous: 0 });
    expect(await limiter.peek('fail-address:192.0.2.9', 900)).toMatchObject({ current: 2, previous: 0 });
    expect(await limiter.peek('fail-address:192.0.2.10', 900)).toMatchObject({ current: 0, previous: 0 });
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
    [{ windowStart: 0, current: 10, previous: 0, elapsed: 20, window: 60 }, 10, 40],
    [{ windowStart: 0, current: 20, previous: 0, elapsed: 20, window: 60 }, 10, 70],
    [{ windowStart: 0, current: 5, previous: 10, elapsed: 30, window: 60 }, 10, 1],
    [{ windowStart: 0, current: 5, previous: 20, elapsed: 0, window: 60 }, 10, 45],
  ])('when the counts are %j and the limit %i, then retry after %i s', (count, limit, expected) => {
    expect(retryAfterSeconds(count, limit)).toBe(expected);
  });
});
