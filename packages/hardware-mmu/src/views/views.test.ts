import { describe, expect, it } from 'vitest';
import { compileFormat, I386_FORMAT, TINY_FORMAT, X86_64_FORMAT } from '../pageTableFormat.js';
import { formatSize, formatVirtual } from './pagetable.js';

describe('view formatting', () => {
  it('prints virtual addresses as wide as the format, x86-64 upper-half addresses sign-extended', () => {
    expect(formatVirtual(compileFormat(I386_FORMAT), 0xc0001000)).toBe('0xc0001000');
    expect(formatVirtual(compileFormat(X86_64_FORMAT), 0x7ffffffff000)).toBe('0x7ffffffff000');
    // 0xffff888000000000 is held as its low 48 bits, 0x888000000000 (bit 47 set).
    expect(formatVirtual(compileFormat(X86_64_FORMAT), 0x888000000000)).toBe('0xffff888000000000');
    expect(formatVirtual(compileFormat(TINY_FORMAT), 0x611c)).toBe('0x611c');
  });

  it('prints page sizes as Linux does', () => {
    expect([formatSize(4096), formatSize(8192), formatSize(2 ** 21), formatSize(2 ** 22), formatSize(2 ** 30), formatSize(32)]).toEqual(['4K', '8K', '2M', '4M', '1G', '32B']);
  });
});
