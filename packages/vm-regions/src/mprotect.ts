/**
 * Changing protection (mm/mprotect.c do_mprotect_pkey, mprotect_fixup; mm/vma.c vma_modify_flags):
 * every region in the range gets the new access bits; a region cut by the range is split, and the
 * changed part merges with a neighbour when the rules allow. A hole in the range stops the walk
 * with ENOMEM after the regions before it were changed, as on Linux.
 */
import {
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  PROT_READ,
  PROT_WRITE,
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
  withLowFlags,
} from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { populate } from './anonVma.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { canMerge, mergeAround } from './merge.js';
import { protToVmFlags } from './mmap.js';
import { ULONG_SPAN, bitsOutside, offsetInPage, pageAlignULong, regionFrom, ulong, type Region } from './region.js';
import { treeAt, treeFindAbove, treeRankAbove } from './regionTree.js';

/** PROT_SEM is accepted and ignored on x86 (arch_validate_prot). */
const PROT_SEM = 0x8;
const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

/**
 * mprotect(start, length, prot) on `space`. All three are unsigned long (region.ts ulong), in
 * mm/mprotect.c do_mprotect_pkey's order: both PROT_GROWS* bits EINVAL, an unaligned start EINVAL,
 * len 0 success, `end = start + PAGE_ALIGN(len)` wrapping (end <= start) ENOMEM, then
 * arch_validate_prot (any bit but PROT_READ|WRITE|EXEC|SEM and the GROWS bits, bits 32-63
 * included) EINVAL (fixtures/linux/args-probe.txt).
 */
export function mprotect(space: AddressSpace, rawStart: number, rawLength: number, rawProt: number): OperationResult {
  const grows = rawProt & (PROT_GROWSDOWN | PROT_GROWSUP);
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return failure(space, 'EINVAL');
  if (offsetInPage(rawStart) !== 0) return failure(space, 'EINVAL');
  let start = ulong(rawStart);
  if (ulong(rawLength) === 0) return { space, edits: [], value: 0 };
  const length = pageAlignULong(rawLength);
  const end = start + length;
  // start + len wrapping around (an unsigned long on a 64-bit kernel) is ENOMEM before anything changes.
  if (length === 0 || end >= ULONG_SPAN) return failure(space, 'ENOMEM');
  if (bitsOutside(rawProt, PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return failure(space, 'EINVAL');
  const prot = rawProt & (PROT_READ | PROT_WRITE | PROT_EXEC);
  const first = treeFindAbove(space.tree, start);
  if (!first || first.start >= end) return failure(space, 'ENOMEM');
  if (grows & PROT_GROWSDOWN) {
    if (!(first.flags & VM_GROWSDOWN)) return failure(space, 'EINVAL');
    start = first.start;
  } else if (grows & PROT_GROWSUP) {
    return failure(space, 'EINVAL'); // no VM_GROWSUP regions on x86
  } else if (first.start > start) {
    return failure(space, 'ENOMEM');
  }
  const editor = new SpaceEditor(space);
  const protFlags = protToVmFlags(prot);
  let cursor = first.start;
  let nstart = start;
  let error: string | undefined;
  for (;;) {
    const region = treeFindAbove(editor.space.tree, nstart);
    if (!region || region.start >= end) break;
    if (region.start > cursor) {
      error = 'ENOMEM';
      break;
    }
    // Bits above 31 (VM_DROPPABLE) are kept: withLowFlags changes only the low 32.
    let newFlags = withLowFlags(region.flags, protFlags | (region.flags & ~VM_ACCESS_FLAGS));
    // VM_MAY* bits bound what mprotect may grant (newflags & ~(newflags >> 4)).
    if ((newFlags & ~(newFlags >> 4)) & VM_ACCESS_FLAGS) {
      error = 'EACCES';
      break;
    }
    const tmp = Math.min(region.end, end);
    // mprotect_fixup: making a private region writable charges it (VM_ACCOUNT); an unfaulted
    // anonymous region made read-only again gives the charge back.
    if (newFlags & VM_WRITE) {
      if (!(region.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) newFlags = withLowFlags(newFlags, newFlags | VM_ACCOUNT);
    } else if (region.flags & VM_ACCOUNT && region.file === null && region.anonVma === 0) {
      newFlags = withLowFlags(newFlags, newFlags & ~VM_ACCOUNT);
    }
    if (newFlags !== region.flags && !fixup(editor, region.start, nstart, tmp, newFlags)) {
      error = 'ENOMEM';
      break;
    }
    cursor = tmp;
    nstart = tmp;
    if (tmp >= end) break;
  }
  if (!error && cursor < end) error = 'ENOMEM';
  if (error) return { space: editor.space, edits: editor.edits, value: -1, error };
  return success(editor, 0);
}

/**
 * Splits off [from, to) of the region at `regionStart`, gives it `flags`, and merges it where
 * allowed. mm/vma.c vma_modify: a part that merges into prev or next needs no split; otherwise
 * each split_vma fails with ENOMEM once map_count has reached vm.max_map_count (false).
 */
function fixup(editor: SpaceEditor, regionStart: number, from: number, to: number, flags: number): boolean {
  const tree = editor.space.tree;
  const rank = treeRankAbove(tree, regionStart);
  const region = treeAt(tree, rank)!;
  const part: Region = { ...regionFrom(region, from), end: to, flags };
  const prev = treeAt(tree, rank - 1);
  const next = treeAt(tree, rank + 1);
  const absorbed = (from === region.start && prev !== undefined && canMerge(prev, part)) || (to === region.end && next !== undefined && canMerge(part, next));
  const full = (): boolean => !absorbed && editor.space.mapCount >= editor.space.layout.maxMapCount;
  // The first split stays when the second one fails, as in Linux.
  if (from > region.start) {
    if (full()) return false;
    editor.apply({ kind: 'split', start: region.start, at: from, object: 0 });
  }
  if (to < region.end) {
    if (full()) return false;
    editor.apply({ kind: 'split', start: from, at: to, object: 0 });
  }
  editor.apply({ kind: 'changed', start: from, flags });
  mergeAround(editor, from);
  // mprotect_fixup: a VM_LOCKED private region that becomes writable is populated (write faults).
  if ((region.flags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && flags & VM_WRITE) populate(editor, from);
  return true;
}
