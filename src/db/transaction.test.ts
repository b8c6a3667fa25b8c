import { transactionRetried } from './observation';
import { withRetries } from './transaction';

describe('withRetries', () => {
  it('when an attempt is aborted by contention, then the retry is reported with its cause (the metrics count it), and other errors are not', async () => {
    const causes: string[] = [];
    const stop = transactionRetried.subscribe(({ cause }) => causes.push(cause));
    try {
      const failures = [{ code: '40P01' }, { code: '55P03' }];
      expect(
        await withRetries({ retries: 3 }, async () => {
          const failure = failures.shift();
          if (failure) throw failure;
          return 'done';
        }),
      ).toBe('done');
      await expect(
        withRetries({ retries: 3 }, async () => {
          throw { code: '23505' };
        }),
      ).rejects.toEqual({ code: '23505' });
    } finally {
      stop();
    }
    expect(causes).toEqual(['deadlock', 'lock_timeout']);
  });
});
