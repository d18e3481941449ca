/**
 * anon_vma_prepare (mm/rmap.c): a region gets its anon_vma at its first anonymous fault, reusing
 * an adjacent compatible region's one when it can (find_mergeable_anon_vma, anon_vma_compatible).
 * The pager calls this; scenarios see it as a first write.
 */
import { PAGE_SIZE, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { ulong, type Region } from './region.js';
import { treeAt, treeRankAbove } from './regionTree.js';

const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

/** anon_vma_compatible: adjacent, the same file (path, device and inode: two shmem objects are two files), flags equal except access bits, page offsets continuing. */
function compatible(low: Region, high: Region): boolean {
  return (
    low.end === high.start &&
    low.file === high.file &&
    low.dev === high.dev &&
    low.inode === high.inode &&
    ((low.flags ^ high.flags) & ~VM_ACCESS_FLAGS) === 0 &&
    // bits above 31 (VM_DROPPABLE), which `^` does not see
    Math.floor(low.flags / 2 ** 32) === Math.floor(high.flags / 2 ** 32) &&
    high.pgoff === low.pgoff + (high.start - low.start) / PAGE_SIZE
  );
}

/** Gives the region containing `address` an anon_vma if it has none (next's first, then prev's, else a new one). */
export function anonVmaPrepare(space: AddressSpace, rawAddress: number): OperationResult {
  // An unsigned long (region.ts ulong): a negative address is huge, in no region: EFAULT.
  const address = ulong(rawAddress);
  const rank = treeRankAbove(space.tree, address);
  const region = treeAt(space.tree, rank);
  if (!region || region.start > address) return failure(space, 'EFAULT');
  if (region.anonVma !== 0) return { space, edits: [], value: region.anonVma };
  const next = treeAt(space.tree, rank + 1);
  const prev = treeAt(space.tree, rank - 1);
  let anonVma = 0;
  if (next && next.anonVma && compatible(region, next)) anonVma = next.anonVma;
  else if (prev && prev.anonVma && compatible(prev, region)) anonVma = prev.anonVma;
  else anonVma = space.nextAnonVma;
  const editor = new SpaceEditor(space);
  editor.apply({ kind: 'anon-vma-assigned', start: region.start, anonVma });
  return success(editor, anonVma);
}

/**
 * Populating private writable memory write-faults its pages (mm/gup.c populate_vma_page_range
 * with FOLL_WRITE when (vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE), so the region holding
 * `address` gets its anon_vma at once: after mmap with MAP_LOCKED or MAP_POPULATE (mm_populate),
 * and when mprotect makes a VM_LOCKED region writable (mprotect_fixup). Read faults map the zero
 * page or the page cache and give no anon_vma. Observed: fixtures/linux/random-8.txt.
 */
export function populate(editor: SpaceEditor, address: number): void {
  const region = treeAt(editor.space.tree, treeRankAbove(editor.space.tree, address));
  if (!region || region.start > address || (region.flags & (VM_WRITE | VM_SHARED)) !== VM_WRITE) return;
  for (const edit of anonVmaPrepare(editor.space, address).edits) editor.apply(edit);
}
