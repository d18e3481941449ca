import { describe, expect, it } from 'vitest';
import { relocate, segmentTranslate, translateSegmented, type SegmentRegister, type SegmentTable } from './segmentation.js';

const rw = { read: true, write: true, exec: false };

describe('base and bounds (OSTEP ch. 15, a 4 KB process loaded at 16 KB)', () => {
  const registers = { base: 16 * 1024, bounds: 4 * 1024 };
  it('relocates 0 → 16 KB, 1 KB → 17 KB, 3000 → 19384, and faults at 4400', () => {
    expect(relocate(registers, 0)).toEqual({ address: 16384 });
    expect(relocate(registers, 1024)).toEqual({ address: 17408 });
    expect(relocate(registers, 3000)).toEqual({ address: 19384 });
    expect(relocate(registers, 4400)).toEqual({ fault: 'bounds' });
    expect(relocate(registers, 4096)).toEqual({ fault: 'bounds' });
  });
});

describe('explicit segmentation (OSTEP ch. 16, 14-bit addresses, top 2 bits pick the segment)', () => {
  // Code: base 32 KB, size 2 KB; heap: base 34 KB, size 3 KB; stack: base 28 KB, size 2 KB, grows down.
  const table: SegmentTable = {
    offsetBits: 12,
    segments: [
      { name: 'code', base: 32 * 1024, size: 2 * 1024, growsDown: false, rights: { read: true, write: false, exec: true } },
      { name: 'heap', base: 34 * 1024, size: 3 * 1024, growsDown: false, rights: rw },
      null,
      { name: 'stack', base: 28 * 1024, size: 2 * 1024, growsDown: true, rights: rw },
    ],
  };
  it('translates code 100 → 32868 and heap 4200 → 34920', () => {
    expect(translateSegmented(table, 100, 'read')).toEqual({ address: 32868 });
    expect(translateSegmented(table, 4200, 'write')).toEqual({ address: 34920 });
  });
  it('translates stack address 15 KB to 27 KB: offset 3 KB - 4 KB = -1 KB from the 28 KB base', () => {
    expect(translateSegmented(table, 15 * 1024, 'write')).toEqual({ address: 27 * 1024 });
    // The lowest stack address: 16 KB - 2 KB = 14 KB → 26 KB; one byte below is out of the segment.
    expect(translateSegmented(table, 14 * 1024, 'read')).toEqual({ address: 26 * 1024 });
    expect(translateSegmented(table, 14 * 1024 - 1, 'read')).toEqual({ fault: 'bounds' });
  });
  it('faults beyond the heap, in the unused segment, and on a write to code', () => {
    expect(translateSegmented(table, 4096 + 3 * 1024, 'read')).toEqual({ fault: 'bounds' });
    expect(translateSegmented(table, 2 * 4096, 'read')).toEqual({ fault: 'bounds' });
    expect(translateSegmented(table, 100, 'write')).toEqual({ fault: 'protection' });
  });
});

describe('x86 segment registers (Intel SDM Vol. 3A §3.4.5)', () => {
  const code: SegmentRegister = { name: 'cs', base: 0x10000, limit: 0xffff, expandDown: false, rights: { read: true, write: false, exec: true }, dpl: 3 };
  const stack: SegmentRegister = { name: 'ss', base: 0, limit: 0xffffefff, expandDown: true, rights: rw, dpl: 3 };
  it('checks an expand-up limit, including the last byte of a multi-byte access', () => {
    expect(segmentTranslate(code, 0xfffc, 'exec', 4)).toEqual({ address: 0x1fffc });
    expect(segmentTranslate(code, 0xfffd, 'exec', 4)).toEqual({ fault: 'bounds' });
    expect(segmentTranslate(code, 0x10, 'write')).toEqual({ fault: 'protection' });
  });
  it('accepts offsets above the limit of an expand-down stack, and grows it by lowering the limit', () => {
    expect(segmentTranslate(stack, 0xfffff000, 'write', 4)).toEqual({ address: 0xfffff000 });
    expect(segmentTranslate(stack, 0xffffeffc, 'write', 4)).toEqual({ fault: 'bounds' });
    const grown = { ...stack, limit: 0xffffdfff };
    expect(segmentTranslate(grown, 0xffffeffc, 'write', 4)).toEqual({ address: 0xffffeffc });
  });
  it('refuses user access to a DPL-0 segment', () => {
    expect(segmentTranslate({ ...code, dpl: 0 }, 0x10, 'exec', 1, 3)).toEqual({ fault: 'privilege' });
    expect(segmentTranslate({ ...code, dpl: 0 }, 0x10, 'exec', 1, 0)).toEqual({ address: 0x10010 });
  });
});
