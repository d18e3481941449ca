/**
 * Invariants of an address space after any sequence of mmap / munmap / mprotect / brk / stack
 * growth / first faults (fast-check), on linux-x86_64 (top-down and legacy) and linux-i386.
 *
 * The oracle is independent of the model: a list of page ranges with their attributes (vm_flags,
 * file, file page, anon_vma), changed by each operation the way the Linux sources say
 * (mm/mmap.c do_mmap, mm/vma.c do_vmi_munmap, mm/mprotect.c do_mprotect_pkey + mprotect_fixup,
 * mm/mmap.c brk + do_brk_flags, mm/mmap.c expand_downwards (anon_vma_prepare first), mm/rmap.c
 * anon_vma_prepare, and the
 * population of VM_LOCKED private writable memory by mmap and mprotect), with
 * the errno each one returns. After every step:
 *
 * - regions are sorted, non-overlapping, page-aligned, start < end, inside [0, TASK_SIZE);
 * - page for page, the regions hold what the oracle holds (flags, file, offset, anon_vma);
 * - no two adjacent regions are left unmerged that mm/vma.c would merge (is_mergeable_vma,
 *   is_mergeable_anon_vma, pgoff continuity) — except where Linux itself leaves them: a new brk
 *   region (do_brk_flags only expands the brk region, it does not merge with a mapping below) and
 *   a stack grown down onto a grows-down region (expand_downwards does not merge);
 * - map_count, total_vm, locked_vm, exec_vm, stack_vm, data_vm are what the regions add up to,
 *   and VmPeak is the highest total_vm ever reached;
 * - a failed operation returns Linux's errno and leaves the address space unchanged (mprotect
 *   excepted: it keeps the changes made before the hole it stopped at, as Linux does).
 *
 * Arguments are unsigned long: defects pass negative addresses and lengths (2^64 + v), for which
 * mm/mmap.c do_mmap / __get_unmapped_area, mm/vma.c do_vmi_munmap and mm/mprotect.c give ENOMEM or
 * EINVAL (fixtures/linux/args-probe.txt). MAP_STACK sets VM_NOHUGEPAGE (include/linux/mman.h
 * calc_vm_flag_bits), so a MAP_STACK region stays apart from an otherwise equal neighbour.
 *
 * A fifth run lowers vm.max_map_count to 12: mmap (map_count > max), a split by munmap or
 * MAP_FIXED (map_count >= max) and brk (map_count > max) then fail as Linux 6.18 does; an mprotect
 * stopped by split_vma at the limit is taken as the model made it (its exact cases are in
 * server.test.ts, from fixtures/linux/maxmapcount-probe.txt).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAddressSpace, type AddressSpace } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { brk } from './brk.js';
import type { OperationResult } from './editor.js';
import { layoutFor, type Layout } from './layouts.js';
import { mmap, type MappedFile } from './mmap.js';
import { mprotect } from './mprotect.js';
import { munmap } from './munmap.js';
import { loadProgram } from './program.js';
import type { Region } from './region.js';
import { treeToArray } from './regionTree.js';
import { expandStack, setupStack } from './stack.js';

// Linux's values, written out here so the oracle does not share the model's constants.
const P = 4096;
const VM_READ = 0x1;
const VM_WRITE = 0x2;
const VM_EXEC = 0x4;
const VM_SHARED = 0x8;
const VM_MAYREAD = 0x10;
const VM_MAYWRITE = 0x20;
const VM_MAYEXEC = 0x40;
const VM_MAYSHARE = 0x80;
const VM_GROWSDOWN = 0x100;
const VM_LOCKED = 0x2000;
const VM_ACCOUNT = 0x100000;
const VM_NORESERVE = 0x200000;
const VM_NOHUGEPAGE = 0x40000000;
const VM_ACCESS = VM_READ | VM_WRITE | VM_EXEC;
const VM_SPECIAL = 0x4000 | 0x40000 | 0x400; // VM_IO | VM_DONTEXPAND | VM_PFNMAP
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_SHARED_VALIDATE = 0x03;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_GROWSDOWN = 0x100;
const MAP_LOCKED = 0x2000;
const MAP_NORESERVE = 0x4000;
const MAP_STACK = 0x20000;
const MAP_32BIT = 0x40;
/** arch/x86/kernel/sys_x86_64.c find_start_end: MAP_32BIT's window for a 64-bit task. */
const WINDOW_32BIT: readonly [number, number] = [0x40000000, 0x80000000];
const MAP_FIXED_NOREPLACE = 0x100000;
/** VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT (arch/x86: VM_DATA_FLAGS_TSK_EXEC without READ_IMPLIES_EXEC). */
const BRK_VM_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_ACCOUNT;
const PMD = 2 * 1024 * 1024;

const FILES: readonly MappedFile[] = [
  { path: '/tmp/vmregions-a', dev: '08:01', inode: 11 },
  { path: '/tmp/vmregions-b', dev: '08:01', inode: 12 },
];

/** A page range of the oracle with what every page in it holds. */
interface Extent {
  readonly start: number;
  readonly end: number;
  readonly flags: number;
  /** File identity (path|dev|inode) or null for private anonymous memory. */
  readonly file: string | null;
  /** The file page (or, for anonymous memory, the vm_pgoff) of the page at `start`. */
  readonly pgoff: number;
  readonly anonVma: number;
}

const fileKey = (r: { file: string | null; dev: string; inode: number }): string | null => (r.file === null ? null : `${r.file}|${r.dev}|${r.inode}`);
const toExtent = (r: Region): Extent => ({ start: r.start, end: r.end, flags: r.flags, file: fileKey(r), pgoff: r.pgoff, anonVma: r.anonVma });
const slice = (e: Extent, start: number, end: number): Extent => ({ ...e, start, end, pgoff: e.pgoff + (start - e.start) / P });

/** The oracle without [start, end). */
function removeRange(extents: readonly Extent[], start: number, end: number): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    if (e.end <= start || e.start >= end) out.push(e);
    else {
      if (e.start < start) out.push(slice(e, e.start, start));
      if (e.end > end) out.push(slice(e, end, e.end));
    }
  }
  return out;
}

function insert(extents: readonly Extent[], e: Extent): Extent[] {
  return [...extents, e].sort((a, b) => a.start - b.start);
}

/** The oracle with `change` applied to the pages of [start, end) (which must all be mapped). */
function mapRange(extents: readonly Extent[], start: number, end: number, change: (e: Extent) => Extent): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    if (e.end <= start || e.start >= end) out.push(e);
    else {
      if (e.start < start) out.push(slice(e, e.start, start));
      out.push(change(slice(e, Math.max(e.start, start), Math.min(e.end, end))));
      if (e.end > end) out.push(slice(e, end, e.end));
    }
  }
  return out;
}

/** Adjacent extents with equal attributes and continuing offsets joined: a canonical form to compare. */
function canonical(extents: readonly Extent[]): Extent[] {
  const out: Extent[] = [];
  for (const e of extents) {
    const last = out[out.length - 1];
    if (last && last.end === e.start && last.flags === e.flags && last.file === e.file && last.anonVma === e.anonVma && last.pgoff + (last.end - last.start) / P === e.pgoff) {
      out[out.length - 1] = { ...last, end: e.end };
    } else out.push(e);
  }
  return out;
}

/** mm/vma.c: is_mergeable_vma (flags, file, no VM_SPECIAL) + is_mergeable_anon_vma + pgoff continuity. */
function linuxWouldMerge(low: Region, high: Region): boolean {
  return (
    low.end === high.start &&
    low.flags === high.flags &&
    (low.flags & VM_SPECIAL) === 0 &&
    fileKey(low) === fileKey(high) &&
    low.special === null &&
    high.special === null &&
    (low.anonVma === 0 || high.anonVma === 0 || low.anonVma === high.anonVma) &&
    low.pgoff + (low.end - low.start) / P === high.pgoff
  );
}

/** mm/vma.c anon_vma_compatible: adjacent, same file, flags equal but for the access bits, offsets continuing. */
function anonVmaCompatible(a: Region, b: Region): boolean {
  return a.end === b.start && fileKey(a) === fileKey(b) && ((a.flags ^ b.flags) & ~VM_ACCESS) === 0 && b.pgoff === a.pgoff + (b.start - a.start) / P;
}

/** The oracle's state: the pages, the brk seams Linux leaves unmerged, the peak total_vm, anon_vma ids. */
interface World {
  space: AddressSpace;
  extents: Extent[];
  allowedSeams: Set<number>;
  peakVm: number;
  lastAnonVma: number;
  shmem: number;
}

/**
 * A brk seam stays allowed until an operation's range reaches it: only then (mmap next to it,
 * mprotect of a side) would mm/vma.c try to merge across it. Splitting a side, brk expanding the
 * heap or a first fault do not.
 */
function reach(w: World, start: number, end: number): void {
  for (const seam of w.allowedSeams) if (start <= seam && end >= seam) w.allowedSeams.delete(seam);
}

type Op =
  | { op: 'mmap'; where: number; hint: 'none' | 'window' | 'low' | 'unaligned'; fixed: 'no' | 'fixed' | 'noreplace'; shared: boolean; file: number; offset: number; alignedOffset: boolean; prot: number; pages: number; extra: number; defect: number }
  | { op: 'munmap'; where: number; window: boolean; delta: number; pages: number; defect: number }
  | { op: 'mprotect'; where: number; window: boolean; delta: number; pages: number; prot: number; defect: number }
  | { op: 'brk'; pages: number; bytes: number }
  | { op: 'touch'; where: number; window: boolean; delta: number }
  | { op: 'stack'; which: number; pages: number; bytes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('mmap' as const),
      where: fc.nat(40),
      hint: fc.constantFrom('window' as const, 'window' as const, 'none' as const, 'low' as const, 'unaligned' as const),
      fixed: fc.constantFrom('no' as const, 'fixed' as const, 'fixed' as const, 'noreplace' as const),
      shared: fc.boolean(),
      file: fc.integer({ min: -2, max: 1 }), // < 0: anonymous
      offset: fc.nat(7),
      alignedOffset: fc.boolean(),
      prot: fc.nat(7),
      pages: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.constant(512)),
      extra: fc.constantFrom(0, 0, 0, MAP_GROWSDOWN, MAP_LOCKED, MAP_NORESERVE, MAP_STACK, MAP_32BIT),
      defect: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 9 }) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('munmap' as const),
      where: fc.nat(40),
      window: fc.boolean(),
      delta: fc.integer({ min: -3, max: 6 }),
      pages: fc.integer({ min: 1, max: 12 }),
      defect: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 5 }) }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('mprotect' as const),
      where: fc.nat(40),
      window: fc.boolean(),
      delta: fc.integer({ min: -2, max: 6 }),
      pages: fc.integer({ min: 1, max: 12 }),
      prot: fc.nat(7),
      defect: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 6 }) }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('brk' as const), pages: fc.integer({ min: -6, max: 6 }), bytes: fc.integer({ min: 0, max: P - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('touch' as const), where: fc.nat(40), window: fc.boolean(), delta: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('stack' as const), which: fc.nat(3), pages: fc.integer({ min: 1, max: 300 }), bytes: fc.nat(P - 1) }) },
);

/** An address near the `where`-th region (mod the count), `delta` pages from its start; or in the window. */
function near(space: AddressSpace, where: number, delta: number, window = false): number {
  if (window) return WINDOW + (where % 24) * P + delta * P;
  const regions = treeToArray(space.tree);
  const r = regions[where % regions.length]!;
  const addr = r.start + delta * P;
  return addr >= P && addr < space.layout.taskSize ? addr : r.start;
}

/** A window of free address space where fixed mappings and hints meet (below every layout's mmap area). */
const WINDOW = 0x10000000;

interface Expectation {
  /** The errno name, or undefined for success. */
  error?: string;
}

function mmapFlagsFor(prot: number, flags: number, shared: boolean): number {
  let f = (prot & 1 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) | (prot & 4 ? VM_EXEC : 0) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (flags & MAP_GROWSDOWN) f |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) f |= VM_LOCKED;
  if (shared) f |= VM_SHARED | VM_MAYSHARE;
  if (flags & MAP_NORESERVE) f |= VM_NORESERVE;
  // calc_vm_flag_bits: MAP_STACK → VM_NOHUGEPAGE (CONFIG_TRANSPARENT_HUGEPAGE).
  if (flags & MAP_STACK) f |= VM_NOHUGEPAGE;
  // accountable_mapping: private writable memory is charged unless MAP_NORESERVE.
  if ((f & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) f |= VM_ACCOUNT;
  return f;
}

/**
 * vms_gather_munmap_vmas: removing [start, end) from inside one region needs a split that adds a
 * region, refused with ENOMEM once map_count has reached vm.max_map_count.
 */
function splitsOverLimit(space: AddressSpace, start: number, end: number): boolean {
  const first = treeToArray(space.tree).find((r) => r.end > start);
  return first !== undefined && first.start < start && first.end > end && space.mapCount >= space.layout.maxMapCount;
}

/** find_vma + vm_start_gap: [addr, addr + length) ends below the next mapping (and its guard gap when it grows down). */
function isFreeRange(w: World, addr: number, length: number): boolean {
  const next = w.extents.find((e) => e.end > addr);
  return !next || addr + length <= (next.flags & VM_GROWSDOWN ? next.start - w.space.layout.stackGuardGap : next.start);
}

/**
 * The gaps [lo, hi) between extents, each with the extent right above it; the last one, above
 * every extent, reaches ULONG_MAX (the mm's maple tree spans every unsigned long).
 */
function gapsOf(w: World): [number, number, Extent | undefined][] {
  const gaps: [number, number, Extent | undefined][] = [];
  let lo = 0;
  for (const e of w.extents) {
    if (e.start > lo) gaps.push([lo, e.start, e]);
    lo = Math.max(lo, e.end);
  }
  gaps.push([lo, Infinity, undefined]);
  return gaps;
}

/** ULONG_MAX + 1 of the kernel: maps prints sizeof(void *) * 6 + 24 columns before the name (fs/proc/task_mmu.c). */
const ulongSpan = (layout: Layout): number => 2 ** (((layout.mapsWidth - 24) / 6) * 8);

/** vm_start_gap (include/linux/mm.h): a grows-down range keeps stack_guard_gap free below it. */
const startGapOf = (w: World, e: Extent): number => (e.flags & VM_GROWSDOWN ? Math.max(0, e.start - w.space.layout.stackGuardGap) : e.start);

/**
 * mm/vma.c unmapped_area_topdown (Linux 6.18), written out over the oracle's page ranges: the
 * highest gap whose part inside [low, high) is long enough (vma_iter_area_highest counts a gap
 * from the ranges themselves, not their guard gaps); when the range right above it grows down and
 * vm_start_gap of it is below the gap's end, the window's top drops to vm_start_gap and the search
 * starts again — below every range placed inside that guard gap. A vm_start_gap of 0 makes the
 * next window's last address, high_limit - 1, ULONG_MAX: the gap above everything is found and
 * the answer, ULONG_MAX + 1 - length, lies beyond TASK_SIZE (fixtures/linux/guardgap-wrap.txt).
 * No alignment beyond the page (align_mask 0). Undefined when nothing fits.
 */
function topDownPlacement(w: World, low: number, high: number, length: number): number | undefined {
  const gaps = gapsOf(w);
  for (;;) {
    const found = gaps.findLast(([lo, hi]) => Math.min(hi, high) - Math.max(lo, low) >= length);
    if (!found) return undefined;
    const [, hi, next] = found;
    const gapEnd = Math.min(hi, high);
    if (next && next.flags & VM_GROWSDOWN && startGapOf(w, next) < gapEnd) {
      high = startGapOf(w, next) || ulongSpan(w.space.layout);
      continue;
    }
    return gapEnd - length;
  }
}

/**
 * mm/vma.c unmapped_area (Linux 6.18) over the oracle: the lowest gap whose part inside
 * [low, high) is long enough; when the range right above it grows down and vm_start_gap of it is
 * below the mapping's end, the window's bottom rises to that range's end and the search starts
 * again. Undefined when nothing fits.
 */
function bottomUpPlacement(w: World, low: number, high: number, length: number): number | undefined {
  const gaps = gapsOf(w);
  for (;;) {
    const found = gaps.find(([lo, hi]) => Math.min(hi, high) - Math.max(lo, low) >= length);
    if (!found) return undefined;
    const [lo, , next] = found;
    const gap = Math.max(lo, low);
    if (next && next.flags & VM_GROWSDOWN && startGapOf(w, next) < gap + length) {
      low = next.end;
      continue;
    }
    return gap;
  }
}

/**
 * arch/x86/kernel/sys_x86_64.c: arch_get_unmapped_area_topdown searches [max(PAGE_SIZE,
 * mmap_min_addr), mmap_base) top-down and, only when that fails, [TASK_UNMAPPED_BASE, TASK_SIZE)
 * bottom-up; arch_get_unmapped_area searches [mmap_base, TASK_SIZE) bottom-up. An answer beyond
 * TASK_SIZE - length is __get_unmapped_area's ENOMEM.
 */
function searchPlacement(w: World, length: number): number | undefined {
  const { layout, mmapBase } = w.space;
  if (!layout.topDown) return bottomUpPlacement(w, mmapBase, layout.taskSize, length);
  return topDownPlacement(w, Math.max(P, layout.mmapMinAddr), mmapBase, length) ?? bottomUpPlacement(w, layout.legacyBase, layout.taskSize, length);
}

function step(w: World, o: Op): void {
  const { space } = w;
  const layout = space.layout;
  let result: OperationResult;
  let expected: Expectation = {};
  let nextExtents = w.extents;
  let mprotectPartial: Extent[] | undefined;
  let brkSeam = false;
  /** Ranges whose private writable pages the operation populates (write-faults): their regions get an anon_vma. */
  const populated: [number, number][] = [];
  const what = JSON.stringify(o);
  const seamsBefore = new Set(w.allowedSeams);
  switch (o.op) {
    case 'mmap': {
      const file = o.file >= 0 ? FILES[o.file]! : undefined;
      // MAP_GROWSDOWN on shared anonymous memory is a defect of its own (case 6 below).
      const extra = o.shared && !file && o.extra === MAP_GROWSDOWN ? 0 : o.extra;
      let flags = (o.shared ? MAP_SHARED : MAP_PRIVATE) | (file ? 0 : MAP_ANONYMOUS) | extra | (o.fixed === 'fixed' ? MAP_FIXED : o.fixed === 'noreplace' ? MAP_FIXED_NOREPLACE : 0);
      let length = o.pages * P - (o.pages % 2) * 1000;
      let addr = 0;
      if (o.fixed !== 'no') addr = o.hint === 'window' || o.hint === 'unaligned' ? WINDOW + (o.where % 24) * P : near(space, o.where, (o.where % 9) - 2);
      else if (o.hint === 'window') addr = WINDOW + (o.where % 24) * P;
      else if (o.hint === 'low') addr = (o.where % 3) * 100; // below mmap_min_addr: round_hint_to_min
      else if (o.hint === 'unaligned') addr = WINDOW + (o.where % 24) * P + 123;
      if (o.fixed !== 'no' && o.hint === 'unaligned') addr += 123;
      let offset = file ? (o.alignedOffset && o.fixed !== 'no' ? Math.max(0, (addr - WINDOW) / P) * P : o.offset * P) : o.offset * P;
      if (!Number.isInteger(offset / P)) offset = 0;
      // One defect at a time (Linux 6.18's errno for each: fixtures/linux/errno-probe.txt).
      if (o.defect === 1) length = 0;
      if (o.defect === 2) offset += 100;
      if (o.defect === 3) flags &= ~0x0f;
      if (o.defect === 4) length = layout.taskSize + P;
      if (o.defect === 5 && !file) flags = (flags & ~0x0f) | MAP_SHARED_VALIDATE;
      if (o.defect === 6 && !file) flags = (flags & ~0x0f) | MAP_SHARED | MAP_GROWSDOWN;
      // Unsigned long arguments: a negative length is 2^64 + it (PAGE_ALIGN keeps it huge); a
      // negative MAP_FIXED address lies above TASK_SIZE; a negative hint is no valid hint.
      if (o.defect === 7) length = -o.pages * P;
      if (o.defect === 8 && o.fixed !== 'no') addr = -(o.where + 2) * P;
      if (o.defect === 8 && o.fixed === 'no') addr = -(o.where + 2) * P;
      const shared = (flags & 0x0f) === MAP_SHARED || (flags & 0x0f) === MAP_SHARED_VALIDATE;
      const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
      const pageLength = Math.ceil(length / P) * P;
      const validType = file ? [MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE].includes(flags & 0x0f) : [MAP_SHARED, MAP_PRIVATE].includes(flags & 0x0f);
      // round_hint_to_min: a hint that masks to 0 is no hint; one below mmap_min_addr moves up to it.
      const masked = Math.floor(addr / P) * P;
      const hint = addr < 0 ? 0 : masked !== 0 && masked < layout.mmapMinAddr ? layout.mmapMinAddr : masked;
      // MAP_32BIT, 64-bit tasks only (in_32bit_syscall): arch_get_unmapped_area_topdown goes to
      // `bottomup`, arch_get_unmapped_area's find_start_end gives [1 GiB, 2 GiB); a free hint ending
      // at or below 2 GiB is taken; else the lowest gap in the window, and nothing else.
      const in32 = (flags & MAP_32BIT) !== 0 && layout.profile === 'linux-x86_64';
      const hintFree = hint !== 0 && hint + pageLength <= (in32 ? WINDOW_32BIT[1] : layout.taskSize) && isFreeRange(w, hint, pageLength);
      // __thp_get_unmapped_area searches for length + PMD_SIZE.
      const thp = layout.thpAlign && !file && !shared && hint === 0 && pageLength % PMD === 0;
      const searchLength = thp ? pageLength + PMD : pageLength;
      const searched = fixed || hintFree || pageLength > layout.taskSize ? undefined : in32 ? bottomUpPlacement(w, WINDOW_32BIT[0], WINDOW_32BIT[1], searchLength) : searchPlacement(w, searchLength);
      // In do_mmap's order: sys_mmap's offset check, len, __get_unmapped_area, MAP_FIXED_NOREPLACE, then the type.
      if (offset % P !== 0) expected = { error: 'EINVAL' };
      else if (length === 0) expected = { error: 'EINVAL' };
      // do_mmap: "if (mm->map_count > sysctl_max_map_count) return -ENOMEM" (6.18: `>`, fixtures/linux/maxmapcount-probe.txt).
      else if (space.mapCount > layout.maxMapCount) expected = { error: 'ENOMEM' };
      else if (pageLength > layout.taskSize || length < 0) expected = { error: 'ENOMEM' };
      else if (fixed && (addr < 0 || addr > layout.taskSize - pageLength)) expected = { error: 'ENOMEM' };
      else if (searched !== undefined && searched > layout.taskSize - pageLength) expected = { error: 'ENOMEM' };
      else if (!fixed && !hintFree && searched === undefined) expected = { error: 'ENOMEM' };
      else if (fixed && addr % P !== 0) expected = { error: 'EINVAL' };
      else if (flags & MAP_FIXED_NOREPLACE && w.extents.some((e) => e.start < addr + pageLength && e.end > addr)) expected = { error: 'EEXIST' };
      else if (!validType) expected = { error: 'EINVAL' };
      // do_mmap's file switch: "if (vm_flags & (VM_GROWSDOWN|VM_GROWSUP)) return -EINVAL".
      else if (file && flags & MAP_GROWSDOWN) expected = { error: 'EINVAL' };
      else if (!file && shared && flags & MAP_GROWSDOWN) expected = { error: 'EINVAL' };
      else if (fixed && splitsOverLimit(space, addr, addr + pageLength)) expected = { error: 'ENOMEM' };
      w.shmem++;
      result = mmap(space, { addr, length, prot: o.prot, flags, offset, ...(file ? { file } : {}), ...(shared && !file ? { shmemInode: 1000 + w.shmem } : {}) });
      if (!expected.error && !result.error) {
        const at = result.value;
        expect(at % P, what).toBe(0);
        if (fixed) expect(at, what).toBe(addr);
        else {
          expect(at, what).toBeGreaterThanOrEqual(layout.mmapMinAddr);
          expect(isFreeRange(w, at, pageLength), `${what}: placed at 0x${at.toString(16)} over a mapping or a guard gap`).toBe(true);
          if (hintFree) expect(at, `${what}: a free hint is taken`).toBe(hint);
          else if (!thp) expect(at.toString(16), `${what}: placement`).toBe(searched?.toString(16));
          else expect(at % PMD, `${what}: THP alignment`).toBe(0);
          if (in32 && !hintFree) expect(at >= WINDOW_32BIT[0] && at + pageLength <= WINDOW_32BIT[1], `${what}: MAP_32BIT window`).toBe(true);
        }
        const vmFlags = mmapFlagsFor(o.prot, flags, shared);
        const end = at + pageLength;
        const extent: Extent = file
          ? { start: at, end, flags: vmFlags, file: `${file.path}|${file.dev}|${file.inode}`, pgoff: offset / P, anonVma: 0 }
          : shared
            ? { start: at, end, flags: vmFlags, file: `/dev/zero (deleted)|00:01|${1000 + w.shmem}`, pgoff: 0, anonVma: 0 }
            : { start: at, end, flags: vmFlags, file: null, pgoff: at / P, anonVma: 0 };
        nextExtents = insert(removeRange(w.extents, at, end), extent);
        reach(w, at, end);
        // do_mmap + mm_populate: a VM_LOCKED mapping is populated at once.
        if (vmFlags & VM_LOCKED) populated.push([at, end]);
      }
      break;
    }
    case 'munmap': {
      let start = near(space, o.where, o.delta, o.window);
      let length = o.pages * P - (o.pages % 2) * 100; // rounded up to pages
      if (o.defect === 1) start += 8;
      if (o.defect === 2) length = 0;
      if (o.defect === 3) start = layout.taskSize - P;
      if (o.defect === 3) length = 2 * P;
      if (o.defect === 4) start = -o.pages * P;
      if (o.defect === 5) length = -o.pages * P;
      // do_vmi_munmap: unaligned start, a range past TASK_SIZE or an empty one is EINVAL (negative: huge).
      if (start < 0 || length < 0 || start % P !== 0 || start > layout.taskSize || length > layout.taskSize - start || length === 0) expected = { error: 'EINVAL' };
      else if (splitsOverLimit(space, start, start + Math.ceil(length / P) * P)) expected = { error: 'ENOMEM' };
      result = munmap(space, start, length);
      if (!expected.error) nextExtents = removeRange(w.extents, start, start + Math.ceil(length / P) * P);
      break;
    }
    case 'mprotect': {
      let start = near(space, o.where, o.delta, o.window);
      let prot = o.prot;
      if (o.defect === 1) start += 8;
      if (o.defect === 2) prot |= 0x10;
      if (o.defect === 3) prot |= 0x01000000 | 0x02000000; // PROT_GROWSDOWN | PROT_GROWSUP
      const asked = start;
      const end = start + o.pages * P;
      // PROT_GROWSDOWN: the change reaches down to the start of the grows-down region found (EINVAL for any other).
      const first = o.defect === 4 ? treeToArray(space.tree).find((r) => r.end > start) : undefined;
      if (o.defect === 4) prot |= 0x01000000;
      // do_mprotect_pkey: `end = start + PAGE_ALIGN(len); if (end <= start) return -ENOMEM` — a
      // negative start near 2^64 wraps; a start below that finds no region: ENOMEM both.
      const wrap = o.defect === 5 || o.defect === 6;
      if (o.defect === 5) start = -o.pages * P;
      if (o.defect >= 1 && o.defect <= 3) expected = { error: 'EINVAL' };
      else if (wrap) expected = { error: 'ENOMEM' };
      else if (o.defect === 4 && (!first || first.start >= end)) expected = { error: 'ENOMEM' };
      else if (o.defect === 4 && !(first!.flags & VM_GROWSDOWN)) expected = { error: 'EINVAL' };
      else {
        if (o.defect === 4) start = first!.start;
        // do_mprotect_pkey: the first region must hold `start`; the walk stops with ENOMEM at the first hole.
        let cursor = start;
        let changed = w.extents;
        for (const e of w.extents) {
          if (e.end <= cursor || e.start >= end) continue;
          if (e.start > cursor) break;
          const to = Math.min(e.end, end);
          const newFlags = (x: Extent): number => {
            let flags = (prot & 1 ? VM_READ : 0) | (prot & 2 ? VM_WRITE : 0) | (prot & 4 ? VM_EXEC : 0) | (x.flags & ~VM_ACCESS);
            // mprotect_fixup: charge what becomes writable; give back an unfaulted anonymous region's charge.
            if (flags & VM_WRITE) {
              if (!(x.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) flags |= VM_ACCOUNT;
            } else if (x.flags & VM_ACCOUNT && x.file === null && x.anonVma === 0) flags &= ~VM_ACCOUNT;
            return flags;
          };
          changed = mapRange(changed, cursor, to, (x) => ({ ...x, flags: newFlags(x) }));
          // mprotect_fixup: a VM_LOCKED private region made writable is populated.
          if ((e.flags & (VM_WRITE | VM_SHARED | VM_LOCKED)) === VM_LOCKED && newFlags(e) & VM_WRITE) populated.push([cursor, to]);
          // mprotect_fixup returns early, merging nothing, when the flags stay the same.
          if (newFlags(e) !== e.flags) reach(w, cursor, to);
          cursor = to;
        }
        if (cursor < end) {
          expected = { error: 'ENOMEM' };
          mprotectPartial = changed;
        }
        nextExtents = changed;
      }
      result = mprotect(space, o.defect === 5 ? start : asked, o.defect === 6 ? -o.pages * P : o.pages * P - (o.pages % 3) * 7, prot);
      // At the limit a split_vma may fail on the way (exact cases: server.test.ts, from maxmapcount-probe):
      // the oracle takes the model's pages, and a first split that stayed may leave equal neighbours.
      if (result.error === 'ENOMEM' && !expected.error?.startsWith('EINVAL') && space.mapCount >= layout.maxMapCount - 1) {
        expected = { error: 'ENOMEM' };
        mprotectPartial = nextExtents = treeToArray(result.space.tree).map(toExtent);
        w.allowedSeams = seamsBefore;
        for (const r of treeToArray(result.space.tree)) if (!treeToArray(space.tree).some((b) => b.start === r.start)) w.allowedSeams.add(r.start);
      }
      break;
    }
    case 'brk': {
      const requested = space.brk + o.pages * P + o.bytes;
      const newBrk = Math.ceil(requested / P) * P;
      const oldBrk = Math.ceil(space.brk / P) * P;
      let refused = requested < space.startBrk;
      if (!refused && newBrk < oldBrk) {
        // Shrinking needs a mapping in [newBrk, oldBrk) (brk: "if (!brkvma || brkvma->vm_start >= oldbrk) goto out").
        if (w.extents.some((e) => e.start < oldBrk && e.end > newBrk) && !splitsOverLimit(space, newBrk, oldBrk)) nextExtents = removeRange(w.extents, newBrk, oldBrk);
        else refused = true;
      }
      else if (!refused && newBrk > oldBrk) {
        // brk(): the next mapping (and its guard gap) must stay at least a page above the new break.
        const next = w.extents.find((e) => e.end > oldBrk);
        const gapStart = next ? (next.flags & VM_GROWSDOWN ? next.start - layout.stackGuardGap : next.start) : Infinity;
        // do_brk_flags: "if (mm->map_count > sysctl_max_map_count) return -ENOMEM", before it expands.
        if (newBrk + P > gapStart || space.mapCount > layout.maxMapCount) refused = true;
        else {
          nextExtents = insert(w.extents, { start: oldBrk, end: newBrk, flags: BRK_VM_FLAGS, file: null, pgoff: oldBrk / P, anonVma: 0 });
          brkSeam = true;
        }
      }
      result = brk(space, requested);
      // A refused brk is not an error: it returns the old break.
      expect(result.value, what).toBe(refused ? space.brk : requested);
      expect(result.error, what).toBeUndefined();
      if (refused) expect(result.space, what).toBe(space);
      break;
    }
    case 'touch': {
      const address = near(space, o.where, o.delta, o.window);
      const regions = treeToArray(space.tree);
      const i = regions.findIndex((r) => r.start <= address && address < r.end);
      result = anonVmaPrepare(space, address);
      if (i < 0) expected = { error: 'EFAULT' };
      else {
        const r = regions[i]!;
        let id = r.anonVma;
        if (!id) {
          // find_mergeable_anon_vma: next's anon_vma first, then prev's, else a new one.
          const next = regions[i + 1];
          const prev = regions[i - 1];
          if (next && next.anonVma && anonVmaCompatible(r, next)) id = next.anonVma;
          else if (prev && prev.anonVma && anonVmaCompatible(prev, r)) id = prev.anonVma;
          else id = ++w.lastAnonVma;
        }
        expect(result.value, what).toBe(id);
        nextExtents = mapRange(w.extents, r.start, r.end, (x) => ({ ...x, anonVma: id }));
      }
      break;
    }
    case 'stack': {
      const regions = treeToArray(space.tree);
      const growers = regions.filter((r) => r.flags & VM_GROWSDOWN);
      const target = growers[o.which % growers.length];
      const address = (target ? target.start : space.layout.stackTop) - o.pages * P + o.bytes;
      result = expandStack(space, address);
      const above = regions.find((r) => r.end > address);
      if (!above) expected = { error: 'EFAULT' };
      else if (above.start <= address) expected = {};
      else if (!(above.flags & VM_GROWSDOWN)) expected = { error: 'EFAULT' };
      else {
        const newStart = Math.floor(address / P) * P;
        const prev = regions.filter((r) => r.end <= above.start).at(-1);
        if (newStart < layout.mmapMinAddr) expected = { error: 'EPERM' };
        else if (prev && !(prev.flags & VM_GROWSDOWN) && prev.flags & VM_ACCESS && newStart - prev.end < layout.stackGuardGap) expected = { error: 'ENOMEM' };
        else {
          // expand_downwards: anon_vma_prepare first (next's, then prev's, else a new one), then RLIMIT_STACK.
          let id = anonOf(w, above);
          if (!id) {
            const next = regions[regions.indexOf(above) + 1];
            id = next && anonOf(w, next) && anonVmaCompatible(above, next) ? anonOf(w, next) : prev && anonOf(w, prev) && anonVmaCompatible(prev, above) ? anonOf(w, prev) : ++w.lastAnonVma;
            w.extents = mapRange(w.extents, above.start, above.end, (x) => ({ ...x, anonVma: id }));
          }
          nextExtents = w.extents;
          if (above.end - newStart > layout.stackLimit) {
            expected = { error: 'ENOMEM' };
            mprotectPartial = w.extents; // the anon_vma stays
          } else {
          nextExtents = insert(w.extents, { ...toExtent(above), anonVma: id, start: newStart, end: above.start, pgoff: above.pgoff - (above.start - newStart) / P });
          // expand_downwards does not merge: growing onto a grows-down region below leaves the two apart.
          if (prev && prev.end === newStart) w.allowedSeams.add(newStart);
          }
        }
      }
      break;
    }
  }
  expect(result.error, what).toBe(expected.error);
  if (result.error && !mprotectPartial) {
    expect(result.edits, what).toEqual([]);
    expect(result.space, what).toBe(space);
    nextExtents = w.extents;
  }
  w.space = result.space;
  w.extents = nextExtents;
  if (populated.length && (!result.error || mprotectPartial)) populateOracle(w, populated);
  checkSpace(w, what, brkSeam ? space : undefined);
}

/** The unique anon_vma the oracle's pages in [start, end) hang off, or 0. */
function anonOf(w: World, r: Region | undefined): number {
  return r ? (w.extents.find((e) => e.start < r.end && e.end > r.start && e.anonVma !== 0)?.anonVma ?? 0) : 0;
}

/**
 * populate_vma_page_range with FOLL_WRITE, on each private writable region (after the operation's
 * merges) holding populated pages: the first write fault's anon_vma_prepare, in address order.
 */
function populateOracle(w: World, ranges: readonly [number, number][]): void {
  const regions = treeToArray(w.space.tree);
  regions.forEach((r, i) => {
    if ((r.flags & (VM_WRITE | VM_SHARED)) !== VM_WRITE || !ranges.some(([from, to]) => from < r.end && to > r.start) || anonOf(w, r)) return;
    const next = regions[i + 1];
    const prev = regions[i - 1];
    const id = next && anonOf(w, next) && anonVmaCompatible(r, next) ? anonOf(w, next) : prev && anonOf(w, prev) && anonVmaCompatible(prev, r) ? anonOf(w, prev) : ++w.lastAnonVma;
    w.extents = mapRange(w.extents, r.start, r.end, (x) => ({ ...x, anonVma: id }));
  });
}

/** Every invariant of the header, on `w.space` against the oracle. */
function checkSpace(w: World, what: string, beforeBrk?: AddressSpace): void {
  const { space } = w;
  const regions = treeToArray(space.tree);
  regions.forEach((r, i) => {
    expect(r.start < r.end && r.start % P === 0 && r.end % P === 0 && r.start >= 0 && r.end <= space.layout.taskSize, `${what}: region ${i} 0x${r.start.toString(16)}-0x${r.end.toString(16)}`).toBe(true);
    if (i > 0) expect(regions[i - 1]!.end <= r.start, `${what}: regions ${i - 1} and ${i} overlap or are out of order`).toBe(true);
  });
  // anon_vma: a region's anon_vma is the one its faulted pages hang off (at most one), or none.
  for (const r of regions) {
    const seen = new Set(w.extents.filter((e) => e.start < r.end && e.end > r.start && e.anonVma !== 0).map((e) => e.anonVma));
    expect([...seen].every((a) => a === r.anonVma) && (seen.size > 0 || r.anonVma === 0), `${what}: anon_vma of 0x${r.start.toString(16)} is ${r.anonVma}, its pages ${[...seen]}`).toBe(true);
    w.extents = mapRange(w.extents, r.start, r.end, (x) => ({ ...x, anonVma: r.anonVma }));
  }
  expect(canonical(regions.map(toExtent)), `${what}: pages`).toEqual(canonical(w.extents));
  // A new brk region next to a mergeable mapping below is left apart, as do_brk_flags leaves it.
  if (beforeBrk) {
    const created = regions.find((r) => r.start === Math.ceil(beforeBrk.brk / P) * P && !treeToArray(beforeBrk.tree).some((b) => b.start === r.start));
    const below = created && regions[regions.indexOf(created) - 1];
    if (created && below && below.end === created.start) w.allowedSeams.add(created.start);
  }
  for (let i = 1; i < regions.length; i++) {
    const low = regions[i - 1]!;
    const high = regions[i]!;
    if (linuxWouldMerge(low, high) && !w.allowedSeams.has(high.start)) {
      throw new Error(`${what}: 0x${low.start.toString(16)}-0x${low.end.toString(16)} and 0x${high.start.toString(16)}-0x${high.end.toString(16)} should have merged`);
    }
  }
  // Counters from the regions (mm/mmap.c vm_stat_account; mm/internal.h is_exec/stack/data_mapping).
  const pages = (r: Region): number => (r.end - r.start) / P;
  const sum = (f: (r: Region) => boolean): number => regions.filter(f).reduce((n, r) => n + pages(r), 0);
  expect(space.mapCount, `${what}: map_count`).toBe(regions.length);
  expect(space.totalVm, `${what}: total_vm`).toBe(sum(() => true));
  expect(space.lockedVm, `${what}: locked_vm`).toBe(sum((r) => (r.flags & VM_LOCKED) !== 0));
  expect(space.execVm, `${what}: exec_vm`).toBe(sum((r) => (r.flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) === VM_EXEC));
  expect(space.stackVm, `${what}: stack_vm`).toBe(sum((r) => (r.flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) !== VM_EXEC && (r.flags & VM_GROWSDOWN) !== 0));
  expect(space.dataVm, `${what}: data_vm`).toBe(sum((r) => (r.flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) !== VM_EXEC && (r.flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE));
  w.peakVm = Math.max(w.peakVm, space.totalVm);
  expect(Math.max(space.hiwaterVm, space.totalVm), `${what}: VmPeak`).toBe(w.peakVm);
}

interface Profile {
  readonly name: string;
  readonly layout: Layout;
  readonly programBase: number;
}

const PROFILES: readonly Profile[] = [
  { name: 'linux-x86_64 top-down', layout: layoutFor('linux-x86_64'), programBase: 0x555555554000 },
  { name: 'linux-x86_64 legacy', layout: layoutFor('linux-x86_64', { legacyLayout: true }), programBase: 0x555555554000 },
  { name: 'linux-i386 top-down', layout: layoutFor('linux-i386'), programBase: 0x08048000 },
  { name: 'linux-i386 legacy', layout: layoutFor('linux-i386', { legacyLayout: true }), programBase: 0x08048000 },
  { name: 'linux-x86_64 top-down, vm.max_map_count 12', layout: layoutFor('linux-x86_64', { maxMapCount: 12 }), programBase: 0x555555554000 },
];

/** A process as exec leaves it: a program (text, data, bss), an empty heap after it, and the [stack]. */
function freshWorld(profile: Profile): World {
  let space = createAddressSpace({ id: 1, layout: profile.layout });
  space = setupStack(space).space;
  space = loadProgram(space, { path: '/bin/prog', base: profile.programBase, text: 5 * P + 17, data: P + 40, bss: 3 * P }).space;
  const w: World = { space, extents: treeToArray(space.tree).map(toExtent), allowedSeams: new Set(), peakVm: space.totalVm, lastAnonVma: space.nextAnonVma - 1, shmem: 0 };
  // exec wrote the arguments onto the stack: it has the first anon_vma.
  expect(treeToArray(space.tree).map((r) => r.anonVma)).toEqual([0, 0, 0, 1]);
  checkSpace(w, 'initial');
  return w;
}

function run(profile: Profile, ops: readonly Op[]): void {
  const w = freshWorld(profile);
  for (const o of ops) step(w, o);
}

describe('address-space invariants under random operations (fast-check, fixed seeds)', () => {
  PROFILES.forEach((profile, i) => {
    it(`${profile.name}: sorted, aligned, page-exact, merged as mm/vma.c merges, counters and errno right`, () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 40, size: 'max' }), (ops) => run(profile, ops)),
        { numRuns: 80, seed: 0x7e61 + i },
      );
    }, 30_000);
  });
});

describe('kept counterexamples (each once needed a specific sequence to reach)', () => {
  const fixedAnon = (page: number, pages: number, prot: number): Extract<Op, { op: 'mmap' }> => ({ op: 'mmap', where: page, hint: 'window', fixed: 'fixed', shared: false, file: -1, offset: 0, alignedOffset: false, prot, pages, extra: 0, defect: 0 });
  const touch = (page: number): Op => ({ op: 'touch', where: page, window: true, delta: 0 });
  const x86 = PROFILES[0]!;

  it('a mapping filling the hole between two differently faulted regions merges with the lower one only (can_vma_merge_right)', () => {
    const w = freshWorld(x86);
    for (const o of [fixedAnon(0, 2, 3), touch(0), fixedAnon(4, 2, 3), touch(4), fixedAnon(2, 2, 3)]) step(w, o);
    expect(treeToArray(w.space.tree).filter((r) => r.start >= WINDOW && r.start < WINDOW + 6 * P).map((r) => [(r.start - WINDOW) / P, (r.end - WINDOW) / P, r.anonVma])).toEqual([
      [0, 4, 2],
      [4, 6, 3],
    ]);
  });

  it('two shared anonymous mappings are two files: a first fault does not reuse the anon_vma next to it (anon_vma_compatible)', () => {
    const w = freshWorld(x86);
    const shared = (page: number, pages: number): Op => ({ ...fixedAnon(page, pages, 3), shared: true });
    // The second mapping covers the first page of the first one: what is left of it continues at file page 1.
    for (const o of [shared(0, 2), touch(1), shared(0, 1), touch(0)]) step(w, o);
    expect(treeToArray(w.space.tree).filter((r) => r.start >= WINDOW && r.start < WINDOW + 2 * P).map((r) => [r.pgoff, r.anonVma])).toEqual([
      [0, 3],
      [1, 2],
    ]);
  });

  it('mprotect does not merge neighbours whose pages hang off different anon_vmas (is_mergeable_anon_vma)', () => {
    const w = freshWorld(x86);
    for (const o of [fixedAnon(0, 2, 3), touch(0), fixedAnon(4, 2, 1), touch(4), fixedAnon(2, 2, 1)]) step(w, o);
    step(w, { op: 'mprotect', where: 2, window: true, delta: 0, pages: 4, prot: 3, defect: 0 });
    expect(treeToArray(w.space.tree).filter((r) => r.start >= WINDOW && r.start < WINDOW + 6 * P).map((r) => [(r.start - WINDOW) / P, (r.end - WINDOW) / P, r.anonVma])).toEqual([
      [0, 2, 2],
      [2, 6, 3],
    ]);
  });
});
