/**
 * The free-area search (mm/mmap.c unmapped_area, unmapped_area_topdown, and the x86 callers in
 * arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area[_topdown]): where a mapping of a given length
 * goes when the caller does not fix its address.
 */
import { MAP_FIXED, MAP_SHARED, VM_GROWSDOWN } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import type { Region } from './region.js';
import { pageDown } from './region.js';
import { treeAt, treeFindAbove, treeRankAbove } from './regionTree.js';

const PMD_SIZE = 2 * 1024 * 1024;

/** vm_start_gap: a grows-down region keeps stack_guard_gap free below it (mm.h). */
export function startGap(space: AddressSpace, region: Region): number {
  if (region.flags & VM_GROWSDOWN) return Math.max(0, region.start - space.layout.stackGuardGap);
  return region.start;
}

/** A free-area request (struct vm_unmapped_area_info). */
export interface FreeAreaQuery {
  /** Length in bytes (page-aligned). */
  readonly length: number;
  /** Lowest acceptable address. */
  readonly low: number;
  /** One past the highest acceptable end. */
  readonly high: number;
  /** Alignment of the result (a power of two ≥ PAGE_SIZE). */
  readonly align?: number;
}

/** The highest free range of `length` bytes within [low, high) (unmapped_area_topdown), or -1. */
export function findFreeAreaTopDown(space: AddressSpace, query: FreeAreaQuery): number {
  const { length, low, high } = query;
  const align = query.align ?? space.layout.granularity;
  if (high - low < length) return -1;
  const tree = space.tree;
  let rank = treeRankAbove(tree, high - 1);
  for (;;) {
    const above = treeAt(tree, rank);
    const below = treeAt(tree, rank - 1);
    const top = above ? Math.min(high, startGap(space, above)) : high;
    const bottom = Math.max(low, below ? below.end : 0);
    if (top - bottom >= length) {
      const candidate = Math.floor((top - length) / align) * align;
      if (candidate >= bottom) return candidate;
    }
    if (!below || below.end <= low) return -1;
    rank--;
  }
}

/** The lowest free range of `length` bytes within [low, high) (unmapped_area), or -1. */
export function findFreeAreaBottomUp(space: AddressSpace, query: FreeAreaQuery): number {
  const { length, low, high } = query;
  const align = query.align ?? space.layout.granularity;
  if (high - low < length) return -1;
  const tree = space.tree;
  let rank = treeRankAbove(tree, low);
  for (;;) {
    const below = treeAt(tree, rank - 1);
    const above = treeAt(tree, rank);
    const bottom = Math.ceil(Math.max(low, below ? below.end : 0) / align) * align;
    const top = above ? Math.min(high, startGap(space, above)) : high;
    if (top - bottom >= length && bottom + length <= high) return bottom;
    if (!above || above.end >= high) return -1;
    rank++;
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
