/**
 * Editing a range of a page table at once, as Linux's munmap and mprotect do (mm/memory.c
 * `unmap_page_range` → `zap_pud_range` → `zap_pmd_range` → `zap_pte_range`; mm/mprotect.c
 * `change_protection` → `change_p4d_range` … `change_pte_range`): the walk descends only into
 * tables that exist (`pmd_none_or_clear_bad` skips an absent entry and the whole span below it),
 * so the cost is what is mapped, not the size of the range. A large page the range covers only
 * in part is first split into a table of smaller entries mapping the same frames
 * (`__split_huge_pmd`), then edited as they are.
 *
 * An entry that is not present but not zero either is a PROT_NONE mapping (x86 keeps the frame
 * in a PTE whose present bit is clear, `pte_protnone`): a range edit treats it as mapped, so a
 * later protection change brings it back and an unmap clears it. Table pages are kept (Linux
 * frees them later, in `free_pgtables`), and so are the frames the entries mapped: whoever
 * mapped them owns them.
 */
import { DIRECTORY_FLAGS, allocateTablePage, setEntry, type MapError, type PageTableEditor } from './pageTable.js';
import type { CompiledFormat } from './pageTableFormat.js';
import { encodePte, pteFlags, pteFrame, ptePresent, readPteHi, readPteLo, type PteWords } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_LARGE } from './pteFlags.js';

/** One entry a range edit changed. */
export interface RangeChange {
  /** First virtual address the entry maps. */
  readonly va: number;
  /** Bytes it maps (a page, or a large page). */
  readonly size: number;
  /** Its level (0 = top). */
  readonly level: number;
  /** The (first) frame it maps. */
  readonly pfn: number;
  /** Its portable flags before the change. */
  readonly flags: number;
}

/** What an edit does to one mapped entry: its new words, or null to leave it as it is. */
export type EntryEdit = (pfn: number, flags: number, level: number, lo: number, hi: number) => PteWords | null;

/** The bits a protection change keeps from the old entry (Linux `pte_modify` keeps `_PAGE_CHG_MASK`: A, D; and the page size). */
const KEPT_BITS = PTE_ACCESSED | PTE_DIRTY | PTE_LARGE;

/** True when a table entry maps a page (the leaf level, or a large page above it), present or PROT_NONE. */
function mapsPage(f: CompiledFormat, level: number, flags: number): boolean {
  return level === f.levels - 1 || (f.largeAllowed[level] === 1 && (flags & PTE_LARGE) !== 0);
}

/**
 * Replaces the large page at `address` (level `level`, mapping `va`) by a new table one level
 * down whose entries map the same frames with the same flags (Linux `__split_huge_pmd_locked`).
 * Returns the new table's physical address, or why it could not.
 */
function splitLargePage(editor: PageTableEditor, address: number, level: number, pfn: number, flags: number): number | MapError {
  const f = editor.format;
  const child = level + 1;
  const childIsLeaf = child === f.levels - 1;
  if (!childIsLeaf && f.largeAllowed[child] !== 1) return 'EINVAL';
  const table = allocateTablePage(editor);
  if (table < 0) return 'ENOMEM';
  const link = encodePte(f, table / f.pageSize, DIRECTORY_FLAGS);
  setEntry(editor, address, link.lo, link.hi, level, 'table');
  const framesPerEntry = f.levelDivisor[child]! / f.pageSize;
  const childFlags = childIsLeaf ? flags & ~PTE_LARGE : flags | PTE_LARGE;
  for (let i = 0; i <= f.levelMask[child]!; i++) {
    const words = encodePte(f, pfn + i * framesPerEntry, childFlags);
    setEntry(editor, table + i * f.pteBytes, words.lo, words.hi, child, 'split');
  }
  return table;
}

/**
 * Applies `edit` to every mapped entry (present, or PROT_NONE) of [start, end) under `root`, in
 * address order, skipping absent tables; `start` and `end` are page-aligned. Returns the entries
 * changed, or why the edit failed (a large page to split and no frame for the table: ENOMEM).
 * Entries the edit leaves alone are not reported.
 */
export function editRange(editor: PageTableEditor, root: number, start: number, end: number, edit: EntryEdit): RangeChange[] | MapError {
  const f = editor.format;
  const changes: RangeChange[] = [];
  if (start >= end) return changes;
  const descend = (table: number, level: number, base: number): MapError | null => {
    const span = f.levelDivisor[level]!;
    const first = Math.floor((Math.max(start, base) - base) / span);
    const last = Math.min(f.levelMask[level]!, Math.ceil((end - base) / span) - 1);
    for (let i = first; i <= last; i++) {
      const address = table + i * f.pteBytes;
      const lo = readPteLo(editor.ram, f, address);
      const hi = readPteHi(editor.ram, f, address);
      if (lo === 0 && hi === 0) continue; // pte_none / pmd_none: nothing below
      const flags = pteFlags(f, lo, hi);
      const pfn = pteFrame(f, lo, hi);
      const va = base + i * span;
      if (mapsPage(f, level, flags)) {
        if (va >= start && va + span <= end) {
          const words = edit(pfn, flags, level, lo, hi);
          if (words === null || (words.lo === lo && words.hi === hi)) continue;
          setEntry(editor, address, words.lo, words.hi, level);
          changes.push({ va, size: span, level, pfn, flags });
          continue;
        }
        const split = splitLargePage(editor, address, level, pfn, flags);
        if (typeof split === 'string') return split;
        const failed = descend(split, level + 1, va);
        if (failed) return failed;
        continue;
      }
      if (!ptePresent(f, lo, hi)) continue; // not a table link
      const failed = descend(pfn * f.pageSize, level + 1, va);
      if (failed) return failed;
    }
    return null;
  };
  const failed = descend(root, 0, 0);
  return failed ?? changes;
}

/**
 * Clears every mapped entry of [start, end) (Linux `zap_pte_range` / `zap_huge_pmd`): the
 * entries cleared, in address order (their frames are the caller's to free), or ENOMEM.
 */
export function unmapRange(editor: PageTableEditor, root: number, start: number, end: number): RangeChange[] | MapError {
  return editRange(editor, root, start, end, () => ({ lo: 0, hi: 0 }));
}

/**
 * Changes the rights of every mapped entry of [start, end) (Linux `change_pte_range` with
 * `pte_modify`): the bits in `mask` come from `flags`, the others from the entry, and accessed,
 * dirty and the page size are always kept. Without PTE_PRESENT in the result the entry becomes a
 * PROT_NONE entry (frame kept, present bit clear); a later change that sets PTE_PRESENT restores
 * it. Returns the entries changed (unchanged ones are not rewritten), or ENOMEM.
 */
export function protectRange(editor: PageTableEditor, root: number, start: number, end: number, flags: number, mask: number): RangeChange[] | MapError {
  const f = editor.format;
  const taken = mask & ~KEPT_BITS;
  return editRange(editor, root, start, end, (pfn, old) => encodePte(f, pfn, (old & ~taken) | (flags & taken)));
}
