/**
 * The free-area search (Linux 6.18 mm/vma.c unmapped_area, unmapped_area_topdown, and the x86
 * callers in arch/x86/kernel/sys_x86_64.c arch_get_unmapped_area[_topdown]): where a mapping of a
 * given length goes when the caller does not fix its address.
 */
import { MAP_32BIT, MAP_FIXED, MAP_SHARED, VM_GROWSDOWN } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import type { Region } from './region.js';
import { pageAlign, pageDown } from './region.js';
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
 * Both searches are Linux 6.18's mm/vma.c unmapped_area_topdown / unmapped_area (maple tree;
 * earlier 6.x kernels have them in mm/mmap.c). Linux:
 *
 *   length = info->length + info->align_mask + info->start_gap;   (start_gap: shadow stacks only)
 *   low_limit = max(info->low_limit, mmap_min_addr); high_limit = info->high_limit;
 * retry:
 *   top-down:  vma_iter_area_highest(&vmi, low_limit, high_limit, length)   (mas_empty_area_rev)
 *              gap_end = vma_iter_end(&vmi);             the gap's end, cut at high_limit
 *              gap = gap_end - info->length, aligned down;
 *              tmp = vma_next(&vmi);                      the region right above the gap
 *              if (tmp && (tmp->vm_flags & VM_STARTGAP_FLAGS)) {
 *                      if (vm_start_gap(tmp) < gap_end) { high_limit = vm_start_gap(tmp); goto retry; }
 *              } else if (prev && vm_end_gap(prev) > gap) { high_limit = prev->vm_start; goto retry; }
 *              return gap;
 *   bottom-up: vma_iter_area_lowest(&vmi, low_limit, high_limit, length)    (mas_empty_area)
 *              gap = vma_iter_addr(&vmi) + start_gap, aligned up;          the gap's start, cut at low_limit
 *              tmp = vma_next(&vmi);
 *              if (tmp && (tmp->vm_flags & VM_STARTGAP_FLAGS)) {
 *                      if (vm_start_gap(tmp) < gap + length - 1) { low_limit = tmp->vm_end; goto retry; }
 *              } else if (prev && vm_end_gap(prev) > gap) { low_limit = vm_end_gap(prev); goto retry; }
 *              return gap;
 *
 * The tree measures a gap from the regions' vm_start / vm_end (the maple tree stores the regions
 * themselves, not their guard gaps), so the gap found is re-checked against the guard gap of the
 * region above it: vm_start_gap (include/linux/mm.h) is vm_start - stack_guard_gap for VM_GROWSDOWN
 * (layout.stackGuardGap; mm/mmap.c stack_guard_gap, 256 pages by default), vm_start otherwise.
 * vm_end_gap only differs from vm_end for VM_GROWSUP, which x86 does not have, so the `else`
 * branches never fire here: the gap found always starts at or above the region below it. Shadow
 * stacks (VM_SHADOW_STACK, the other VM_STARTGAP_FLAGS bit, and start_gap) are not modelled.
 *
 * What the retries mean:
 * - top-down, the window's top drops to vm_start_gap(tmp), not to the region under the gap: when
 *   regions were placed inside a stack's guard gap (MAP_FIXED), the gaps between them and the
 *   upper part of the gap under them are skipped too, and the search goes on below the guard gap
 *   (fixtures/linux/guardgap-topdown.txt). The guard gap is only ever checked for the region right
 *   above the gap found: a length that the gap right under the stack does not fit at all is placed
 *   in a gap inside the guard gap, under another region, as Linux does.
 * - top-down, when tmp starts less than stack_guard_gap above 0, vm_start_gap(tmp) is 0 and the
 *   next window, [low_limit, high_limit - 1] for mas_empty_area_rev, wraps to [low_limit,
 *   ULONG_MAX]: the gap above every region is found and gap_end (vma_iter_end, ULONG_MAX + 1)
 *   wraps to 0, so the answer is ULONG_MAX + 1 - length. That is no error value, so
 *   arch_get_unmapped_area_topdown returns it without the bottom-up fallback, and
 *   __get_unmapped_area fails with ENOMEM (`addr > TASK_SIZE - len`) however much room there is
 *   elsewhere (fixtures/linux/guardgap-wrap.txt).
 * - bottom-up, the window's bottom rises to tmp's end: the search goes on above the grows-down
 *   region (fixtures/linux/guardgap-legacy.txt).
 *
 * Alignment: Linux asks for length + align_mask so that any gap it finds fits the aligned mapping;
 * here alignment is checked exactly instead, and a gap that does not fit the aligned mapping sends
 * the search past the region beyond it, so a gap that fits is taken even when it is shorter than
 * length + align - 1 (on Linux profiles align is PAGE_SIZE, align_mask is 0 and both rules agree).
 *
 * Each try is O(log n) (treeHighestGap / treeLowestGap, then treeAt); the window shrinks on every
 * retry, and a retry happens only for a gap cut by a guard gap or by alignment.
 */

/**
 * ULONG_MAX + 1 of the kernel: 2^64 on an x86-64 kernel (an IA32-emulated task's too), 2^32 on an
 * i386 kernel. The layout keeps the kernel's sizeof(void *) in the maps header's width
 * (fs/proc/task_mmu.c: 25 + sizeof(void *) * 6 - 1).
 */
function kernelAddressSpan(space: AddressSpace): number {
  const pointerBytes = (space.layout.mapsWidth + 1 - 25) / 6;
  return 2 ** (8 * pointerBytes);
}

/**
 * The highest free range of `length` bytes within [low, high) (unmapped_area_topdown), or -1.
 * After a retry whose window wrapped (see above) the answer may lie at or above TASK_SIZE, as
 * Linux's does: get_unmapped_area refuses it with ENOMEM.
 */
export function findFreeAreaTopDown(space: AddressSpace, query: FreeAreaQuery): number {
  const { length, low, high } = query;
  const align = query.align ?? space.layout.granularity;
  if (!(length > 0)) throw new RangeError(`free-area search for a length of ${length}`);
  if (high - low < length) return -1;
  const tree = space.tree;
  let limit = high; // high_limit
  for (;;) {
    // vma_iter_area_highest: the highest gap whose part inside [low, limit) is long enough.
    const rank = treeHighestGap(tree, low, limit, length);
    if (rank < 0) return -1;
    const above = treeAt(tree, rank); // vma_next
    const gapEnd = above ? Math.min(limit, above.start) : limit; // vma_iter_end
    if (above && above.flags & VM_GROWSDOWN) {
      // VM_STARTGAP_FLAGS: the window's top drops to vm_start_gap(tmp), wherever that is; at 0,
      // vma_iter_area_highest's max (high_limit - 1) wraps to ULONG_MAX.
      const guard = startGap(space, above);
      if (guard < gapEnd) {
        limit = guard > 0 ? guard : kernelAddressSpan(space);
        continue;
      }
    }
    const below = treeAt(tree, rank - 1);
    const bottom = Math.max(low, below ? below.end : 0);
    const candidate = Math.floor((gapEnd - length) / align) * align;
    if (candidate >= bottom) return candidate;
    // Exact alignment (not Linux's rule, see above): nothing aligned fits; go on under this gap.
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
  let floor = low; // low_limit
  for (;;) {
    // vma_iter_area_lowest: the lowest gap whose part inside [floor, high) is long enough.
    const rank = treeLowestGap(tree, floor, high, length);
    if (rank < 0) return -1;
    const below = treeAt(tree, rank - 1);
    const above = treeAt(tree, rank); // vma_next
    const gap = Math.ceil(Math.max(floor, below ? below.end : 0) / align) * align; // vma_iter_addr, aligned
    // VM_STARTGAP_FLAGS: `vm_start_gap(tmp) < gap + length` sends the search above tmp.
    const top = above ? Math.min(high, startGap(space, above)) : high;
    if (top - gap >= length) return gap;
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
    addr = thp ? thpUnmappedArea(space, length, flags) : -1;
    if (addr < 0) addr = archUnmappedArea(space, request.addr, length, flags);
    if (addr < 0) return 'ENOMEM';
  }
  if (addr > layout.taskSize - length) return 'ENOMEM';
  if (addr % space.layout.granularity !== 0) return 'EINVAL';
  return addr;
}

/** __thp_get_unmapped_area: search for length + 2 MiB, then align inside it (top-down keeps the upper end). */
function thpUnmappedArea(space: AddressSpace, length: number, flags: number): number {
  const padded = length + PMD_SIZE;
  // MAP_32BIT too: the padded search runs in its window, and with the top-down layout (MMF_TOPDOWN)
  // an aligned answer still moves up by PMD_SIZE (0x40200000 for the first 2 MiB MAP_32BIT
  // mapping: fixtures/linux/args-probe.txt).
  const ret = archUnmappedArea(space, 0, padded, flags);
  if (ret <= 0) return -1;
  const offSub = (PMD_SIZE - (ret % PMD_SIZE)) % PMD_SIZE;
  if (space.layout.topDown && offSub === 0) return ret + PMD_SIZE;
  return ret + offSub;
}

/** arch_get_unmapped_area_topdown / arch_get_unmapped_area: the hint when it is free, else a search. */
function archUnmappedArea(space: AddressSpace, hint: number, length: number, flags: number): number {
  const { layout } = space;
  // MAP_32BIT (arch/x86/kernel/sys_x86_64.c): arch_get_unmapped_area_topdown jumps to `bottomup`
  // ("for MAP_32BIT mappings we force the legacy mmap base"), and arch_get_unmapped_area's
  // find_start_end gives the window [0x40000000, 0x80000000): a free hint with PAGE_ALIGN(hint) +
  // len <= 0x80000000 is taken (even below the window), else the lowest gap in the window; no
  // further fallback (fixtures/linux/args-probe.txt: 0x40000000, 0x40002000 …).
  if (flags & MAP_32BIT && layout.map32bit) {
    const { begin, end } = layout.map32bit;
    if (length > end) return -1;
    if (hint !== 0) {
      const addr = pageAlign(hint);
      if (end - length >= addr && isFree(space, addr, length)) return addr;
    }
    return findFreeAreaBottomUp(space, { length, low: begin, high: end });
  }
  if (hint !== 0) {
    const addr = pageDown(hint);
    // mmap_address_hint_valid, then find_vma and vm_start_gap.
    if (layout.taskSize - length >= addr && isFree(space, addr, length)) return addr;
  }
  if (layout.topDown) {
    const found = findFreeAreaTopDown(space, { length, low: Math.max(4096, layout.mmapMinAddr), high: space.mmapBase });
    // An answer beyond TASK_SIZE (a wrapped window) is returned as well, and refused by the caller.
    if (found >= 0) return found;
    // Only a failed top-down search falls back to a bottom-up one (the comment in arch_get_unmapped_area_topdown).
    return findFreeAreaBottomUp(space, { length, low: layout.legacyBase, high: layout.taskSize });
  }
  return findFreeAreaBottomUp(space, { length, low: space.mmapBase, high: layout.taskSize });
}
