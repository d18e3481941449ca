import { describe, expect, it } from 'vitest';
import { ALPHA_FORMAT, I386_FORMAT, TINY_FORMAT, X86_64_FORMAT, compileFormat, levelIndex, type PageTableFormat } from './pageTableFormat.js';
import { mmuSettings } from './profiles.js';
import { encodePte, formatPte, pteFlags, pteFrame } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_GLOBAL, PTE_NX, PTE_PRESENT, PTE_USER, PTE_WRITE } from './pteFlags.js';

describe('PTE bit layouts', () => {
  it('i386: frame 0x8 with P|RW|US|A|D is 0x00008067 (SDM Table 4-6)', () => {
    const f = compileFormat(I386_FORMAT);
    const pte = encodePte(f, 8, PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_ACCESSED | PTE_DIRTY);
    expect(pte).toEqual({ lo: 0x8067, hi: 0 });
    expect(formatPte(f, pte.lo, pte.hi)).toBe('0x00008067');
    // The largest i386 frame, 0xfffff, fills bits 12-31.
    expect(encodePte(f, 0xfffff, PTE_PRESENT | PTE_GLOBAL)).toEqual({ lo: 0xfffff101, hi: 0 });
    expect(() => encodePte(f, 0x100000, PTE_PRESENT)).toThrow(RangeError);
  });

  it('x86-64: frame 0x12345 with P|RW|NX is 0x8000000012345003; a 40-bit frame spans both words', () => {
    const f = compileFormat(X86_64_FORMAT);
    const pte = encodePte(f, 0x12345, PTE_PRESENT | PTE_WRITE | PTE_NX);
    expect(pte).toEqual({ lo: 0x12345003, hi: 0x80000000 });
    expect(formatPte(f, pte.lo, pte.hi)).toBe('0x8000000012345003');
    expect(pteFlags(f, pte.lo, pte.hi)).toBe(PTE_PRESENT | PTE_WRITE | PTE_NX);
    // Frame 0xab_cdef_0123 (40 bits): bits 12-31 hold 0xf0123, bits 32-51 hold 0xabcde.
    const wide = encodePte(f, 0xab_cdef_0123, PTE_PRESENT);
    expect(wide).toEqual({ lo: 0xf0123001, hi: 0x000abcde });
    expect(pteFrame(f, wide.lo, wide.hi)).toBe(0xab_cdef_0123);
  });

  it('Alpha: V|URE|UWE|ASM with PFN 0x1234 in bits 32-63', () => {
    const f = compileFormat(ALPHA_FORMAT);
    const pte = encodePte(f, 0x1234, PTE_PRESENT | PTE_USER | PTE_WRITE | PTE_GLOBAL);
    expect(pte).toEqual({ lo: 0x1 | 0x200 | 0x2000 | 0x10, hi: 0x1234 });
    expect(pteFrame(f, pte.lo, pte.hi)).toBe(0x1234);
  });

  it('the textbook format: valid bit 7 over a 7-bit frame, so frame 0x35 is 0xb5', () => {
    const f = compileFormat(TINY_FORMAT);
    expect(encodePte(f, 0x35, PTE_PRESENT)).toEqual({ lo: 0xb5, hi: 0 });
    // No write or user bits: those rights are always granted.
    expect(pteFlags(f, 0xb5, 0)).toBe(PTE_PRESENT | PTE_WRITE | PTE_USER);
    expect(compileFormat(TINY_FORMAT).vaBits).toBe(15);
  });

  it('splits virtual addresses into the right indices', () => {
    const f = compileFormat(X86_64_FORMAT);
    // 0x0000_7f12_3456_7000: PML4 0xfe, PDPT 0x48, PD 0x1a2, PT 0x167.
    expect([0, 1, 2, 3].map((level) => levelIndex(f, level, 0x7f12_3456_7000))).toEqual([0xfe, 0x48, 0x1a2, 0x167]);
    const i386 = compileFormat(I386_FORMAT);
    expect([0, 1].map((level) => levelIndex(i386, level, 0xc0101234))).toEqual([0x300, 0x101]);
  });
});

describe('user-defined formats', () => {
  const twoLevel16: PageTableFormat = {
    name: 'pdp-like',
    pageShift: 8,
    levelBits: [4, 4],
    pteBytes: 2,
    frameShift: 8,
    frameBits: 8,
    bits: { present: 0, write: 1, user: 2, accessed: 3, dirty: 4 },
  };

  it('compiles a 16-bit format: 256-byte pages, 2 levels of 4 bits, 16-bit addresses', () => {
    const f = compileFormat(twoLevel16);
    expect([f.vaBits, f.pageSize, f.levels]).toEqual([16, 256, 2]);
    expect(encodePte(f, 0x42, PTE_PRESENT | PTE_WRITE)).toEqual({ lo: 0x4203, hi: 0 });
  });

  it('rejects malformed formats with the reason', () => {
    expect(() => compileFormat({ ...twoLevel16, bits: { present: 9 } })).toThrow(/overlaps the frame field/);
    expect(() => compileFormat({ ...twoLevel16, levelBits: [8, 4] })).toThrow(/does not fit in one page/);
    expect(() => compileFormat({ ...twoLevel16, bits: { present: 0, write: 0 } })).toThrow(/used twice/);
    expect(() => compileFormat({ ...twoLevel16, largePageLevels: [0] })).toThrow(/page-size bit/);
  });

  it('is taken from the machine configuration', () => {
    expect(mmuSettings({ profile: 'tiny', pageTableFormat: twoLevel16 }).format).toBe(twoLevel16);
    expect(mmuSettings({ profile: 'linux-i386' })).toMatchObject({ format: I386_FORMAT, ramBytes: 64 * 1024 * 1024, pageOffset: 0xc0000000, tlb: { entries: 64, ways: 64 } });
    expect(mmuSettings({ profile: 'alpha', ram: 8 * 1024 * 1024, tlb: { entries: 32, ways: 4 } })).toMatchObject({ format: ALPHA_FORMAT, ramBytes: 8 * 1024 * 1024, tlb: { entries: 32, ways: 4 } });
    expect(mmuSettings({}).format).toBe(X86_64_FORMAT);
    expect(() => mmuSettings({ profile: 'vax' })).toThrow(/unknown machine profile/);
  });
});
