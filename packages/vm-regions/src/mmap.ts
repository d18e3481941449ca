/**
 * Mapping (mm/mmap.c do_mmap, mmap_region; arch/x86/kernel/sys_x86_64.c for the checks of
 * sys_mmap): argument checks, vm_flags, placement, MAP_FIXED replacement, then a new region merged
 * with its neighbours where Linux's rules allow.
 */
import {
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_GROWSDOWN,
  MAP_LOCKED,
  MAP_NONBLOCK,
  MAP_NORESERVE,
  MAP_POPULATE,
  MAP_PRIVATE,
  MAP_SHARED,
  MAP_SHARED_VALIDATE,
  PAGE_SIZE,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_LOCKED,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYSHARE,
  VM_MAYWRITE,
  VM_NORESERVE,
  VM_READ,
  VM_SHARED,
  VM_WRITE,
} from './constants.js';
import type { AddressSpace } from './addressSpace.js';
import { populate } from './anonVma.js';
import { SpaceEditor, failure, success, type OperationResult } from './editor.js';
import { getUnmappedArea } from './freeArea.js';
import { mergeAround } from './merge.js';
import { unmapRange } from './munmap.js';
import { pageAlign, pageDown, type Region } from './region.js';
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

/** The MAP_TYPE bits. */
const MAP_TYPE = 0x0f;

/** mmap(addr, length, prot, flags, fd, offset) on `space`. */
export function mmap(space: AddressSpace, args: MmapArgs): OperationResult {
  const { layout } = space;
  const offset = args.offset ?? 0;
  let { addr } = args;
  const { flags, prot } = args;
  // arch/x86/kernel/sys_x86_64.c: the offset must be page-aligned.
  if (offset % PAGE_SIZE !== 0) return failure(space, 'EINVAL');
  if (args.length === 0) return failure(space, 'EINVAL');
  const type = flags & MAP_TYPE;
  // do_mmap: MAP_FIXED_NOREPLACE implies MAP_FIXED, so its address is not rounded either (an
  // unaligned one is EINVAL from get_unmapped_area). round_hint_to_min: a hint below mmap_min_addr
  // moves up to it (a hint that rounds to 0 is no hint).
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  if (!fixed) {
    addr = pageDown(addr);
    if (addr !== 0 && addr < layout.mmapMinAddr) addr = pageAlign(layout.mmapMinAddr);
  }
  const length = pageAlign(args.length);
  if (length === 0 || length > 2 ** 53) return failure(space, 'ENOMEM');
  // do_mmap's only map_count check is this one, with `>` (Linux 6.18): a process may reach
  // max_map_count + 1 regions (observed: fixtures/linux/maxmapcount-probe.txt).
  if (space.mapCount > layout.maxMapCount) return failure(space, 'ENOMEM');
  const shared = type !== MAP_PRIVATE;
  let vmFlags = protToVmFlags(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
  if (flags & MAP_GROWSDOWN) vmFlags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) vmFlags |= VM_LOCKED;
  if (shared) vmFlags |= VM_SHARED | VM_MAYSHARE;
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;
  const where = getUnmappedArea(space, { addr, length, flags: fixed ? flags | MAP_FIXED : flags, file: args.file !== undefined });
  if (typeof where === 'string') return failure(space, where);
  addr = where;
  if (flags & MAP_FIXED_NOREPLACE) {
    const hit = treeFindAbove(space.tree, addr);
    if (hit && hit.start < addr + length) return failure(space, 'EEXIST');
  }
  // The mapping type is checked after the placement (do_mmap's switch on flags & MAP_TYPE): a file
  // takes MAP_SHARED, MAP_SHARED_VALIDATE or MAP_PRIVATE; anonymous memory MAP_SHARED (which may not
  // grow down) or MAP_PRIVATE. Observed: fixtures/linux/errno-probe.txt.
  if (args.file) {
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return failure(space, 'EINVAL');
  } else if (type === MAP_SHARED) {
    if (flags & MAP_GROWSDOWN) return failure(space, 'EINVAL');
  } else if (type !== MAP_PRIVATE) return failure(space, 'EINVAL');
  // accountable_mapping (mm/mmap.c): private writable mappings are charged, VM_ACCOUNT.
  if ((vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) vmFlags |= VM_ACCOUNT;
  const editor = new SpaceEditor(space);
  const error = unmapRange(editor, addr, addr + length);
  if (error) return failure(space, error);
  // Each region is a copy of a template, not an object literal: V8 tracks every literal's
  // allocation site and, once most objects made there live long (as regions do: 100,000 mapped in
  // vmRegions.bench.ts), allocates all later ones in the old generation, which made each mmap of a
  // short-lived region ~0.3 µs slower. A spread copy has no such site.
  const region: Region = args.file
    ? { ...NEW_REGION, start: addr, end: addr + length, flags: vmFlags, pgoff: offset / PAGE_SIZE, file: args.file.path, dev: args.file.dev, inode: args.file.inode }
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
