/**
 * The kernel's direct map: all of physical RAM mapped at PAGE_OFFSET in the kernel's page table
 * (kernel-only, writable, global), so that `__va(phys) = phys + PAGE_OFFSET` and
 * `__pa(virt) = virt - PAGE_OFFSET` (arch/x86/include/asm/page.h). Linux maps it with large pages
 * where the CPU has them (4 MiB PSE pages on i386, 2 MiB pages on x86-64:
 * arch/x86/mm/init.c `init_memory_mapping`), and every process's top-level table shares the
 * kernel's entries (arch/x86/mm/pgtable.c `pgd_ctor` → `clone_pgd_range`).
 */
import { mapPage, setEntry, type MapError, type PageTableEditor } from './pageTable.js';
import { PTE_GLOBAL, PTE_NX, PTE_WRITE } from './pteFlags.js';
import { readPteHi, readPteLo } from './pte.js';

/** The kernel virtual address of physical address `physical` (`__va`). */
export function physToVirt(pageOffset: number, physical: number): number {
  return pageOffset + physical;
}

/** The physical address of direct-map address `virtual` (`__pa`). */
export function virtToPhys(pageOffset: number, virtual: number): number {
  return virtual - pageOffset;
}

/**
 * Maps `ramBytes` of physical memory at `pageOffset` in the table rooted at `root`, with the
 * largest page the format allows whose size divides both (else base pages), kernel-only,
 * writable, global (and no-execute where the format has NX). Returns null, or why it failed.
 */
export function mapDirectMap(editor: PageTableEditor, root: number, pageOffset: number, ramBytes: number): MapError | null {
  const f = editor.format;
  let level = f.levels - 1;
  for (let candidate = 0; candidate < f.levels - 1; candidate++) {
    const size = f.levelDivisor[candidate]!;
    if (f.largeAllowed[candidate] === 1 && ramBytes % size === 0 && pageOffset % size === 0) {
      level = candidate;
      if (size <= 4 * 1024 * 1024) break; // prefer 2 MiB / 4 MiB pages over 1 GiB ones
    }
  }
  const size = f.levelDivisor[level]!;
  const pagesPerMapping = size / f.pageSize;
  for (let offset = 0; offset < ramBytes; offset += size) {
    const error = mapPage(editor, root, pageOffset + offset, (offset / size) * pagesPerMapping, PTE_WRITE | PTE_GLOBAL | PTE_NX, level === f.levels - 1 ? undefined : level);
    if (error) return error;
  }
  return null;
}

/**
 * Copies the top-level entries that cover addresses from `pageOffset` up from the kernel's root
 * into a new root, so the process sees the kernel half (`clone_pgd_range`). Returns how many
 * entries were copied.
 */
export function shareKernelEntries(editor: PageTableEditor, kernelRoot: number, root: number, pageOffset: number): number {
  const f = editor.format;
  const first = Math.floor(pageOffset * f.levelScale[0]!) & f.levelMask[0]!;
  let copied = 0;
  for (let index = first; index <= f.levelMask[0]!; index++) {
    const from = kernelRoot + index * f.pteBytes;
    const lo = readPteLo(editor.ram, f, from);
    const hi = readPteHi(editor.ram, f, from);
    if (lo === 0 && hi === 0) continue;
    const to = root + index * f.pteBytes;
    setEntry(editor, to, lo, hi, 0);
    copied++;
  }
  return copied;
}
