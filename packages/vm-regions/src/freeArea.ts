/**
 * The free-area search (mm/mmap.c unmapped_area, unmapped_area_topdown, and the x86 callers in
 * arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area[_topdown]): where a mapping of a given length
 * goes when the caller does not fix its address.
 */
import { MAP_FIXED, MAP_SHARED, VM_GROWSDOWN } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import type { Region } from './region.js';
import { pageDown } from './region.js';
import { treeAt, treeFindAbove, treeHighestGap, treeLowestGap } from './regionTree.js';

const PMD_SIZE = 2 * 1024 * 1024;

/** vm_start_gap: a grows-down region keeps stack_guard_gap free below it (mm.h). */
export function startGap(space: AddressSpace, region: Region): number {
  if (region.flags & VM_GROWSDOWN) return Math.max(0, region.start - space.layout.stackGuardGap);
  return region.start;
}

/** A free-area request (struct vm_unmapped_area_info). */
export interface FreeAreaQuery {
  /** Length in bytes (page-aligned, positive). */
  readonly length: number;
  /** Lowest acceptable address. */
  readonly low: number;
  /** One past the highest acceptable end. */
  readonly high: number;
  /** Alignment of the result (a power of two ≥ PAGE_SIZE). */
  readonly align?: number;
}

/*
 * Both searches follow mm/mmap.c unmapped_area_topdown / unmapped_area (Linux 6.x, maple tree):
 * ask the region tree for the highest (lowest) gap between two regions whose part inside the
 * window is at least `length` long (vma_iter_area_highest / vma_iter_area_lowest →
 * mas_empty_area_rev / mas_empty_area), then re-check it, because the tree counts a gap from the
 * region's vm_start:
 *
 * - vm_start_gap: the stack guard gap below a grows-down region is not free (mm.h vm_start_gap;
 *   unmapped_area_topdown's `vm_start_gap(tmp) < gap_end` check);
 * - alignment: the result must be aligned. Linux asks for length + align_mask so that any gap it
 *   finds fits; here alignment is checked exactly instead, so a gap that fits the aligned mapping
 *   is taken even when it is shorter than length + align - 1 (the answers are those of a scan of
 *   every gap; on Linux profiles align is PAGE_SIZE and both rules agree).
 *
 * When the re-check fails the search retries beyond that gap (Linux: `goto retry` with a narrower
 * window, commit 58c5d0d6d522 "mm/mmap: regression fix for unmapped_area{_topdown}"). Each try is
 * O(log n); a retry happens only for a gap shortened by a guard gap or by alignment.
 *
 * One known difference, kept because the answers must not change: Linux's retry lowers the window's
 * top to vm_start_gap(next), so when a guard gap reaches below the region under it (a region placed
 * inside a stack's guard gap with MAP_FIXED) the gaps further down are cut at the guard gap too;
 * here each gap is cut only by the guard gap of the region directly above it.
 */

/** The highest free range of `length` bytes within [low, high) (unmapped_area_topdown), or -1. */
export function findFreeAreaTopDown(space: AddressSpace, query: FreeAreaQuery): number {
  const { length, low, high } = query;
  const align = query.align ?? space.layout.granularity;
  if (!(length > 0)) throw new RangeError(`free-area search for a length of ${length}`);
  if (high - low < length) return -1;
  const tree = space.tree;
  let limit = high;
  for (;;) {
    const rank = treeHighestGap(tree, low, limit, length);
    if (rank < 0) return -1;
    const above = treeAt(tree, rank);
    const below = treeAt(tree, rank - 1);
    const top = above ? Math.min(high, startGap(space, above)) : high;
    const bottom = Math.max(low, below ? below.end : 0);
    if (top - bottom >= length) {
      const candidate = Math.floor((top - length) / align) * align;
      if (candidate >= bottom) return candidate;
    }
    // Retry below this gap: only gaps under the region below it are left.
    if (!below) return -1;
    limit = below.end;
  }
}

/** The lowest free range of `length` bytes within [low, high) (unmapped_area), or -1. */
export function findFreeAreaBottomUp(space: AddressSpace, query: FreeAreaQuery): number {
  const { length, low, high } = query;
  const align = query.align ?? space.layout.granularity;
  if (!(length > 0)) throw new RangeError(`free-area search for a length of ${length}`);
  if (high - low < length) return -1;
  const tree = space.tree;
  let floor = low;
  for (;;) {
    const rank = treeLowestGap(tree, floor, high, length);
    if (rank < 0) return -1;
    const below = treeAt(tree, rank - 1);
    const above = treeAt(tree, rank);
    const bottom = Math.ceil(Math.max(low, below ? below.end : 0) / align) * align;
    const top = above ? Math.min(high, startGap(space, above)) : high;
    if (top - bottom >= length) return bottom;
    // Retry above this gap: only gaps over the region above it are left.
    if (!above) return -1;
    floor = above.end;
  }
}

/** Whether [addr, addr + length) is free, counting the guard gap below grows-down regions. */
export function isFree(space: AddressSpace, addr: number, length: number): boolean {
  const next = treeFindAbove(space.tree, addr);
  return next === undefined || addr + length <= startGap(space, next);
}

/** What get_unmapped_area needs to know about the mapping. */
export interface UnmappedAreaRequest {
  /** The hint or the fixed address. */
  readonly addr: number;
  /** Page-aligned length. */
  readonly length: number;
  /** mmap flags. */
  readonly flags: number;
  /** True for a file mapping. */
  readonly file: boolean;
}

/**
 * get_unmapped_area (mm/mmap.c __get_unmapped_area with the x86 arch functions): an address for a
 * new mapping, or an errno name.
 */
export function getUnmappedArea(space: AddressSpace, request: UnmappedAreaRequest): number | string {
  const { layout } = space;
  const { length, flags } = request;
  if (length > layout.taskSize) return 'ENOMEM';
  let addr: number;
  if (flags & MAP_FIXED) {
    addr = request.addr;
  } else {
    // Anonymous private mappings of a 2 MiB multiple without a hint are THP-aligned
    // (mm/mmap.c __get_unmapped_area → mm/huge_memory.c __thp_get_unmapped_area; 64-bit only).
    const thp = layout.thpAlign && !request.file && !(flags & MAP_SHARED) && request.addr === 0 && length % PMD_SIZE === 0;
    addr = thp ? thpUnmappedArea(space, length) : -1;
    if (addr < 0) addr = archUnmappedArea(space, request.addr, length);
    if (addr < 0) return 'ENOMEM';
  }
  if (addr > layout.taskSize - length) return 'ENOMEM';
  if (addr % space.layout.granularity !== 0) return 'EINVAL';
  return addr;
}

/** __thp_get_unmapped_area: search for length + 2 MiB, then align inside it (top-down keeps the upper end). */
function thpUnmappedArea(space: AddressSpace, length: number): number {
  const padded = length + PMD_SIZE;
  const ret = archUnmappedArea(space, 0, padded);
  if (ret <= 0) return -1;
  const offSub = (PMD_SIZE - (ret % PMD_SIZE)) % PMD_SIZE;
  if (space.layout.topDown && offSub === 0) return ret + PMD_SIZE;
  return ret + offSub;
}

/** arch_get_unmapped_area_topdown / arch_get_unmapped_area: the hint when it is free, else a search. */
function archUnmappedArea(space: AddressSpace, hint: number, length: number): number {
  const { layout } = space;
  if (hint !== 0) {
    const addr = pageDown(hint);
    // mmap_address_hint_valid, then find_vma and vm_start_gap.
    if (layout.taskSize - length >= addr && isFree(space, addr, length)) return addr;
  }
  if (layout.topDown) {
    const found = findFreeAreaTopDown(space, { length, low: Math.max(4096, layout.mmapMinAddr), high: space.mmapBase });
    if (found >= 0) return found;
    // A failed top-down search falls back to a bottom-up one (the comment in arch_get_unmapped_area_topdown).
    return findFreeAreaBottomUp(space, { length, low: layout.legacyBase, high: layout.taskSize });
  }
  return findFreeAreaBottomUp(space, { length, low: space.mmapBase, high: layout.taskSize });
}
