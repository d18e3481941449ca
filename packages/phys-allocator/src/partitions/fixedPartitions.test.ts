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
