/**
 * Page-table formats as data: how many levels, how many index bits each, the page size, the PTE
 * size, and where each PTE bit sits. A format is plain JSON, so a scenario's machine can define
 * its own (`pageTableFormat: {...}`); `compileFormat` checks it and precomputes what the walk uses.
 */
import { PTE_ACCESSED, PTE_DIRTY, PTE_GLOBAL, PTE_LARGE, PTE_NX, PTE_PCD, PTE_PRESENT, PTE_PWT, PTE_USER, PTE_WRITE } from './pteFlags.js';

/** Where each PTE bit sits (bit numbers 0–63); a missing right is always granted. */
export interface PteBitPositions {
  /** Present / valid (required). */
  readonly present: number;
  /** Writable; absent means every page is writable. */
  readonly write?: number;
  /** User-accessible; absent means user mode may access every page. */
  readonly user?: number;
  /** Write-through. */
  readonly writeThrough?: number;
  /** Cache disable. */
  readonly cacheDisable?: number;
  /** Accessed, set by the walk. */
  readonly accessed?: number;
  /** Dirty, set by the walk on a write. */
  readonly dirty?: number;
  /** Page size: in a directory entry, maps a large page. */
  readonly largePage?: number;
  /** Global: the TLB keeps the entry over an address-space switch. */
  readonly global?: number;
  /** No-execute. */
  readonly noExecute?: number;
}

/** A page-table format, as plain data. */
export interface PageTableFormat {
  /** Its name, e.g. `i386`. */
  readonly name: string;
  /** log2 of the page size (12 for 4 KiB). */
  readonly pageShift: number;
  /** Index bits per level, top level first. */
  readonly levelBits: readonly number[];
  /** Bytes per PTE: 1, 2, 4 or 8. */
  readonly pteBytes: 1 | 2 | 4 | 8;
  /** Lowest bit of the frame number inside a PTE. */
  readonly frameShift: number;
  /** Width of the frame-number field. */
  readonly frameBits: number;
  /** Where the flag bits sit. */
  readonly bits: PteBitPositions;
  /** Levels (0 = top) whose entries may map a large page with the page-size bit. */
  readonly largePageLevels?: readonly number[];
}

/**
 * i386 without PAE: 2 levels of 10 bits, 4 KiB pages, 4-byte entries (Intel SDM Vol. 3A §4.3,
 * Tables 4-5 and 4-6): P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6, PS 7 (4 MiB pages in the PDE), G 8.
 */
export const I386_FORMAT: PageTableFormat = {
  name: 'i386',
  pageShift: 12,
  levelBits: [10, 10],
  pteBytes: 4,
  frameShift: 12,
  frameBits: 20,
  bits: { present: 0, write: 1, user: 2, writeThrough: 3, cacheDisable: 4, accessed: 5, dirty: 6, largePage: 7, global: 8 },
  largePageLevels: [0],
};

/**
 * x86-64 4-level paging: PML4, PDPT, PD, PT of 9 bits each, 4 KiB pages, 8-byte entries, frame in
 * bits 12–51, XD/NX in bit 63 (Intel SDM Vol. 3A §4.5, Tables 4-15 to 4-20); 1 GiB and 2 MiB pages
 * with PS in the PDPTE and PDE.
 */
export const X86_64_FORMAT: PageTableFormat = {
  name: 'x86-64',
  pageShift: 12,
  levelBits: [9, 9, 9, 9],
  pteBytes: 8,
  frameShift: 12,
  frameBits: 40,
  bits: { present: 0, write: 1, user: 2, writeThrough: 3, cacheDisable: 4, accessed: 5, dirty: 6, largePage: 7, global: 8, noExecute: 63 },
  largePageLevels: [1, 2],
};

/**
 * Alpha (21064/21164) with 8 KiB pages: 3 levels of 10 bits (1024 8-byte entries fill one page),
 * 43-bit virtual addresses, PFN in bits 32–63. Bits as Linux arch/alpha/include/asm/pgtable.h
 * names them: V 0 (_PAGE_VALID), FOE 3 (fault on execute, our no-execute), ASM 4 (address space
 * match, our global), URE 9 (user read enable, our user), UWE 13 (user write enable, our write).
 * Alpha hardware keeps no accessed/dirty bits; Linux keeps them in software bits
 * _PAGE_DIRTY 0x20000 (17) and _PAGE_ACCESSED 0x40000 (18), and this model's walk sets them.
 */
export const ALPHA_FORMAT: PageTableFormat = {
  name: 'alpha',
  pageShift: 13,
  levelBits: [10, 10, 10],
  pteBytes: 8,
  frameShift: 32,
  frameBits: 32,
  bits: { present: 0, noExecute: 3, global: 4, user: 9, write: 13, dirty: 17, accessed: 18 },
};

/**
 * The textbook teaching format of OSTEP chapter 20's homework (paging-multilevel-translate.py):
 * 32-byte pages, 15-bit virtual addresses (5 bits directory index, 5 bits table index, 5 bits
 * offset), 4 KiB of physical memory (128 frames), one-byte entries holding a valid bit (bit 7)
 * and a 7-bit frame number. It has no protection bits: every present page may be read, written
 * and executed.
 */
export const TINY_FORMAT: PageTableFormat = {
  name: 'tiny',
  pageShift: 5,
  levelBits: [5, 5],
  pteBytes: 1,
  frameShift: 0,
  frameBits: 7,
  bits: { present: 7 },
};

/** The built-in formats by name. */
export const BUILT_IN_FORMATS: Readonly<Record<string, PageTableFormat>> = {
  i386: I386_FORMAT,
  'x86-64': X86_64_FORMAT,
  alpha: ALPHA_FORMAT,
  tiny: TINY_FORMAT,
};

/** The semantic flags a format can place, in the order of `CompiledFormat.flagLo/flagHi`. */
const FLAG_FIELDS: readonly (readonly [keyof PteBitPositions, number])[] = [
  ['present', PTE_PRESENT],
  ['write', PTE_WRITE],
  ['user', PTE_USER],
  ['writeThrough', PTE_PWT],
  ['cacheDisable', PTE_PCD],
  ['accessed', PTE_ACCESSED],
  ['dirty', PTE_DIRTY],
  ['largePage', PTE_LARGE],
  ['global', PTE_GLOBAL],
  ['noExecute', PTE_NX],
];

/** Index of the write flag in `CompiledFormat.flagLo/flagHi`. */
export const FLAG_INDEX_WRITE = 1;
/** Index of the user flag. */
export const FLAG_INDEX_USER = 2;
/** Index of the accessed flag. */
export const FLAG_INDEX_ACCESSED = 5;
/** Index of the dirty flag. */
export const FLAG_INDEX_DIRTY = 6;
/** Index of the no-execute flag. */
export const FLAG_INDEX_NX = 9;

/** A checked format with everything the walk needs precomputed (masks split into 32-bit words). */
export interface CompiledFormat {
  /** The format it was compiled from. */
  readonly format: PageTableFormat;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Number of levels. */
  readonly levels: number;
  /** Virtual address width in bits. */
  readonly vaBits: number;
  /** Bytes per PTE. */
  readonly pteBytes: number;
  /** Per level: the lowest virtual-address bit of its index. */
  readonly levelShift: Int32Array;
  /** Per level: 2^levelShift, to divide a virtual address by. */
  readonly levelDivisor: Float64Array;
  /** Per level: 2^-levelShift (multiplying by it is exact and cheaper than dividing). */
  readonly levelScale: Float64Array;
  /** 1 / pageSize. */
  readonly pageScale: number;
  /** Per level: index mask (entries - 1). */
  readonly levelMask: Int32Array;
  /** Per level: 1 when its entries may map a large page. */
  readonly largeAllowed: Uint8Array;
  /** Per portable flag (in FLAG_FIELDS order): its portable bit. */
  readonly flagBit: Int32Array;
  /** Per portable flag: its mask in the PTE's low word. */
  readonly flagLo: Int32Array;
  /** Per portable flag: its mask in the PTE's high word. */
  readonly flagHi: Int32Array;
  /** Portable flags whose PTE bit is the same bit of the low word (x86's bits 0–8): copied with one mask. */
  readonly sameBitMask: number;
  /** The other flags (portable bit, low mask, high mask), as indices into flagBit/flagLo/flagHi. */
  readonly otherFlags: Int32Array;
  /** Portable rights the format lacks, hence always granted (PTE_WRITE, PTE_USER). */
  readonly impliedRights: number;
  /** Low/high word masks of the present bit. */
  readonly presentLo: number;
  /** High-word mask of the present bit. */
  readonly presentHi: number;
  /** Low-word mask of the write bit (0 when the format has none); likewise the fields below. */
  readonly writeLo: number;
  /** High-word mask of the write bit. */
  readonly writeHi: number;
  /** Low-word mask of the user bit. */
  readonly userLo: number;
  /** High-word mask of the user bit. */
  readonly userHi: number;
  /** Low-word mask of the no-execute bit. */
  readonly nxLo: number;
  /** High-word mask of the no-execute bit. */
  readonly nxHi: number;
  /** Low-word mask of the accessed bit. */
  readonly accessedLo: number;
  /** High-word mask of the accessed bit. */
  readonly accessedHi: number;
  /** True when some level may hold a large page. */
  readonly hasLargePages: boolean;
  /** Low/high word masks of the page-size bit (0 when the format has none). */
  readonly largeLo: number;
  /** High-word mask of the page-size bit. */
  readonly largeHi: number;
  /** Frame extraction: pfn = ((lo >>> frameLoShift) & frameLoMask) + ((hi >>> frameHiShift) & frameHiMask) * frameHiScale. */
  readonly frameLoShift: number;
  /** See frameLoShift. */
  readonly frameLoMask: number;
  /** See frameLoShift. */
  readonly frameHiShift: number;
  /** See frameLoShift. */
  readonly frameHiMask: number;
  /** See frameLoShift. */
  readonly frameHiScale: number;
  /** Frame field: lowest bit. */
  readonly frameShift: number;
  /** Frame field: width. */
  readonly frameBits: number;
}

const compiled = new WeakMap<PageTableFormat, CompiledFormat>();

function bitMasks(bit: number | undefined): [number, number] {
  if (bit === undefined) return [0, 0];
  return bit < 32 ? [(1 << bit) | 0, 0] : [0, (1 << (bit - 32)) | 0];
}

/** Checks a format and precomputes its masks (memoised per format object). Throws on a malformed format. */
export function compileFormat(format: PageTableFormat): CompiledFormat {
  const known = compiled.get(format);
  if (known) return known;
  const { pageShift, levelBits, pteBytes, frameShift, frameBits, bits } = format;
  const problem = (why: string): never => {
    throw new RangeError(`page-table format ${format.name}: ${why}`);
  };
  if (!Number.isInteger(pageShift) || pageShift < 2 || pageShift > 30) problem(`pageShift ${pageShift} must be 2..30`);
  if (![1, 2, 4, 8].includes(pteBytes)) problem(`pteBytes ${pteBytes} must be 1, 2, 4 or 8`);
  if (levelBits.length < 1 || levelBits.some((b) => !Number.isInteger(b) || b < 1 || b > 20)) problem('levelBits must be 1..20 bits per level');
  const vaBits = pageShift + levelBits.reduce((a, b) => a + b, 0);
  if (vaBits > 52) problem(`virtual addresses of ${vaBits} bits do not fit in a number`);
  for (const b of levelBits) if ((1 << b) * pteBytes > 1 << pageShift) problem(`a table of ${1 << b} entries of ${pteBytes} bytes does not fit in one page`);
  if (frameShift < 0 || frameBits < 1 || frameShift + frameBits > pteBytes * 8) problem('the frame field must lie inside the PTE');
  const used = new Set<number>();
  for (const [field] of FLAG_FIELDS) {
    const bit = bits[field];
    if (bit === undefined) {
      if (field === 'present') problem('the present bit is required');
      continue;
    }
    if (!Number.isInteger(bit) || bit < 0 || bit >= pteBytes * 8) problem(`bit ${field}=${bit} is outside the PTE`);
    if (bit >= frameShift && bit < frameShift + frameBits) problem(`bit ${field}=${bit} overlaps the frame field`);
    if (used.has(bit)) problem(`bit ${bit} is used twice`);
    used.add(bit);
  }
  const levels = levelBits.length;
  const levelShift = new Int32Array(levels);
  const levelMask = new Int32Array(levels);
  const levelDivisor = new Float64Array(levels);
  const levelScale = new Float64Array(levels);
  let shift = pageShift;
  for (let level = levels - 1; level >= 0; level--) {
    levelShift[level] = shift;
    levelDivisor[level] = 2 ** shift;
    levelScale[level] = 2 ** -shift;
    levelMask[level] = (1 << levelBits[level]!) - 1;
    shift += levelBits[level]!;
  }
  const largeAllowed = new Uint8Array(levels);
  for (const level of format.largePageLevels ?? []) {
    if (level < 0 || level >= levels - 1 || bits.largePage === undefined) problem(`large pages at level ${level} need a page-size bit and a level above the leaf`);
    largeAllowed[level] = 1;
  }
  const flagBit = new Int32Array(FLAG_FIELDS.length);
  const flagLo = new Int32Array(FLAG_FIELDS.length);
  const flagHi = new Int32Array(FLAG_FIELDS.length);
  FLAG_FIELDS.forEach(([field, portable], i) => {
    flagBit[i] = portable;
    [flagLo[i], flagHi[i]] = bitMasks(bits[field]);
  });
  let sameBitMask = 0;
  const others: number[] = [];
  for (let i = 0; i < FLAG_FIELDS.length; i++) {
    if (flagLo[i] === 0 && flagHi[i] === 0) continue;
    if (flagLo[i] === flagBit[i]) sameBitMask |= flagBit[i]!;
    else others.push(i);
  }
  const [presentLo, presentHi] = bitMasks(bits.present);
  const [largeLo, largeHi] = bitMasks(bits.largePage);
  const widthMask = (width: number): number => (width >= 32 ? -1 : width <= 0 ? 0 : (1 << width) - 1);
  const lowBits = frameShift < 32 ? 32 - frameShift : 0;
  const low = frameShift < 32;
  const result: CompiledFormat = {
    frameLoShift: low ? frameShift : 0,
    frameLoMask: low ? widthMask(Math.min(frameBits, lowBits)) : 0,
    frameHiShift: low ? 0 : frameShift - 32,
    frameHiMask: low ? widthMask(frameBits - lowBits) : widthMask(frameBits),
    frameHiScale: low ? 2 ** lowBits : 1,
    format,
    pageSize: 2 ** pageShift,
    levels,
    vaBits,
    pteBytes,
    levelShift,
    levelDivisor,
    levelScale,
    pageScale: 2 ** -pageShift,
    levelMask,
    largeAllowed,
    flagBit,
    flagLo,
    flagHi,
    sameBitMask,
    otherFlags: Int32Array.from(others),
    impliedRights: (bits.write === undefined ? PTE_WRITE : 0) | (bits.user === undefined ? PTE_USER : 0),
    presentLo,
    presentHi,
    writeLo: flagLo[FLAG_INDEX_WRITE]!,
    writeHi: flagHi[FLAG_INDEX_WRITE]!,
    userLo: flagLo[FLAG_INDEX_USER]!,
    userHi: flagHi[FLAG_INDEX_USER]!,
    nxLo: flagLo[FLAG_INDEX_NX]!,
    nxHi: flagHi[FLAG_INDEX_NX]!,
    accessedLo: flagLo[FLAG_INDEX_ACCESSED]!,
    accessedHi: flagHi[FLAG_INDEX_ACCESSED]!,
    hasLargePages: largeAllowed.some((allowed) => allowed === 1),
    largeLo,
    largeHi,
    frameShift,
    frameBits,
  };
  compiled.set(format, result);
  return result;
}

/** The index into level `level`'s table for virtual address `va` (va below 2^53). */
export function levelIndex(f: CompiledFormat, level: number, va: number): number {
  return Math.floor(va * f.levelScale[level]!) & f.levelMask[level]!;
}
