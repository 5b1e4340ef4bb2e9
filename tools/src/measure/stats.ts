// The two summaries the measurement tools print: every median and every percentile in the
// bench, bench-logs, outage and the stack tests comes from here, so they all agree.

/** The middle value; for an even count the mean of the two middle ones. NaN for no values. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The nearest-rank percentile: the smallest value with at least p % of the values at or
 * below it, so p99 of 100 latencies is the 99th slowest, a latency that really happened.
 * 0 for no values (a run with no answers reports 0 ms, not NaN).
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
