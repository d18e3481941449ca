import { describe, expect, it } from 'vitest';
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_NOT_PRESENT, FAULT_PRIVILEGE, FAULT_PROTECTION, NO_FAULT } from './fault.js';
import { createMmu } from './mmu.js';
import { lookupEntry } from './pageTable.js';
import { ALPHA_FORMAT, I386_FORMAT, TINY_FORMAT, X86_64_FORMAT, compileFormat } from './pageTableFormat.js';
import { encodePte, readPte, writePte } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_NX, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { createPhysicalMemory, readPhysical, writePhysical } from './ram.js';
import fc from 'fast-check';
import { walk, walkFault, walkInterpreted, WalkResult } from './walk.js';

describe('the seed example (Alpha, 8 KB pages)', () => {
  it('translates 0x2194 in a process whose virtual page 1 maps to frame 4 to 0x8194', () => {
    // 0x2194 / 0x2000 = page 1, offset 0x194; frame 4 starts at 4 * 0x2000 = 0x8000; 0x8000 + 0x194 = 0x8194.
    const mmu = createMmu({ format: ALPHA_FORMAT, ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    expect(mmu.map(0x2000, 4, PTE_WRITE | PTE_USER)).toBeNull();
    expect(mmu.translate(0x2194)).toBe(0x8194);
    writePhysical(mmu.ram, 0x8194, 1, 0x5a);
    expect(mmu.read(0x2194)).toEqual({ value: 0x5a });
  });
});

describe('i386 two-level walk', () => {
  // VA 0x00403004: directory index 0x00403004 >> 22 = 1, table index (0x00403004 >> 12) & 0x3ff = 3, offset 4.
  const va = 0x00403004;
  function setUp() {
    let next = 0x100; // table frames handed out upwards from frame 0x100
    const mmu = createMmu({ format: I386_FORMAT, ramBytes: 16 * 1024 * 1024, allocateFrame: () => next++ });
    const root = mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(va, 0x1234, PTE_WRITE | PTE_USER);
    return { mmu, root };
  }

  it('reads the PDE at root + 1*4 and the PTE at table + 3*4, and finds frame 0x1234', () => {
    const { mmu, root } = setUp();
    const f = compileFormat(I386_FORMAT);
    expect(root).toBe(0x100000); // frame 0x100
    // PDE: table frame 0x101, P|RW|US = 0x00101007.
    expect(readPte(mmu.ram, f, root + 4)).toEqual({ lo: 0x00101007, hi: 0 });
    // PTE: frame 0x1234, P|RW|US = 0x01234007.
    expect(readPte(mmu.ram, f, 0x101000 + 12)).toEqual({ lo: 0x01234007, hi: 0 });
    const result = new WalkResult(2);
    expect(walk(mmu.ram, f, root, va, result)).toBe(true);
    expect(result.pfn).toBe(0x1234);
    expect([...result.entryAddress]).toEqual([0x100004, 0x10100c]);
    expect(mmu.translate(va)).toBe(0x1234004);
  });

  it('sets accessed in both levels on a read, and dirty only in the PTE on a write', () => {
    const { mmu, root } = setUp();
    const f = compileFormat(I386_FORMAT);
    mmu.translate(va, ACCESS_READ);
    expect(readPte(mmu.ram, f, root + 4).lo).toBe(0x00101027); // + A (0x20)
    expect(readPte(mmu.ram, f, 0x10100c).lo).toBe(0x01234027); // + A, not D
    mmu.translate(va, ACCESS_WRITE);
    expect(readPte(mmu.ram, f, root + 4).lo).toBe(0x00101027); // D is not set in a directory entry
    expect(readPte(mmu.ram, f, 0x10100c).lo).toBe(0x01234067); // + D (0x40)
    expect(mmu.walks).toBe(2); // the write through a clean TLB entry walks again to set D
  });

  it('combines rights over the levels: a read-only PDE makes the page read-only', () => {
    const { mmu, root } = setUp();
    const f = compileFormat(I386_FORMAT);
    writePhysical(mmu.ram, root + 4, 4, 0x00101005); // P|US, no RW
    const result = new WalkResult(2);
    walk(mmu.ram, f, root, va, result);
    expect(walkFault(result, ACCESS_WRITE, true)).toBe(FAULT_PROTECTION);
    expect(walkFault(result, ACCESS_READ, true)).toBe(NO_FAULT);
  });

  it('maps a 4 MiB page with PS in the directory entry', () => {
    const { mmu, root } = setUp();
    // Directory index of 0xC0000000 is 0x300; a 4 MiB page at frame 0 (physical 0).
    expect(mmu.map(0xc0000000, 0, PTE_WRITE, 1, 0)).toBeNull();
    expect(readPte(mmu.ram, compileFormat(I386_FORMAT), root + 0x300 * 4).lo).toBe(0x00000083); // P|RW|PS
    mmu.userMode = false;
    expect(mmu.translate(0xc0123456)).toBe(0x00123456);
  });
});

describe('x86-64 four-level walk', () => {
  it('walks indices 255, 511, 511, 511 for 0x7ffffffff000 and reads entries at those offsets', () => {
    // 0x7ffffffff000: bits 47..39 = 0xff, 38..30 = 0x1ff, 29..21 = 0x1ff, 20..12 = 0x1ff.
    let next = 0x10;
    const mmu = createMmu({ format: X86_64_FORMAT, ramBytes: 4 * 1024 * 1024, allocateFrame: () => next++ });
    const root = mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x7ffffffff000, 0x200, PTE_WRITE | PTE_USER | PTE_NX);
    const result = new WalkResult(4);
    walk(mmu.ram, compileFormat(X86_64_FORMAT), root, 0x7ffffffff123, result);
    expect([...result.entryAddress]).toEqual([0x10000 + 255 * 8, 0x11000 + 511 * 8, 0x12000 + 511 * 8, 0x13000 + 511 * 8]);
    // The leaf: frame 0x200, P|RW|US = 0x7, NX = bit 63.
    expect(result.entryLo[3]).toBe(0x00200007);
    expect(result.entryHi[3]).toBe(0x80000000);
    expect(mmu.translate(0x7ffffffff123)).toBe(0x200123);
  });

  it('faults with the x86 error codes: not present 4, user write to read-only 7, exec of NX 0x15, user read of a kernel page 5', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 4 * 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x1000, 1, PTE_USER); // read-only user page
    mmu.map(0x2000, 2, PTE_USER | PTE_WRITE | PTE_NX);
    mmu.map(0x3000, 3, PTE_WRITE); // supervisor page
    expect(mmu.translateAccess(0x5000, 'read')).toEqual({ fault: { kind: 'not-present', address: 0x5000, access: 'read', user: true, errorCode: 4 } });
    expect(mmu.translateAccess(0x1000, 'write')).toMatchObject({ fault: { kind: 'protection', errorCode: 7 } });
    expect(mmu.translateAccess(0x2000, 'exec')).toMatchObject({ fault: { kind: 'protection', errorCode: 0x15 } });
    expect(mmu.translateAccess(0x3000, 'read')).toMatchObject({ fault: { kind: 'privilege', errorCode: 5 } });
    mmu.userMode = false;
    expect(mmu.translateAccess(0x3000, 'write')).toEqual({ physical: 0x3000 });
    // CR0.WP: the kernel cannot write a read-only page either.
    expect(mmu.translate(0x1000, ACCESS_WRITE)).toBe(-1);
    expect(mmu.lastFault).toBe(FAULT_PROTECTION);
    expect(mmu.translate(0x2000, ACCESS_EXEC)).toBe(-1);
    expect(mmu.faults).toBe(6);
  });

  it('lets a user page be executed when NX is clear', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x400000, 7, PTE_USER);
    expect(mmu.translate(0x400010, ACCESS_EXEC)).toBe(0x7010);
  });
});

describe('Alpha three-level walk', () => {
  it('uses 10-bit indices over 8 KB pages and keeps the PFN in bits 32-63', () => {
    // VA 0x40_0080_4010: level 0 index = va >> 33 = 0x20, level 1 = (va >> 23) & 0x3ff = 0x1, level 2 = (va >> 13) & 0x3ff = 0x2, offset 0x10.
    const va = 0x40_0080_4010;
    const f = compileFormat(ALPHA_FORMAT);
    expect([0, 1, 2].map((level) => Math.floor(va / f.levelDivisor[level]!) & f.levelMask[level]!)).toEqual([0x20, 0x1, 0x2]);
    let next = 8;
    const mmu = createMmu({ format: ALPHA_FORMAT, ramBytes: 1024 * 1024, allocateFrame: () => next++ });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(va, 0x55, PTE_WRITE | PTE_USER);
    const entry = lookupEntry(mmu.ram, f, mmu.root, va)!;
    expect(entry.address).toBe(10 * 8192 + 2 * 8);
    // V (bit 0) | URE (bit 9) | UWE (bit 13) = 0x2201; PFN 0x55 in the high word.
    expect(readPte(mmu.ram, f, entry.address)).toEqual({ lo: 0x2201, hi: 0x55 });
    expect(mmu.translate(va, ACCESS_WRITE)).toBe(0x55 * 8192 + 0x10);
    // The walk sets Linux's software bits _PAGE_ACCESSED 0x40000 and _PAGE_DIRTY 0x20000.
    expect(readPte(mmu.ram, f, entry.address).lo).toBe(0x2201 | 0x40000 | 0x20000);
    expect(mmu.lookup(va)!.flags & (PTE_ACCESSED | PTE_DIRTY)).toBe(PTE_ACCESSED | PTE_DIRTY);
  });
});

describe('the textbook format (OSTEP ch. 20 homework: 32-byte pages, 15-bit addresses)', () => {
  it('translates VA 0x611c with PDBR 108 through PDE 0xa1 and PTE 0xb5 to physical 0x6bc', () => {
    // VA 0x611c = 0b11000_01000_11100: directory index 24, table index 8, offset 28.
    // PDE at 108*32 + 24 = 0xd98 holds 0xa1: valid, table in frame 0x21 (33).
    // PTE at 33*32 + 8 = 0x428 holds 0xb5: valid, frame 0x35 (53). 53*32 + 28 = 0x6bc.
    const ram = createPhysicalMemory(4096);
    writePhysical(ram, 0xd98, 1, 0xa1);
    writePhysical(ram, 0x428, 1, 0xb5);
    writePhysical(ram, 0x6bc, 1, 0x08);
    const f = compileFormat(TINY_FORMAT);
    const result = new WalkResult(2);
    expect(walk(ram, f, 108 * 32, 0x611c, result)).toBe(true);
    expect(result.pfn).toBe(0x35);
    expect(result.pfn * 32 + (0x611c % 32)).toBe(0x6bc);
    expect(readPhysical(ram, 0x6bc, 1)).toBe(8);
    // No protection bits: any present page may be written and executed, from user mode too.
    expect(walkFault(result, ACCESS_WRITE, true)).toBe(NO_FAULT);
    // An invalid PDE (valid bit clear, e.g. 0x7f) faults as not present.
    writePhysical(ram, 0xd98, 1, 0x7f);
    walk(ram, f, 108 * 32, 0x611c, result);
    expect(walkFault(result, ACCESS_READ, true)).toBe(FAULT_NOT_PRESENT);
  });

  it('builds the same tables through map', () => {
    let next = 100;
    const mmu = createMmu({ format: 'tiny', allocateFrame: () => next++ });
    expect(mmu.createAddressSpace(1)).toBe(100 * 32);
    mmu.switchAddressSpace(1);
    mmu.map(0x611c, 0x35, 0);
    expect(readPhysical(mmu.ram, 100 * 32 + 24, 1)).toBe(0x80 | 101); // valid | table frame 101
    expect(readPhysical(mmu.ram, 101 * 32 + 8, 1)).toBe(0xb5);
    expect(mmu.translate(0x611c)).toBe(0x6bc);
  });
});

describe('privilege', () => {
  it('reports a user access to a kernel page as a privilege fault', () => {
    const mmu = createMmu({ format: 'i386', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x1000, 1, PTE_WRITE);
    expect(mmu.translate(0x1000)).toBe(-1);
    expect(mmu.lastFault).toBe(FAULT_PRIVILEGE);
  });
});

describe('the compiled walker', () => {
  it('agrees with the interpreted walk on random tables of every format (garbage entries included)', () => {
    for (const format of [I386_FORMAT, X86_64_FORMAT, ALPHA_FORMAT, TINY_FORMAT]) {
      const f = compileFormat(format);
      const ramBytes = format === TINY_FORMAT ? 4096 : 256 * 1024;
      const frames = ramBytes / f.pageSize;
      fc.assert(
        fc.property(
          fc.array(fc.record({ slot: fc.nat(), pfn: fc.nat(frames - 1), flags: fc.nat(0x3ff), junkHi: fc.nat(0xff) }), { maxLength: 60 }),
          fc.array(fc.double({ min: 0, max: 2 ** f.vaBits - 1, noNaN: true }).map(Math.floor), { minLength: 1, maxLength: 30 }),
          (writes, addresses) => {
            const ram = createPhysicalMemory(ramBytes);
            // Entries written anywhere in the first frames, so walks meet tables, large pages and junk.
            for (const w of writes) {
              const address = (w.slot % (4 * f.pageSize / f.pteBytes)) * f.pteBytes;
              const words = encodePte(f, w.pfn % Math.min(frames, 2 ** f.frameBits), w.flags);
              writePte(ram, f, address, words.lo, f.pteBytes === 8 ? (words.hi | (w.junkHi << 24)) >>> 0 : words.hi);
            }
            for (const va of addresses) {
              const a = new WalkResult(f.levels);
              const b = new WalkResult(f.levels);
              const fast = walk(ram, f, 0, va, a);
              expect(fast).toBe(walkInterpreted(ram, f, 0, va, b));
              expect([a.depth, a.level, a.present]).toEqual([b.depth, b.level, b.present]);
              if (fast) expect([a.pfn, a.flags, a.clean]).toEqual([b.pfn, b.flags, b.clean]);
            }
          },
        ),
        { numRuns: 60 },
      );
    }
  });
});
