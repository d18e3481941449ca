import { describe, expect, it } from 'vitest';
import { createSlabModel } from './allocator.js';
import { GFP_DMA, GFP_KERNEL, findCache } from './cache.js';
import { kfree, kmalloc } from './kmalloc.js';
import { createPagePool } from './pageSource.js';
import { kmallocIndex } from './sizeClasses.js';

const setup = () => createSlabModel({ pages: createPagePool(0x100, 512) });
const active = (model: ReturnType<typeof setup>, name: string) => findCache(model.state, name)!.activeObjects;

describe('kmalloc size classes', () => {
  it.each([
    [0, 32],
    [1, 32],
    [32, 32],
    [33, 64],
    [100, 128],
    [4096, 4096],
    [4097, 8192],
    [131072, 131072],
  ])('kmalloc(%i) comes from size-%i', (size, cacheSize) => {
    const model = setup();
    expect(kmalloc(model, size, GFP_KERNEL).address).toBeGreaterThan(0);
    expect(active(model, `size-${cacheSize}`)).toBe(1);
  });

  it('kmallocIndex: the smallest power of two from 32 that holds the size, -1 above 128 KiB', () => {
    expect([32, 33, 64, 65, 131072, 131073].map(kmallocIndex)).toEqual([0, 1, 1, 2, 12, -1]);
  });

  it('above 128 KiB kmalloc fails cleanly (NULL, ENOMEM) and takes no page', () => {
    const pool = createPagePool(0x100, 64);
    const model = createSlabModel({ pages: pool });
    expect(kmalloc(model, 131073, GFP_KERNEL)).toEqual({ address: 0, error: 'ENOMEM' });
    expect(pool.used).toBe(0);
  });

  it('__GFP_DMA picks the size-N(DMA) twin', () => {
    const model = setup();
    kmalloc(model, 100, GFP_KERNEL | GFP_DMA);
    expect([active(model, 'size-128(DMA)'), active(model, 'size-128')]).toEqual([1, 0]);
  });

  it('a 600-byte request uses size-1024, whose off-slab management (4 * 4 + 48 = 64 bytes) is a size-64 object', () => {
    const model = setup();
    const x = kmalloc(model, 600, GFP_KERNEL).address;
    expect([active(model, 'size-1024'), active(model, 'size-64')]).toEqual([1, 1]);
    // Objects start at the slab's first byte (off-slab, colour 0): frame 0x100 → 0x880000100000.
    expect(x).toBe(0x880000100000);
  });
});

describe('kfree', () => {
  it('finds the cache from the page and frees there', () => {
    const model = setup();
    const a = kmalloc(model, 40, GFP_KERNEL).address;
    const b = kmalloc(model, 3000, GFP_KERNEL).address;
    // size-4096 is off-slab: its slab's management (1 * 4 + 48 = 52 bytes) is a second size-64 object.
    expect([active(model, 'size-64'), active(model, 'size-4096')]).toEqual([2, 1]);
    expect(kfree(model, b)).toEqual({ value: 0 });
    expect(kfree(model, a)).toEqual({ value: 0 });
    // The empty size-4096 slab keeps its management object until the slab is released.
    expect([active(model, 'size-64'), active(model, 'size-4096')]).toEqual([1, 0]);
  });

  it('kfree(NULL) does nothing; a non-object or a freed object is EINVAL', () => {
    const model = setup();
    const a = kmalloc(model, 40, GFP_KERNEL).address;
    expect(kfree(model, 0)).toEqual({ value: 0 });
    expect(kfree(model, 0x880000fff000)).toEqual({ value: -1, error: 'EINVAL' });
    expect(kfree(model, a + 1)).toEqual({ value: -1, error: 'EINVAL' });
    kfree(model, a);
    expect(kfree(model, a)).toEqual({ value: -1, error: 'EINVAL' });
  });
});
