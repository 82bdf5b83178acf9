/** Latency statistics. All values are in the unit of the samples (ms for timings). */
export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/**
 * The p-quantile (0..1) of ascending `sorted` samples, interpolating linearly between the
 * two closest ranks (the same definition as numpy's default and Excel's PERCENTILE.INC).
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0]!;
  if (p >= 1) return sorted[sorted.length - 1]!;
  const rank = (sorted.length - 1) * p;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  const low = sorted[lower]!;
  return low + (sorted[upper]! - low) * (rank - lower);
}

/** Median and quartiles of per-round figures (in any order); undefined when there are none. */
export function quartiles(values: readonly number[] | undefined): { median: number; q1: number; q3: number } | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return { median: percentile(sorted, 0.5), q1: percentile(sorted, 0.25), q3: percentile(sorted, 0.75) };
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return {
    count: sorted.length,
    min: sorted.length ? sorted[0]! : Number.NaN,
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    mean: sorted.length ? total / sorted.length : Number.NaN,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
  };
}

/**
 * Keeps every sample up to `capacity`, then a uniform random subset of that size
 * (reservoir sampling), so percentiles stay unbiased on millions of operations.
 */
export class SampleRecorder {
  private readonly values: number[] = [];
  private seen = 0;

  constructor(private readonly capacity = 250_000) {}

  add(value: number): void {
    this.seen++;
    if (this.values.length < this.capacity) {
      this.values.push(value);
      return;
    }
    const slot = Math.floor(Math.random() * this.seen);
    if (slot < this.capacity) this.values[slot] = value;
  }

  get count(): number {
    return this.seen;
  }

  get samples(): readonly number[] {
    return this.values;
  }
}
