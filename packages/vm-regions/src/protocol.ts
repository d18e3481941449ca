/**
 * Messages of the regions subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/vm-regions/protocol`), never the implementation.
 * Addresses are numbers; failures are values `{ value: -1, error: 'EINVAL' }` (Linux errno names).
 */
import type { Region } from './region.js';

/** Request types served by regions. */
export const REGIONS_REQUESTS = {
  /** Gives a process an address space: `{ pid }` → `{ addressSpace }` (also assigned in the task table). */
  createAddressSpace: 'regions/create-address-space',
  /** Tears a process's address space down (exit_mmap): `{ pid }` → `{ value }`. */
  destroyAddressSpace: 'regions/destroy-address-space',
  /** do_mmap: `MmapRequest` → `{ value: address }` or `{ value: -1, error }`. */
  mmap: 'regions/mmap',
  /** do_munmap: `{ pid, addr, length }` → `{ value: 0 }` or `{ value: -1, error }`. */
  munmap: 'regions/munmap',
  /** do_mprotect: `{ pid, addr, length, prot }` → `{ value: 0 }` or `{ value: -1, error }`. */
  mprotect: 'regions/mprotect',
  /** brk: `{ pid, brk }` → `{ value: the new break, or the old one when refused }`. */
  brk: 'regions/brk',
  /** find_vma, read-only: `{ pid, address }` → the first region ending above it, or null. */
  find: 'regions/find',
  /** expand_stack on a fault below a grows-down region: `{ pid, address }` → `{ value: 0 }` or `{ value: -1, error }`. */
  expandStack: 'regions/expand-stack',
  /** anon_vma_prepare at the first anonymous fault: `{ pid, address }` → `{ value: anon_vma id }`. */
  prepareAnon: 'regions/prepare-anon',
  /** Maps a program's text, data and bss and sets start_brk (the ELF loader's part): `LoadProgramRequest` → `{ value }`. */
  loadProgram: 'regions/load-program',
  /** Read-only: the address space summary (mm_struct fields) of `{ pid }` or `{ addressSpace }`, or null. */
  addressSpace: 'regions/address-space',
  /** Read-only: every region of `{ pid }` in address order. */
  regions: 'regions/regions',
} as const;

/** Event types emitted by regions. */
export const REGIONS_EVENTS = {
  /** An address space was created (`AddressSpaceCreatedEvent`, version 2). */
  addressSpaceCreated: 'regions/address-space-created',
  /** An address space was destroyed. */
  addressSpaceDestroyed: 'regions/address-space-destroyed',
  /** A region was inserted. */
  regionMapped: 'regions/region-mapped',
  /** A region was removed. */
  regionUnmapped: 'regions/region-unmapped',
  /** A region was cut in two at `at`. */
  regionSplit: 'regions/region-split',
  /** Two adjacent regions became one. */
  regionsMerged: 'regions/regions-merged',
  /** A region's vm_flags changed (mprotect). */
  regionProtectionChanged: 'regions/region-protection-changed',
  /** A region grew or shrank in place (brk, stack growth). */
  regionResized: 'regions/region-resized',
  /** A region got its anon_vma. */
  anonVmaAssigned: 'regions/anon-vma-assigned',
  /** mm_struct bounds changed (brk, start_brk, start_stack, start_code …). */
  boundsSet: 'regions/bounds-set',
  /** A mapped path (or a shared anonymous mapping's shmem object, path '') got an inode number. */
  inodeAssigned: 'regions/inode-assigned',
} as const;

/**
 * `regions/address-space-created` (version 2): the facts of mm_alloc — which process, which id,
 * the page-table root and the mm_struct object. The space itself is rebuilt from them and the
 * machine's layout, so the event does not depend on how the model stores regions (version 1
 * carried the whole empty address space, index included).
 */
export interface AddressSpaceCreatedEvent {
  /** The process the space was made for. */
  readonly pid: number;
  /** The new address space's id. */
  readonly addressSpace: number;
  /** Its page-table root (0 when no hardware-mmu serves the machine). */
  readonly pgd: number;
  /** Its mm_struct object from the slab (0 when no slab serves the machine). */
  readonly object: number;
}

/** A region as replies and events carry it (vm_area_struct): the model's `Region`. */
export type RegionData = Region;

/** A process-addressed request. */
export interface PidRequest {
  /** The process. */
  readonly pid: number;
}

/** Payload of `regions/mmap`. */
export interface MmapRequest extends PidRequest {
  /** Hint or fixed address. */
  readonly addr: number;
  /** Length in bytes. */
  readonly length: number;
  /** PROT_* bits. */
  readonly prot: number;
  /** MAP_* flags. */
  readonly flags: number;
  /** -1 for anonymous memory. */
  readonly fd?: number;
  /** Byte offset into the file. */
  readonly offset?: number;
  /** The mapped file's path (until a file table exists, the caller names the file). */
  readonly path?: string;
}

/** Payload of `regions/munmap`. */
export interface MunmapRequest extends PidRequest {
  /** Start (page-aligned). */
  readonly addr: number;
  /** Length in bytes. */
  readonly length: number;
}

/** Payload of `regions/mprotect`. */
export interface MprotectRequest extends MunmapRequest {
  /** PROT_* bits. */
  readonly prot: number;
}

/** Payload of `regions/brk`. */
export interface BrkRequest extends PidRequest {
  /** The requested break (0 asks for the current one). */
  readonly brk: number;
}

/** Payload of `regions/find`, `regions/expand-stack`, `regions/prepare-anon`. */
export interface AddressRequest extends PidRequest {
  /** The address. */
  readonly address: number;
}

/** Payload of `regions/load-program`. */
export interface LoadProgramRequest extends PidRequest {
  /** The program's path. */
  readonly path: string;
  /** Load address of its text. */
  readonly base: number;
  /** Bytes of text. */
  readonly text: number;
  /** Bytes of data. */
  readonly data: number;
  /** Bytes of bss. */
  readonly bss: number;
}

/** Reply of the calls: a value, and the errno name when it failed. */
export interface ValueReply {
  /** The return value. */
  readonly value: number;
  /** `EINVAL`, `ENOMEM`, `EEXIST`, `EACCES`, `EPERM`, `EFAULT`, `ESRCH`. */
  readonly error?: string;
}

/** Reply of `regions/create-address-space`. */
export interface CreateAddressSpaceReply {
  /** The new address space's id. */
  readonly addressSpace: number;
}

/** The program bounds of an mm_struct (fs/exec.c, fs/binfmt_elf.c fill them). */
export interface ProgramBounds {
  /** mm->start_code. */
  readonly startCode: number;
  /** mm->end_code. */
  readonly endCode: number;
  /** mm->start_data. */
  readonly startData: number;
  /** mm->end_data. */
  readonly endData: number;
  /** mm->start_brk: where the heap begins. */
  readonly startBrk: number;
  /** mm->brk: the current program break (not page-aligned). */
  readonly brk: number;
  /** mm->start_stack: the initial stack pointer's page. */
  readonly startStack: number;
}

/** The mm_struct summary `regions/address-space` replies. */
export interface AddressSpaceSummary extends ProgramBounds {
  /** Id. */
  readonly id: number;
  /** Page-table root (physical address), 0 without an MMU. */
  readonly pgd: number;
  /** map_count. */
  readonly mapCount: number;
  /** total_vm in pages. */
  readonly totalVm: number;
  /** locked_vm in pages. */
  readonly lockedVm: number;
  /** Resident pages. */
  readonly rss: number;
  /** mm_users. */
  readonly users: number;
  /** mmap_base. */
  readonly mmapBase: number;
}

/** Every region event carries the address space it happened in. */
export interface RegionEventBase {
  /** The address space id. */
  readonly addressSpace: number;
}
