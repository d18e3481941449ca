/**
 * Portable PTE flags: the rights and status bits of a mapping, independent of where a given
 * page-table format keeps them. Bits 0–8 are numbered as in an i386/x86-64 PTE (Intel SDM
 * Vol. 3A §4.3, Table 4-6; Linux arch/x86/include/asm/pgtable_types.h), so `0x67` means the same
 * here as in a real x86 PTE; no-execute, bit 63 on x86-64, is 0x200 here.
 */

/** The page is present (x86 P, Alpha V, the textbook valid bit). */
export const PTE_PRESENT = 0x001;
/** Writes are allowed (x86 R/W). */
export const PTE_WRITE = 0x002;
/** User mode may access the page (x86 U/S). */
export const PTE_USER = 0x004;
/** Write-through caching (x86 PWT). */
export const PTE_PWT = 0x008;
/** Caching disabled (x86 PCD). */
export const PTE_PCD = 0x010;
/** Set by the walk when the page is used (x86 A). */
export const PTE_ACCESSED = 0x020;
/** Set by the walk when the page is written (x86 D). */
export const PTE_DIRTY = 0x040;
/** In a directory entry: maps a large page and ends the walk (x86 PS). */
export const PTE_LARGE = 0x080;
/** The TLB entry survives an address-space switch (x86 G, Alpha ASM). */
export const PTE_GLOBAL = 0x100;
/** Instruction fetches fault (x86-64 NX/XD bit 63, Alpha FOE). */
export const PTE_NX = 0x200;

/** Every portable flag with its name, in bit order. */
export const PTE_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [PTE_PRESENT, 'P'],
  [PTE_WRITE, 'W'],
  [PTE_USER, 'U'],
  [PTE_PWT, 'PWT'],
  [PTE_PCD, 'PCD'],
  [PTE_ACCESSED, 'A'],
  [PTE_DIRTY, 'D'],
  [PTE_LARGE, 'PS'],
  [PTE_GLOBAL, 'G'],
  [PTE_NX, 'NX'],
];

/** The flags as a short string, e.g. `P W U A D` (for views and messages). */
export function describeFlags(flags: number): string {
  return PTE_FLAG_NAMES.filter(([bit]) => (flags & bit) !== 0)
    .map(([, name]) => name)
    .join(' ');
}

/** The scenario constants for the portable flags (`PTE_PRESENT` …). */
export const PTE_CONSTANTS: Readonly<Record<string, number>> = {
  PTE_PRESENT,
  PTE_WRITE,
  PTE_USER,
  PTE_PWT,
  PTE_PCD,
  PTE_ACCESSED,
  PTE_DIRTY,
  PTE_LARGE,
  PTE_GLOBAL,
  PTE_NX,
};
