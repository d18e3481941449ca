/**
 * Measuring helpers. Benchmarks may read the wall clock (they are not simulation code); every
 * helper warms up first and repeats until the measured time is long enough to trust.
 */

/** Nanoseconds from a monotonic clock. */
export function now(): number {
  return Number(process.hrtime.bigint());
}

/** Options of `opsPerSecond`. */
export interface RateOptions {
  /** Minimum measured time in milliseconds (default 500). */
  readonly minTimeMs?: number;
  /** Repeat the measurement this many times and keep the median (default 3). */
  readonly samples?: number;
}

/**
 * Operations per second of `batch(n)`, which must perform n operations. The batch size doubles
 * until one batch takes at least minTimeMs / 4; the median of the samples is returned.
 */
export function opsPerSecond(batch: (n: number) => void, options: RateOptions = {}): number {
  const minTime = (options.minTimeMs ?? 500) * 1e6;
  const samples = options.samples ?? 3;
  let n = 1;
  batch(1);
  for (;;) {
    const t = now();
    batch(n);
    const elapsed = now() - t;
    if (elapsed >= minTime / 4) break;
    n *= elapsed < minTime / 64 ? 8 : 2;
  }
  const rates: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t = now();
    batch(n);
    rates.push((n * 1e9) / (now() - t));
  }
  return median(rates);
}

/** Milliseconds taken by one call of `fn` (no repetition: for operations long enough to time alone). */
export function timeMs(fn: () => void): number {
  const t = now();
  fn();
  return (now() - t) / 1e6;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The p-th percentile of `values` (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
