/**
 * The page tables follow the regions, when hardware-mmu serves the machine: what an operation
 * unmaps is zapped, what it re-protects gets its PTE rights rewritten, and an address space that
 * goes has its tables freed. The regions server calls these after each operation; without an MMU
 * on the bus they do nothing.
 */
import type { DecideContext } from '@vmlab/kernel';
import type {
  PageReply as MmuPageReply,
  ProtectRangeReply,
  ProtectRangeRequest,
  RangeRequest,
  UnmapRangeReply,
} from '@vmlab/hardware-mmu/protocol';
import type { AddressSpace, Edit } from './addressSpace.js';
import { VM_EXEC, VM_READ, VM_WRITE } from './constants.js';
import type { Region } from './region.js';
import { treeAt, treeLookup, treeRankAbove, treeToArray, type RegionTree } from './regionTree.js';

const MMU_UNMAP_RANGE = 'mmu/unmap-range';
const MMU_PROTECT_RANGE = 'mmu/protect-range';
const MMU_DESTROY_ADDRESS_SPACE = 'mmu/destroy-address-space';

/** The mmu's portable PTE flags a protection change sets (their values are listed in @vmlab/hardware-mmu/protocol). */
const PTE_PRESENT = 0x001;
const PTE_WRITE = 0x002;
const PTE_NX = 0x200;
/** The bits of a PTE that follow the region's protection; the others (user, caching, A, D) stay as the mapping set them. */
const PTE_RIGHTS = PTE_PRESENT | PTE_WRITE | PTE_NX;

/**
 * The PTE rights of a region's vm_flags (mm/mmap.c vm_get_page_prot, arch/x86 protection_map):
 * no access at all is PROT_NONE (x86 clears the present bit and keeps the frame, `_PAGE_PROTNONE`);
 * otherwise present, writable with VM_WRITE (Linux maps a private page read-only until its
 * copy-on-write fault, and mprotect makes an exclusive anonymous page writable again,
 * mm/mprotect.c can_change_pte_writable: the model has no copy-on-write, so VM_WRITE gives W),
 * and no-execute without VM_EXEC (formats without an NX bit ignore it).
 */
function pteRights(vmFlags: number): number {
  if ((vmFlags & (VM_READ | VM_WRITE | VM_EXEC)) === 0) return 0;
  return PTE_PRESENT | (vmFlags & VM_WRITE ? PTE_WRITE : 0) | (vmFlags & VM_EXEC ? 0 : PTE_NX);
}

/** A range of addresses, [start, end). */
interface Span {
  readonly start: number;
  readonly end: number;
}

/** The spans sorted, with spans that touch joined (one mmu request for a run of adjacent regions). */
function joinAdjacent(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else out.push(span);
  }
  return out;
}

/** Calls `visit` for every region of `tree` overlapping [start, end), in address order. */
function forEachOverlap(tree: RegionTree, start: number, end: number, visit: (region: Region) => void): void {
  for (let rank = treeRankAbove(tree, start); ; rank++) {
    const region = treeAt(tree, rank);
    if (!region || region.start >= end) return;
    visit(region);
  }
}

/**
 * What an operation's edits ask of the page tables: the ranges to zap (regions unmapped by
 * munmap, by MAP_FIXED over an old mapping, by a brk shrink; the parts a resized region gave up
 * that no region took) and the ranges whose PTE rights must follow their regions (a protection
 * change; the parts a resized region gave up to a neighbour). `before` is the address space the
 * operation started from, `after` the one it left.
 */
function pageTableWork(before: AddressSpace, after: AddressSpace, edits: readonly Edit[]): { zap: Span[]; reprotect: Span[] } {
  const zap: Span[] = [];
  const reprotect: Span[] = [];
  for (const edit of edits) {
    if (edit.kind === 'unmapped') {
      zap.push({ start: edit.start, end: edit.end });
    } else if (edit.kind === 'changed') {
      // The region as the operation left it (merged with neighbours of the same flags, or not).
      const region = treeLookup(after.tree, edit.start);
      if (region) reprotect.push({ start: region.start, end: region.end });
    } else if (edit.kind === 'resized') {
      const old = treeLookup(before.tree, edit.start);
      if (!old || old.start !== edit.start) continue;
      const lost: Span[] = [];
      if (edit.newStart > old.start) lost.push({ start: old.start, end: Math.min(edit.newStart, old.end) });
      if (edit.newEnd < old.end) lost.push({ start: Math.max(edit.newEnd, old.start), end: old.end });
      for (const part of lost) {
        let at = part.start;
        forEachOverlap(after.tree, part.start, part.end, (r) => {
          if (r.start > at) zap.push({ start: at, end: r.start });
          reprotect.push({ start: Math.max(r.start, part.start), end: Math.min(r.end, part.end) });
          at = r.end;
        });
        if (at < part.end) zap.push({ start: at, end: part.end });
      }
    }
  }
  return { zap, reprotect };
}

/**
 * Makes the page tables follow an operation, when hardware-mmu serves the machine: zaps what it
 * unmapped (mm/vma.c vms_complete_munmap_vmas → unmap_region → unmap_vmas; Linux's free_pgtables
 * is left to the address space's end) and rewrites the rights of what it re-protected (mm/mprotect.c
 * mprotect_fixup → change_protection). The frames stay allocated: whoever mapped them owns them.
 */
export function syncPageTables(ctx: DecideContext, before: AddressSpace, after: AddressSpace, edits: readonly Edit[]): void {
  if (edits.length === 0) return;
  const asid = before.id;
  const { zap, reprotect } = pageTableWork(before, after, edits);
  if (zap.length > 0 && ctx.serves(MMU_UNMAP_RANGE)) {
    for (const span of joinAdjacent(zap)) {
      const reply = ctx.request<UnmapRangeReply>(MMU_UNMAP_RANGE, { asid, start: span.start, end: span.end } satisfies RangeRequest);
      if (reply.value !== 0) throw new Error(`mmu/unmap-range [${span.start.toString(16)}, ${span.end.toString(16)}) failed: ${reply.error}`);
    }
  }
  if (reprotect.length > 0 && ctx.serves(MMU_PROTECT_RANGE)) {
    // One request per run of adjacent regions whose PTEs get the same rights.
    const runs: ProtectRangeRequest[] = [];
    for (const span of joinAdjacent(reprotect)) {
      forEachOverlap(after.tree, span.start, span.end, (region) => {
        const start = Math.max(span.start, region.start);
        const end = Math.min(span.end, region.end);
        const flags = pteRights(region.flags);
        const last = runs[runs.length - 1];
        if (last && last.end === start && last.flags === flags) runs[runs.length - 1] = { ...last, end };
        else runs.push({ asid, start, end, flags, mask: PTE_RIGHTS });
      });
    }
    for (const request of runs) {
      const reply = ctx.request<ProtectRangeReply>(MMU_PROTECT_RANGE, request);
      if (reply.value !== 0) throw new Error(`mmu/protect-range [${request.start.toString(16)}, ${request.end.toString(16)}) failed: ${reply.error}`);
    }
  }
}

/**
 * exit_mmap (mm/mmap.c) for the page tables: every region's pages zapped (unmap_vmas), then the
 * tables freed with the top-level one (free_pgtables, mm_free_pgd), when hardware-mmu serves the machine.
 */
export function tearDownPageTables(ctx: DecideContext, space: AddressSpace): void {
  if (ctx.serves(MMU_UNMAP_RANGE)) {
    for (const span of joinAdjacent(treeToArray(space.tree))) {
      const reply = ctx.request<UnmapRangeReply>(MMU_UNMAP_RANGE, { asid: space.id, start: span.start, end: span.end } satisfies RangeRequest);
      if (reply.value !== 0) throw new Error(`mmu/unmap-range [${span.start.toString(16)}, ${span.end.toString(16)}) failed: ${reply.error}`);
    }
  }
  if (ctx.serves(MMU_DESTROY_ADDRESS_SPACE)) {
    const reply = ctx.request<MmuPageReply>(MMU_DESTROY_ADDRESS_SPACE, { asid: space.id });
    if (reply.value !== 0) throw new Error(`mmu/destroy-address-space ${space.id} failed: ${reply.error}`);
  }
}
