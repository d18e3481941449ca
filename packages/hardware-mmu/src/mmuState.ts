/**
 * The mmu subsystem's slice of the root state, and how each of its events changes it (the
 * `evolve` half of the decider). RAM is a ChunkedArray written through `writableChunks`; the TLB
 * is copied before it changes, so committed states never change.
 */
import { writableChunks, type MachineConfig } from '@vmlab/kernel';
import { compileFormat, type CompiledFormat, type PageTableFormat } from './pageTableFormat.js';
import { mmuSettings } from './profiles.js';
import type {
  MemoryWrittenEvent,
  PteSetEvent,
  TableAllocatedEvent,
  TlbFilledEvent,
  TlbFlushedEvent,
} from './protocol.js';
import { MMU_EVENTS } from './protocol.js';
import { writePte } from './pte.js';
import { createPhysicalMemory, writePhysical, zeroPhysical, type AccessSize, type PhysicalMemory } from './ram.js';
import { Tlb } from './tlb.js';

/** A frame holding a page table. */
export interface TableFrame {
  /** The frame number. */
  readonly pfn: number;
  /** True when the MMU's own allocator gave it (not phys-allocator). */
  readonly own: boolean;
}

/** One address space as the MMU knows it: its root table and the frames of its tables. */
export interface AddressSpaceRecord {
  /** Physical address of the top-level table (the CR3 value). */
  readonly root: number;
  /** Frames holding its tables, with whether the MMU's own allocator gave them. */
  readonly tables: readonly TableFrame[];
}

/**
 * The compiled page-table format, held in the slice inside a class instance so that immer hands
 * `evolve` the object itself (plain objects in a draft are proxies, which would defeat the
 * per-format memo of `compileFormat` and the compiled walker).
 */
export class CompiledFormatRef {
  /** The compiled format. */
  readonly compiled: CompiledFormat;

  /** Wraps a compiled format. */
  constructor(compiled: CompiledFormat) {
    this.compiled = compiled;
  }
}

/** The mmu slice. */
export interface MmuState {
  /** The machine profile. */
  readonly profile: string;
  /** The page-table format (plain data). */
  readonly format: PageTableFormat;
  /** The kernel's direct-map base, or null. */
  readonly pageOffset: number | null;
  /** The same format, compiled. */
  readonly compiledFormat: CompiledFormatRef;
  /** Physical memory. */
  readonly ram: PhysicalMemory;
  /** Address spaces by id. */
  readonly spaces: Readonly<Record<string, AddressSpaceRecord>>;
  /** The current address space (CR3), or null before the first switch. */
  readonly current: number | null;
  /** The TLB (replaced by a changed copy, never changed in place once committed). */
  readonly tlb: Tlb;
  /** The MMU's own table-frame allocator (used without phys-allocator): the next frame from the top of RAM. */
  readonly nextOwnFrame: number;
  /** Frames the own allocator got back. */
  readonly ownFreeFrames: readonly number[];
  /** Faults raised so far. */
  readonly faults: number;
}

/** The initial slice for a machine configuration. */
export function initialMmuState(config: MachineConfig): MmuState {
  const settings = mmuSettings(config);
  const pageSize = compileFormat(settings.format).pageSize;
  return {
    profile: settings.profile,
    format: settings.format,
    pageOffset: settings.pageOffset,
    compiledFormat: new CompiledFormatRef(compileFormat(settings.format)),
    ram: createPhysicalMemory(settings.ramBytes),
    spaces: {},
    current: null,
    tlb: new Tlb(settings.tlb),
    nextOwnFrame: Math.floor(settings.ramBytes / pageSize) - 1,
    ownFreeFrames: [],
    faults: 0,
  };
}

/** A writable view of a slice (what `evolve` receives as its draft). */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Applies one mmu event to a draft of the slice (an immer recipe). */
export function evolveMmu(draft: Mutable<MmuState>, type: string, payload: unknown): void {
  const f = draft.compiledFormat.compiled;
  switch (type) {
    case MMU_EVENTS.tableAllocated: {
      const p = payload as TableAllocatedEvent;
      zeroPhysical(writableChunks(draft, 'ram'), p.pfn * f.pageSize, f.pageSize);
      if (p.own) {
        if (p.pfn === draft.nextOwnFrame) draft.nextOwnFrame--;
        else draft.ownFreeFrames = draft.ownFreeFrames.filter((pfn) => pfn !== p.pfn);
      }
      const space = draft.spaces[p.asid];
      if (space) (space.tables as { pfn: number; own: boolean }[]).push({ pfn: p.pfn, own: p.own });
      return;
    }
    case MMU_EVENTS.tablesFreed: {
      const p = payload as { asid: number; own: readonly number[] };
      draft.ownFreeFrames = [...draft.ownFreeFrames, ...p.own];
      return;
    }
    case MMU_EVENTS.addressSpaceCreated: {
      const p = payload as { asid: number; root: number };
      (draft.spaces as Record<string, AddressSpaceRecord>)[p.asid] = { root: p.root, tables: [] };
      return;
    }
    case MMU_EVENTS.addressSpaceDestroyed: {
      const p = payload as { asid: number };
      delete (draft.spaces as Record<string, AddressSpaceRecord>)[p.asid];
      if (draft.current === p.asid) draft.current = null;
      return;
    }
    case MMU_EVENTS.pteSet: {
      const p = payload as PteSetEvent;
      writePte(writableChunks(draft, 'ram'), f, p.address, p.lo, p.hi);
      return;
    }
    case MMU_EVENTS.addressSpaceSwitched: {
      const tlb = draft.tlb.editableCopy();
      tlb.switchAddressSpace();
      draft.tlb = tlb;
      draft.current = (payload as { asid: number }).asid;
      return;
    }
    case MMU_EVENTS.tlbHit: {
      const tlb = draft.tlb.editableCopy();
      tlb.touch((payload as { slot: number }).slot);
      draft.tlb = tlb;
      return;
    }
    case MMU_EVENTS.tlbMissed: {
      const tlb = draft.tlb.editableCopy();
      tlb.misses++;
      draft.tlb = tlb;
      return;
    }
    case MMU_EVENTS.tlbFilled: {
      const p = payload as TlbFilledEvent;
      const tlb = draft.tlb.editableCopy();
      tlb.fillAt(p.slot, p.vpn, p.asid, p.pfn, p.flags);
      draft.tlb = tlb;
      return;
    }
    case MMU_EVENTS.tlbFlushed: {
      const p = payload as TlbFlushedEvent;
      draft.tlb = applyFlush(draft.tlb.editableCopy(), p);
      return;
    }
    case MMU_EVENTS.faultRaised:
      draft.faults++;
      return;
    case MMU_EVENTS.memoryWritten: {
      const p = payload as MemoryWrittenEvent;
      writePhysical(writableChunks(draft, 'ram'), p.address, p.size as AccessSize, p.value);
      return;
    }
  }
}

/** Applies a flush to a TLB (in place) and returns it. */
export function applyFlush(tlb: Tlb, flush: TlbFlushedEvent): Tlb {
  if (flush.scope === 'all') tlb.flushAll(false);
  else if (flush.scope === 'non-global') tlb.flushAll(true);
  else tlb.flushPage(flush.vpn!, flush.asid ?? 0);
  return tlb;
}
