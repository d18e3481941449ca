/**
 * Speed of the slab model (no bus), with pages from a page pool:
 *
 * - kmalloc(64) + kfree pairs (target ≥ 10 M/s): the size-64 cache warm, each pair takes the
 *   first free object of the partial slab and gives it back;
 * - kmem_cache_alloc + kmem_cache_free pairs on a warm vm_area_struct cache holding 1,000 live
 *   objects;
 * - vmalloc(1 MiB) + vfree: 256 frames, the 2 KiB page array from size-2048, no page table;
 * - kmalloc + kfree through the machine (bus, immer drafts, events) for comparison;
 * - vmalloc(1 MiB) + vfree through the machine, each page mapped and unmapped in the kernel page
 *   table by hardware-mmu (256 `mmu/map` and 256 `mmu/unmap` requests a pair).
 */
import { defineSuite, opsPerSecond } from '@vmlab/bench';
import { createMachine } from '@vmlab/kernel';
import { mmuSubsystem } from '@vmlab/hardware-mmu';
import { physSubsystem } from '@vmlab/phys-allocator';
import { createSlabModel } from './allocator.js';
import { GFP_KERNEL, findCache, kmemCacheAlloc, kmemCacheFree } from './cache.js';
import { kfree, kmalloc } from './kmalloc.js';
import { createPagePool } from './pageSource.js';
import { slabSubsystem } from './server.js';
import { vfree, vmalloc } from './vmalloc.js';

export default defineSuite('@vmlab/slab', [
  {
    name: 'kmalloc(64)+kfree pairs, model API',
    unit: 'pairs/s',
    target: { atLeast: 10_000_000 },
    run() {
      const model = createSlabModel({ pages: createPagePool(0x100, 4096) });
      const keep = kmalloc(model, 64, GFP_KERNEL).address; // keeps the slab partial, as a warm cache is
      const rate = opsPerSecond((n) => {
        for (let i = 0; i < n; i++) kfree(model, kmalloc(model, 64, GFP_KERNEL).address);
      });
      kfree(model, keep);
      return { value: rate };
    },
  },
  {
    name: 'kmem_cache_alloc+free pairs, warm vm_area_struct cache (1,000 live)',
    unit: 'pairs/s',
    run() {
      const model = createSlabModel({ pages: createPagePool(0x100, 4096) });
      const cache = findCache(model.state, 'vm_area_struct')!;
      for (let i = 0; i < 1000; i++) kmemCacheAlloc(model, cache);
      const rate = opsPerSecond((n) => {
        for (let i = 0; i < n; i++) kmemCacheFree(model, cache, kmemCacheAlloc(model, cache).address);
      });
      return { value: rate, details: { slabs: cache.totalSlabs } };
    },
  },
  {
    name: 'vmalloc(1 MiB)+vfree, model API',
    unit: 'ops/s',
    run() {
      const model = createSlabModel({ pages: createPagePool(0x100, 4096) });
      const rate = opsPerSecond(
        (n) => {
          for (let i = 0; i < n; i++) vfree(model, vmalloc(model, 1 << 20).address);
        },
        { minTimeMs: 300 },
      );
      return { value: rate, details: { frames: 256 } };
    },
  },
  {
    name: 'kmalloc(64)+kfree pairs through the machine (bus, events, phys-allocator)',
    unit: 'pairs/s',
    run() {
      const machine = createMachine({ subsystems: [physSubsystem, slabSubsystem] });
      machine.call('kmalloc', [64]);
      const rate = opsPerSecond(
        (n) => {
          for (let i = 0; i < n; i++) machine.call('kfree', [machine.call('kmalloc', [64]).value!]);
        },
        { minTimeMs: 300, samples: 1 },
      );
      return { value: rate };
    },
  },
  {
    name: 'vmalloc(1 MiB)+vfree through the machine (phys-allocator, hardware-mmu page table)',
    unit: 'ops/s',
    run() {
      const machine = createMachine({ subsystems: [physSubsystem, mmuSubsystem, slabSubsystem] });
      machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 0 } });
      const rate = opsPerSecond(
        (n) => {
          for (let i = 0; i < n; i++) machine.call('vfree', [machine.call('vmalloc', [1 << 20]).value!]);
        },
        { minTimeMs: 300, samples: 1 },
      );
      return { value: rate };
    },
  },
]);
