/**
 * Linux's constants for regions, with Linux's values (include/uapi/asm-generic/mman-common.h,
 * include/uapi/linux/mman.h, arch/x86/include/uapi/asm/mman.h, include/linux/mm.h).
 */

/** Page size on every profile vm-regions models today (x86: 4 KiB). */
export const PAGE_SIZE = 4096;
/** log2(PAGE_SIZE). */
export const PAGE_SHIFT = 12;

/** mmap/mprotect protection bits (mman-common.h). */
export const PROT_NONE = 0x0;
/** Pages may be read. */
export const PROT_READ = 0x1;
/** Pages may be written. */
export const PROT_WRITE = 0x2;
/** Pages may be executed. */
export const PROT_EXEC = 0x4;
/** mprotect: extend the change down to the start of a grows-down region. */
export const PROT_GROWSDOWN = 0x01000000;
/** mprotect: extend the change up to the end of a grows-up region. */
export const PROT_GROWSUP = 0x02000000;

/** Share changes (mman-common.h / linux/mman.h). */
export const MAP_SHARED = 0x01;
/** Changes are private (copy-on-write). */
export const MAP_PRIVATE = 0x02;
/** MAP_SHARED with flag validation. */
export const MAP_SHARED_VALIDATE = 0x03;
/** Private anonymous memory the kernel may drop under pressure (Linux ≥ 6.11, a MAP_TYPE of its own; uapi/linux/mman.h). */
export const MAP_DROPPABLE = 0x08;
/** The mapping type bits of the flags (uapi/linux/mman.h MAP_TYPE). */
export const MAP_TYPE = 0x0f;
/** Interpret addr exactly, replacing what is there. */
export const MAP_FIXED = 0x10;
/** Not backed by a file: demand-zero memory. */
export const MAP_ANONYMOUS = 0x20;
/** x86-64: place the mapping in the first 2 GB. */
export const MAP_32BIT = 0x40;
/**
 * x86-64: place the mapping at or above 4 GiB (arch/x86/kernel/sys_x86_64.c: the top-down search's
 * low_limit). Only in LEGACY_MAP_MASK here: the placement rule is not modelled (nor offered to scenarios).
 */
export const MAP_ABOVE4G = 0x80;
/** The region grows down (stack-like). */
export const MAP_GROWSDOWN = 0x0100;
/** Ignored (historical). */
export const MAP_DENYWRITE = 0x0800;
/** Ignored (historical). */
export const MAP_EXECUTABLE = 0x1000;
/** Lock the pages (VM_LOCKED). */
export const MAP_LOCKED = 0x2000;
/** Do not reserve swap space (VM_NORESERVE). */
export const MAP_NORESERVE = 0x4000;
/** Prefault the pages. */
export const MAP_POPULATE = 0x8000;
/** Do not block on I/O. */
export const MAP_NONBLOCK = 0x10000;
/** Suitable for a thread stack (a hint only). */
export const MAP_STACK = 0x20000;
/** Huge pages from hugetlbfs (mm/mmap.c ksys_mmap_pgoff). The model has no huge page pool (vm.nr_hugepages = 0). */
export const MAP_HUGETLB = 0x40000;
/** Synchronous page faults for DAX files; only with MAP_SHARED_VALIDATE. */
export const MAP_SYNC = 0x80000;
/** Like MAP_FIXED but fail with EEXIST instead of replacing. */
export const MAP_FIXED_NOREPLACE = 0x100000;
/** Anonymous pages not cleared (only with CONFIG_MMAP_ALLOW_UNINITIALIZED); only in LEGACY_MAP_MASK here. */
export const MAP_UNINITIALIZED = 0x4000000;
/** MAP_HUGETLB: log2 of the huge page size sits at bits 26–31 (uapi/asm-generic/hugetlb_encode.h). */
export const MAP_HUGE_SHIFT = 26;
/** MAP_HUGE_2MB. */
export const MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
/** MAP_HUGE_1GB. */
export const MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;
/**
 * The flags MAP_SHARED_VALIDATE accepts on a file whose f_op has no MAP_SYNC support
 * (include/linux/mman.h LEGACY_MAP_MASK; x86 adds MAP_32BIT and MAP_ABOVE4G). MAP_FIXED_NOREPLACE is
 * not in it: do_mmap checks the flags as passed, so it is EOPNOTSUPP (fixtures/linux/args-probe.txt).
 */
export const LEGACY_MAP_MASK =
  MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE |
  MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G | MAP_HUGE_2MB | MAP_HUGE_1GB;

/** vm_flags bits (include/linux/mm.h). */
export const VM_READ = 0x1;
/** vm_flags: writable. */
export const VM_WRITE = 0x2;
/** vm_flags: executable. */
export const VM_EXEC = 0x4;
/** vm_flags: shared (writes reach the backing object). */
export const VM_SHARED = 0x8;
/** vm_flags: mprotect may add PROT_READ. */
export const VM_MAYREAD = 0x10;
/** vm_flags: mprotect may add PROT_WRITE. */
export const VM_MAYWRITE = 0x20;
/** vm_flags: mprotect may add PROT_EXEC. */
export const VM_MAYEXEC = 0x40;
/** vm_flags: mapped MAP_SHARED (even if read-only). */
export const VM_MAYSHARE = 0x80;
/** vm_flags: grows down (a stack). */
export const VM_GROWSDOWN = 0x100;
/** vm_flags: raw PFN mapping, no struct pages. */
export const VM_PFNMAP = 0x400;
/** vm_flags: pages locked in memory. */
export const VM_LOCKED = 0x2000;
/** vm_flags: memory-mapped I/O. */
export const VM_IO = 0x4000;
/** vm_flags: mremap may not expand it. */
export const VM_DONTEXPAND = 0x40000;
/** vm_flags: committed memory charged to the process. */
export const VM_ACCOUNT = 0x100000;
/** vm_flags: no swap reservation. */
export const VM_NORESERVE = 0x200000;
/** vm_flags: the child of a fork gets zeroed memory here. */
export const VM_WIPEONFORK = 0x2000000;
/** vm_flags: excluded from core dumps. */
export const VM_DONTDUMP = 0x4000000;
/** vm_flags: no transparent huge pages (madvise MADV_NOHUGEPAGE, or MAP_STACK: include/linux/mman.h calc_vm_flag_bits). */
export const VM_NOHUGEPAGE = 0x40000000;
/**
 * vm_flags: MAP_DROPPABLE memory (include/linux/mm.h VM_DROPPABLE_BIT 40 on 64-bit). Above bit 31:
 * JS bitwise operators only see the low 32 bits, so test it with `hasHighFlag` and keep it with
 * `withAccess` (flags are doubles, exact up to 2^53).
 */
export const VM_DROPPABLE = 2 ** 40;
/** vm_flags ignored when comparing regions for merging (VM_SOFTDIRTY is not modelled). */
export const VM_IGNORE_MERGE = 0;
/** Regions with these flags never merge (mm.h VM_SPECIAL). */
export const VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP;
/** VM_STACK is VM_GROWSDOWN on x86 (mm.h). */
export const VM_STACK = VM_GROWSDOWN;

/** The vm_flags mnemonics of /proc/PID/smaps `VmFlags:`, in bit order (fs/proc/task_mmu.c show_smap_vma_flags). */
export const VM_FLAG_MNEMONICS: readonly (readonly [number, string])[] = [
  [VM_READ, 'rd'],
  [VM_WRITE, 'wr'],
  [VM_EXEC, 'ex'],
  [VM_SHARED, 'sh'],
  [VM_MAYREAD, 'mr'],
  [VM_MAYWRITE, 'mw'],
  [VM_MAYEXEC, 'me'],
  [VM_MAYSHARE, 'ms'],
  [VM_GROWSDOWN, 'gd'],
  [VM_PFNMAP, 'pf'],
  [VM_LOCKED, 'lo'],
  [VM_IO, 'io'],
  [VM_DONTEXPAND, 'de'],
  [VM_ACCOUNT, 'ac'],
  [VM_NORESERVE, 'nr'],
  [VM_WIPEONFORK, 'wf'],
  [VM_DONTDUMP, 'dd'],
  [VM_NOHUGEPAGE, 'nh'],
  [VM_DROPPABLE, 'dp'],
];

/** The low 32 bits of vm_flags (what JS bitwise operators see). */
export function lowFlags(flags: number): number {
  return flags % 2 ** 32;
}

/** Whether vm_flags has `bit` set, for any bit up to 52 (above 31 too). */
export function hasFlag(flags: number, bit: number): boolean {
  return bit >= 2 ** 32 ? Math.floor(flags / bit) % 2 === 1 : (flags & bit) !== 0;
}

/** `flags` with its low 32 bits replaced by `low` (bits 32 and up, such as VM_DROPPABLE, kept). */
export function withLowFlags(flags: number, low: number): number {
  return flags - lowFlags(flags) + (low >>> 0);
}

/** The scenario-visible constants vm-regions defines (same values syscalls-posix will use). */
export const REGIONS_CONSTANTS: Readonly<Record<string, number>> = {
  PROT_NONE,
  PROT_READ,
  PROT_WRITE,
  PROT_EXEC,
  PROT_GROWSDOWN,
  PROT_GROWSUP,
  MAP_SHARED,
  MAP_PRIVATE,
  MAP_SHARED_VALIDATE,
  MAP_FIXED,
  MAP_ANONYMOUS,
  MAP_32BIT,
  MAP_GROWSDOWN,
  MAP_DENYWRITE,
  MAP_EXECUTABLE,
  MAP_LOCKED,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_NONBLOCK,
  MAP_STACK,
  MAP_HUGETLB,
  MAP_SYNC,
  MAP_FIXED_NOREPLACE,
  MAP_DROPPABLE,
  MAP_HUGE_2MB,
  MAP_HUGE_1GB,
};
