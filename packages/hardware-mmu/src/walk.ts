/**
 * The page-table walk, as the hardware does it: start at the root table's physical address
 * (CR3), read one entry per level from simulated RAM, stop at a non-present entry, a large page
 * or the leaf. Rights combine over the levels as on x86 (Intel SDM Vol. 3A §4.6): a page is
 * writable only if every entry on the path allows writes, user-accessible only if every entry
 * allows user access, and no-execute if any entry says so.
 *
 * The walk only reads; `forEachAccessedDirtyUpdate` says which entries then get their accessed
 * and dirty bits (Intel SDM §4.8), so the model can write them at once and the server can emit
 * them as events. The result object is reused, so the hot path allocates nothing.
 */
import { ACCESS_EXEC, ACCESS_WRITE, FAULT_NOT_PRESENT, FAULT_PRIVILEGE, FAULT_PROTECTION, NO_FAULT } from './fault.js';
import { FLAG_INDEX_ACCESSED, FLAG_INDEX_DIRTY, FLAG_INDEX_NX, FLAG_INDEX_USER, FLAG_INDEX_WRITE, type CompiledFormat } from './pageTableFormat.js';
import { pteFlags, pteFrame, readPteHi, readPteLo } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_NX, PTE_USER, PTE_WRITE } from './pteFlags.js';
import type { PhysicalMemory } from './ram.js';

const TWO_MINUS_32 = 2 ** -32;

/** What a walk found; reused from walk to walk. */
export class WalkResult {
  /** True when a present entry maps the address. */
  present = false;
  /** The frame holding the address (for a large page, the base frame plus the page's offset in it). */
  pfn = 0;
  /** Effective portable flags: the mapping entry's flags with rights combined over the path. */
  flags = 0;
  /** Number of entries read (the path length). */
  depth = 0;
  /** Level of the last entry read: the mapping entry when present, else the non-present one. */
  level = 0;
  /** True when some entry read lacks its accessed bit (so the hardware must write it). */
  clean = false;
  /** Physical address of each entry read, by level. */
  readonly entryAddress: Float64Array;
  /** Low word of each entry read. */
  readonly entryLo: Uint32Array;
  /** High word of each entry read. */
  readonly entryHi: Uint32Array;

  /** A result with room for `levels` entries. */
  constructor(levels: number) {
    this.entryAddress = new Float64Array(levels);
    this.entryLo = new Uint32Array(levels);
    this.entryHi = new Uint32Array(levels);
  }
}

/** Walks the tables rooted at physical address `root` for virtual address `va`; fills `out` and returns `out.present`. */
export function walk(ram: PhysicalMemory, f: CompiledFormat, root: number, va: number, out: WalkResult): boolean {
  let table = root;
  const levelShift = f.levelShift;
  // The address as two 32-bit halves, so each level's index is integer shifts (no float division).
  const vaLo = va >>> 0;
  const vaHi = (va * TWO_MINUS_32) | 0;
  const levelMask = f.levelMask;
  const presentLo = f.presentLo;
  const presentHi = f.presentHi;
  const accessedLo = f.flagLo[FLAG_INDEX_ACCESSED]!;
  const accessedHi = f.flagHi[FLAG_INDEX_ACCESSED]!;
  let clean = false;
  let writeAll = PTE_WRITE;
  let userAll = PTE_USER;
  let noExec = 0;
  const last = f.levels - 1;
  const pteBytes = f.pteBytes;
  for (let level = 0; level <= last; level++) {
    const shift = levelShift[level]!;
    const index = (shift >= 32 ? vaHi >>> (shift - 32) : (vaLo >>> shift) | (vaHi << (32 - shift))) & levelMask[level]!;
    const address = table + index * pteBytes;
    let lo: number;
    let hi = 0;
    if (pteBytes >= 4) {
      // Entries of 4 and 8 bytes are aligned, so they never straddle a 4 KiB RAM chunk.
      const chunk = ram.chunk(address >>> 12);
      const i = address & 4095;
      lo = (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24)) >>> 0;
      if (pteBytes === 8) hi = (chunk[i + 4]! | (chunk[i + 5]! << 8) | (chunk[i + 6]! << 16) | (chunk[i + 7]! << 24)) >>> 0;
    } else {
      lo = readPteLo(ram, f, address);
      hi = readPteHi(ram, f, address);
    }
    out.entryAddress[level] = address;
    out.entryLo[level] = lo;
    out.entryHi[level] = hi;
    out.depth = level + 1;
    out.level = level;
    if (((lo & presentLo) | (hi & presentHi)) === 0) {
      out.present = false;
      return false;
    }
    if ((accessedLo | accessedHi) !== 0 && ((lo & accessedLo) | (hi & accessedHi)) === 0) clean = true;
    const frame = pteFrame(f, lo, hi);
    const isLarge = level < last && f.largeAllowed[level] === 1 && ((lo & f.largeLo) | (hi & f.largeHi)) !== 0;
    if (level === last || isLarge) {
      let flags = pteFlags(f, lo, hi);
      if (writeAll === 0) flags &= ~PTE_WRITE;
      if (userAll === 0) flags &= ~PTE_USER;
      out.flags = flags | noExec;
      out.pfn = isLarge ? frame + (Math.floor(va * f.pageScale) % (f.levelDivisor[level]! * f.pageScale)) : frame;
      out.present = true;
      out.clean = clean;
      return true;
    }
    // A directory entry: combine its rights (a format without the bit grants the right).
    if (f.flagLo[FLAG_INDEX_WRITE]! | f.flagHi[FLAG_INDEX_WRITE]!) writeAll &= (lo & f.flagLo[FLAG_INDEX_WRITE]!) | (hi & f.flagHi[FLAG_INDEX_WRITE]!) ? PTE_WRITE : 0;
    if (f.flagLo[FLAG_INDEX_USER]! | f.flagHi[FLAG_INDEX_USER]!) userAll &= (lo & f.flagLo[FLAG_INDEX_USER]!) | (hi & f.flagHi[FLAG_INDEX_USER]!) ? PTE_USER : 0;
    if ((lo & f.flagLo[FLAG_INDEX_NX]!) | (hi & f.flagHi[FLAG_INDEX_NX]!)) noExec = PTE_NX;
    table = frame * f.pageSize;
  }
  return false;
}

/**
 * The fault code (fault.ts) for an access of kind `access` (ACCESS_READ/WRITE/EXEC) by user or
 * kernel mode to a page with effective `flags`; NO_FAULT when allowed. Kernel writes to read-only
 * pages fault too: Linux runs with CR0.WP set (arch/x86/kernel/cpu/common.c, cr4/cr0 setup).
 */
export function accessFault(flags: number, access: number, user: boolean): number {
  if (user && (flags & PTE_USER) === 0) return FAULT_PRIVILEGE;
  if (access === ACCESS_WRITE && (flags & PTE_WRITE) === 0) return FAULT_PROTECTION;
  if (access === ACCESS_EXEC && (flags & PTE_NX) !== 0) return FAULT_PROTECTION;
  return NO_FAULT;
}

/** The fault code of a walk for an access (not-present, or the rights check of `accessFault`). */
export function walkFault(result: WalkResult, access: number, user: boolean): number {
  return result.present ? accessFault(result.flags, access, user) : FAULT_NOT_PRESENT;
}

/**
 * Calls `visit(level, address, lo, hi)` for each entry of a successful walk whose accessed bit
 * (or, for the mapping entry on a write, dirty bit) the hardware sets, with the entry's new words.
 * Nothing is visited when the format has no such bits or they are already set.
 */
export function forEachAccessedDirtyUpdate(
  f: CompiledFormat,
  result: WalkResult,
  write: boolean,
  visit: (level: number, address: number, lo: number, hi: number) => void,
): void {
  const accessedLo = f.flagLo[FLAG_INDEX_ACCESSED]!;
  const accessedHi = f.flagHi[FLAG_INDEX_ACCESSED]!;
  const dirtyLo = f.flagLo[FLAG_INDEX_DIRTY]!;
  const dirtyHi = f.flagHi[FLAG_INDEX_DIRTY]!;
  const leaf = result.depth - 1;
  for (let level = 0; level < result.depth; level++) {
    const lo = result.entryLo[level]!;
    const hi = result.entryHi[level]!;
    let newLo = lo | accessedLo;
    let newHi = hi | accessedHi;
    if (write && level === leaf) {
      newLo |= dirtyLo;
      newHi |= dirtyHi;
    }
    newLo >>>= 0;
    newHi >>>= 0;
    if (newLo !== lo || newHi !== hi) visit(level, result.entryAddress[level]!, newLo, newHi);
  }
}

/** Flags a walk's TLB entry should carry after the access: the effective flags plus A, and D on a write. */
export function flagsAfterAccess(f: CompiledFormat, flags: number, write: boolean): number {
  let result = flags;
  if (f.flagLo[FLAG_INDEX_ACCESSED]! | f.flagHi[FLAG_INDEX_ACCESSED]!) result |= PTE_ACCESSED;
  if (write && (f.flagLo[FLAG_INDEX_DIRTY]! | f.flagHi[FLAG_INDEX_DIRTY]!)) result |= PTE_DIRTY;
  return result;
}
