import { median, percentile, thirds } from './stats';

describe('bench and soak statistics', () => {
  it('when values are given, then the median ignores NaN and the percentile is nearest-rank', () => {
    expect(median([3, NaN, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(percentile(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 0.99)).toBe(10);
  });

  it('when a series is split in thirds, then the first and last thirds give their medians (the soak compares them)', () => {
    expect(thirds([100, 102, 101, 103, 104, 102, 150, 160, 170])).toEqual({ first: 101, last: 160 });
    expect(thirds([5, 6])).toEqual({ first: 5, last: 6 });
    expect(thirds([])).toEqual({ first: NaN, last: NaN });
  });
});
