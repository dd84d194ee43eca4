/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/** The nearest-rank percentile (p in 0–100) of some samples. */
export function percentile(samples: number[] | Float64Array, p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function latencySummary(samples: number[] | Float64Array): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => (sorted.length === 0 ? Number.NaN : (sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] ?? Number.NaN));
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] ?? Number.NaN) };
}
