/**
 * Page-table edits on the bus (`mmu/create-address-space`, `mmu/map`, `mmu/unmap`,
 * `mmu/protect`, `mmu/destroy-address-space`): the model's editing functions run on a private
 * copy of RAM (a ChunkedArray snapshot, so the committed state is untouched), and every entry
 * they write and every table page they allocate becomes an event.
 *
 * Table pages come from `phys/alloc-pages` (GFP_KERNEL, order 0, owner `pagetable`) when a
 * phys-allocator serves it; otherwise from the MMU's own allocator, which hands out frames
 * downwards from the top of RAM (so a machine without phys-allocator still has page tables).
 */
import { event, type DecideContext, type EmittedEvent } from '@vmlab/kernel';
import type { MmuState } from './mmuState.js';
import { mapDirectMap, shareKernelEntries } from './directMap.js';
import { createRootTable, mapPage, protectPage, tableFrames, unmapPage, type PageTableEditor } from './pageTable.js';
import { compileFormat } from './pageTableFormat.js';
import { protectRange, unmapRange, type RangeChange } from './pageTableRange.js';
import { PTE_GLOBAL } from './pteFlags.js';
import {
  MMU_EVENTS,
  type CreateAddressSpaceReply,
  type PageReply,
  type PageRequest,
  type ProtectRangeReply,
  type ProtectRangeRequest,
  type RangeRequest,
  type UnmapRangeReply,
} from './protocol.js';
import type { Tlb } from './tlb.js';

/** The phys-allocator's request for frames. */
export const PHYS_ALLOC_PAGES = 'phys/alloc-pages';
/** The phys-allocator's request to free frames. */
export const PHYS_FREE_PAGES = 'phys/free-pages';
/** GFP_KERNEL (include/linux/gfp_types.h: __GFP_RECLAIM | __GFP_IO | __GFP_FS = 0xcc0). */
export const GFP_KERNEL = 0xcc0;

/** A private copy of RAM and of the own allocator's state, shared by the editors of one decision. */
interface Scratch {
  readonly ram: MmuState['ram'];
  nextOwn: number;
  readonly ownFree: number[];
}

function createScratch(state: MmuState): Scratch {
  return { ram: state.ram.snapshot().thaw(), nextOwn: state.nextOwnFrame, ownFree: [...state.ownFreeFrames] };
}

/** An editor over the scratch copy of RAM that records what it does as events of address space `asid`. */
function recordingEditor(state: MmuState, scratch: Scratch, ctx: DecideContext, asid: number, reason: string, events: EmittedEvent[]): PageTableEditor {
  const format = state.compiledFormat.compiled;
  let lastOwn = false;
  return {
    ram: scratch.ram,
    format,
    allocateTable(): number {
      if (ctx.serves(PHYS_ALLOC_PAGES)) {
        const reply = ctx.request<{ pfn: number }>(PHYS_ALLOC_PAGES, { gfp: GFP_KERNEL, order: 0, owner: 'pagetable' });
        lastOwn = false;
        return reply.pfn;
      }
      lastOwn = true;
      if (scratch.ownFree.length > 0) return scratch.ownFree.pop()!;
      return scratch.nextOwn >= 0 ? scratch.nextOwn-- : -1;
    },
    tableAllocated(pfn: number): void {
      events.push(event(MMU_EVENTS.tableAllocated, { pfn, asid, own: lastOwn }));
    },
    entrySet(address: number, lo: number, hi: number, level: number, why?: string): void {
      const isTableLink = level < format.levels - 1 && events.length > 0 && events[events.length - 1]!.type === MMU_EVENTS.tableAllocated;
      events.push(event(MMU_EVENTS.pteSet, { asid, address, level, lo, hi, reason: why ?? (isTableLink ? 'table' : reason) }));
    },
  };
}

/** Creates address space `asid` in the scratch copy, recording its events; its root, or -1. */
function createSpace(state: MmuState, scratch: Scratch, ctx: DecideContext, asid: number, kernelRoot: number | undefined, events: EmittedEvent[]): number {
  const own: EmittedEvent[] = [];
  const root = createRootTable(recordingEditor(state, scratch, ctx, asid, 'map', own));
  if (root < 0) return -1;
  events.push(event(MMU_EVENTS.addressSpaceCreated, { asid, root }), ...own);
  if (state.pageOffset === null) return root;
  if (asid === 0) {
    // The kernel's own page table gets the direct map of all RAM at PAGE_OFFSET.
    if (mapDirectMap(recordingEditor(state, scratch, ctx, 0, 'direct-map', events), root, state.pageOffset, state.ram.length) !== null) return -1;
  } else if (kernelRoot !== undefined) {
    shareKernelEntries(recordingEditor(state, scratch, ctx, asid, 'kernel', events), kernelRoot, root, state.pageOffset);
  }
  return root;
}

/**
 * Decides `mmu/create-address-space`. On profiles with a direct map, the kernel's address space
 * (id 0) is created first when it does not exist yet, and a process's table shares its
 * top-level kernel entries.
 */
export function decideCreateAddressSpace(state: MmuState, asid: number, ctx: DecideContext): { reply: CreateAddressSpaceReply; events: EmittedEvent[] } {
  if (state.spaces[asid]) return { reply: { root: -1, error: 'EEXIST' }, events: [] };
  const scratch = createScratch(state);
  const events: EmittedEvent[] = [];
  let kernelRoot = state.spaces[0]?.root;
  if (asid !== 0 && kernelRoot === undefined && state.pageOffset !== null) {
    kernelRoot = createSpace(state, scratch, ctx, 0, undefined, events);
    if (kernelRoot < 0) return { reply: { root: -1, error: 'ENOMEM' }, events: [] };
  }
  const root = createSpace(state, scratch, ctx, asid, kernelRoot, events);
  if (root < 0) return { reply: { root: -1, error: 'ENOMEM' }, events: [] };
  return { reply: { root }, events };
}

/** Drops the page from the TLB when it holds it, recording the flush (the kernel's flush_tlb_page after a PTE change). */
function flushPageEvent(state: MmuState, tlb: Tlb, asid: number, va: number, events: EmittedEvent[]): void {
  const vpn = Math.floor(va / state.compiledFormat.compiled.pageSize);
  if (tlb.probe(vpn, asid) >= 0) events.push(event(MMU_EVENTS.tlbFlushed, { scope: 'page', vpn, asid }));
}

/** Decides `mmu/map`, `mmu/unmap` and `mmu/protect`. */
export function decidePageEdit(
  state: MmuState,
  kind: 'map' | 'unmap' | 'protect',
  p: PageRequest,
  ctx: DecideContext,
): { reply: PageReply; events: EmittedEvent[] } {
  const events: EmittedEvent[] = [];
  const scratch = createScratch(state);
  let root = state.spaces[p.asid]?.root;
  if (root === undefined && p.asid === 0 && kind === 'map') {
    // The kernel's own address space (init_mm, swapper_pg_dir) is created on its first mapping.
    root = createSpace(state, scratch, ctx, 0, undefined, events);
    if (root < 0) return { reply: { value: -1, error: 'ENOMEM' }, events: [] };
  }
  const editor = recordingEditor(state, scratch, ctx, p.asid, kind, events);
  if (root === undefined) return { reply: { value: -1, error: 'EINVAL' }, events: [] };
  if (kind === 'map') {
    if (p.pfn === undefined) throw new RangeError('mmu/map needs a pfn');
    const error = mapPage(editor, root, p.va, p.pfn, p.flags ?? 0, p.level);
    if (error) return { reply: { value: -1, error }, events: [] };
  } else if (kind === 'unmap') {
    if (!unmapPage(editor, root, p.va)) return { reply: { value: -1, error: 'ENOENT' }, events };
  } else {
    if (p.flags === undefined) throw new RangeError('mmu/protect needs flags');
    if (!protectPage(editor, root, p.va, p.flags)) return { reply: { value: -1, error: 'ENOENT' }, events };
  }
  flushPageEvent(state, state.tlb, p.asid, p.va, events);
  return { reply: { value: 0 }, events };
}

/**
 * The TLB flushes a range edit needs: every cached page of `asid` inside an entry it changed
 * (Linux `flush_tlb_mm_range` after the zap or the protection change). Without address-space
 * tags the TLB holds only the current space's pages, so another space's edit flushes nothing.
 */
function flushRangeEvents(state: MmuState, asid: number, changes: readonly RangeChange[], events: EmittedEvent[]): void {
  const tlb = state.tlb;
  if (changes.length === 0 || (!tlb.asids && asid !== state.current)) return;
  const pageSize = state.compiledFormat.compiled.pageSize;
  const vpns = new Set<number>();
  for (let slot = 0; slot < tlb.entries; slot++) {
    if (tlb.valid[slot] !== 1) continue;
    const vpn = tlb.vpn[slot]!;
    if (tlb.probe(vpn, asid) < 0) continue;
    const va = vpn * pageSize;
    // The changes are in address order: the last one starting at or below va.
    let lo = 0;
    let hi = changes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (changes[mid]!.va <= va) lo = mid;
      else hi = mid - 1;
    }
    const change = changes[lo]!;
    if (change.va <= va && va < change.va + change.size) vpns.add(vpn);
  }
  for (const vpn of [...vpns].sort((a, b) => a - b)) events.push(event(MMU_EVENTS.tlbFlushed, { scope: 'page', vpn, asid }));
}

/** Why a range request is refused before any walk: EINVAL for an unknown space, a misaligned or reversed range, or a process range reaching the kernel half. */
function rangeError(state: MmuState, p: RangeRequest): string | null {
  const f = state.compiledFormat.compiled;
  if (!state.spaces[p.asid]) return 'EINVAL';
  const { start, end } = p;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > 2 ** f.vaBits) return 'EINVAL';
  if (start % f.pageSize !== 0 || end % f.pageSize !== 0) return 'EINVAL';
  // A process's top table shares the kernel's entries above PAGE_OFFSET (pgd_ctor): not its to edit.
  if (p.asid !== 0 && state.pageOffset !== null && end > state.pageOffset) return 'EINVAL';
  return null;
}

/** Decides `mmu/unmap-range`: clears the mapped entries of the range, walking only the tables that exist. */
export function decideUnmapRange(state: MmuState, p: RangeRequest, ctx: DecideContext): { reply: UnmapRangeReply; events: EmittedEvent[] } {
  const error = rangeError(state, p);
  if (error) return { reply: { value: -1, error, entries: 0, pages: 0, frames: [] }, events: [] };
  const events: EmittedEvent[] = [];
  const editor = recordingEditor(state, createScratch(state), ctx, p.asid, 'unmap', events);
  const changes = unmapRange(editor, state.spaces[p.asid]!.root, p.start, p.end);
  if (typeof changes === 'string') return { reply: { value: -1, error: changes, entries: 0, pages: 0, frames: [] }, events: [] };
  flushRangeEvents(state, p.asid, changes, events);
  const pageSize = state.compiledFormat.compiled.pageSize;
  const pages = changes.reduce((n, c) => n + c.size / pageSize, 0);
  return { reply: { value: 0, entries: changes.length, pages, frames: changes.map((c) => c.pfn) }, events };
}

/** Decides `mmu/protect-range`: rewrites the rights of the mapped entries of the range. */
export function decideProtectRange(state: MmuState, p: ProtectRangeRequest, ctx: DecideContext): { reply: ProtectRangeReply; events: EmittedEvent[] } {
  if (!Number.isInteger(p.flags)) throw new RangeError('mmu/protect-range needs flags');
  const error = rangeError(state, p);
  if (error) return { reply: { value: -1, error, entries: 0 }, events: [] };
  const events: EmittedEvent[] = [];
  const editor = recordingEditor(state, createScratch(state), ctx, p.asid, 'protect', events);
  const changes = protectRange(editor, state.spaces[p.asid]!.root, p.start, p.end, p.flags, p.mask ?? -1);
  if (typeof changes === 'string') return { reply: { value: -1, error: changes, entries: 0 }, events: [] };
  flushRangeEvents(state, p.asid, changes, events);
  return { reply: { value: 0, entries: changes.length }, events };
}

/** Decides `mmu/destroy-address-space`: frees its table pages (to phys-allocator when it gave them) and forgets it. */
export function decideDestroyAddressSpace(state: MmuState, asid: number, ctx: DecideContext): { reply: PageReply; events: EmittedEvent[] } {
  const space = state.spaces[asid];
  if (!space) return { reply: { value: -1, error: 'EINVAL' }, events: [] };
  const f = state.compiledFormat.compiled;
  // Only the space's own tables: the kernel-half entries of its top table point to the kernel's
  // tables (shared by every process, pgd_ctor), which are not its to free.
  const mine = new Set(space.tables.map((t) => t.pfn));
  const frames = tableFrames(state.ram, f, space.root).filter((pfn) => mine.has(pfn));
  const ownSet = new Set(space.tables.filter((t) => t.own).map((t) => t.pfn));
  const own: number[] = [];
  for (const pfn of frames) {
    if (ownSet.has(pfn)) own.push(pfn);
    else if (ctx.serves(PHYS_FREE_PAGES)) ctx.request(PHYS_FREE_PAGES, { pfn, order: 0 });
  }
  const events: EmittedEvent[] = [event(MMU_EVENTS.tablesFreed, { asid, frames, own }), event(MMU_EVENTS.addressSpaceDestroyed, { asid })];
  if (state.current === asid) {
    events.push(event(MMU_EVENTS.tlbFlushed, { scope: 'non-global' }));
  } else if (state.tlb.asids) {
    // A tagged TLB still holds the dead space's pages: drop them, or a space created later with the
    // same id would hit them (Linux flushes a PCID/ASID before reusing it).
    const tlb = state.tlb;
    const vpns = new Set<number>();
    for (let slot = 0; slot < tlb.entries; slot++) {
      if (tlb.valid[slot] === 1 && tlb.asid[slot] === asid && (tlb.flags[slot]! & PTE_GLOBAL) === 0) vpns.add(tlb.vpn[slot]!);
    }
    for (const vpn of [...vpns].sort((a, b) => a - b)) events.push(event(MMU_EVENTS.tlbFlushed, { scope: 'page', vpn, asid }));
  }
  return { reply: { value: 0 }, events };
}
