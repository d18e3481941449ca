import { describe, expect, it } from 'vitest';
import { createSlabModel } from './allocator.js';
import { findCache, kmemCacheAlloc, kmemCacheCreate, kmemCacheDestroy, kmemCacheFree, kmemCacheReap, kmemCacheShrink } from './cache.js';
import { createPagePool } from './pageSource.js';
import { cacheInfo } from './server.js';
import { SLABS_FREE, SLABS_FULL, SLABS_PARTIAL } from './state.js';
import { listFrames } from './slabLists.js';

// x86-64: PAGE_OFFSET ffff880000000000 (held as 0x880000000000), pages from frame 0x100 on.
const setup = () => {
  const pool = createPagePool(0x100, 256);
  const model = createSlabModel({ pages: pool });
  return { pool, model };
};
const lists = (model: ReturnType<typeof setup>['model'], name: string) => {
  const cache = findCache(model.state, name)!;
  return [SLABS_FULL, SLABS_PARTIAL, SLABS_FREE].map((l) => listFrames(model.state, cache, l));
};

describe('kmem_cache_alloc / kmem_cache_free', () => {
  it('mm_struct: 4 objects of 896 bytes per page, after 64 bytes of management, each slab one colour (64 bytes) further', () => {
    const { model } = setup();
    const mm = findCache(model.state, 'mm_struct')!;
    const addresses = [1, 2, 3, 4, 5].map(() => kmemCacheAlloc(model, mm).address);
    // Slab 1 at frame 0x100, colour 0: objects at 0x880000100000 + 64 + i * 896.
    expect(addresses.slice(0, 4)).toEqual([0x880000100040, 0x8800001003c0, 0x880000100740, 0x880000100ac0]);
    // Slab 2 at frame 0x101, colour 1: 0x880000101000 + 64 (colour) + 64 (management).
    expect(addresses[4]).toBe(0x880000101080);
  });

  it('moves slabs empty → partial → full and back, as Linux 2.4 kmem_cache_alloc_one / kmem_cache_free_one do', () => {
    const { model } = setup();
    const mm = findCache(model.state, 'mm_struct')!;
    const a = kmemCacheAlloc(model, mm).address;
    expect(lists(model, 'mm_struct')).toEqual([[], [0x100], []]);
    const rest = [kmemCacheAlloc(model, mm), kmemCacheAlloc(model, mm), kmemCacheAlloc(model, mm)].map((r) => r.address);
    expect(lists(model, 'mm_struct')).toEqual([[0x100], [], []]);
    const b = kmemCacheAlloc(model, mm).address;
    expect(lists(model, 'mm_struct')).toEqual([[0x100], [0x101], []]);
    // Freeing from a full slab puts it first on the partial list; the next allocation reuses that object (LIFO).
    expect(kmemCacheFree(model, mm, rest[1]!)).toEqual({ value: 0 });
    expect(lists(model, 'mm_struct')).toEqual([[], [0x100, 0x101], []]);
    expect(kmemCacheAlloc(model, mm).address).toBe(rest[1]);
    expect(lists(model, 'mm_struct')).toEqual([[0x100], [0x101], []]);
    kmemCacheFree(model, mm, b);
    expect(lists(model, 'mm_struct')).toEqual([[0x100], [], [0x101]]);
    for (const x of [a, ...rest]) kmemCacheFree(model, mm, x);
    expect(lists(model, 'mm_struct')).toEqual([[], [], [0x100, 0x101]]);
    expect(cacheInfo(mm)).toMatchObject({ activeObjects: 0, totalObjects: 8, activeSlabs: 0, totalSlabs: 2 });
  });

  it('runs the constructor once per object when a slab is made, never on allocation; the destructor when the slab goes', () => {
    const { model } = setup();
    // 256 bytes, word aligned: 4048 / 260 = 15 per slab (management ALIGN(48 + 60, 8) = 112).
    const { cache: id } = kmemCacheCreate(model, 'widget', 256, { ctor: 'widget_ctor', dtor: 'widget_dtor' });
    const widget = model.state.caches[id]!;
    const first = kmemCacheAlloc(model, widget).address;
    expect(widget.ctorRuns).toBe(15);
    kmemCacheFree(model, widget, first);
    expect(kmemCacheAlloc(model, widget).address).toBe(first);
    expect(widget.ctorRuns).toBe(15);
    const more = Array.from({ length: 15 }, () => kmemCacheAlloc(model, widget).address);
    expect(widget.ctorRuns).toBe(30);
    expect(widget.dtorRuns).toBe(0);
    for (const x of [first, ...more]) kmemCacheFree(model, widget, x);
    expect(widget.dtorRuns).toBe(0);
    expect(kmemCacheShrink(model, widget)).toBe(2);
    expect(widget.dtorRuns).toBe(30);
  });

  it('refuses double frees, objects of another cache and addresses inside an object', () => {
    const { model } = setup();
    const mm = findCache(model.state, 'mm_struct')!;
    const vma = findCache(model.state, 'vm_area_struct')!;
    const x = kmemCacheAlloc(model, mm).address;
    expect(kmemCacheFree(model, vma, x)).toEqual({ value: -1, error: 'EINVAL' });
    expect(kmemCacheFree(model, mm, x + 8)).toEqual({ value: -1, error: 'EINVAL' });
    expect(kmemCacheFree(model, mm, x)).toEqual({ value: 0 });
    expect(kmemCacheFree(model, mm, x)).toEqual({ value: -1, error: 'EINVAL' });
  });

  it('fails cleanly with ENOMEM when the page source is empty', () => {
    const model = createSlabModel({ pages: createPagePool(0x100, 1) });
    const mm = findCache(model.state, 'mm_struct')!;
    const got = [1, 2, 3, 4].map(() => kmemCacheAlloc(model, mm).address);
    expect(got.every((a) => a > 0)).toBe(true);
    expect(kmemCacheAlloc(model, mm)).toEqual({ address: 0, error: 'ENOMEM' });
    expect(mm.totalSlabs).toBe(1);
  });
});

describe('kmem_cache_create / destroy / shrink / reap', () => {
  it('refuses a taken name, a size below a word and an object no slab of 32 pages holds', () => {
    const { model } = setup();
    expect(kmemCacheCreate(model, 'mm_struct', 64)).toEqual({ cache: 0, error: 'EEXIST' });
    expect(kmemCacheCreate(model, 'tiny', 4)).toEqual({ cache: 0, error: 'EINVAL' });
    expect(kmemCacheCreate(model, 'huge', 256 * 1024)).toEqual({ cache: 0, error: 'EINVAL' });
  });

  it('destroys a cache only once its objects are freed, giving its pages back; boot caches stay', () => {
    const { model, pool } = setup();
    const { cache: id } = kmemCacheCreate(model, 'inode', 600);
    const inode = model.state.caches[id]!;
    const x = kmemCacheAlloc(model, inode).address;
    const used = pool.used;
    expect(kmemCacheDestroy(model, inode)).toEqual({ value: -1, error: 'EBUSY' });
    kmemCacheFree(model, inode, x);
    expect(kmemCacheDestroy(model, inode)).toEqual({ value: 0 });
    expect(findCache(model.state, 'inode')).toBeUndefined();
    expect(pool.used).toBe(used - 1);
    expect(kmemCacheDestroy(model, findCache(model.state, 'mm_struct')!)).toEqual({ value: -1, error: 'EINVAL' });
  });

  it('shrink returns exactly the empty slabs’ pages to the page source', () => {
    const { model, pool } = setup();
    const vma = findCache(model.state, 'vm_area_struct')!;
    const objects = Array.from({ length: 22 * 3 + 1 }, () => kmemCacheAlloc(model, vma).address); // 4 slabs
    expect(pool.used).toBe(4);
    objects.slice(0, 44).forEach((x) => kmemCacheFree(model, vma, x)); // two slabs empty
    expect(kmemCacheShrink(model, vma)).toBe(2);
    expect(pool.used).toBe(2);
    expect(vma.totalSlabs).toBe(2);
  });

  it('releases empty slabs from the tail of slabs_free (slabs_free.prev), the one emptied longest ago', () => {
    const { model, pool } = setup();
    const mm = findCache(model.state, 'mm_struct')!;
    const objects = Array.from({ length: 12 }, () => kmemCacheAlloc(model, mm).address); // slabs 0x100, 0x101, 0x102
    objects.forEach((x) => kmemCacheFree(model, mm, x)); // emptied in that order, each put first on slabs_free
    expect(lists(model, 'mm_struct')[2]).toEqual([0x102, 0x101, 0x100]);
    expect(kmemCacheShrink(model, mm, 1)).toBe(1);
    expect(lists(model, 'mm_struct')[2]).toEqual([0x102, 0x101]);
    expect(pool.isUsed(0x100)).toBe(false);
  });

  it('reap picks the cache whose empty slabs hold the most pages (a constructor discounts by a fifth) and frees half', () => {
    const { model } = setup();
    // 400 bytes: 4048 / 404 = 10 per slab.
    const a = model.state.caches[kmemCacheCreate(model, 'plain', 400).cache]!;
    const b = model.state.caches[kmemCacheCreate(model, 'constructed', 400, { ctor: 'c' }).cache]!;
    const fill = (cache: typeof a, n: number) => Array.from({ length: n }, () => kmemCacheAlloc(model, cache).address);
    fill(a, 30).forEach((x) => kmemCacheFree(model, a, x));
    fill(b, 50).forEach((x) => kmemCacheFree(model, b, x));
    // plain: 3 pages; constructed: (5 * 4 + 1) / 5 = 4 pages → constructed, (5 + 1) / 2 = 3 slabs.
    expect(kmemCacheReap(model, 1)).toBe(3);
    expect([a.lists[SLABS_FREE]!.length, b.lists[SLABS_FREE]!.length]).toEqual([3, 2]);
    expect(kmemCacheReap(model)).toBe(5);
    expect(a.totalSlabs + b.totalSlabs).toBe(0);
  });

  it('under memory pressure a failing grow reaps empty slabs of other caches and retries', () => {
    const pool = createPagePool(0x100, 2);
    const model = createSlabModel({ pages: pool });
    const vma = findCache(model.state, 'vm_area_struct')!;
    const mm = findCache(model.state, 'mm_struct')!;
    kmemCacheFree(model, vma, kmemCacheAlloc(model, vma).address); // vm_area_struct keeps an empty slab
    const mms = Array.from({ length: 8 }, () => kmemCacheAlloc(model, mm).address); // 2 slabs: the second needs the reap
    expect(mms.every((a) => a > 0)).toBe(true);
    expect([vma.totalSlabs, mm.totalSlabs, pool.used]).toEqual([0, 2, 2]);
    expect(kmemCacheAlloc(model, mm)).toEqual({ address: 0, error: 'ENOMEM' });
  });
});
