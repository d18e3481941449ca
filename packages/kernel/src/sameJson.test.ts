import { describe, expect, it } from 'vitest';
import { sameJson } from './sameJson.js';

describe('sameJson', () => {
  it('is true exactly when the value, written as JSON and read back, equals what was stored', () => {
    const values: unknown[] = [null, 0, -1.5, 'x', true, [1, 'a', null], { a: 1, b: [2, { c: 'd' }] }, { a: undefined, b: 1 }, [undefined, 1], Number.NaN, new Map()];
    for (const value of values) expect(sameJson(JSON.parse(JSON.stringify(value) ?? 'null'), value), String(JSON.stringify(value))).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson(null, undefined)).toBe(false);
  });
});
