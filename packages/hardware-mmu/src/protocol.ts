/**
 * Messages of the mmu subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/hardware-mmu/protocol`), never the implementation.
 *
 * Addresses are numbers (x86-64 kernel addresses kept as their low 48 bits). Page flags are the
 * portable PTE flags (`PTE_PRESENT` 0x1, `PTE_WRITE` 0x2, `PTE_USER` 0x4, `PTE_PWT` 0x8, `PTE_PCD`
 * 0x10, `PTE_ACCESSED` 0x20, `PTE_DIRTY` 0x40, `PTE_LARGE` 0x80, `PTE_GLOBAL` 0x100, `PTE_NX`
 * 0x200), whatever the machine's page-table format.
 */

/** Request types served by mmu. */
export const MMU_REQUESTS = {
  /** A new address space with an empty top-level table: `{ asid }` → `{ root }` (its physical address, or -1 with `error: 'ENOMEM'`). */
  createAddressSpace: 'mmu/create-address-space',
  /** Frees an address space's table pages: `{ asid }` → `{ value: 0 }` or `{ value: -1, error }`. */
  destroyAddressSpace: 'mmu/destroy-address-space',
  /** Maps one page: `{ asid, va, pfn, flags? }` → `{ value: 0 }` or `{ value: -1, error }`. */
  map: 'mmu/map',
  /** Unmaps one page: `{ asid, va }` → `{ value: 0 }`, or `{ value: -1, error: 'ENOENT' }` when it was not mapped. */
  unmap: 'mmu/unmap',
  /** Changes one page's rights: `{ asid, va, flags }` → `{ value: 0 }` or `{ value: -1, error: 'ENOENT' }`. */
  protect: 'mmu/protect',
  /**
   * Unmaps every page of a range, walking only the tables that exist: `{ asid, start, end }` →
   * `{ value: 0, entries, pages, frames }` (the entries cleared, the pages they mapped, the first
   * frame of each), or `{ value: -1, error }`. The frames are not freed: whoever mapped them owns them.
   */
  unmapRange: 'mmu/unmap-range',
  /**
   * Changes the rights of every mapped page of a range: `{ asid, start, end, flags, mask? }` →
   * `{ value: 0, entries }` or `{ value: -1, error }`; bits in `mask` (default: all) come from
   * `flags`, accessed/dirty/page size are kept; no PTE_PRESENT in the result makes PROT_NONE entries.
   */
  protectRange: 'mmu/protect-range',
  /** Translates as the hardware does (TLB, walk, A/D bits, faults): `{ asid | pid, va, kind?, mode? }` → `{ physical }` or `{ fault }`. */
  translate: 'mmu/translate',
  /** Read-only: the present entry mapping a page: `{ asid | pid, va }` → `{ pfn, flags, level, entryAddress }` or null. */
  lookup: 'mmu/lookup',
  /** Loads CR3: `{ asid }` → `{ dropped }` (TLB entries flushed). */
  switchAddressSpace: 'mmu/switch-address-space',
  /** Flushes the TLB: all (`{}`), or one page (`{ va, asid? }`) → `{ dropped }`. */
  flush: 'mmu/flush',
  /** A memory access by a process (or in an address space): `{ pid | asid, address, kind, size, value? }` → `{ value? , fault? }`. */
  access: 'mmu/access',
  /** Reads physical memory: `{ address, size }` → `{ value }`. */
  readPhysical: 'mmu/read-physical',
  /** Writes physical memory: `{ address, size, value }` → null. */
  writePhysical: 'mmu/write-physical',
  /** Read-only: the machine's MMU facts: `{}` → `MmuInfo`. */
  info: 'mmu/info',
} as const;

/** Event types emitted by mmu. */
export const MMU_EVENTS = {
  /** A frame became a (zeroed) page-table page. */
  tableAllocated: 'mmu/table-allocated',
  /** Table pages were given back. */
  tablesFreed: 'mmu/tables-freed',
  /** An address space got its root table. */
  addressSpaceCreated: 'mmu/address-space-created',
  /** An address space was destroyed. */
  addressSpaceDestroyed: 'mmu/address-space-destroyed',
  /** A page-table entry was written in RAM (a mapping, or the walk setting accessed/dirty bits). */
  pteSet: 'mmu/pte-set',
  /** CR3 was loaded. */
  addressSpaceSwitched: 'mmu/address-space-switched',
  /** A TLB lookup hit. */
  tlbHit: 'mmu/tlb-hit',
  /** A TLB lookup missed. */
  tlbMissed: 'mmu/tlb-missed',
  /** A translation was cached in the TLB. */
  tlbFilled: 'mmu/tlb-filled',
  /** TLB entries were dropped. */
  tlbFlushed: 'mmu/tlb-flushed',
  /** A translation failed. */
  faultRaised: 'mmu/fault-raised',
  /** Bytes of physical memory were written. */
  memoryWritten: 'mmu/memory-written',
} as const;

/** The kinds of memory access. */
export type MmuAccessKind = 'read' | 'write' | 'exec';

/** Privilege of an access: user, kernel, or physical addressing (no translation). */
export type MmuMode = 'user' | 'kernel' | 'physical';

/** Why a translation failed. */
export type MmuFaultKind = 'not-present' | 'protection' | 'privilege' | 'bounds';

/** A fault as replies and events carry it. */
export interface MmuFault {
  /** Why. */
  readonly kind: MmuFaultKind;
  /** The faulting virtual address. */
  readonly address: number;
  /** The access. */
  readonly access: MmuAccessKind;
  /** True for a user-mode access. */
  readonly user: boolean;
  /** The x86 page-fault error code (P 1, W/R 2, U/S 4, I/D 0x10). */
  readonly errorCode: number;
  /** In an `mmu/access` reply: the signal or exception the pager named for an unresolved fault (`SIGSEGV`). */
  readonly signal?: string;
}

/** Payload of `mmu/create-address-space`. */
export interface CreateAddressSpaceRequest {
  /** The address-space id (the task table's `addressSpace`). */
  readonly asid: number;
}

/** Reply of `mmu/create-address-space`. */
export interface CreateAddressSpaceReply {
  /** Physical address of the top-level table, or -1. */
  readonly root: number;
  /** `ENOMEM` when no frame was left, `EEXIST` when the id is taken. */
  readonly error?: string;
}

/** Payload of `mmu/map`, `mmu/unmap`, `mmu/protect` (one page each). */
export interface PageRequest {
  /** The address space. */
  readonly asid: number;
  /** A virtual address inside the page. */
  readonly va: number;
  /** The frame (map only). */
  readonly pfn?: number;
  /** Portable PTE flags (map, protect; PTE_PRESENT is implied). */
  readonly flags?: number;
  /** For a large page: the table level holding it (0 = top). */
  readonly level?: number;
}

/** Payload of `mmu/unmap-range` and `mmu/protect-range`: the pages of [start, end) in one address space. */
export interface RangeRequest {
  /** The address space. */
  readonly asid: number;
  /** First address of the range (page-aligned). */
  readonly start: number;
  /** First address after it (page-aligned, at least `start`; a process's range ends at or below PAGE_OFFSET). */
  readonly end: number;
}

/** Payload of `mmu/protect-range`. */
export interface ProtectRangeRequest extends RangeRequest {
  /** The portable flags to give (PTE_PRESENT is not implied: without it the entries become PROT_NONE entries). */
  readonly flags: number;
  /** Which bits come from `flags` (default: all); PTE_ACCESSED, PTE_DIRTY and PTE_LARGE are always kept. */
  readonly mask?: number;
}

/** Reply of `mmu/unmap-range`. */
export interface UnmapRangeReply {
  /** 0 on success, -1 on failure. */
  readonly value: 0 | -1;
  /** `EINVAL` (no such address space, a misaligned or reversed range), `ENOMEM` (no frame to split a large page). */
  readonly error?: string;
  /** Entries cleared (a large page is one). */
  readonly entries: number;
  /** Pages they mapped. */
  readonly pages: number;
  /** The first frame of each entry cleared, in address order (still allocated: the caller's to free). */
  readonly frames: readonly number[];
}

/** Reply of `mmu/protect-range`. */
export interface ProtectRangeReply {
  /** 0 on success, -1 on failure. */
  readonly value: 0 | -1;
  /** `EINVAL`, `ENOMEM`, as for `mmu/unmap-range`. */
  readonly error?: string;
  /** Entries changed (entries that already had the rights are not rewritten). */
  readonly entries: number;
}

/** Reply of map/unmap/protect/destroy: 0, or -1 with an errno name. */
export interface PageReply {
  /** 0 on success, -1 on failure. */
  readonly value: 0 | -1;
  /** `ENOMEM`, `EINVAL`, `EEXIST`, `ENOENT`. */
  readonly error?: string;
}

/** Payload of `mmu/translate`. */
export interface TranslateRequest {
  /** The address space (or give `pid`). */
  readonly asid?: number;
  /** The process whose address space to use. */
  readonly pid?: number;
  /** The virtual address. */
  readonly va: number;
  /** The access (default read). */
  readonly kind?: MmuAccessKind;
  /** The mode (default user for a pid, kernel for an asid). */
  readonly mode?: MmuMode;
}

/** Reply of `mmu/translate`. */
export interface TranslateReply {
  /** The physical address, when it translated. */
  readonly physical?: number;
  /** The fault, when it did not. */
  readonly fault?: MmuFault;
}

/** Reply of `mmu/lookup`. */
export interface LookupReply {
  /** The frame. */
  readonly pfn: number;
  /** Portable flags of the entry. */
  readonly flags: number;
  /** Level of the entry. */
  readonly level: number;
  /** Physical address of the entry. */
  readonly entryAddress: number;
}

/** Payload of `mmu/access` (the scenario runner's `P: read ADDR` / `P: write ADDR = v`). */
export interface AccessRequest {
  /** The process (its address space comes from `kernel/task`). */
  readonly pid?: number;
  /** Or an address space directly (kernel accesses: 0 is the kernel's own). */
  readonly asid?: number;
  /** The virtual address. */
  readonly address: number;
  /** The access. */
  readonly kind: MmuAccessKind;
  /** Bytes: 1, 2, 4 or 8. */
  readonly size: number;
  /** The value to write. */
  readonly value?: number;
  /** The mode (default user for a pid, kernel for an asid). */
  readonly mode?: MmuMode;
  /** Set by the MMU itself when it retries after the pager resolved a fault. */
  readonly retry?: number;
}

/** Reply of `mmu/access`. */
export interface AccessReply {
  /** The value read. */
  readonly value?: number;
  /** The fault nobody resolved. */
  readonly fault?: MmuFault;
}

/**
 * What the MMU sends to `pager/handle-fault` (when someone serves it) and expects back: the pager
 * returns `{ resolved: true }` after fixing the mapping (the MMU then retries the access), or
 * `{ resolved: false, signal? }` (the MMU reports the fault).
 */
export interface PagerFaultRequest extends MmuFault {
  /** The faulting process, when known. */
  readonly pid?: number;
  /** The address space. */
  readonly asid: number;
}

/** The reply the MMU expects from `pager/handle-fault`. */
export interface PagerFaultReply {
  /** True when the mapping was fixed and the access should be retried. */
  readonly resolved: boolean;
  /** The signal or exception when it was not (`SIGSEGV`). */
  readonly signal?: string;
}

/** Payload of `mmu/flush`. */
export interface FlushRequest {
  /** Flush only this page (INVLPG); absent: the whole TLB. */
  readonly va?: number;
  /** The address space of `va` (default: the current one). */
  readonly asid?: number;
}

/** Payload of `mmu/read-physical`. */
export interface ReadPhysicalRequest {
  /** Physical address. */
  readonly address: number;
  /** Bytes: 1, 2, 4 or 8. */
  readonly size: number;
}

/** Payload of `mmu/write-physical`. */
export interface WritePhysicalRequest extends ReadPhysicalRequest {
  /** The value. */
  readonly value: number;
}

/** Reply of `mmu/info`. */
export interface MmuInfo {
  /** The profile. */
  readonly profile: string;
  /** The page-table format's name. */
  readonly format: string;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Virtual-address bits. */
  readonly vaBits: number;
  /** Physical memory in bytes. */
  readonly ramBytes: number;
  /** The kernel's direct-map base, or null. */
  readonly pageOffset: number | null;
  /** The current address space, or null. */
  readonly current: number | null;
}

/** Payload of `mmu/table-allocated`. */
export interface TableAllocatedEvent {
  /** The frame now holding a (zeroed) table. */
  readonly pfn: number;
  /** The address space it belongs to. */
  readonly asid: number;
  /** True when the MMU's own allocator over the top of RAM gave it (no phys-allocator). */
  readonly own: boolean;
}

/** Payload of `mmu/pte-set`. */
export interface PteSetEvent {
  /** The address space. */
  readonly asid: number;
  /** Physical address of the entry. */
  readonly address: number;
  /** Table level of the entry (0 = top). */
  readonly level: number;
  /** New low 32 bits of the entry. */
  readonly lo: number;
  /** New high 32 bits (0 for narrow entries). */
  readonly hi: number;
  /** Why: `map`, `unmap`, `protect`, `table` (linking a new table), `split` (a large page split by a range edit), `accessed-dirty` (set by the walk). */
  readonly reason: string;
}

/** Payload of `mmu/tlb-filled`. */
export interface TlbFilledEvent {
  /** The entry used. */
  readonly slot: number;
  /** Its page. */
  readonly vpn: number;
  /** Its address space. */
  readonly asid: number;
  /** Its frame. */
  readonly pfn: number;
  /** Its effective flags. */
  readonly flags: number;
}

/** Payload of `mmu/tlb-flushed`. */
export interface TlbFlushedEvent {
  /** `all`, `non-global` (an address-space switch), or `page`. */
  readonly scope: 'all' | 'non-global' | 'page';
  /** The page, for a page flush. */
  readonly vpn?: number;
  /** The address space, for a page flush. */
  readonly asid?: number;
}

/** Payload of `mmu/fault-raised`. */
export interface FaultRaisedEvent extends MmuFault {
  /** The address space. */
  readonly asid: number;
  /** The process, when known. */
  readonly pid?: number;
}

/** Payload of `mmu/memory-written`. */
export interface MemoryWrittenEvent {
  /** Physical address. */
  readonly address: number;
  /** Bytes. */
  readonly size: number;
  /** The value. */
  readonly value: number;
}
