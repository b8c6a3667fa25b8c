/** Order statistics of the bench and soak reports. */

/** The median of the values that are numbers (NaN when there are none). */
export const median = (values: number[]): number => {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The medians of the first and the last third of a series (at least one value each; NaN when empty). */
export function thirds(values: number[]): { first: number; last: number } {
  const size = Math.max(1, Math.floor(values.length / 3));
  return { first: median(values.slice(0, size)), last: median(values.slice(-size)) };
}
