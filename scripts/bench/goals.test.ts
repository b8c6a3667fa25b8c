import { ceilingGoalLines, ceilingIdOf } from './goals';
import { perTurn } from './ceiling';

const scenario = (id: string, ratioToCeiling: number | null, p99Ms: number, flag: string | null = null) => ({
  id,
  name: `GET ${id}`,
  p99Ms,
  ratioToCeiling,
  flag,
});
const ceiling = (id: string, p99Ms = 3, flag: string | null = null) => scenario(ceilingIdOf(id), null, p99Ms, flag);

describe('bench goals against the ceiling', () => {
  it('when a read reaches 0.7x its ceiling within its p99 limit, then its goal is met; below either, missed', () => {
    const lines = ceilingGoalLines([
      scenario('me', 0.7, 20),
      ceiling('me'),
      scenario('partner-balance', 0.69, 5),
      ceiling('partner-balance'),
      scenario('balance-card', 0.9, 20.5),
      ceiling('balance-card'),
    ]);
    expect(lines).toEqual([
      'goal GET me: >= 0.7x its ceiling and p99 <= 20 ms: 0.70x, p99 20.00 ms (ceiling p99 3.00 ms), met',
      'goal GET partner-balance: >= 0.7x its ceiling and p99 <= 20 ms: 0.69x, p99 5.00 ms (ceiling p99 3.00 ms), MISSED',
      'goal GET balance-card: >= 0.7x its ceiling and p99 <= 20 ms: 0.90x, p99 20.50 ms (ceiling p99 3.00 ms), MISSED',
    ]);
  });

  it('when a payment is measured, then its p99 limit is 100 ms', () => {
    expect(ceilingGoalLines([scenario('payment-spread', 0.75, 99), ceiling('payment-spread')])).toEqual([
      'goal GET payment-spread: >= 0.7x its ceiling and p99 <= 100 ms: 0.75x, p99 99.00 ms (ceiling p99 3.00 ms), met',
    ]);
  });

  it('when the ceiling was not selected or either side was flagged, then the goal is not measured; a scenario without answers is not measured; an unselected scenario has no line', () => {
    expect(ceilingGoalLines([scenario('me', null, 5)])).toEqual([
      'goal GET me: >= 0.7x its ceiling and p99 <= 20 ms: -x, p99 5.00 ms (ceiling p99 - ms), not measured (select me-ceiling)',
    ]);
    expect(ceilingGoalLines([scenario('me', 0.9, 5), ceiling('me', 3, '2 non-2xx')])[0]).toMatch(/, not measured \(flagged\)$/);
    expect(ceilingGoalLines([scenario('me', 0.9, 5, '1 errors'), ceiling('me')])[0]).toMatch(/, not measured \(flagged\)$/);
    expect(ceilingGoalLines([scenario('me', 0, NaN), ceiling('me')])[0]).toMatch(/, not measured \(no answers\)$/);
    expect(ceilingGoalLines([ceiling('me')])).toEqual([]);
  });
});

describe('the ceiling batches per turn of the event loop', () => {
  it('when calls are made in one turn, then they go out as one batch, each answered with its own result; the next turn is another batch', async () => {
    const batches: number[][] = [];
    const double = perTurn(async (inputs: number[]) => {
      batches.push(inputs);
      return inputs.map((input) => input * 2);
    });
    const first = await Promise.all([double(1), double(2), double(3)]);
    const second = await double(4);
    expect(first).toEqual([2, 4, 6]);
    expect(second).toBe(8);
    expect(batches).toEqual([[1, 2, 3], [4]]);
  });

  it('when the batch fails, then every call of it fails', async () => {
    const failing = perTurn(async (_inputs: number[]): Promise<number[]> => {
      throw new Error('database down');
    });
    await expect(Promise.all([failing(1), failing(2)])).rejects.toThrow('database down');
  });
});
