import { describe, expect, it } from 'vitest';
import { addressToPfn, formatKernelAddress, kernelLayout, pageAddress } from './layout.js';

describe('kernel layout', () => {
  it('x86-64: direct map at ffff880000000000, vmalloc ffffc90000000000 – ffffe8ffffffffff (Documentation/x86/x86_64/mm.txt)', () => {
    const l = kernelLayout();
    expect(formatKernelAddress(l, l.pageOffset)).toBe('ffff880000000000');
    expect(formatKernelAddress(l, l.vmallocStart)).toBe('ffffc90000000000');
    expect(formatKernelAddress(l, l.vmallocEnd - 1)).toBe('ffffe8ffffffffff');
    expect([l.pageSize, l.wordSize, l.slabHeaderSize, l.slabBreakOrder]).toEqual([4096, 8, 48, 1]);
  });

  it('i386 with 896 MiB or more: vmalloc from 0xf8800000 to 0xff7fe000, the "virtual kernel memory layout" of 2.6 boot logs', () => {
    const l = kernelLayout({ profile: 'linux-i386', ram: 1024 * 1024 * 1024 });
    expect([formatKernelAddress(l, l.vmallocStart), formatKernelAddress(l, l.vmallocEnd)]).toEqual(['f8800000', 'ff7fe000']);
  });

  it('maps frames to the direct map and back', () => {
    const l = kernelLayout();
    expect(pageAddress(l, 0x100)).toBe(0x880000100000);
    expect(addressToPfn(l, 0x880000100fff)).toBe(0x100);
    expect(addressToPfn(l, 0x1000)).toBe(-1);
  });

  it('slab_break_gfp_order is 0 with 32 MiB or less (mm/slab.c kmem_cache_init)', () => {
    expect(kernelLayout({ ram: 32 * 1024 * 1024 }).slabBreakOrder).toBe(0);
    expect(kernelLayout({ profile: 'tiny' }).slabBreakOrder).toBe(0);
  });

  it('refuses an unknown profile', () => {
    expect(() => kernelLayout({ profile: 'vax' })).toThrow(/unknown machine profile/);
  });
});
