/**
 * The MMU as a model object, usable without the bus: RAM, one page-table format, address spaces
 * (a root table per address-space id, the CR3 value), the current mode (user or kernel), a
 * physical addressing mode with no translation, and an optional TLB. `translate` is the hot
 * path: TLB lookup, else the walk, the rights check, the accessed/dirty bits, and the TLB fill,
 * allocating nothing.
 */
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_BOUNDS,
  NO_FAULT,
  accessCode,
  accessKindOf,
  faultKindOf,
  makeFault,
  type AccessKind,
  type Fault,
} from './fault.js';
import { mapDirectMap, shareKernelEntries } from './directMap.js';
import { BUILT_IN_FORMATS, compileFormat, FLAG_INDEX_DIRTY, type CompiledFormat, type PageTableFormat } from './pageTableFormat.js';
import { createRootTable, lookupEntry, testAndClearAccessed, type EntryLookup, mapPage, protectPage, unmapPage, type MapError, type PageTableEditor } from './pageTable.js';
import { writePte } from './pte.js';
import { PTE_DIRTY } from './pteFlags.js';
import { createPhysicalMemory, readPhysical, writePhysical, type AccessSize, type PhysicalMemory } from './ram.js';
import { Tlb, type TlbConfig } from './tlb.js';
import { accessFault, flagsAfterAccess, forEachAccessedDirtyUpdate, walkerFor, walkFault, WalkResult, type Walker } from './walk.js';

/** Entries of the direct-mapped cache of recent pages in front of the TLB (a power of two). */
const FRONT_WAYS = 4;

/** Options of `createMmu`. */
export interface MmuOptions {
  /** The page-table format, or a built-in's name (`i386`, `x86-64`, `alpha`, `tiny`); default x86-64. */
  readonly format?: PageTableFormat | string;
  /** RAM size in bytes when `ram` is not given (default 64 MiB, 4 KiB for `tiny`). */
  readonly ramBytes?: number;
  /** Existing RAM to use. */
  readonly ram?: PhysicalMemory;
  /** TLB geometry, or null for none (every access walks). Default: 64 entries, fully associative, LRU. */
  readonly tlb?: TlbConfig | null;
  /** Hands out frames for table pages (pfn, or -1 when out of memory). Default: downwards from the top of RAM. */
  readonly allocateFrame?: () => number;
}

/** A translation's result: the physical address, or the fault. */
export type Translation = TranslationDone | TranslationFault;

/** A translation that succeeded. */
export interface TranslationDone {
  /** The physical address. */
  readonly physical: number;
}

/** A translation that faulted. */
export interface TranslationFault {
  /** Why and where. */
  readonly fault: Fault;
}

/** A read's result: the value, or the fault. */
export type ReadResult = ReadDone | TranslationFault;

/** A read that succeeded. */
export interface ReadDone {
  /** The value read. */
  readonly value: number;
}

/** A write's result: empty, or the fault. */
export interface WriteResult {
  /** The fault, when the write failed. */
  readonly fault?: Fault;
}

/** Counters of an MMU's work. */
export interface MmuStats {
  /** Walks of the page tables (TLB misses, and dirty-bit updates). */
  readonly walks: number;
  /** Faults raised. */
  readonly faults: number;
  /** TLB hits (0 without a TLB). */
  readonly tlbHits: number;
  /** TLB misses (0 without a TLB). */
  readonly tlbMisses: number;
}

/**
 * A frame allocator over the top of RAM, handing frames out downwards (the highest first), for
 * page tables when nobody else allocates frames. Returns -1 once it reaches `floorPfn`.
 */
export function topDownFrameAllocator(ramBytes: number, pageSize: number, floorPfn = 0): () => number {
  let next = Math.floor(ramBytes / pageSize) - 1;
  return () => (next >= floorPfn ? next-- : -1);
}

/** An MMU with its RAM, tables, TLB and registers. */
export class Mmu {
  /** Physical memory. */
  readonly ram: PhysicalMemory;
  /** The page-table format, compiled. */
  readonly format: CompiledFormat;
  /** The TLB, or null. */
  readonly tlb: Tlb | null;
  /** Root table physical address per address-space id. */
  readonly roots = new Map<number, number>();
  /** The current address space's id. */
  asid = -1;
  /** The current root table's physical address (CR3), -1 before any switch. */
  root = -1;
  /** True in user mode, false in kernel mode. */
  userMode = true;
  /** True when addresses are physical (paging off, as before CR0.PG is set). */
  physicalMode = false;
  /** The fault code of the last failed translation (fault.ts), NO_FAULT after a success. */
  lastFault = NO_FAULT;
  /** Page-table walks made. */
  walks = 0;
  /** Faults raised. */
  faults = 0;
  private readonly result: WalkResult;
  private readonly walker: Walker;
  private readonly frontVpn = new Float64Array(FRONT_WAYS).fill(-1);
  private readonly frontSlot = new Int32Array(FRONT_WAYS);
  private readonly frontBase = new Float64Array(FRONT_WAYS);
  private readonly frontAllowed = new Int32Array(FRONT_WAYS);
  private frontGeneration = -1;
  private frontUserMode = true;
  private readonly pendingVa = new Float64Array(1);
  private readonly editor: PageTableEditor;
  private readonly pageSize: number;
  private readonly pageScale: number;
  private readonly hasDirtyBit: boolean;

  /** Builds an MMU; prefer `createMmu`. */
  constructor(options: MmuOptions = {}) {
    const format = typeof options.format === 'string' ? BUILT_IN_FORMATS[options.format] : options.format;
    if (!format) throw new RangeError(`unknown page-table format ${String(options.format)}`);
    this.format = compileFormat(format);
    this.pageSize = this.format.pageSize;
    this.pageScale = this.format.pageScale;
    this.ram = options.ram ?? createPhysicalMemory(options.ramBytes ?? (format.name === 'tiny' ? 4096 : 64 * 1024 * 1024));
    this.tlb = options.tlb === null ? null : new Tlb(options.tlb ?? {});
    this.result = new WalkResult(this.format.levels);
    this.walker = walkerFor(this.format);
    this.hasDirtyBit = (this.format.flagLo[FLAG_INDEX_DIRTY]! | this.format.flagHi[FLAG_INDEX_DIRTY]!) !== 0;
    const allocateFrame = options.allocateFrame ?? topDownFrameAllocator(this.ram.length, this.pageSize);
    this.editor = { ram: this.ram, format: this.format, allocateTable: allocateFrame };
  }

  /** Creates address space `asid` with an empty top-level table; returns the table's physical address. */
  createAddressSpace(asid: number): number {
    if (this.roots.has(asid)) throw new RangeError(`address space ${asid} exists already`);
    const root = createRootTable(this.editor);
    if (root < 0) throw new RangeError('out of frames for a page-table root');
    this.roots.set(asid, root);
    return root;
  }

  /** Makes `asid` current (loads CR3): the TLB drops non-global entries unless it has ASIDs. */
  switchAddressSpace(asid: number): void {
    const root = this.roots.get(asid);
    if (root === undefined) throw new RangeError(`no address space ${asid}`);
    if (asid === this.asid) return;
    this.asid = asid;
    this.root = root;
    this.frontVpn.fill(-1);
    this.tlb?.switchAddressSpace();
  }

  private rootOf(asid: number | undefined): number {
    const root = this.roots.get(asid ?? this.asid);
    if (root === undefined) throw new RangeError(`no address space ${asid ?? this.asid}`);
    return root;
  }

  /** Maps the page at `va` to frame `pfn` with portable flags in address space `asid` (default current). */
  map(va: number, pfn: number, flags: number, asid?: number, level?: number): MapError | null {
    const error = mapPage(this.editor, this.rootOf(asid), va, pfn, flags, level);
    this.tlb?.flushPage(Math.floor(va / this.pageSize), asid ?? this.asid);
    return error;
  }

  /** Unmaps the page at `va` and flushes it from the TLB (`flush_tlb_page`); true when it was mapped. */
  unmap(va: number, asid?: number): boolean {
    const done = unmapPage(this.editor, this.rootOf(asid), va);
    this.tlb?.flushPage(Math.floor(va / this.pageSize), asid ?? this.asid);
    return done;
  }

  /** Changes the page's rights and flushes it from the TLB; false when it is not mapped. */
  protect(va: number, flags: number, asid?: number): boolean {
    const done = protectPage(this.editor, this.rootOf(asid), va, flags);
    this.tlb?.flushPage(Math.floor(va / this.pageSize), asid ?? this.asid);
    return done;
  }

  /**
   * Maps all of RAM at `pageOffset` in address space `asid` (the kernel's direct map: kernel-only,
   * writable, global, with large pages where the format has them). Returns null, or why it failed.
   */
  mapDirectMap(pageOffset: number, asid?: number): MapError | null {
    return mapDirectMap(this.editor, this.rootOf(asid), pageOffset, this.ram.length);
  }

  /** Copies the kernel space's top-level entries from `pageOffset` up into `asid`'s table (`clone_pgd_range`). */
  shareKernelEntries(kernelAsid: number, asid: number, pageOffset: number): number {
    return shareKernelEntries(this.editor, this.rootOf(kernelAsid), this.rootOf(asid), pageOffset);
  }

  /** Clears the accessed bit of the page at `va` (no TLB flush: see `testAndClearAccessed`); true when it was set. */
  clearAccessed(va: number, asid?: number): boolean {
    return testAndClearAccessed(this.editor, this.rootOf(asid), va);
  }

  /** The present entry mapping `va` in `asid` (no side effects), or null. */
  lookup(va: number, asid?: number): EntryLookup | null {
    return lookupEntry(this.ram, this.format, this.rootOf(asid), va);
  }

  /**
   * Translates `va` for an access (ACCESS_READ / ACCESS_WRITE / ACCESS_EXEC from fault.ts) in the
   * current mode and address space. Returns the physical address, or -1 with `lastFault` set.
   */
  translate(va: number, access: number = ACCESS_READ): number {
    // The last few pages' translations are remembered (a small direct-mapped cache in front of the
    // TLB's index, as simulators keep one), with the accesses each allows without a walk in the
    // current mode. They are used only while no TLB entry has been filled or dropped since and the
    // mode is the same; a hit is counted and aged exactly as a TLB lookup would. This part is small
    // so that it inlines into callers' loops; everything else is in translateMiss.
    const vpn = Math.floor(va * this.pageScale);
    const way = vpn & (FRONT_WAYS - 1);
    const tlb = this.tlb;
    if (
      this.frontVpn[way] === vpn &&
      tlb !== null &&
      tlb.generation === this.frontGeneration &&
      this.userMode === this.frontUserMode &&
      (this.frontAllowed[way]! & (1 << access)) !== 0 &&
      !this.physicalMode
    ) {
      tlb.touch(this.frontSlot[way]!);
      this.lastFault = NO_FAULT;
      return this.frontBase[way]! + (va - vpn * this.pageSize);
    }
    // Handed over in a typed array, so that a large address is not boxed for the call.
    this.pendingVa[0] = va;
    return this.translateMiss(access);
  }

  /** `translate` beyond the remembered page: physical mode, TLB lookup, walk, faults, A/D bits, fill. */
  private translateMiss(access: number): number {
    const va = this.pendingVa[0]!;
    if (this.physicalMode) {
      if (va < 0 || va >= this.ram.length) return this.fail(FAULT_BOUNDS);
      this.lastFault = NO_FAULT;
      return va;
    }
    const pageSize = this.pageSize;
    const vpn = Math.floor(va * this.pageScale);
    const tlb = this.tlb;
    let slot = -1;
    if (tlb !== null) {
      slot = tlb.lookup(vpn, this.asid);
      if (slot >= 0) {
        const flags = tlb.flags[slot]!;
        const user = this.userMode;
        if (tlb.generation !== this.frontGeneration || user !== this.frontUserMode) {
          this.frontVpn.fill(-1);
          this.frontGeneration = tlb.generation;
          this.frontUserMode = user;
        }
        // A write through a clean entry walks again to set the dirty bit, so it is not "allowed" here.
        const allowed =
          (accessFault(flags, ACCESS_READ, user) === NO_FAULT ? 1 << ACCESS_READ : 0) |
          (accessFault(flags, ACCESS_WRITE, user) === NO_FAULT && ((flags & PTE_DIRTY) !== 0 || !this.hasDirtyBit) ? 1 << ACCESS_WRITE : 0) |
          (accessFault(flags, ACCESS_EXEC, user) === NO_FAULT ? 1 << ACCESS_EXEC : 0);
        const way = vpn & (FRONT_WAYS - 1);
        const base = tlb.pfn[slot]! * pageSize;
        this.frontVpn[way] = vpn;
        this.frontSlot[way] = slot;
        this.frontBase[way] = base;
        this.frontAllowed[way] = allowed;
        if ((allowed & (1 << access)) !== 0) {
          this.lastFault = NO_FAULT;
          return base + (va - vpn * pageSize);
        }
      }
      // A fault, or the first write through a clean entry: the hardware walks the tables again
      // (a page fault also drops the page's TLB entries, Intel SDM Vol. 3A §4.10.4.1).
    }
    if (this.root < 0) return this.fail(FAULT_BOUNDS);
    this.walks++;
    const result = this.result;
    this.walker(this.ram, this.root, va, result);
    const fault = walkFault(result, access, this.userMode);
    if (fault !== NO_FAULT) {
      if (slot >= 0) tlb!.invalidate(slot);
      return this.fail(fault);
    }
    const write = access === ACCESS_WRITE;
    if (result.clean || (write && this.hasDirtyBit && (result.flags & PTE_DIRTY) === 0)) {
      forEachAccessedDirtyUpdate(this.format, result, write, this.writeEntry);
    }
    if (tlb !== null) {
      const flags = flagsAfterAccess(this.format, result.flags, write);
      if (slot >= 0) tlb.fillAt(slot, vpn, this.asid, result.pfn, flags);
      else tlb.fill(vpn, this.asid, result.pfn, flags);
    }
    this.lastFault = NO_FAULT;
    return result.pfn * pageSize + (va - vpn * pageSize);
  }

  private readonly writeEntry = (_level: number, address: number, lo: number, hi: number): void => {
    writePte(this.ram, this.format, address, lo, hi);
  };

  private fail(code: number): number {
    this.lastFault = code;
    this.faults++;
    return -1;
  }

  /** Translates and returns a result object: the physical address, or the fault. */
  translateAccess(va: number, kind: AccessKind = 'read'): Translation {
    const physical = this.translate(va, accessCode(kind));
    if (physical >= 0) return { physical };
    return { fault: makeFault(faultKindOf(this.lastFault)!, va, accessKindOf(accessCode(kind)), this.userMode) };
  }

  /** Reads `size` bytes at virtual `va` through the MMU. */
  read(va: number, size: AccessSize = 1): ReadResult {
    const t = this.translateAccess(va, 'read');
    return 'fault' in t ? t : { value: readPhysical(this.ram, t.physical, size) };
  }

  /** Writes `size` bytes at virtual `va` through the MMU. */
  write(va: number, value: number, size: AccessSize = 1): WriteResult {
    const t = this.translateAccess(va, 'write');
    if ('fault' in t) return t;
    writePhysical(this.ram, t.physical, size, value);
    return {};
  }

  /** Walks, faults and TLB counters. */
  get stats(): MmuStats {
    return { walks: this.walks, faults: this.faults, tlbHits: this.tlb?.hits ?? 0, tlbMisses: this.tlb?.misses ?? 0 };
  }
}

/** Creates an MMU (RAM, format, TLB) ready for address spaces. */
export function createMmu(options: MmuOptions = {}): Mmu {
  return new Mmu(options);
}
