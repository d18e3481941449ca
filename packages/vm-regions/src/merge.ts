/**
 * When two adjacent regions may become one (mm/vma.c is_mergeable_vma, is_mergeable_anon_vma,
 * can_vma_merge_before/after) and how an address space is kept merged.
 *
 * Why alike-looking anonymous regions may stay apart: each region's anonymous pages hang off an
 * anon_vma (mm/rmap.c), created at the region's first fault. Two regions that were both faulted
 * before they became neighbours have different anon_vmas; merging them would leave pages whose
 * reverse map points at the wrong anon_vma, so Linux refuses (observed: fixtures/linux/anonvma.txt).
 * A region that was never faulted (anonVma 0) merges with either. mremap'd anonymous regions keep
 * their original vm_pgoff, which breaks the pgoff continuity rule the same way.
 */
import { PAGE_SIZE, VM_SPECIAL } from './constants.js';
import type { SpaceEditor } from './editor.js';
import type { Region } from './region.js';
import { treeAt, treeRankAbove } from './regionTree.js';

/** True when `low` and `high` (with low.end === high.start) may merge into one region. */
export function canMerge(low: Region, high: Region): boolean {
  if (low.end !== high.start) return false;
  // is_mergeable_vma: identical vm_flags (VM_SOFTDIRTY aside), none of VM_SPECIAL, the same file.
  if (low.flags !== high.flags || low.flags & VM_SPECIAL) return false;
  if (low.file !== high.file || low.dev !== high.dev || low.inode !== high.inode) return false;
  if (low.special !== null || high.special !== null) return false;
  // is_mergeable_anon_vma: equal anon_vmas, or one of them not yet assigned.
  if (low.anonVma !== 0 && high.anonVma !== 0 && low.anonVma !== high.anonVma) return false;
  // can_vma_merge_after/before: the page offsets continue.
  return low.pgoff + (low.end - low.start) / PAGE_SIZE === high.pgoff;
}

/** Merges the region starting at `start` with its neighbours where `canMerge` allows (prev first, then next). */
export function mergeAround(editor: SpaceEditor, start: number): void {
  let tree = editor.space.tree;
  let rank = treeRankAbove(tree, start);
  let region = treeAt(tree, rank)!;
  const prev = treeAt(tree, rank - 1);
  const next = treeAt(tree, rank + 1);
  // vma_merge_new_range / vma_merge_existing_range: merging all three needs prev and next compatible too.
  const withPrev = prev !== undefined && canMerge(prev, region);
  const withNext = next !== undefined && canMerge(region, next);
  if (withPrev && withNext && prev.anonVma !== 0 && next.anonVma !== 0 && prev.anonVma !== next.anonVma) {
    editor.apply({ kind: 'merged', start: prev.start, at: region.start, end: region.end });
    return;
  }
  if (withPrev) {
    editor.apply({ kind: 'merged', start: prev.start, at: region.start, end: region.end });
    tree = editor.space.tree;
    rank = treeRankAbove(tree, prev.start);
    region = treeAt(tree, rank)!;
  }
  if (withNext) editor.apply({ kind: 'merged', start: region.start, at: next.start, end: next.end });
}
