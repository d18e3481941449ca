import { createMachine } from '@vmlab/kernel';
import { PAGE_FLAGS, physSubsystem } from '@vmlab/phys-allocator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLAB_REQUESTS, type FramesReply } from './protocol.js';
import { slabSubsystem } from './server.js';
import { slabinfoRows } from './views/slabinfo.js';
import type { SlabState } from './state.js';
import { allSlabs } from './slabTable.js';

type Op =
  | { kind: 'kmalloc'; size: number }
  | { kind: 'kfree'; pick: number }
  | { kind: 'shrink'; size: number }
  | { kind: 'reap' }
  | { kind: 'vmalloc'; size: number }
  | { kind: 'vfree'; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('kmalloc' as const), size: fc.integer({ min: 1, max: 20000 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('kfree' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shrink' as const), size: fc.constantFrom(32, 64, 128, 1024, 4096, 8192, 16384, 32768) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reap' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('vmalloc' as const), size: fc.integer({ min: 1, max: 3_000_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('vfree' as const), pick: fc.nat() }) },
);

describe('slab over phys-allocator (fast-check)', () => {
  it('frames held by slabs equal phys-allocator’s count of PG_slab frames (vmalloc frames apart); slabinfo counts the live objects', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const m = createMachine({ subsystems: [physSubsystem, slabSubsystem] });
        const live: number[] = [];
        const areas: number[] = [];
        for (const o of ops) {
          if (o.kind === 'kmalloc') {
            const r = m.call('kmalloc', [o.size]);
            if (r.value) live.push(r.value as number);
          } else if (o.kind === 'kfree' && live.length) {
            const [x] = live.splice(o.pick % live.length, 1);
            expect(m.call('kfree', [x!]).value).toBe(0);
          } else if (o.kind === 'shrink') {
            m.call('kmem_cache_shrink', [`size-${o.size}`]);
          } else if (o.kind === 'reap') {
            m.call('kmem_cache_reap', []);
          } else if (o.kind === 'vmalloc') {
            const r = m.call('vmalloc', [o.size]);
            if (r.value) areas.push(r.value as number);
          } else if (o.kind === 'vfree' && areas.length) {
            const [a] = areas.splice(o.pick % areas.length, 1);
            expect(m.call('vfree', [a!]).value).toBe(0);
          }
        }
        const frames = m.query<FramesReply>(SLAB_REQUESTS.frames, {});
        expect(frames.slabFrames).toBe(m.query<{ count: number }>('phys/count-frames', { flags: PAGE_FLAGS.slab }).count);
        const state = m.state['slab'] as SlabState;
        expect(frames.vmallocFrames).toBe(m.query<{ count: number }>('phys/count-frames', { owner: 'vmalloc' }).count);
        const mgmt = allSlabs(state).filter((s) => s.mgmt).length;
        const pageArrays = state.areas.filter((a) => !a.vpages).length; // kmalloc'ed page arrays are live objects
        const active = slabinfoRows(state).reduce((n, row) => n + row.activeObjs, 0);
        expect(active).toBe(live.length + mgmt + pageArrays);
      }),
      { numRuns: 25 },
    );
  });
});
