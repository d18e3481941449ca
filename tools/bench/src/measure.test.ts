import { describe, expect, it } from 'vitest';
import { median, percentile } from './measure.js';
import { formatTarget, meetsTarget } from './suite.js';
import { formatTable } from './runner.js';

describe('bench kit', () => {
  it('computes nearest-rank percentiles', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(median(values)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('checks and prints targets', () => {
    expect(meetsTarget(200_001, { atLeast: 200_000 })).toBe(true);
    expect(meetsTarget(21, { atMost: 20 })).toBe(false);
    expect(meetsTarget(Number.NaN, { atLeast: 1 })).toBe(false);
    expect(formatTarget({ atLeast: 200_000 })).toBe('≥ 200,000');
  });

  it('prints one aligned table', () => {
    const table = formatTable([{ package: '@vmlab/kernel', name: 'inputs/s', value: 250_000.4, unit: 'ops/s', target: { atLeast: 200_000 }, ok: true }]);
    expect(table.split('\n')).toEqual([
      'package        benchmark    value  unit   target     ok   details',
      '-------------  ---------  -------  -----  ---------  ---  -------',
      '@vmlab/kernel  inputs/s   250,000  ops/s  ≥ 200,000  yes',
    ]);
  });
});
