/**
 * A region (Linux's vm_area_struct): a page-aligned range [start, end) with one protection, one
 * set of vm_flags and one backing (anonymous demand-zero memory, or a file at a page offset).
 */
import { PAGE_SHIFT, PAGE_SIZE, VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from './constants.js';

/** A region, as plain immutable data. */
export interface Region {
  /** First address (page-aligned). */
  readonly start: number;
  /** One past the last address (page-aligned, > start). */
  readonly end: number;
  /** Linux vm_flags (VM_READ … VM_NORESERVE). */
  readonly flags: number;
  /** vm_pgoff: for a file, the file page mapped at `start`; for anonymous memory, start >> PAGE_SHIFT at creation (mm/mmap.c do_mmap). */
  readonly pgoff: number;
  /** The backing file's path, or null for anonymous memory. */
  readonly file: string | null;
  /** The backing file's device, as maps prints it (`fe:00`); `00:00` for anonymous memory. */
  readonly dev: string;
  /** The backing file's inode number (0 for anonymous memory). */
  readonly inode: number;
  /** A special mapping's name (`[vdso]`, `[vvar]`), or null. */
  readonly special: string | null;
  /** The anon_vma this region's anonymous pages hang off (0 until its first fault: mm/rmap.c anon_vma_prepare). */
  readonly anonVma: number;
  /** The vm_area_struct object from the slab cache (0 when no slab serves the machine). */
  readonly object: number;
}

/** The backing and attributes of a new region, without its range. */
export type RegionAttributes = Omit<Region, 'start' | 'end'>;

/** Rounds `n` up to a page boundary (PAGE_ALIGN). */
export function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

/** Rounds `n` down to a page boundary (n & PAGE_MASK). */
export function pageDown(n: number): number {
  return Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
}

/** True when `n` is a multiple of the page size. */
export function isPageAligned(n: number): boolean {
  return n % PAGE_SIZE === 0;
}

/** The region's size in bytes. */
export function regionSize(region: Region): number {
  return region.end - region.start;
}

/** The region's size in pages. */
export function regionPages(region: Region): number {
  return (region.end - region.start) / PAGE_SIZE;
}

/** True when `address` lies in [start, end). */
export function regionContains(region: Region, address: number): boolean {
  return address >= region.start && address < region.end;
}

/** The upper part of `region` from `at` on, with vm_pgoff advanced (mm/vma.c __split_vma). */
export function regionFrom(region: Region, at: number, object = region.object): Region {
  return { ...region, start: at, pgoff: region.pgoff + (at - region.start) / PAGE_SIZE, object };
}

/** The lower part of `region` up to `at`. */
export function regionUpTo(region: Region, at: number): Region {
  return { ...region, end: at };
}

/** The `rwxp` / `rwxs` permission column of /proc/PID/maps (fs/proc/task_mmu.c show_vma_header_prefix). */
export function permissionString(flags: number): string {
  return (
    (flags & VM_READ ? 'r' : '-') +
    (flags & VM_WRITE ? 'w' : '-') +
    (flags & VM_EXEC ? 'x' : '-') +
    (flags & VM_SHARED ? 's' : 'p')
  );
}

/** The page offset in bytes as maps prints it: vm_pgoff << PAGE_SHIFT for files, 0 for anonymous memory (task_mmu.c show_map_vma). */
export function mapsOffset(region: Region): number {
  return region.file === null ? 0 : region.pgoff * 2 ** PAGE_SHIFT;
}

/*
 * Syscall arguments as unsigned long. Linux takes addresses, lengths, offsets, prot and flags as
 * `unsigned long` (64 bits on x86-64); the model's numbers are doubles. A negative v stands for
 * its two's-complement reading 2^64 + v (huge), and a v ≥ 2^64 for ULONG_MAX: the double nearest
 * 0xffffffffffffffff is 2^64 itself, so a scenario's `0xffffffffffffffff` (or `2 ** 64 - 1`) means
 * -1, as in C. Doubles near 2^64 are 2048 apart, so `ulong` keeps the magnitude (every such value
 * is far above any TASK_SIZE) and the page offset and bit tests below read the low bits from the
 * original value, exact below 2^53.
 */

/** 2^64: ULONG_MAX + 1 of an x86-64 kernel. */
export const ULONG_SPAN = 2 ** 64;

/** The largest double below 2^64: ULONG_MAX as a magnitude. */
const ULONG_MAX_DOUBLE = ULONG_SPAN - 2048;

/** The unsigned long `v` stands for, as a magnitude (a value that rounds to 2^64 stays just below it). */
export function ulong(v: number): number {
  if (!Number.isFinite(v)) return ULONG_MAX_DOUBLE;
  v = Math.floor(v);
  if (v < 0) return Math.min(ULONG_SPAN + v, ULONG_MAX_DOUBLE);
  return Math.min(v, ULONG_MAX_DOUBLE);
}

/** offset_in_page(v) of the unsigned long `v` stands for (its low 12 bits, two's complement for v < 0; ULONG_MAX's for v ≥ 2^64). */
export function offsetInPage(v: number): number {
  if (!Number.isFinite(v) || v >= ULONG_SPAN) return PAGE_SIZE - 1;
  if (!Number.isInteger(v)) return 1;
  // v - floor(v / PAGE_SIZE) * PAGE_SIZE, not `%`: a double `%` is a call to fmod, and this runs
  // on every mmap, munmap and mprotect (exact: PAGE_SIZE is a power of two).
  return v - Math.floor(v / PAGE_SIZE) * PAGE_SIZE;
}

/** PAGE_ALIGN(v) of the unsigned long `v` stands for: 0 when it wraps past ULONG_MAX (len > 2^64 − 4096). */
export function pageAlignULong(v: number): number {
  if (!Number.isFinite(v)) return 0;
  if (v < 0) {
    const up = Math.ceil(v / PAGE_SIZE) * PAGE_SIZE;
    return up === 0 ? 0 : ulong(up);
  }
  if (v >= ULONG_SPAN) return 0;
  return pageAlign(ulong(v)) % ULONG_SPAN;
}

/** True when the unsigned long `v` stands for has a bit outside `mask` (a 32-bit mask; bits 32–63 always count). */
export function bitsOutside(v: number, mask: number): boolean {
  if (!Number.isInteger(v)) return true;
  return v < 0 || v >= 2 ** 32 || ((v >>> 0) & ~mask) !== 0;
}
