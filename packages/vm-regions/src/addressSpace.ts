/**
 * An address space (Linux's mm_struct): its regions in a region tree, the counters
 * /proc/PID/status reports (total_vm, locked_vm, exec_vm, stack_vm, data_vm, hiwater_vm), the
 * program's segment bounds (start_code … start_stack) and mmap_base. Changed only through edits
 * (`applyEdit`), the same steps the server records as events, so replaying them rebuilds it.
 */
import { PAGE_SIZE, VM_EXEC, VM_LOCKED, VM_SHARED, VM_STACK, VM_WRITE } from './constants.js';
import type { Layout } from './layouts.js';
import type { ProgramBounds } from './protocol.js';
import { regionFrom, regionPages, regionUpTo, type Region } from './region.js';
import {
  emptyTree,
  treeAt,
  treeInsertAt,
  treeRankAbove,
  treeRemoveAt,
  treeReplaceAt,
  type RegionTree,
} from './regionTree.js';

/** An address space, as plain immutable data. */
export interface AddressSpace extends ProgramBounds {
  /** Its id (the number the kernel's task table holds). */
  readonly id: number;
  /** The page-table root's physical address from hardware-mmu (0 when no MMU serves the machine). */
  readonly pgd: number;
  /** The mm_struct object from the slab cache (0 when no slab serves the machine). */
  readonly object: number;
  /** The profile's layout. */
  readonly layout: Layout;
  /** mm->mmap_base. */
  readonly mmapBase: number;
  /** The regions. */
  readonly tree: RegionTree;
  /** mm->map_count: number of regions. */
  readonly mapCount: number;
  /** mm->total_vm, in pages. */
  readonly totalVm: number;
  /** mm->locked_vm, in pages. */
  readonly lockedVm: number;
  /** mm->exec_vm: executable, not writable, not stack (mm/mmap.c vm_stat_account). */
  readonly execVm: number;
  /** mm->stack_vm. */
  readonly stackVm: number;
  /** mm->data_vm: private writable, not stack. */
  readonly dataVm: number;
  /** mm->hiwater_vm: the peak of total_vm, updated before unmapping (mm.h update_hiwater_vm). */
  readonly hiwaterVm: number;
  /** Resident pages (0 until a pager maps pages). */
  readonly rss: number;
  /** mm->mm_users: threads sharing it. */
  readonly users: number;
  /** The next anon_vma id to hand out (1 upwards). */
  readonly nextAnonVma: number;
}

/** One step that changes an address space; the server records each as an event. */
export type Edit =
  | {
      /** A region was inserted. */
      readonly kind: 'mapped';
      /** The new region. */
      readonly region: Region;
    }
  | {
      /** The range [start, end) was removed. */
      readonly kind: 'unmapped';
      /** First address removed. */
      readonly start: number;
      /** First address kept after the range. */
      readonly end: number;
    }
  | {
      /** The region at `start` was split at `at`. */
      readonly kind: 'split';
      /** Start of the region split. */
      readonly start: number;
      /** Where the second part begins. */
      readonly at: number;
      /** The vm_area_struct object of the new part. */
      readonly object: number;
    }
  | {
      /** The regions at `start` and `at` became one region ending at `end`. */
      readonly kind: 'merged';
      /** Start of the first region. */
      readonly start: number;
      /** Start of the region absorbed. */
      readonly at: number;
      /** End of the merged region. */
      readonly end: number;
    }
  | {
      /** The region at `start` got new flags (protection). */
      readonly kind: 'changed';
      /** Start of the region. */
      readonly start: number;
      /** Its new VM_* flags. */
      readonly flags: number;
    }
  | {
      /** The region at `start` now covers [newStart, newEnd). */
      readonly kind: 'resized';
      /** Its start before the change. */
      readonly start: number;
      /** Its new start. */
      readonly newStart: number;
      /** Its new end. */
      readonly newEnd: number;
    }
  | {
      /** The region at `start` got an anon_vma. */
      readonly kind: 'anon-vma-assigned';
      /** Start of the region. */
      readonly start: number;
      /** The anon_vma's id. */
      readonly anonVma: number;
    }
  | {
      /** Program bounds (start_code, brk …) were set. */
      readonly kind: 'bounds-set';
      /** The bounds that changed. */
      readonly bounds: Partial<ProgramBounds>;
    };

/** Options of `createAddressSpace`. */
export interface AddressSpaceOptions {
  /** Its id. */
  readonly id: number;
  /** The profile's layout (`layoutFor`). */
  readonly layout: Layout;
  /** Page-table root. */
  readonly pgd?: number;
  /** The mm_struct slab object. */
  readonly object?: number;
}

/** A new, empty address space (mm_alloc + the arch's mmap layout, arch/x86/mm/mmap.c arch_pick_mmap_layout). */
export function createAddressSpace(options: AddressSpaceOptions): AddressSpace {
  const { layout } = options;
  return {
    id: options.id,
    pgd: options.pgd ?? 0,
    object: options.object ?? 0,
    layout,
    mmapBase: layout.mmapBase,
    tree: emptyTree(),
    mapCount: 0,
    totalVm: 0,
    lockedVm: 0,
    execVm: 0,
    stackVm: 0,
    dataVm: 0,
    hiwaterVm: 0,
    rss: 0,
    users: 1,
    nextAnonVma: 1,
    startCode: 0,
    endCode: 0,
    startData: 0,
    endData: 0,
    startBrk: layout.defaultBrk,
    brk: layout.defaultBrk,
    startStack: 0,
  };
}

/** Counters of one region, with a sign: mm/mmap.c vm_stat_account and the locked_vm rule. */
function account(space: Mutable<AddressSpace>, flags: number, pages: number): void {
  space.totalVm += pages;
  if (flags & VM_LOCKED) space.lockedVm += pages;
  // mm/internal.h: is_exec_mapping, is_stack_mapping, is_data_mapping.
  if ((flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC) space.execVm += pages;
  else if ((flags & VM_STACK) === VM_STACK) space.stackVm += pages;
  else if ((flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE) space.dataVm += pages;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function requireRegionAt(tree: RegionTree, start: number): number {
  const rank = treeRankAbove(tree, start);
  const region = treeAt(tree, rank);
  if (!region || region.start !== start) throw new Error(`no region starts at 0x${start.toString(16)}`);
  return rank;
}

/**
 * A copy of `space` to change. Every field is named (not `{ ...space }`): address spaces reach
 * here with several hidden classes, and V8's spread then takes its generic path, ~10 × slower on
 * the mmap/munmap hot path (vmRegions.bench.ts).
 */
function copySpace(s: AddressSpace): Mutable<AddressSpace> {
  return {
    id: s.id,
    pgd: s.pgd,
    object: s.object,
    layout: s.layout,
    mmapBase: s.mmapBase,
    tree: s.tree,
    mapCount: s.mapCount,
    totalVm: s.totalVm,
    lockedVm: s.lockedVm,
    execVm: s.execVm,
    stackVm: s.stackVm,
    dataVm: s.dataVm,
    hiwaterVm: s.hiwaterVm,
    rss: s.rss,
    users: s.users,
    nextAnonVma: s.nextAnonVma,
    startCode: s.startCode,
    endCode: s.endCode,
    startData: s.startData,
    endData: s.endData,
    startBrk: s.startBrk,
    brk: s.brk,
    startStack: s.startStack,
  };
}

/** The address space after `edit` (throws on an edit that does not fit: a programmer error). */
export function applyEdit(space: AddressSpace, edit: Edit): AddressSpace {
  const next = copySpace(space);
  switch (edit.kind) {
    case 'mapped': {
      const region = edit.region;
      const rank = treeRankAbove(space.tree, region.start);
      const above = treeAt(space.tree, rank);
      if (above && above.start < region.end) throw new Error(`region 0x${region.start.toString(16)} overlaps 0x${above.start.toString(16)}`);
      next.tree = treeInsertAt(space.tree, rank, region);
      next.mapCount++;
      account(next, region.flags, regionPages(region));
      break;
    }
    case 'unmapped': {
      const rank = requireRegionAt(space.tree, edit.start);
      const region = treeAt(space.tree, rank)!;
      if (region.end !== edit.end) throw new Error(`region 0x${edit.start.toString(16)} does not end at 0x${edit.end.toString(16)}`);
      next.hiwaterVm = Math.max(space.hiwaterVm, space.totalVm);
      next.tree = treeRemoveAt(space.tree, rank);
      next.mapCount--;
      account(next, region.flags, -regionPages(region));
      break;
    }
    case 'split': {
      const rank = requireRegionAt(space.tree, edit.start);
      const region = treeAt(space.tree, rank)!;
      if (!(edit.at > region.start && edit.at < region.end) || edit.at % PAGE_SIZE !== 0) throw new Error(`cannot split at 0x${edit.at.toString(16)}`);
      next.tree = treeInsertAt(treeReplaceAt(space.tree, rank, regionUpTo(region, edit.at)), rank + 1, regionFrom(region, edit.at, edit.object));
      next.mapCount++;
      break;
    }
    case 'merged': {
      const rank = requireRegionAt(space.tree, edit.start);
      const low = treeAt(space.tree, rank)!;
      const high = treeAt(space.tree, rank + 1);
      if (!high || low.end !== edit.at || high.start !== edit.at || high.end !== edit.end) throw new Error(`cannot merge at 0x${edit.at.toString(16)}`);
      const merged: Region = { ...low, end: high.end, anonVma: low.anonVma || high.anonVma };
      next.tree = treeReplaceAt(treeRemoveAt(space.tree, rank + 1), rank, merged);
      next.mapCount--;
      break;
    }
    case 'changed': {
      const rank = requireRegionAt(space.tree, edit.start);
      const region = treeAt(space.tree, rank)!;
      account(next, region.flags, -regionPages(region));
      account(next, edit.flags, regionPages(region));
      next.tree = treeReplaceAt(space.tree, rank, { ...region, flags: edit.flags });
      break;
    }
    case 'resized': {
      const rank = requireRegionAt(space.tree, edit.start);
      const region = treeAt(space.tree, rank)!;
      const prev = treeAt(space.tree, rank - 1);
      const following = treeAt(space.tree, rank + 1);
      if (edit.newStart >= edit.newEnd || (prev && prev.end > edit.newStart) || (following && following.start < edit.newEnd)) {
        throw new Error(`cannot resize 0x${edit.start.toString(16)} to 0x${edit.newStart.toString(16)}-0x${edit.newEnd.toString(16)}`);
      }
      const grown: Region = { ...region, start: edit.newStart, end: edit.newEnd, pgoff: region.pgoff + (edit.newStart - region.start) / PAGE_SIZE };
      if (regionPages(grown) < regionPages(region)) next.hiwaterVm = Math.max(space.hiwaterVm, space.totalVm);
      account(next, region.flags, regionPages(grown) - regionPages(region));
      next.tree = treeReplaceAt(space.tree, rank, grown);
      break;
    }
    case 'anon-vma-assigned': {
      const rank = requireRegionAt(space.tree, edit.start);
      const region = treeAt(space.tree, rank)!;
      next.tree = treeReplaceAt(space.tree, rank, { ...region, anonVma: edit.anonVma });
      next.nextAnonVma = Math.max(space.nextAnonVma, edit.anonVma + 1);
      break;
    }
    case 'bounds-set':
      Object.assign(next, edit.bounds);
      break;
  }
  return next;
}

/** The address space after every edit of `edits`, in order. */
export function applyEdits(space: AddressSpace, edits: readonly Edit[]): AddressSpace {
  let s = space;
  for (const e of edits) s = applyEdit(s, e);
  return s;
}
