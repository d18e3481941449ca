/**
 * How a package declares its benchmarks: a suite of cases, each measuring one figure with a unit
 * and, where the project has one, a target. Benchmark files are `src/**\/*.bench.ts`; each default-
 * exports a suite. Performance targets live here, never in timed unit tests.
 */

/** A target a figure should meet: at least or at most a value. */
export interface Target {
  /** The figure must be ≥ this. */
  readonly atLeast?: number;
  /** The figure must be ≤ this. */
  readonly atMost?: number;
}

/** What one case measured. */
export interface Measurement {
  /** The figure. */
  readonly value: number;
  /** Extra figures worth printing beside it (ratios, sizes), by name. */
  readonly details?: Readonly<Record<string, number | string>>;
}

/** One benchmark case. */
export interface BenchmarkCase {
  /** What is measured, e.g. `order-0 alloc+free pairs`. */
  readonly name: string;
  /** The unit of the figure, e.g. `ops/s`, `ms`, `%`. */
  readonly unit: string;
  /** The target, if the project set one. */
  readonly target?: Target;
  /** Runs the measurement (may take a few seconds). */
  run(): Measurement | Promise<Measurement>;
}

/** A package's benchmarks. */
export interface BenchmarkSuite {
  /** The package, e.g. `@vmlab/kernel`. */
  readonly package: string;
  /** Its cases, run in order. */
  readonly cases: readonly BenchmarkCase[];
}

/** Declares a package's benchmark suite (the default export of a `*.bench.ts` file). */
export function defineSuite(packageName: string, cases: readonly BenchmarkCase[]): BenchmarkSuite {
  return { package: packageName, cases };
}

/** True when `value` meets `target` (or there is no target). */
export function meetsTarget(value: number, target: Target | undefined): boolean {
  if (!target) return true;
  if (target.atLeast !== undefined && !(value >= target.atLeast)) return false;
  if (target.atMost !== undefined && !(value <= target.atMost)) return false;
  return true;
}

/** A target as text: `≥ 200000`, `≤ 20`. */
export function formatTarget(target: Target | undefined): string {
  if (!target) return '';
  const parts: string[] = [];
  if (target.atLeast !== undefined) parts.push(`≥ ${formatNumber(target.atLeast)}`);
  if (target.atMost !== undefined) parts.push(`≤ ${formatNumber(target.atMost)}`);
  return parts.join(', ');
}

/** A figure with thousands separators and sensible precision. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
