import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlabModel } from './allocator.js';
import { GFP_KERNEL, findCache, kmemCacheAlloc, kmemCacheCreate, kmemCacheFree, kmemCacheReap, kmemCacheShrink, locateObject } from './cache.js';
import { kfree, kmalloc } from './kmalloc.js';
import { pageAddress } from './layout.js';
import type { SlabModel } from './model.js';
import { createPagePool } from './pageSource.js';
import { BUFCTL_ACTIVE } from './state.js';
import { allSlabs, getSlab } from './slabTable.js';
import { slabinfoRows } from './views/slabinfo.js';

type Op =
  | { kind: 'alloc'; cache: number }
  | { kind: 'free'; pick: number }
  | { kind: 'kmalloc'; size: number }
  | { kind: 'shrink'; cache: number }
  | { kind: 'reap'; pages: number };

const CACHES = ['mm_struct', 'vm_area_struct', 'task_struct', 'odd'];

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('alloc' as const), cache: fc.nat(CACHES.length - 1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('kmalloc' as const), size: fc.integer({ min: 0, max: 140000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shrink' as const), cache: fc.nat(CACHES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reap' as const), pages: fc.integer({ min: 1, max: 8 }) }) },
);

/** Live objects the test handed out: address → cache id (kmalloc'ed ones under their general cache). */
function run(ops: Op[]): { model: SlabModel; live: Map<number, number>; poolUsed: number } {
  const pool = createPagePool(0x100, 2048);
  const model = createSlabModel({ pages: pool });
  kmemCacheCreate(model, 'odd', 1100, { ctor: 'odd_ctor' }); // order-1 slabs, 7 objects each
  const live = new Map<number, number>();
  for (const o of ops) {
    if (o.kind === 'alloc') {
      const cache = findCache(model.state, CACHES[o.cache]!)!;
      const { address } = kmemCacheAlloc(model, cache, GFP_KERNEL);
      if (address) {
        expect(live.has(address)).toBe(false); // never handed out twice
        live.set(address, cache.id);
      }
    } else if (o.kind === 'kmalloc') {
      const { address } = kmalloc(model, o.size, GFP_KERNEL);
      if (address) {
        expect(live.has(address)).toBe(false);
        live.set(address, locateObject(model.state, address)!.cache.id);
      }
    } else if (o.kind === 'free' && live.size > 0) {
      const address = [...live.keys()][o.pick % live.size]!;
      const cache = model.state.caches[live.get(address)!]!;
      const result = cache.name.startsWith('size-') ? kfree(model, address) : kmemCacheFree(model, cache, address);
      expect(result).toEqual({ value: 0 });
      live.delete(address);
    } else if (o.kind === 'shrink') {
      kmemCacheShrink(model, findCache(model.state, CACHES[o.cache]!)!);
    } else if (o.kind === 'reap') {
      kmemCacheReap(model, o.pages);
    }
  }
  return { model, live, poolUsed: pool.used };
}

describe('slab invariants (fast-check)', () => {
  it('every live object lies inside exactly one slab of its cache, and is marked allocated there', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const { model, live } = run(ops);
        const { state } = model;
        for (const [address, cacheId] of live) {
          const cache = state.caches[cacheId]!;
          const holders = allSlabs(state).filter((slab) => {
            const base = pageAddress(state.layout, slab.pfn);
            return address >= base && address + cache.objectSize <= base + state.layout.pageSize * 2 ** state.caches[slab.cache]!.order;
          });
          expect(holders).toHaveLength(1);
          expect(holders[0]!.cache).toBe(cacheId);
          const at = locateObject(state, address)!;
          expect(getSlab(state, at.pfn)!.bufctl[at.index]).toBe(BUFCTL_ACTIVE);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('slabinfo active counts equal the live objects (ours plus off-slab management and vmalloc page arrays)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const { model, live } = run(ops);
        const expected = new Map<string, number>();
        const bump = (name: string) => expected.set(name, (expected.get(name) ?? 0) + 1);
        for (const id of live.values()) bump(model.state.caches[id]!.name);
        for (const slab of allSlabs(model.state)) {
          if (slab.mgmt) bump(model.state.caches[model.state.caches[slab.cache]!.mgmtCache]!.name);
        }
        for (const row of slabinfoRows(model.state)) expect(row.activeObjs).toBe(expected.get(row.name) ?? 0);
      }),
      { numRuns: 60 },
    );
  });

  it('frames held by slabs equal the frames the page source handed out', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const { model, poolUsed } = run(ops);
        const held = allSlabs(model.state).reduce((n, slab) => n + 2 ** model.state.caches[slab.cache]!.order, 0);
        expect(model.state.slabFrames).toBe(held);
        expect(poolUsed).toBe(held);
      }),
      { numRuns: 60 },
    );
  });
});
