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
import { FLAG_INDEX_ACCESSED, FLAG_INDEX_DIRTY, type CompiledFormat } from './pageTableFormat.js';
import { pteFlags, pteFrame, readPteHi, readPteLo } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_NX, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { RAM_CHUNK_BYTES, RAM_CHUNK_SHIFT, type PhysicalMemory } from './ram.js';

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

/**
 * Walks the tables rooted at physical address `root` for virtual address `va`, reading the format's
 * description as it goes (the reference walker; `walk` runs the same steps compiled for the
 * format). Fills `out` and returns `out.present`.
 */
export function walkInterpreted(ram: PhysicalMemory, f: CompiledFormat, root: number, va: number, out: WalkResult): boolean {
  const levelShift = f.levelShift;
  const levelMask = f.levelMask;
  const pteBytes = f.pteBytes;
  const last = f.levels - 1;
  // The address as two 32-bit halves, so each level's index is integer shifts (no float division).
  const vaLo = va >>> 0;
  const vaHi = (va * TWO_MINUS_32) | 0;
  // Every entry's bits ANDed (a right held on the whole path, an accessed bit set everywhere) and
  // ORed (no-execute anywhere on the path).
  let andLo = -1;
  let andHi = -1;
  let orLo = 0;
  let orHi = 0;
  let table = root;
  for (let level = 0; level <= last; level++) {
    const shift = levelShift[level]!;
    const index = (shift >= 32 ? vaHi >>> (shift - 32) : (vaLo >>> shift) | (vaHi << (32 - shift))) & levelMask[level]!;
    const address = table + index * pteBytes;
    let lo: number;
    let hi = 0;
    if (pteBytes >= 4) {
      // Entries of 4 and 8 bytes are aligned, so they never straddle a RAM chunk.
      const chunk = ram.chunk(address >>> RAM_CHUNK_SHIFT);
      const i = address & (RAM_CHUNK_BYTES - 1);
      lo = (chunk[i]! | (chunk[i + 1]! << 8) | (chunk[i + 2]! << 16) | (chunk[i + 3]! << 24)) >>> 0;
      if (pteBytes === 8) hi = (chunk[i + 4]! | (chunk[i + 5]! << 8) | (chunk[i + 6]! << 16) | (chunk[i + 7]! << 24)) >>> 0;
    } else {
      lo = readPteLo(ram, f, address);
      hi = readPteHi(ram, f, address);
    }
    out.entryAddress[level] = address;
    out.entryLo[level] = lo;
    out.entryHi[level] = hi;
    if (((lo & f.presentLo) | (hi & f.presentHi)) === 0) {
      out.depth = level + 1;
      out.level = level;
      out.present = false;
      return false;
    }
    andLo &= lo;
    andHi &= hi;
    orLo |= lo;
    orHi |= hi;
    const frame = pteFrame(f, lo, hi);
    const isLarge = f.hasLargePages && level < last && f.largeAllowed[level] === 1 && ((lo & f.largeLo) | (hi & f.largeHi)) !== 0;
    if (level === last || isLarge) {
      let flags = pteFlags(f, lo, hi);
      if ((f.writeLo | f.writeHi) !== 0 && ((andLo & f.writeLo) | (andHi & f.writeHi)) === 0) flags &= ~PTE_WRITE;
      if ((f.userLo | f.userHi) !== 0 && ((andLo & f.userLo) | (andHi & f.userHi)) === 0) flags &= ~PTE_USER;
      if (((orLo & f.nxLo) | (orHi & f.nxHi)) !== 0) flags |= PTE_NX;
      out.flags = flags;
      out.pfn = isLarge ? frame + (Math.floor(va * f.pageScale) % (f.levelDivisor[level]! * f.pageScale)) : frame;
      out.depth = level + 1;
      out.level = level;
      out.present = true;
      out.clean = (f.accessedLo | f.accessedHi) !== 0 && ((andLo & f.accessedLo) | (andHi & f.accessedHi)) === 0;
      return true;
    }
    table = frame * f.pageSize;
  }
  return false;
}

/** A walker compiled for one format. */
export type Walker = (ram: PhysicalMemory, root: number, va: number, out: WalkResult) => boolean;

const walkers = new WeakMap<CompiledFormat, Walker>();

/** Walks the tables rooted at physical address `root` for `va` with the walker compiled for format `f`; fills `out` and returns `out.present`. */
export function walk(ram: PhysicalMemory, f: CompiledFormat, root: number, va: number, out: WalkResult): boolean {
  return walkerFor(f)(ram, root, va, out);
}

/**
 * The walker for format `f`: `walkInterpreted`'s steps with the levels unrolled and every shift,
 * mask and bit position written in as a constant (generated once per format and memoised), about
 * four times faster than reading the format on every access. Only integers checked by
 * `compileFormat` go into the generated source.
 */
export function walkerFor(f: CompiledFormat): Walker {
  const known = walkers.get(f);
  if (known) return known;
  const n = (value: number): string => {
    if (!Number.isFinite(value)) throw new RangeError(`not a number: ${value}`);
    return `(${value})`;
  };
  const last = f.levels - 1;
  const lines: string[] = [
    'const vaLo = va >>> 0;',
    `const vaHi = (va * ${n(2 ** -32)}) | 0;`,
    'let andLo = -1, andHi = -1, orLo = 0, orHi = 0, table = root, address = 0, lo = 0, hi = 0, chunk, i = 0, frame = 0, flags = 0;',
  ];
  const leaf = (level: number, large: boolean): string => {
    const parts = ['flags = pteFlags(f, lo, hi);'];
    if (f.writeLo | f.writeHi) parts.push(`if (((andLo & ${n(f.writeLo)}) | (andHi & ${n(f.writeHi)})) === 0) flags &= ${n(~PTE_WRITE)};`);
    if (f.userLo | f.userHi) parts.push(`if (((andLo & ${n(f.userLo)}) | (andHi & ${n(f.userHi)})) === 0) flags &= ${n(~PTE_USER)};`);
    if (f.nxLo | f.nxHi) parts.push(`if (((orLo & ${n(f.nxLo)}) | (orHi & ${n(f.nxHi)})) !== 0) flags |= ${n(PTE_NX)};`);
    parts.push(large ? `out.pfn = frame + (Math.floor(va * ${n(f.pageScale)}) % ${n(f.levelDivisor[level]! / f.pageSize)});` : 'out.pfn = frame;');
    parts.push(`out.flags = flags; out.depth = ${n(level + 1)}; out.level = ${n(level)}; out.present = true;`);
    parts.push(f.accessedLo | f.accessedHi ? `out.clean = ((andLo & ${n(f.accessedLo)}) | (andHi & ${n(f.accessedHi)})) === 0;` : 'out.clean = false;');
    parts.push('return true;');
    return parts.join(' ');
  };
  for (let level = 0; level <= last; level++) {
    const shift = f.levelShift[level]!;
    const index = shift >= 32 ? `(vaHi >>> ${n(shift - 32)})` : `((vaLo >>> ${n(shift)}) | (vaHi << ${n(32 - shift)}))`;
    lines.push(`address = table + (${index} & ${n(f.levelMask[level]!)}) * ${n(f.pteBytes)};`);
    if (f.pteBytes >= 4) {
      lines.push(`chunk = ram.chunk(address >>> ${n(RAM_CHUNK_SHIFT)}); i = address & ${n(RAM_CHUNK_BYTES - 1)};`);
      lines.push('lo = (chunk[i] | (chunk[i + 1] << 8) | (chunk[i + 2] << 16) | (chunk[i + 3] << 24)) >>> 0;');
      lines.push(f.pteBytes === 8 ? 'hi = (chunk[i + 4] | (chunk[i + 5] << 8) | (chunk[i + 6] << 16) | (chunk[i + 7] << 24)) >>> 0;' : 'hi = 0;');
    } else {
      lines.push('lo = readPteLo(ram, f, address); hi = 0;');
    }
    lines.push(`out.entryAddress[${n(level)}] = address; out.entryLo[${n(level)}] = lo; out.entryHi[${n(level)}] = hi;`);
    lines.push(`if (((lo & ${n(f.presentLo)}) | (hi & ${n(f.presentHi)})) === 0) { out.depth = ${n(level + 1)}; out.level = ${n(level)}; out.present = false; return false; }`);
    lines.push('andLo &= lo; andHi &= hi; orLo |= lo; orHi |= hi;');
    lines.push(`frame = (((lo >>> ${n(f.frameLoShift)}) & ${n(f.frameLoMask)}) >>> 0) + (((hi >>> ${n(f.frameHiShift)}) & ${n(f.frameHiMask)}) >>> 0) * ${n(f.frameHiScale)};`);
    if (level === last) {
      lines.push(leaf(level, false));
    } else {
      if (f.largeAllowed[level] === 1) lines.push(`if (((lo & ${n(f.largeLo)}) | (hi & ${n(f.largeHi)})) !== 0) { ${leaf(level, true)} }`);
      lines.push(`table = frame * ${n(f.pageSize)};`);
    }
  }
  const factory = new Function('pteFlags', 'readPteLo', 'f', `return function walk(ram, root, va, out) {\n${lines.join('\n')}\n};`) as (
    flagsOf: typeof pteFlags,
    readLo: typeof readPteLo,
    format: CompiledFormat,
  ) => Walker;
  const walker = factory(pteFlags, readPteLo, f);
  walkers.set(f, walker);
  return walker;
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
