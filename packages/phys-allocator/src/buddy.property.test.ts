/**
 * Invariants of the buddy allocator after any sequence of operations (fast-check), each checked
 * from the free lists themselves, independently of the allocator's own counters:
 *
 * - free frames + held frames = total frames;
 * - no frame is in two free blocks, and every free block is aligned to its size;
 * - no two buddies of the same order are both free (they would have merged);
 * - each order's pair bitmap equals "exactly one of the pair is free at this order";
 * - nr_free and the zones' free counts equal what the lists hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { freeList, pairBit } from './buddy.js';
import { allocPages, createPhysicalMemory, freePages, getPage, putPage, reserveRange, type PhysicalMemory } from './physicalMemory.js';
import { GFP } from './protocol.js';

/** Throws with `message` unless `ok` (plain checks: expect() per frame would be too slow here). */
function assert(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

function checkInvariants(memory: PhysicalMemory): void {
  const { buddy, layout } = memory;
  const inFreeBlock = new Uint8Array(layout.frameCount);
  const freeHeads = new Map<number, number>(); // head → order
  let listed = 0;
  layout.zones.forEach((zone, z) => {
    let zoneFree = 0;
    for (let order = 0; order <= layout.maxOrder; order++) {
      const blocks = freeList(buddy, z, order);
      assert(buddy.blockCounts.get(z * (layout.maxOrder + 1) + order) === blocks.length, () => `nr_free of ${zone.name} order ${order}`);
      for (const head of blocks) {
        assert(head % (1 << order) === 0, () => `block ${head} of order ${order} is not aligned`);
        assert(head >= zone.startPfn && head + (1 << order) <= zone.endPfn, () => `block ${head} outside zone ${zone.name}`);
        for (let pfn = head; pfn < head + (1 << order); pfn++) {
          assert(inFreeBlock[pfn] === 0, () => `frame ${pfn} is in two free blocks`);
          inFreeBlock[pfn] = 1;
        }
        freeHeads.set(head, order);
        zoneFree += 1 << order;
      }
    }
    assert(buddy.zoneFreePages.get(z) === zoneFree, () => `free count of ${zone.name}: ${buddy.zoneFreePages.get(z)} vs lists ${zoneFree}`);
    listed += zoneFree;
  });
  let held = 0;
  for (let pfn = 0; pfn < layout.frameCount; pfn++) {
    const owned = buddy.frames.owner.get(pfn) !== 0;
    assert(owned === (inFreeBlock[pfn] === 0), () => `frame ${pfn}: owned ${owned} but in a free block ${inFreeBlock[pfn]}`);
    if (owned) held++;
  }
  expect(listed + held).toBe(layout.frameCount);
  for (const [head, order] of freeHeads) {
    if (order < layout.maxOrder) assert(freeHeads.get(head ^ (1 << order)) !== order, () => `free buddies ${head} and ${head ^ (1 << order)} of order ${order} did not merge`);
  }
  for (let order = 0; order <= layout.maxOrder; order++) {
    for (let first = 0; first < layout.frameCount; first += 2 << order) {
      const a = freeHeads.get(first) === order ? 1 : 0;
      const b = freeHeads.get(first + (1 << order)) === order ? 1 : 0;
      assert(pairBit(buddy, first, order) === (a ^ b), () => `bitmap of order ${order} disagrees at pair ${first}`);
    }
  }
}

const operation = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('alloc' as const), gfp: fc.constantFrom(GFP.GFP_KERNEL, GFP.GFP_DMA, GFP.GFP_HIGHUSER, GFP.GFP_ATOMIC, GFP.GFP_DMA32), order: fc.integer({ min: 0, max: 6 }), owner: fc.constantFrom(undefined, 'slab', 'pager') }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('share' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reserve' as const), pfn: fc.nat(), count: fc.integer({ min: 1, max: 9 }) }) },
);

type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

function run(memory: PhysicalMemory, steps: readonly Operation[], checkEvery: number): void {
  const live: Array<[number, number]> = [];
  steps.forEach((step, index) => {
    if (step.kind === 'alloc') {
      const pfn = allocPages(memory, step.gfp, step.order, step.owner);
      if (pfn >= 0) {
        expect(pfn % (1 << step.order)).toBe(0);
        live.push([pfn, step.order]);
      }
    } else if (step.kind === 'free' && live.length) {
      const [pfn, order] = live[step.pick % live.length]!;
      if (freePages(memory, pfn, order) === 0) live.splice(live.findIndex(([p]) => p === pfn), 1);
    } else if (step.kind === 'share' && live.length) {
      const [pfn] = live[step.pick % live.length]!;
      getPage(memory, pfn);
      putPage(memory, pfn);
    } else if (step.kind === 'reserve') {
      reserveRange(memory, step.pfn % memory.layout.frameCount, step.count, 'driver');
    }
    if ((index + 1) % checkEvery === 0) checkInvariants(memory);
  });
  checkInvariants(memory);
}

describe('buddy allocator invariants (fast-check)', () => {
  it('tiny machine, checked after every step', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 80 }), (steps) => run(createPhysicalMemory({ profile: 'tiny' }), steps, 1)),
      { numRuns: 200 },
    );
  });

  it('linux-i386 with 24 MiB (DMA + Normal, watermarks on)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (steps) => run(createPhysicalMemory({ profile: 'linux-i386', ram: 24 * 1024 * 1024 }), steps, 40)),
      { numRuns: 30 },
    );
  });

  it('linux-x86_64 with 20 MiB and an odd end (DMA + DMA32, zone ends not block-aligned)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 120 }), (steps) => run(createPhysicalMemory({ profile: 'linux-x86_64', ram: 20 * 1024 * 1024 + 5 * 4096 }), steps, 40)),
      { numRuns: 30 },
    );
  });
});
