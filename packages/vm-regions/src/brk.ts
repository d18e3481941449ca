/**
 * The program break (mm/mmap.c SYSCALL_DEFINE1(brk), do_brk_flags): the heap region [start_brk,
 * PAGE_ALIGN(brk)) grows by expanding the region that ends at the old break, or by a new region;
 * it shrinks by unmapping. A refused request returns the old break, as Linux does.
 */
import { PAGE_SIZE, VM_ACCOUNT, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { SpaceEditor, success, type OperationResult } from './editor.js';
import { startGap } from './freeArea.js';
import { unmapRange } from './munmap.js';
import { pageAlign, ulong } from './region.js';
import { treeAt, treeFindAbove, treeRankAbove } from './regionTree.js';

/** VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT: the heap's vm_flags. */
export const BRK_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;

/** brk(newBrk) on `space`: the value is the new break, or the old one when refused. */
export function brk(space: AddressSpace, rawRequested: number): OperationResult {
  // brk's argument is an unsigned long (region.ts ulong): a negative one is huge.
  const requested = ulong(rawRequested);
  const editor = new SpaceEditor(space);
  const old = space.brk;
  const refused = (): OperationResult => ({ space, edits: [], value: old });
  // min_brk is start_brk (CONFIG_COMPAT_BRK is off); RLIMIT_DATA is not modelled (unlimited).
  if (requested < space.startBrk) return refused();
  const newBrk = pageAlign(requested);
  const oldBrk = pageAlign(old);
  if (newBrk === oldBrk) {
    editor.apply({ kind: 'bounds-set', bounds: { brk: requested } });
    return success(editor, requested);
  }
  if (requested <= old) {
    // Shrinking needs a region in [newBrk, oldBrk): with none (the heap was unmapped), brk refuses
    // (mm/mmap.c brk: "if (!brkvma || brkvma->vm_start >= oldbrk) goto out"; fixtures/linux/brk-probe.txt).
    const brkvma = treeFindAbove(space.tree, newBrk);
    if (!brkvma || brkvma.start >= oldBrk) return refused();
    editor.apply({ kind: 'bounds-set', bounds: { brk: requested } });
    const error = unmapRange(editor, newBrk, oldBrk);
    if (error) return refused();
    return success(editor, requested);
  }
  // mm/mmap.c check_brk_limits: get_unmapped_area(NULL, oldbrk, newbrk - oldbrk, 0, MAP_FIXED)
  // refuses a break whose heap would pass TASK_SIZE (`len > TASK_SIZE`, `addr > TASK_SIZE - len`):
  // brk(-4096) or brk(2^47) returns the old break (fixtures/linux/args-probe.txt).
  if (newBrk - oldBrk > space.layout.taskSize || oldBrk > space.layout.taskSize - (newBrk - oldBrk)) return refused();
  // The next region (with its guard gap) must stay at least a page above the new break.
  const next = treeFindAbove(space.tree, oldBrk);
  if (next && newBrk + PAGE_SIZE > startGap(space, next)) return refused();
  // do_brk_flags checks map_count (with `>`, Linux 6.18) before it tries to expand the heap region,
  // so at max_map_count + 1 even an expansion is refused (fixtures/linux/maxmapcount-probe.txt).
  if (space.mapCount > space.layout.maxMapCount) return refused();
  // brkvma: the region just below the old break, if the heap is not empty (vma_prev_limit).
  const rank = treeRankAbove(space.tree, oldBrk);
  const below = old > space.startBrk ? treeAt(space.tree, rank - 1) : undefined;
  if (below && below.end === oldBrk && below.start >= space.startBrk && below.flags === BRK_FLAGS && below.file === null) {
    editor.apply({ kind: 'resized', start: below.start, newStart: below.start, newEnd: newBrk });
  } else {
    editor.apply({
      kind: 'mapped',
      region: { start: oldBrk, end: newBrk, flags: BRK_FLAGS, pgoff: oldBrk / PAGE_SIZE, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 },
    });
  }
  editor.apply({ kind: 'bounds-set', bounds: { brk: requested } });
  return success(editor, requested);
}
