/**
 * The free-area search (freeArea.ts) against Linux's loops written out over a sorted array:
 * mm/vma.c unmapped_area_topdown and unmapped_area (Linux 6.18), with a linear scan for
 * vma_iter_area_highest / vma_iter_area_lowest (mas_empty_area_rev / mas_empty_area) and
 * include/linux/mm.h vm_start_gap for the guard gap. The model finds its gaps in the region tree in
 * O(log n) a try; here every try scans every gap. Beside the oracle, independent checks: an answer
 * inside the window is aligned, free, and ends at or below the next region's vm_start_gap.
 *
 * The fixtures (fixtures/linux/guardgap-*.txt, fixtures.test.ts) pin the same rules to what Linux
 * 6.18 did; this covers the shapes they do not (deep trees, several grows-down regions, alignment).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAddressSpace, type AddressSpace } from './addressSpace.js';
import { PAGE_SIZE, VM_GROWSDOWN, VM_READ } from './constants.js';
import { findFreeAreaBottomUp, findFreeAreaTopDown } from './freeArea.js';
import { layoutFor, type Layout } from './layouts.js';
import type { Region } from './region.js';
import { treeFromSorted } from './regionTree.js';

const P = PAGE_SIZE;
/** ULONG_MAX + 1 on x86-64. */
const SPAN = 2 ** 64;

function region(startPage: number, endPage: number, flags: number): Region {
  return { start: startPage * P, end: endPage * P, flags, pgoff: startPage, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 };
}

/** vm_start_gap (include/linux/mm.h): start - stack_guard_gap for VM_GROWSDOWN, clamped at 0. */
function vmStartGap(r: Region, guard: number): number {
  return r.flags & VM_GROWSDOWN ? Math.max(0, r.start - guard) : r.start;
}

/** Gap i (0 ≤ i ≤ n) of a sorted array: between region i - 1 (or 0) and region i (or ULONG_MAX + 1). */
function gapBounds(regions: readonly Region[], i: number): [number, number] {
  return [i > 0 ? regions[i - 1]!.end : 0, i < regions.length ? regions[i]!.start : SPAN];
}

/**
 * mm/vma.c unmapped_area_topdown over a sorted array. On a failed re-check the window's top drops
 * to vm_start_gap of the region above the gap; a vm_start_gap of 0 makes the next window's last
 * address, high_limit - 1, ULONG_MAX. Alignment as freeArea.ts documents it: the highest aligned
 * start in the gap, or on to the gaps under it.
 */
function topDownOracle(regions: readonly Region[], guard: number, low: number, high: number, length: number, align: number): number {
  let limit = high;
  for (;;) {
    let i = regions.length;
    for (; i >= 0; i--) {
      const [lo, hi] = gapBounds(regions, i);
      if (Math.min(hi, limit) - Math.max(lo, low) >= length) break;
    }
    if (i < 0) return -1;
    const above = regions[i];
    const below = regions[i - 1];
    const gapEnd = Math.min(gapBounds(regions, i)[1], limit);
    if (above && above.flags & VM_GROWSDOWN && vmStartGap(above, guard) < gapEnd) {
      limit = vmStartGap(above, guard) || SPAN;
      continue;
    }
    const bottom = Math.max(low, below ? below.end : 0);
    const addr = Math.floor((gapEnd - length) / align) * align;
    if (addr >= bottom) return addr;
    if (!below) return -1;
    limit = below.end;
  }
}

/**
 * mm/vma.c unmapped_area over a sorted array: when the region above the gap grows down and
 * vm_start_gap of it is below the mapping's end, the window's bottom rises to that region's end.
 */
function bottomUpOracle(regions: readonly Region[], guard: number, low: number, high: number, length: number, align: number): number {
  let floor = low;
  for (;;) {
    let i = 0;
    for (; i <= regions.length; i++) {
      const [lo, hi] = gapBounds(regions, i);
      if (Math.min(hi, high) - Math.max(lo, floor) >= length) break;
    }
    if (i > regions.length) return -1;
    const above = regions[i];
    const addr = Math.ceil(Math.max(floor, gapBounds(regions, i)[0]) / align) * align;
    const top = above ? Math.min(high, vmStartGap(above, guard)) : high;
    if (top - addr >= length) return addr;
    if (!above) return -1;
    floor = above.end;
  }
}

/** Whether [addr, addr + length) overlaps no region and ends at or below the next one's vm_start_gap. */
function freeAt(regions: readonly Region[], guard: number, addr: number, length: number): boolean {
  const next = regions.find((r) => r.end > addr);
  return !next || addr + length <= vmStartGap(next, guard);
}

function spaceWith(regions: readonly Region[], guard: number, per: number): AddressSpace {
  const layout: Layout = { ...layoutFor('linux-x86_64'), stackGuardGap: guard };
  return { ...createAddressSpace({ id: 1, layout }), tree: treeFromSorted(regions, per), mapCount: regions.length };
}

/** Regions from (free pages before, pages, grows down) triples, from `firstPage` up. */
function layOut(firstPage: number, parts: readonly (readonly [number, number, boolean])[]): Region[] {
  let page = firstPage;
  return parts.map(([gap, pages, down]) => {
    const r = region(page + gap, page + gap + pages, down ? VM_READ | VM_GROWSDOWN : VM_READ);
    page += gap + pages;
    return r;
  });
}

describe('free-area search: Linux 6.18 unmapped_area_topdown / unmapped_area, by hand', () => {
  // A stack S at pages 1000-1016 (guard gap 256 pages: from page 744), R inside the guard gap at
  // pages 900-904, Q under it at 700-704 (the shape of fixtures/linux/guardgap-topdown.txt).
  const regions = [region(700, 704, VM_READ), region(900, 904, VM_READ), region(1000, 1016, VM_READ | VM_GROWSDOWN)];
  const space = spaceWith(regions, 256 * P, 4);
  const query = (pages: number) => ({ length: pages * P, low: P, high: 2000 * P });

  it('top-down: a gap under the stack that only fits without the guard gap lowers the window to vm_start_gap, below R', () => {
    expect(findFreeAreaTopDown(space, query(16))).toBe((2000 - 16) * P); // above the stack
    const below = spaceWith(regions, 256 * P, 4);
    const window = { low: P, high: 1000 * P };
    expect(findFreeAreaTopDown(below, { ...window, length: 32 * P })).toBe((744 - 32) * P); // R's gap cut at 744
    expect(findFreeAreaTopDown(below, { ...window, length: 48 * P })).toBe((700 - 48) * P); // 40 pages left there: under Q
    expect(findFreeAreaTopDown(below, { ...window, length: 100 * P })).toBe((900 - 100) * P); // does not fit under S at all: under R, inside the guard gap
  });

  it('top-down: a stack less than stack_guard_gap above 0 wraps the window; the answer lies beyond any TASK_SIZE', () => {
    const low = spaceWith([region(16, 20, VM_READ), region(128, 144, VM_READ | VM_GROWSDOWN)], 256 * P, 4);
    expect(findFreeAreaTopDown(low, { length: 32 * P, low: P, high: 144 * P })).toBe(SPAN - 32 * P);
    expect(findFreeAreaTopDown(low, { length: 120 * P, low: P, high: 144 * P })).toBe(-1);
  });

  it('bottom-up: a gap under the stack that the guard gap makes too short sends the search above the stack', () => {
    const window = { low: 850 * P, high: 2000 * P };
    expect(findFreeAreaBottomUp(space, { ...window, length: 50 * P })).toBe(850 * P); // under R, inside S's guard gap: only the region above a gap counts
    expect(findFreeAreaBottomUp(space, { ...window, length: 51 * P })).toBe(1016 * P); // the gap under S is all guard gap: above S
  });
});

describe('free-area search: guard gaps, alignment and large trees, by hand', () => {
  it('skips a gap that only the stack guard gap fills (vm_start_gap)', () => {
    // A library at pages [100, 110), a grows-down stack from page 400: the 290 free pages between
    // them are fewer than the 256-page guard gap plus 40 pages.
    const stack = region(400, 500, VM_READ | VM_GROWSDOWN);
    const space = spaceWith([region(100, 110, VM_READ), stack], 256 * P, 32);
    expect(findFreeAreaTopDown(space, { length: 34 * P, low: P, high: 400 * P })).toBe((400 - 256 - 34) * P);
    expect(findFreeAreaTopDown(space, { length: 35 * P, low: P, high: 400 * P })).toBe(65 * P); // below the library
    expect(findFreeAreaBottomUp(space, { length: 35 * P, low: 110 * P, high: 1000 * P })).toBe(500 * P);
    expect(findFreeAreaBottomUp(space, { length: 34 * P, low: 110 * P, high: 1000 * P })).toBe(110 * P);
  });

  it('retries past a gap that fits the length but not the alignment', () => {
    // 64 KiB alignment (16 pages): the gap [33, 47) holds 14 pages but no aligned 14-page range.
    const space = spaceWith([region(0, 33, VM_READ), region(47, 60, VM_READ)], 256 * P, 32);
    expect(findFreeAreaBottomUp(space, { length: 14 * P, low: 0, high: 1000 * P, align: 16 * P })).toBe(64 * P);
    expect(findFreeAreaBottomUp(space, { length: 13 * P, low: 0, high: 1000 * P, align: 16 * P })).toBe(64 * P);
    expect(findFreeAreaBottomUp(space, { length: 14 * P, low: 0, high: 1000 * P })).toBe(33 * P);
    // Top-down under 60 pages: [33, 47) again fails aligned; nothing below 33 pages is free.
    expect(findFreeAreaTopDown(space, { length: 14 * P, low: 0, high: 60 * P, align: 16 * P })).toBe(-1);
    expect(findFreeAreaTopDown(space, { length: 14 * P, low: 0, high: 60 * P })).toBe(33 * P);
  });

  it('finds the free area below the lowest of 100,000 regions without walking them', () => {
    // Every hole is one page: a two-page mapping goes below them all (the old linear walk took
    // 100,000 steps here).
    const regions = Array.from({ length: 100_000 }, (_, i) => region(1_000_000 + 2 * i, 1_000_000 + 2 * i + 1, VM_READ));
    const space = spaceWith(regions, 256 * P, 24);
    expect(findFreeAreaTopDown(space, { length: 2 * P, low: P, high: 2 ** 40 })).toBe(2 ** 40 - 2 * P);
    expect(findFreeAreaTopDown(space, { length: 2 * P, low: P, high: 1_200_000 * P })).toBe((1_000_000 - 2) * P);
    expect(findFreeAreaBottomUp(space, { length: 2 * P, low: 1_000_000 * P, high: 2 ** 40 })).toBe(1_200_000 * P - P);
    expect(findFreeAreaTopDown(space, { length: P, low: P, high: 1_200_000 * P - P })).toBe((1_200_000 - 3) * P);
  });

  it('refuses a length of 0 (a programmer error: mmap rounds lengths up to a page)', () => {
    expect(() => findFreeAreaTopDown(spaceWith([], 256 * P, 32), { length: 0, low: 0, high: P })).toThrow(RangeError);
  });
});

describe('free-area search: properties against the loops of mm/vma.c over a sorted array', () => {
  const partsArb = fc.array(fc.tuple(fc.nat({ max: 40 }), fc.integer({ min: 1, max: 6 }), fc.nat({ max: 3 }).map((n) => n === 0)), { maxLength: 120, size: 'max' });
  const guardArb = fc.constantFrom(0, 4 * P, 32 * P, 256 * P);
  const alignArb = fc.constantFrom(P, P, 4 * P, 16 * P);
  const perArb = fc.integer({ min: 2, max: 8 });
  const windowArb = fc.tuple(fc.nat({ max: 1000 }), fc.nat({ max: 1000 }), fc.integer({ min: 1, max: 48 }));

  for (const direction of ['top-down', 'bottom-up'] as const) {
    it(`${direction}: the model's answer is the loop's, for stacks near 0 and far from it`, () => {
      fc.assert(
        fc.property(fc.constantFrom(0, 100, 2000), partsArb, guardArb, alignArb, perArb, fc.array(windowArb, { minLength: 1, maxLength: 8 }), (first, parts, guard, align, per, windows) => {
          const regions = layOut(first, parts);
          const space = spaceWith(regions, guard, per);
          const extent = (regions.length ? regions[regions.length - 1]!.end / P : first) + 40;
          for (const [a, b, pages] of windows) {
            const low = Math.floor((Math.min(a, b) * extent) / 1000) * P;
            const high = Math.floor((Math.max(a, b) * extent) / 1000) * P;
            const length = pages * P;
            const query = { length, low, high, align };
            const found = direction === 'top-down' ? findFreeAreaTopDown(space, query) : findFreeAreaBottomUp(space, query);
            const expected = direction === 'top-down' ? topDownOracle(regions, guard, low, high, length, align) : bottomUpOracle(regions, guard, low, high, length, align);
            if (found !== expected) throw new Error(`${direction} ${JSON.stringify(query)}: ${found}, expected ${expected}`);
            if (found >= 0 && found + length <= high) {
              if (found % align !== 0 || found < low || !freeAt(regions, guard, found, length)) throw new Error(`${direction} ${JSON.stringify(query)}: ${found} is not a free aligned place in the window`);
            } else if (found >= 0 && (direction === 'bottom-up' || found !== Math.floor((SPAN - length) / align) * align)) {
              throw new Error(`${direction} ${JSON.stringify(query)}: ${found} is outside the window but no wrapped answer`);
            }
          }
        }),
        { numRuns: 300, seed: 0x6a9 },
      );
    }, 60_000);
  }
});
