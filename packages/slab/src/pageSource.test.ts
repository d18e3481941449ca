import { describe, expect, it } from 'vitest';
import { createPagePool } from './pageSource.js';

describe('page pool', () => {
  it('hands out naturally aligned blocks, first fit', () => {
    const pool = createPagePool(0x101, 16); // frames 0x101 … 0x110
    expect(pool.allocPages(0, 0)).toBe(0x101);
    expect(pool.allocPages(1, 0)).toBe(0x102);
    expect(pool.allocPages(2, 0)).toBe(0x104);
    expect(pool.allocPages(0, 0)).toBe(0x108);
    expect(pool.allocPages(3, 0)).toBe(-1); // 0x108 is taken and 0x110 + 8 runs past the end
    expect(pool.used).toBe(8);
  });

  it('takes blocks back and refuses frames it did not hand out', () => {
    const pool = createPagePool(0x100, 4);
    const pfn = pool.allocPages(1, 0);
    pool.freePages(pfn, 1);
    expect(pool.used).toBe(0);
    expect(() => pool.freePages(pfn, 0)).toThrow(/not allocated/);
  });
});
