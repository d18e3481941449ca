/**
 * Editing page tables that live in simulated RAM, as an OS does (xv6 kernel/vm.c `mappages`,
 * `uvmunmap`; Linux mm/memory.c): table pages are frames, entries are bytes in them, and a missing
 * table is allocated, zeroed (`get_zeroed_page`) and linked into its parent on the way down.
 *
 * The frame allocator is a callback, so the model works on its own (any function handing out
 * frame numbers) and on the bus (the server asks `phys/alloc-pages`).
 */
import type { CompiledFormat } from './pageTableFormat.js';
import { encodePte, pteFlags, pteFrame, ptePresent, readPteHi, readPteLo, writePte } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_LARGE, PTE_PRESENT, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { zeroPhysical, type PhysicalMemory } from './ram.js';

/** What editing a page table needs: RAM (written in place), the format, and a frame source. */
export interface PageTableEditor {
  /** RAM holding the tables; written in place. */
  readonly ram: PhysicalMemory;
  /** The format of the tables. */
  readonly format: CompiledFormat;
  /** Hands out a frame for a new table page: its frame number, or -1 when memory is exhausted. */
  allocateTable(): number;
  /** Told of every entry written (address, new words, level, and why when the writer says: `table`, `split`), e.g. to record events. */
  entrySet?(address: number, lo: number, hi: number, level: number, why?: string): void;
  /** Told of every table page allocated (after it has been zeroed). */
  tableAllocated?(pfn: number): void;
}

/**
 * Flags of a directory entry that points to a lower table: present, writable, user, so the leaf
 * decides the rights (Linux `_PAGE_TABLE` in arch/x86/include/asm/pgtable_types.h also pre-sets
 * accessed; here the walk sets it, as the hardware would).
 */
export const DIRECTORY_FLAGS = PTE_PRESENT | PTE_WRITE | PTE_USER;

/** Writes one entry through an editor (and tells its `entrySet`, with why when given). */
export function setEntry(editor: PageTableEditor, address: number, lo: number, hi: number, level: number, why?: string): void {
  writePte(editor.ram, editor.format, address, lo, hi);
  editor.entrySet?.(address, lo, hi, level, why);
}

/** Allocates and zeroes one table page; returns its physical address, or -1. */
export function allocateTablePage(editor: PageTableEditor): number {
  const pfn = editor.allocateTable();
  if (pfn < 0) return -1;
  const address = pfn * editor.format.pageSize;
  zeroPhysical(editor.ram, address, editor.format.pageSize);
  editor.tableAllocated?.(pfn);
  return address;
}

/** A new, empty top-level table (what CR3 will point to): its physical address, or -1 when out of frames. */
export function createRootTable(editor: PageTableEditor): number {
  return allocateTablePage(editor);
}

function entryAddress(f: CompiledFormat, table: number, level: number, va: number): number {
  return table + (Math.floor(va * f.levelScale[level]!) & f.levelMask[level]!) * f.pteBytes;
}

/**
 * The physical address of the entry at `targetLevel` for `va`, allocating missing tables when
 * `allocate` is set; -1 when a table is missing (or cannot be allocated), -2 when a large page
 * above the target level is in the way.
 */
function findEntry(editor: PageTableEditor, root: number, va: number, targetLevel: number, allocate: boolean): number {
  const f = editor.format;
  let table = root;
  for (let level = 0; level < targetLevel; level++) {
    const address = entryAddress(f, table, level, va);
    const lo = readPteLo(editor.ram, f, address);
    const hi = readPteHi(editor.ram, f, address);
    if (!ptePresent(f, lo, hi)) {
      if (!allocate) return -1;
      const child = allocateTablePage(editor);
      if (child < 0) return -1;
      const entry = encodePte(f, child / f.pageSize, DIRECTORY_FLAGS);
      setEntry(editor, address, entry.lo, entry.hi, level);
      table = child;
      continue;
    }
    if (f.largeAllowed[level] === 1 && (pteFlags(f, lo, hi) & PTE_LARGE) !== 0) return -2;
    table = pteFrame(f, lo, hi) * f.pageSize;
  }
  return entryAddress(f, table, targetLevel, va);
}

/** Why a page-table edit failed. */
export type MapError = 'ENOMEM' | 'EEXIST' | 'EINVAL';

/**
 * Maps the page containing `va` to frame `pfn` with portable `flags` (PTE_PRESENT is added),
 * allocating tables as needed. With `level` above the leaf, maps a large page there (the format
 * must allow it; `va` and `pfn` aligned to its size). Replaces an existing mapping, as
 * `set_pte_at` does. Returns null, or why it failed.
 */
export function mapPage(editor: PageTableEditor, root: number, va: number, pfn: number, flags: number, level?: number): MapError | null {
  const f = editor.format;
  const target = level ?? f.levels - 1;
  let entryFlags = flags | PTE_PRESENT;
  if (target !== f.levels - 1) {
    if (f.largeAllowed[target] !== 1) return 'EINVAL';
    const pages = f.levelDivisor[target]! / f.pageSize;
    if (va % f.levelDivisor[target]! !== 0 || pfn % pages !== 0) return 'EINVAL';
    entryFlags |= PTE_LARGE;
  } else {
    entryFlags &= ~PTE_LARGE;
  }
  if (va < 0 || va >= 2 ** f.vaBits || !Number.isInteger(va)) return 'EINVAL';
  const address = findEntry(editor, root, va, target, true);
  if (address === -2) return 'EEXIST';
  if (address < 0) return 'ENOMEM';
  const entry = encodePte(f, pfn, entryFlags);
  setEntry(editor, address, entry.lo, entry.hi, target);
  return null;
}

/** The entry that maps a page, as `lookupEntry` finds it. */
export interface EntryLookup {
  /** Physical address of the entry. */
  readonly address: number;
  /** Its level (0 = top). */
  readonly level: number;
  /** The frame it maps. */
  readonly pfn: number;
  /** Its portable flags. */
  readonly flags: number;
}

/** The leaf (or large-page) entry mapping `va`: its address, level, frame and flags; null when none is present. */
export function lookupEntry(ram: PhysicalMemory, f: CompiledFormat, root: number, va: number): EntryLookup | null {
  let table = root;
  for (let level = 0; level < f.levels; level++) {
    const address = entryAddress(f, table, level, va);
    const lo = readPteLo(ram, f, address);
    const hi = readPteHi(ram, f, address);
    if (!ptePresent(f, lo, hi)) return null;
    const flags = pteFlags(f, lo, hi);
    const pfn = pteFrame(f, lo, hi);
    if (level === f.levels - 1 || (f.largeAllowed[level] === 1 && (flags & PTE_LARGE) !== 0)) return { address, level, pfn, flags };
    table = pfn * f.pageSize;
  }
  return null;
}

/** Clears the entry mapping `va` (leaf or large page). Returns true when something was mapped. Tables are kept, as munmap keeps them until free_pgtables. */
export function unmapPage(editor: PageTableEditor, root: number, va: number): boolean {
  const entry = lookupEntry(editor.ram, editor.format, root, va);
  if (!entry) return false;
  setEntry(editor, entry.address, 0, 0, entry.level);
  return true;
}

/**
 * Changes the rights of the page mapping `va` to `flags`, keeping its frame and its accessed and
 * dirty bits (Linux `pte_modify` keeps `_PAGE_CHG_MASK`, which holds A and D). Returns false when
 * the page is not mapped.
 */
export function protectPage(editor: PageTableEditor, root: number, va: number, flags: number): boolean {
  const f = editor.format;
  const entry = lookupEntry(editor.ram, f, root, va);
  if (!entry) return false;
  const kept = entry.flags & (PTE_ACCESSED | PTE_DIRTY | PTE_LARGE);
  const words = encodePte(f, entry.pfn, (flags & ~(PTE_ACCESSED | PTE_DIRTY | PTE_LARGE)) | kept | PTE_PRESENT);
  setEntry(editor, entry.address, words.lo, words.hi, entry.level);
  return true;
}

/**
 * Clears the accessed bit of the entry mapping `va` and says whether it was set (Linux
 * `ptep_test_and_clear_young`, used by /proc/PID/clear_refs and page reclaim). The caller must
 * flush the TLB afterwards, as Linux does, or cached translations keep the bit from being set again.
 */
export function testAndClearAccessed(editor: PageTableEditor, root: number, va: number): boolean {
  const f = editor.format;
  const entry = lookupEntry(editor.ram, f, root, va);
  if (!entry || (entry.flags & PTE_ACCESSED) === 0) return false;
  const words = encodePte(f, entry.pfn, entry.flags & ~PTE_ACCESSED);
  setEntry(editor, entry.address, words.lo, words.hi, entry.level);
  return true;
}

/** One present mapping found by `forEachMapping`. */
export interface Mapping {
  /** First virtual address of the page. */
  readonly va: number;
  /** Its frame (first frame of a large page). */
  readonly pfn: number;
  /** The entry's portable flags. */
  readonly flags: number;
  /** Bytes mapped by the entry. */
  readonly size: number;
  /** Level of the entry. */
  readonly level: number;
  /** Physical address of the entry. */
  readonly entryAddress: number;
}

/** Calls `visit` for every present mapping under `root`, in address order. */
export function forEachMapping(ram: PhysicalMemory, f: CompiledFormat, root: number, visit: (mapping: Mapping) => void): void {
  const descend = (table: number, level: number, base: number): void => {
    const entries = f.levelMask[level]! + 1;
    const span = f.levelDivisor[level]!;
    for (let i = 0; i < entries; i++) {
      const address = table + i * f.pteBytes;
      const lo = readPteLo(ram, f, address);
      const hi = readPteHi(ram, f, address);
      if (!ptePresent(f, lo, hi)) continue;
      const flags = pteFlags(f, lo, hi);
      const pfn = pteFrame(f, lo, hi);
      const va = base + i * span;
      if (level === f.levels - 1 || (f.largeAllowed[level] === 1 && (flags & PTE_LARGE) !== 0)) {
        visit({ va, pfn, flags, size: span, level, entryAddress: address });
      } else {
        descend(pfn * f.pageSize, level + 1, va);
      }
    }
  };
  descend(root, 0, 0);
}

/** Frames of every table page under `root` (the root first), e.g. to free them when an address space dies. */
export function tableFrames(ram: PhysicalMemory, f: CompiledFormat, root: number): number[] {
  const frames: number[] = [];
  const descend = (table: number, level: number): void => {
    frames.push(table / f.pageSize);
    if (level === f.levels - 1) return;
    for (let i = 0; i <= f.levelMask[level]!; i++) {
      const address = table + i * f.pteBytes;
      const lo = readPteLo(ram, f, address);
      const hi = readPteHi(ram, f, address);
      if (!ptePresent(f, lo, hi)) continue;
      if (f.largeAllowed[level] === 1 && (pteFlags(f, lo, hi) & PTE_LARGE) !== 0) continue;
      descend(pteFrame(f, lo, hi) * f.pageSize, level + 1);
    }
  };
  descend(root, 0);
  return frames;
}
