/**
 * Page-table entries as bytes: encoding a frame number and portable flags into a format's PTE,
 * decoding it back, and reading and writing entries in simulated RAM. A PTE is handled as two
 * unsigned 32-bit words (low, high) so that 64-bit entries (x86-64 NX is bit 63) stay exact.
 */
import type { CompiledFormat } from './pageTableFormat.js';
import { readWord32, writeWord32, type PhysicalMemory } from './ram.js';

/** A PTE's two 32-bit words. */
export interface PteWords {
  /** Bits 0–31. */
  readonly lo: number;
  /** Bits 32–63 (0 for entries of 4 bytes or fewer). */
  readonly hi: number;
}

const TWO_32 = 0x1_0000_0000;

/** Encodes frame `pfn` with portable `flags` into a PTE of format `f`. */
export function encodePte(f: CompiledFormat, pfn: number, flags: number): PteWords {
  if (!Number.isInteger(pfn) || pfn < 0 || pfn >= 2 ** f.frameBits) {
    throw new RangeError(`frame ${pfn} does not fit the ${f.frameBits}-bit frame field of format ${f.format.name}`);
  }
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < f.flagBit.length; i++) {
    if ((flags & f.flagBit[i]!) !== 0) {
      lo |= f.flagLo[i]!;
      hi |= f.flagHi[i]!;
    }
  }
  if (f.frameShift >= 32) {
    hi |= pfn * 2 ** (f.frameShift - 32);
  } else {
    const value = pfn * 2 ** f.frameShift;
    lo |= value % TWO_32;
    hi |= Math.floor(value / TWO_32);
  }
  return { lo: lo >>> 0, hi: hi >>> 0 };
}

/** The frame number held in a PTE's words. */
export function pteFrame(f: CompiledFormat, lo: number, hi: number): number {
  return (((lo >>> f.frameLoShift) & f.frameLoMask) >>> 0) + (((hi >>> f.frameHiShift) & f.frameHiMask) >>> 0) * f.frameHiScale;
}

/** The portable flags held in a PTE's words (rights the format lacks are reported as granted). */
export function pteFlags(f: CompiledFormat, lo: number, hi: number): number {
  let flags = lo & f.sameBitMask;
  const others = f.otherFlags;
  for (let k = 0; k < others.length; k++) {
    const i = others[k]!;
    if (((lo & f.flagLo[i]!) | (hi & f.flagHi[i]!)) !== 0) flags |= f.flagBit[i]!;
  }
  return flags | f.impliedRights;
}

/** True when the PTE's present bit is set. */
export function ptePresent(f: CompiledFormat, lo: number, hi: number): boolean {
  return ((lo & f.presentLo) | (hi & f.presentHi)) !== 0;
}

/** Reads the low word of the PTE at physical `address` (the whole entry when it is 4 bytes or fewer). */
export function readPteLo(ram: PhysicalMemory, f: CompiledFormat, address: number): number {
  switch (f.pteBytes) {
    case 1:
      return ram.get(address);
    case 2:
      return ram.get(address) | (ram.get(address + 1) << 8);
    default:
      return readWord32(ram, address);
  }
}

/** Reads the high word of the PTE at physical `address` (0 for entries of 4 bytes or fewer). */
export function readPteHi(ram: PhysicalMemory, f: CompiledFormat, address: number): number {
  return f.pteBytes === 8 ? readWord32(ram, address + 4) : 0;
}

/** Reads the PTE at physical `address`. */
export function readPte(ram: PhysicalMemory, f: CompiledFormat, address: number): PteWords {
  return { lo: readPteLo(ram, f, address), hi: readPteHi(ram, f, address) };
}

/** Writes a PTE at physical `address`, as many bytes as the format's entries have. */
export function writePte(ram: PhysicalMemory, f: CompiledFormat, address: number, lo: number, hi: number): void {
  switch (f.pteBytes) {
    case 1:
      ram.set(address, lo & 0xff);
      return;
    case 2:
      ram.set(address, lo & 0xff);
      ram.set(address + 1, (lo >>> 8) & 0xff);
      return;
    case 4:
      writeWord32(ram, address, lo);
      return;
    default:
      writeWord32(ram, address, lo);
      writeWord32(ram, address + 4, hi);
  }
}

/** The PTE as a hexadecimal string of the format's width, e.g. `0x00008067`. */
export function formatPte(f: CompiledFormat, lo: number, hi: number): string {
  const digits = f.pteBytes * 2;
  const text = f.pteBytes === 8 ? (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0') : (lo >>> 0).toString(16);
  return '0x' + text.padStart(digits, '0');
}
