import { createMachine } from '@vmlab/kernel';
import { allocPages, createPhysicalMemory, freePages, physSubsystem } from '@vmlab/phys-allocator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlabModel } from './allocator.js';
import { GFP_KERNEL, findCache, kmemCacheShrink } from './cache.js';
import { kfree, kmalloc } from './kmalloc.js';
import { slabSubsystem } from './server.js';
import { renderSlabinfo } from './views/slabinfo.js';
import type { SlabState } from './state.js';

type Op = { kind: 'kmalloc'; size: number } | { kind: 'kfree'; pick: number } | { kind: 'shrink'; size: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('kmalloc' as const), size: fc.integer({ min: 0, max: 140000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('kfree' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shrink' as const), size: fc.constantFrom(32, 64, 512, 2048, 8192) }) },
);

describe('the server decides what the model does (fast-check)', () => {
  it('the same calls give the same addresses and the same slabinfo, model over phys-allocator’s model vs machine over its server', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const memory = createPhysicalMemory();
        const model = createSlabModel({
          pages: { allocPages: (order, gfp) => allocPages(memory, gfp, order, 'slab'), freePages: (pfn, order) => void freePages(memory, pfn, order) },
        });
        const machine = createMachine({ subsystems: [physSubsystem, slabSubsystem] });
        const live: number[] = [];
        for (const o of ops) {
          if (o.kind === 'kmalloc') {
            const a = kmalloc(model, o.size, GFP_KERNEL);
            const b = machine.call('kmalloc', [o.size]);
            expect(b.value).toBe(a.address);
            if (a.address) live.push(a.address);
          } else if (o.kind === 'kfree' && live.length) {
            const [x] = live.splice(o.pick % live.length, 1);
            expect(kfree(model, x!)).toEqual({ value: 0 });
            expect(machine.call('kfree', [x!]).value).toBe(0);
          } else if (o.kind === 'shrink') {
            const freed = kmemCacheShrink(model, findCache(model.state, `size-${o.size}`)!);
            expect(machine.call('kmem_cache_shrink', [`size-${o.size}`]).value).toBe(freed);
          }
        }
        expect(renderSlabinfo(machine.state['slab'] as SlabState)).toBe(renderSlabinfo(model.state));
      }),
      { numRuns: 25 },
    );
  });
});
