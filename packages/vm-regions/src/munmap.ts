/**
 * Unmapping (mm/vma.c do_vmi_munmap, vms_gather_munmap_vmas): split the first and last regions
 * the range cuts, then remove every region inside it. Holes in the range are fine.
 */
import type { AddressSpace } from './addressSpace.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { offsetInPage, pageAlign, ulong } from './region.js';
import { treeAt, treeFindAbove, treeRankAbove } from './regionTree.js';

/** Removes [start, end) from the editor's space; the caller has checked the arguments. Returns an errno name or null. */
export function unmapRange(editor: SpaceEditor, start: number, end: number): string | null {
  const first = treeFindAbove(editor.space.tree, start);
  if (!first || first.start >= end) return null;
  const { maxMapCount } = editor.space.layout;
  // vms_gather_munmap_vmas: cutting a region in two needs room for one more region.
  if (start > first.start && end < first.end && editor.space.mapCount >= maxMapCount) return 'ENOMEM';
  if (start > first.start) editor.apply({ kind: 'split', start: first.start, at: start, object: 0 });
  const lastRank = treeRankAbove(editor.space.tree, end - 1);
  const last = treeAt(editor.space.tree, lastRank);
  if (last && last.start < end && end < last.end) editor.apply({ kind: 'split', start: last.start, at: end, object: 0 });
  for (;;) {
    const region = treeFindAbove(editor.space.tree, start);
    if (!region || region.start >= end) break;
    editor.apply({ kind: 'unmapped', start: region.start, end: region.end });
  }
  return null;
}

/**
 * munmap(start, length): mm/vma.c do_vmi_munmap's checks, then `unmapRange`. Both are unsigned
 * long (region.ts ulong): a negative start or length is huge, so EINVAL (`start > TASK_SIZE ||
 * len > TASK_SIZE - start`; fixtures/linux/args-probe.txt).
 */
export function munmap(space: AddressSpace, rawStart: number, rawLength: number): OperationResult {
  const { taskSize } = space.layout;
  const start = ulong(rawStart);
  const length = ulong(rawLength);
  if (offsetInPage(rawStart) !== 0 || start > taskSize || length > taskSize - start) return failure(space, 'EINVAL');
  const end = start + pageAlign(length);
  if (end === start) return failure(space, 'EINVAL');
  const editor = new SpaceEditor(space);
  const error = unmapRange(editor, start, end);
  if (error) return failure(space, error);
  return success(editor, 0);
}
