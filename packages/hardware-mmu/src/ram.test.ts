import fc from 'fast-check';
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { createPhysicalMemory, readPhysical, readPhysical64, readWord32, writePhysical, writePhysical64 } from './ram.js';

describe('physical RAM', () => {
  it('stores values little-endian: 0x12345678 at 0x100 is the bytes 78 56 34 12', () => {
    const ram = createPhysicalMemory(8192);
    writePhysical(ram, 0x100, 4, 0x12345678);
    expect([0, 1, 2, 3].map((i) => readPhysical(ram, 0x100 + i, 1))).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(readPhysical(ram, 0x100, 2)).toBe(0x5678);
    expect(readPhysical(ram, 0x102, 2)).toBe(0x1234);
    expect(readWord32(ram, 0x100)).toBe(0x12345678);
  });

  it('reads and writes 8 bytes, also across a 4 KiB chunk boundary', () => {
    const ram = createPhysicalMemory(8192);
    writePhysical(ram, 0xffc, 8, 0x0011_2233_4455_6677);
    expect(readPhysical(ram, 0xffc, 1)).toBe(0x77);
    expect(readPhysical(ram, 0x1003, 1)).toBe(0x00);
    expect(readPhysical(ram, 0xffc, 8)).toBe(0x0011_2233_4455_6677);
    writePhysical64(ram, 0x10, 0x8000_0000_0000_0001n);
    expect(readPhysical64(ram, 0x10)).toBe(0x8000_0000_0000_0001n);
    expect(readPhysical(ram, 0x17, 1)).toBe(0x80);
  });

  it('refuses accesses outside RAM and odd sizes', () => {
    const ram = createPhysicalMemory(4096);
    expect(() => readPhysical(ram, 4094, 4)).toThrow(RangeError);
    expect(() => readPhysical(ram, 0, 3 as 1)).toThrow(RangeError);
    expect(() => createPhysicalMemory(2 ** 33)).toThrow(RangeError);
  });

  it('a snapshot never changes after later writes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ address: fc.integer({ min: 0, max: 65535 - 8 }), value: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 40 }),
        fc.array(fc.record({ address: fc.integer({ min: 0, max: 65535 - 8 }), value: fc.integer({ min: 0, max: 0xffffffff }) }), { maxLength: 40 }),
        (before, after) => {
          const ram = createPhysicalMemory(65536);
          for (const w of before) writePhysical(ram, w.address, 4, w.value);
          const snapshot = ram.snapshot();
          const copy = snapshot.toTypedArray();
          for (const w of after) writePhysical(ram, w.address, 4, w.value);
          expect(Buffer.from(snapshot.toTypedArray()).equals(Buffer.from(copy))).toBe(true);
          for (const w of after.slice(-1)) expect(readPhysical(ram, w.address, 4)).toBe(w.value);
        },
      ),
    );
  });
});
