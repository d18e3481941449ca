import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFixedPool, equalPartitions, fixedAlloc, fixedFree, internalFragmentation } from './fixedPartitions.js';

describe('fixed partitions (Stallings §7.2)', () => {
  it('equal partitions: 512 bytes in four of 128; the textbook requests waste what they leave unused', () => {
    const pool = createFixedPool(512, equalPartitions(512, 4));
    expect(fixedAlloc(pool, 'r1', 100)).toBe(0);
    expect(fixedAlloc(pool, 'r2', 200)).toBe(-1); // no partition holds 200 bytes
    expect(fixedAlloc(pool, 'r3', 10)).toBe(128);
    expect(internalFragmentation(pool)).toBe(28 + 118);
    expect(fixedFree(pool, 0)).toBe(true);
    expect(fixedFree(pool, 0)).toBe(false);
    expect(internalFragmentation(pool)).toBe(118);
  });

  it('unequal partitions: each request goes to the smallest free partition it fits', () => {
    const pool = createFixedPool(512, [64, 64, 128, 256]);
    expect(fixedAlloc(pool, 'a', 100)).toBe(128); // the 128-byte partition
    expect(fixedAlloc(pool, 'b', 10)).toBe(0);
    expect(fixedAlloc(pool, 'c', 100)).toBe(256); // 128 is taken, the 256-byte one is next
    expect(fixedAlloc(pool, 'd', 65)).toBe(-1);
    expect(internalFragmentation(pool)).toBe(28 + 54 + 156);
  });

  it('refuses partitions larger than the pool', () => {
    expect(() => createFixedPool(100, [64, 64])).toThrow(/more than/);
  });
});

describe('fixed partitions against a reference (fast-check)', () => {
  it('always picks the smallest free partition that fits, and conserves bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.oneof(fc.integer({ min: 1, max: 220 }), fc.constant(0)), { maxLength: 40 }),
        (sizes, steps) => {
          const pool = createFixedPool(sizes.reduce((a, b) => a + b, 0), sizes);
          const held = new Map<number, number>(); // start → requested
          let id = 0;
          for (const request of steps) {
            if (request === 0) {
              const first = held.keys().next();
              if (!first.done) {
                expect(fixedFree(pool, first.value)).toBe(true);
                held.delete(first.value);
              }
              continue;
            }
            const candidates = pool.partitions.filter((p) => !held.has(p.start) && p.size >= request);
            const smallest = candidates.reduce<number>((best, p) => Math.min(best, p.size), Infinity);
            const got = fixedAlloc(pool, `a${id++}`, request);
            if (candidates.length === 0) expect(got).toBe(-1);
            else {
              expect(pool.partitions.find((p) => p.start === got)!.size).toBe(smallest);
              expect(candidates.find((p) => p.size === smallest)!.start).toBe(got);
              held.set(got, request);
            }
            const wasted = [...held].reduce((sum, [start, used]) => sum + pool.partitions.find((p) => p.start === start)!.size - used, 0);
            expect(internalFragmentation(pool)).toBe(wasted);
          }
        },
      ),
    );
  });
});
