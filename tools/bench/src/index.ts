/**
 * @vmlab/bench — the benchmark kit: suites and cases with targets, measuring helpers, and the
 * runner behind `npm run bench`.
 *
 * @packageDocumentation
 */
export { median, now, opsPerSecond, percentile, timeMs } from './measure.js';
export type { RateOptions } from './measure.js';
export { findBenchmarkFiles, formatMarkdown, formatTable, runBenchmarks } from './runner.js';
export type { BenchmarkRow } from './runner.js';
export { defineSuite, formatNumber, formatTarget, meetsTarget } from './suite.js';
export type { BenchmarkCase, BenchmarkSuite, Measurement, Target } from './suite.js';
