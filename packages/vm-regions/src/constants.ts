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
/** Interpret addr exactly, replacing what is there. */
export const MAP_FIXED = 0x10;
/** Not backed by a file: demand-zero memory. */
export const MAP_ANONYMOUS = 0x20;
/** x86-64: place the mapping in the first 2 GB. */
export const MAP_32BIT = 0x40;
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
/** Huge pages (not modelled; accepted). */
export const MAP_HUGETLB = 0x40000;
/** Like MAP_FIXED but fail with EEXIST instead of replacing. */
export const MAP_FIXED_NOREPLACE = 0x100000;

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
/** vm_flags: excluded from core dumps. */
export const VM_DONTDUMP = 0x4000000;
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
  [VM_DONTDUMP, 'dd'],
];

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
  MAP_FIXED_NOREPLACE,
};
