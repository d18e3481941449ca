/**
 * Relocation and segmentation, the address translation that came before paging.
 *
 * - Base and bounds (dynamic relocation, OSTEP ch. 15): physical = base + virtual, valid only
 *   when virtual < bounds, else a fault.
 * - Segment registers (x86 CS, DS, SS; Intel SDM Vol. 3A §3.4.5): each with base, limit and
 *   rights. An expand-up segment accepts offsets 0..limit; an expand-down segment (a stack that
 *   grows towards lower addresses) accepts offsets limit+1..upper bound, so lowering the limit
 *   grows it (§3.4.5.1, "expand-down").
 * - Explicit segmentation by the top address bits (OSTEP ch. 16): the top bits of a virtual
 *   address choose the segment; a segment that grows down is addressed by a negative offset from
 *   its base.
 */
import type { AccessKind, FaultKind } from './fault.js';

/** The result of a segment translation: the address, or why it failed. */
export type SegmentTranslation = SegmentAddress | SegmentFault;

/** A segment translation that succeeded. */
export interface SegmentAddress {
  /** The translated (linear or physical) address. */
  readonly address: number;
}

/** A segment translation that failed. */
export interface SegmentFault {
  /** Why. */
  readonly fault: FaultKind;
}

/** A relocation register pair. */
export interface RelocationRegisters {
  /** Added to every address. */
  readonly base: number;
  /** Size of the address space: addresses from `bounds` up fault. */
  readonly bounds: number;
}

/** Base-and-bounds translation: `base + va` when `va < bounds`, else a bounds fault. */
export function relocate(registers: RelocationRegisters, va: number): SegmentTranslation {
  if (va < 0 || va >= registers.bounds) return { fault: 'bounds' };
  return { address: registers.base + va };
}

/** Rights of a segment. */
export interface SegmentRights {
  /** Data may be read (code segments may be execute-only). */
  readonly read: boolean;
  /** Data may be written. */
  readonly write: boolean;
  /** Instructions may be fetched. */
  readonly exec: boolean;
}

/** An x86-style segment register's hidden part (the descriptor cache). */
export interface SegmentRegister {
  /** Its name: `cs`, `ds`, `ss`. */
  readonly name: string;
  /** Linear address of offset 0. */
  readonly base: number;
  /** The limit: the last valid offset (expand-up), or the last invalid one (expand-down). */
  readonly limit: number;
  /** True for an expand-down (stack) segment. */
  readonly expandDown: boolean;
  /** The largest offset of an expand-down segment (0xFFFFFFFF with B=1, 0xFFFF with B=0). */
  readonly upperBound?: number;
  /** Its rights. */
  readonly rights: SegmentRights;
  /** Descriptor privilege level: 0 kernel, 3 user. */
  readonly dpl: 0 | 3;
}

/**
 * Translates `offset` (an access of `size` bytes of `kind`, at privilege level `cpl`) through a
 * segment register: a `bounds` fault outside the limit (#GP, or #SS for the stack), a
 * `protection` fault for a forbidden access, a `privilege` fault for user access to a DPL-0 segment.
 */
export function segmentTranslate(segment: SegmentRegister, offset: number, kind: AccessKind, size = 1, cpl: 0 | 3 = 3): SegmentTranslation {
  const last = offset + size - 1;
  if (segment.expandDown) {
    const upper = segment.upperBound ?? 0xffff_ffff;
    if (offset <= segment.limit || last > upper) return { fault: 'bounds' };
  } else if (offset < 0 || last > segment.limit) {
    return { fault: 'bounds' };
  }
  if (cpl > segment.dpl) return { fault: 'privilege' };
  if ((kind === 'read' && !segment.rights.read) || (kind === 'write' && !segment.rights.write) || (kind === 'exec' && !segment.rights.exec)) {
    return { fault: 'protection' };
  }
  return { address: segment.base + offset };
}

/** A segment of explicit segmentation (OSTEP ch. 16, Figure 16.4). */
export interface Segment {
  /** Its name: `code`, `heap`, `stack`. */
  readonly name: string;
  /** Physical address of its start (for a downward-growing segment: one past its top). */
  readonly base: number;
  /** Its current size in bytes. */
  readonly size: number;
  /** True when it grows towards lower addresses (the stack). */
  readonly growsDown: boolean;
  /** Its rights. */
  readonly rights: SegmentRights;
}

/** A segment table addressed by the top bits of a virtual address. */
export interface SegmentTable {
  /** Bits of the offset within a segment (the rest of the address picks the segment). */
  readonly offsetBits: number;
  /** Segments by number (the top bits); null for an unused number. */
  readonly segments: readonly (Segment | null)[];
}

/**
 * Explicit segmentation: the top bits of `va` pick a segment; an upward segment checks
 * offset < size; a downward one uses offset − 2^offsetBits (a negative offset) and checks that
 * its magnitude is ≤ size, as OSTEP ch. 16 computes the stack's addresses.
 */
export function translateSegmented(table: SegmentTable, va: number, kind: AccessKind): SegmentTranslation {
  const maxSize = 2 ** table.offsetBits;
  const number = Math.floor(va / maxSize);
  const offset = va % maxSize;
  const segment = table.segments[number];
  if (!segment) return { fault: 'bounds' };
  if ((kind === 'read' && !segment.rights.read) || (kind === 'write' && !segment.rights.write) || (kind === 'exec' && !segment.rights.exec)) {
    return { fault: 'protection' };
  }
  if (segment.growsDown) {
    const negative = offset - maxSize;
    if (-negative > segment.size) return { fault: 'bounds' };
    return { address: segment.base + negative };
  }
  if (offset >= segment.size) return { fault: 'bounds' };
  return { address: segment.base + offset };
}
