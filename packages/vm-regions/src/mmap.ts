/**
 * Mapping (mm/mmap.c do_mmap, mmap_region; arch/x86/kernel/sys_x86_64.c for the checks of
 * sys_mmap): argument checks, vm_flags, placement, MAP_FIXED replacement, then a new region merged
 * with its neighbours where Linux's rules allow.
 */
import {
  LEGACY_MAP_MASK,
  MAP_DROPPABLE,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_HUGE_SHIFT,
  MAP_HUGETLB,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  MAP_STACK,
  MAP_TYPE,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DROPPABLE,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NOHUGEPAGE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WIPEONFORK,
  VM_WRITE,
  lowFlags,
  withLowFlags,
} from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { populate } from './anonVma.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { getUnmappedArea } from './freeArea.js';
import { mergeAround } from './merge.js';
import { unmapRange } from './munmap.js';
import { ULONG_SPAN, bitsOutside, offsetInPage, pageAlign, pageAlignULong, pageDown, ulong, type Region } from './region.js';
import { treeFindAbove } from './regionTree.js';

/** A file to map: its path and the identity maps prints. */
export interface MappedFile {
  /** Path as maps prints it. */
  readonly path: string;
  /** Device, `fe:00`. */
  readonly dev: string;
  /** Inode number. */
  readonly inode: number;
}

/** The arguments of mmap. */
export interface MmapArgs {
  /** Hint, or the fixed address with MAP_FIXED. */
  readonly addr: number;
  /** Length in bytes (rounded up to pages). */
  readonly length: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_* flags. */
  readonly flags: number;
  /** The file, or absent for MAP_ANONYMOUS. */
  readonly file?: MappedFile;
  /** Byte offset in the file (page-aligned). */
  readonly offset?: number;
  /** For MAP_SHARED|MAP_ANONYMOUS: the shmem inode backing it (mm/shmem.c shmem_zero_setup). */
  readonly shmemInode?: number;
}

/** calc_vm_prot_bits (mman.h): PROT_* to VM_READ/WRITE/EXEC. */
export function protToVmFlags(prot: number): number {
  return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) | (prot & PROT_EXEC ? VM_EXEC : 0);
}

/** What a new region starts from: anonymous, no anon_vma, no slab object, the fields in the order every region has them (not frozen: V8 copies a frozen object more slowly). */
const NEW_REGION: Region = { start: 0, end: 0, flags: 0, pgoff: 0, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 };

/** hstate_sizelog (mm/hugetlb.c): the huge page sizes this x86-64 machine has, by log2 (0 is the default, 2 MiB). */
const HUGE_PAGE_SIZES: Readonly<Record<number, number>> = { 0: 2 * 1024 * 1024, 21: 2 * 1024 * 1024, 30: 1024 * 1024 * 1024 };

/** mmap(addr, length, prot, flags, fd, offset) on `space`. */
export function mmap(space: AddressSpace, args: MmapArgs): OperationResult {
  const { layout } = space;
  // Every argument is an unsigned long (region.ts ulong): a negative number is 2^64 + it.
  const rawOffset = args.offset ?? 0;
  let addr = ulong(args.addr);
  const flags = args.flags;
  const prot = args.prot;
  // arch/x86/kernel/sys_x86_64.c SYSCALL_DEFINE6(mmap): `if (off & ~PAGE_MASK) return -EINVAL`,
  // then pgoff = off >> PAGE_SHIFT (unsigned: an offset of -4096 is page 2^52 - 1).
  if (offsetInPage(rawOffset) !== 0) return failure(space, 'EINVAL');
  const pgoff = Math.floor(ulong(rawOffset) / PAGE_SIZE);
  let rawLength = args.length;
  const hugetlb = (flags & MAP_HUGETLB) !== 0;
  let hugeSize = 0;
  if (hugetlb) {
    // mm/mmap.c ksys_mmap_pgoff: MAP_HUGETLB on a file that is not hugetlbfs is EINVAL; for
    // anonymous memory hstate_sizelog picks the page size from bits 26-31 (EINVAL for a size the
    // machine lacks: this x86-64 has 2 MiB and 1 GiB) and the length is aligned up to it
    // (ALIGN, which wraps to 0 past ULONG_MAX). fixtures/linux/args-probe.txt.
    if (args.file) return failure(space, 'EINVAL');
    const size = HUGE_PAGE_SIZES[(flags >>> MAP_HUGE_SHIFT) & 0x3f];
    if (size === undefined) return failure(space, 'EINVAL');
    hugeSize = size;
    const aligned = Math.ceil(ulong(rawLength) / hugeSize) * hugeSize;
    rawLength = aligned >= ULONG_SPAN ? 0 : aligned;
  }
  // do_mmap: `if (!len) return -EINVAL` (len as passed: 2^64 is 0 too).
  if (ulong(rawLength) === 0) return failure(space, 'EINVAL');
  const type = flags & MAP_TYPE;
  // do_mmap: MAP_FIXED_NOREPLACE implies MAP_FIXED, so its address is not rounded either (an
  // unaligned one is EINVAL from get_unmapped_area). round_hint_to_min: a hint below mmap_min_addr
  // moves up to it (a hint that rounds to 0 is no hint).
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (!fixed) {
    addr = pageDown(addr);
    if (addr !== 0 && addr < layout.mmapMinAddr) addr = pageAlign(layout.mmapMinAddr);
  }
  // do_mmap: `len = PAGE_ALIGN(len); if (!len) return -ENOMEM` (a length within a page of 2^64 wraps).
  const length = pageAlignULong(rawLength);
  if (length === 0) return failure(space, 'ENOMEM');
  // The offset overflow check, `(pgoff + (len >> PAGE_SHIFT)) < pgoff`, cannot fire on x86-64:
  // pgoff < 2^52 and len >> PAGE_SHIFT < 2^52 never wrap an unsigned long.
  // do_mmap's only map_count check is this one, with `>` (Linux 6.18): a process may reach
  // max_map_count + 1 regions (observed: fixtures/linux/maxmapcount-probe.txt).
  if (space.mapCount > layout.maxMapCount) return failure(space, 'ENOMEM');
  const shared = type !== MAP_PRIVATE && type !== MAP_DROPPABLE;
  let vmFlags = protToVmFlags(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  // include/linux/mman.h calc_vm_flag_bits: MAP_GROWSDOWN, MAP_LOCKED, and MAP_STACK → VM_NOHUGEPAGE
  // (with CONFIG_TRANSPARENT_HUGEPAGE, as on the reference kernel): a MAP_STACK region does not
  // merge with an otherwise equal neighbour (fixtures/linux/args-probe.txt).
  if (flags & MAP_GROWSDOWN) vmFlags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) vmFlags |= VM_LOCKED;
  if (flags & MAP_STACK) vmFlags |= VM_NOHUGEPAGE;
  if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;
  // A MAP_HUGETLB mapping is a hugetlbfs file: its MAP_FIXED address must be huge-page aligned
  // (fs/hugetlbfs/inode.c hugetlb_get_unmapped_area), and it takes do_mmap's file checks.
  const asFile = args.file !== undefined || hugetlb;
  if (hugetlb && fixed && ulong(rawLength) <= layout.taskSize && addr % hugeSize !== 0) return failure(space, 'EINVAL');
  const where = getUnmappedArea(space, { addr, length, flags: fixed ? flags | MAP_FIXED : flags, file: args.file !== undefined });
  if (typeof where === 'string') return failure(space, where);
  addr = where;
  if (flags & MAP_FIXED_NOREPLACE) {
    const hit = treeFindAbove(space.tree, addr);
    if (hit && hit.start < addr + length) return failure(space, 'EEXIST');
  }
  // The mapping type is checked after the placement (do_mmap's switch on flags & MAP_TYPE): a file
  // takes MAP_SHARED, MAP_SHARED_VALIDATE or MAP_PRIVATE; anonymous memory MAP_SHARED (which may not
  // grow down), MAP_DROPPABLE or MAP_PRIVATE. Observed: fixtures/linux/errno-probe.txt, args-probe.txt.
  if (asFile) {
    // do_mmap, file_mmap_ok (include/linux/fs.h): a regular file's maximum size is MAX_LFS_FILESIZE
    // (2^63 - 1), and `pgoff > (maxsize - len) >> PAGE_SHIFT` is EOVERFLOW: pgoff + len pages must
    // stay below 2^51. Negative offsets are huge and overflow (fixtures/linux/args-probe.txt).
    if (args.file && pgoff + length / PAGE_SIZE >= 2 ** 51) return failure(space, 'EOVERFLOW');
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return failure(space, 'EINVAL');
    // MAP_SHARED_VALIDATE: a flag outside LEGACY_MAP_MASK (MAP_SYNC too: no DAX files here) is
    // EOPNOTSUPP; MAP_SHARED drops such flags silently (do_mmap's `flags &= LEGACY_MAP_MASK`).
    if (type === MAP_SHARED_VALIDATE && bitsOutside(flags, LEGACY_MAP_MASK)) return failure(space, 'EOPNOTSUPP');
    if (flags & MAP_GROWSDOWN) return failure(space, 'EINVAL');
  } else if (type === MAP_SHARED) {
    if (flags & MAP_GROWSDOWN) return failure(space, 'EINVAL');
  } else if (type === MAP_DROPPABLE) {
    // do_mmap's MAP_DROPPABLE case (Linux ≥ 6.11): not with MAP_LOCKED, MAP_HUGETLB or
    // MAP_GROWSDOWN; the region is VM_DROPPABLE | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP
    // (smaps `nr wf dd dp`), private otherwise (fixtures/linux/args-probe.txt).
    if (flags & (MAP_LOCKED | MAP_HUGETLB | MAP_GROWSDOWN)) return failure(space, 'EINVAL');
    vmFlags = vmFlags + VM_DROPPABLE;
    vmFlags = withLowFlags(vmFlags, lowFlags(vmFlags) | VM_NORESERVE | VM_WIPEONFORK | VM_DONTDUMP);
  } else if (type !== MAP_PRIVATE) return failure(space, 'EINVAL');
  // ksys_mmap_pgoff made a hugetlbfs file without reservation (VM_NORESERVE); the hugetlbfs mmap
  // (hugetlb_reserve_pages) then needs free huge pages, and the model has none (vm.nr_hugepages = 0):
  // ENOMEM. With MAP_NORESERVE Linux maps it anyway (/anon_hugepage (deleted)); not modelled: ENOMEM too.
  if (hugetlb) return failure(space, 'ENOMEM');
  // accountable_mapping (mm/mmap.c): private writable mappings are charged, VM_ACCOUNT.
  if ((vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) vmFlags = withLowFlags(vmFlags, lowFlags(vmFlags) | VM_ACCOUNT);
  const editor = new SpaceEditor(space);
  const error = unmapRange(editor, addr, addr + length);
  if (error) return failure(space, error);
  // Each region is a copy of a template, not an object literal: V8 tracks every literal's
  // allocation site and, once most objects made there live long (as regions do: 100,000 mapped in
  // vmRegions.bench.ts), allocates all later ones in the old generation, which made each mmap of a
  // short-lived region ~0.3 µs slower. A spread copy has no such site.
  const region: Region = args.file
    ? { ...NEW_REGION, start: addr, end: addr + length, flags: vmFlags, pgoff, file: args.file.path, dev: args.file.dev, inode: args.file.inode }
    : shared
      ? // A shared anonymous mapping is a shmem file of its own, /dev/zero (deleted) (mm/shmem.c shmem_zero_setup).
        { ...NEW_REGION, start: addr, end: addr + length, flags: vmFlags, file: '/dev/zero (deleted)', dev: '00:01', inode: args.shmemInode ?? 0 }
      : // do_mmap: an anonymous private mapping's vm_pgoff is its address in pages.
        { ...NEW_REGION, start: addr, end: addr + length, flags: vmFlags, pgoff: addr / PAGE_SIZE };
  editor.apply({ kind: 'mapped', region });
  if (!shared || args.file) mergeAround(editor, addr);
  // do_mmap: a VM_LOCKED mapping, or MAP_POPULATE without MAP_NONBLOCK, is populated (mm_populate).
  if (vmFlags & VM_LOCKED || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE) populate(editor, addr);
  return success(editor, addr);
}
