import { describe, expect, it } from 'vitest';
import { freeBlockCount, freeList } from './buddy.js';
import {
  allocPages,
  countFrames,
  createPhysicalMemory,
  freeFrameCount,
  freePages,
  getPage,
  putPage,
  reserveRange,
  setPageFlags,
} from './physicalMemory.js';
import { GFP, PAGE_FLAGS } from './protocol.js';

const MiB = 1024 * 1024;

describe('physical memory of a 64 MiB linux-i386 machine (worked by hand)', () => {
  const boot = () => createPhysicalMemory({ profile: 'linux-i386', ram: 64 * MiB });

  it('has DMA below 16 MiB and Normal up to 64 MiB, the first 2 MiB reserved, the rest in order-9 blocks', () => {
    const memory = boot();
    const [dma, normal, high] = memory.layout.zones;
    expect([dma!.startPfn, dma!.endPfn, dma!.managed]).toEqual([0, 4096, 4096 - 512]);
    expect([normal!.startPfn, normal!.endPfn, normal!.managed]).toEqual([4096, 16384, 12288]);
    expect(high!.spanned).toBe(0);
    expect(freeBlockCount(memory.buddy, 0, 9)).toBe(7);
    expect(freeBlockCount(memory.buddy, 1, 9)).toBe(24);
    expect(countFrames(memory, PAGE_FLAGS.reserved)).toBe(512);
    expect(freeFrameCount(memory)).toBe(16384 - 512);
  });

  it('computes the watermarks from min_free_kbytes = int_sqrt(63488 × 16) = 1007', () => {
    const [dma, normal] = boot().layout.zones;
    // pages_min = 1007 KiB / 4 = 251; DMA 251 × 3584 / 15872 = 56, Normal 251 × 12288 / 15872 = 194.
    expect(dma!.watermarks).toEqual({ min: 56, low: 70, high: 84 });
    expect(normal!.watermarks).toEqual({ min: 194, low: 242, high: 290 });
    expect(dma!.lowmemReserve).toEqual([0, 48, 48]); // 12288 / 256
  });

  it('block addresses are multiples of their size', () => {
    const memory = boot();
    for (const order of [0, 3, 1, 9, 2, 5, 0, 4]) {
      const pfn = allocPages(memory, GFP.GFP_KERNEL, order);
      expect(pfn % (1 << order)).toBe(0);
    }
  });

  it('GFP_DMA allocates below 16 MiB; GFP_KERNEL prefers Normal; GFP_HIGHUSER falls back to Normal when HighMem is empty', () => {
    const memory = boot();
    expect(allocPages(memory, GFP.GFP_DMA, 0)).toBe(512);
    expect(allocPages(memory, GFP.GFP_KERNEL, 0)).toBe(4096);
    expect(allocPages(memory, GFP.GFP_HIGHUSER, 0)).toBe(4097);
  });

  it('falls back from Normal to DMA once Normal is under its low watermark (get_page_from_freelist)', () => {
    const memory = boot();
    // Normal has 12288 free; an order-9 allocation passes while 12288 - 512k - 511 > 242, i.e. k ≤ 22.
    const blocks = Array.from({ length: 23 }, () => allocPages(memory, GFP.GFP_KERNEL, 9));
    expect(blocks.every((pfn) => pfn >= 4096)).toBe(true);
    expect(memory.buddy.zoneFreePages.get(1)).toBe(512);
    // The 24th comes from DMA (3584 - 511 > 70 + lowmem_reserve 48), though Normal still has a block.
    expect(allocPages(memory, GFP.GFP_KERNEL, 9)).toBe(512);
    expect(freeList(memory.buddy, 1, 9)).toHaveLength(1);
    // Order 0 still passes Normal's low watermark (512 > 242).
    expect(allocPages(memory, GFP.GFP_KERNEL, 0)).toBeGreaterThanOrEqual(4096);
  });

  it('fails with -1 when no zone has a block big enough', () => {
    const memory = createPhysicalMemory({ profile: 'tiny' });
    expect(allocPages(memory, GFP.GFP_KERNEL, 5)).toBe(32);
    expect(allocPages(memory, GFP.GFP_KERNEL, 5)).toBe(-1);
    expect(allocPages(memory, GFP.GFP_KERNEL, 4)).toBe(16);
    expect(allocPages(memory, GFP.GFP_KERNEL, 6)).toBe(-1); // above maxOrder
  });

  it('rejects conflicting zone modifiers (GFP_ZONE_BAD)', () => {
    expect(() => allocPages(boot(), GFP.__GFP_DMA | GFP.__GFP_HIGHMEM, 0)).toThrow(/GFP_ZONE_BAD/);
  });

  it('frees on the last reference (get_page / put_page / free_pages) and merges back', () => {
    const memory = createPhysicalMemory({ profile: 'tiny' });
    const pfn = allocPages(memory, GFP.GFP_KERNEL, 1, 'pager');
    expect(pfn).toBe(2);
    expect(getPage(memory, pfn)).toBe(2);
    expect(putPage(memory, pfn)).toBe(1);
    expect(countFrames(memory, 0, 'pager')).toBe(2);
    expect(freePages(memory, pfn, 1)).toBe(0);
    expect(countFrames(memory, 0, 'pager')).toBe(0);
    expect(freeFrameCount(memory)).toBe(63);
    expect(() => freePages(memory, pfn, 1)).toThrow(/bad page/);
  });

  it('__GFP_COMP marks the head of a compound block PG_head (prep_compound_page)', () => {
    const memory = createPhysicalMemory({ profile: 'tiny' });
    const pfn = allocPages(memory, GFP.GFP_KERNEL | GFP.__GFP_COMP, 2);
    expect(countFrames(memory, PAGE_FLAGS.head)).toBe(1);
    expect(memory.buddy.frames.flags.get(pfn)).toBe(PAGE_FLAGS.head);
    freePages(memory, pfn, 2);
    expect(countFrames(memory, PAGE_FLAGS.head)).toBe(0);
  });

  it('marks slab allocations PG_slab on every frame and clears it on free', () => {
    const memory = createPhysicalMemory({ profile: 'tiny' });
    const pfn = allocPages(memory, GFP.GFP_KERNEL, 2, 'slab');
    expect(countFrames(memory, PAGE_FLAGS.slab)).toBe(4);
    expect(countFrames(memory, PAGE_FLAGS.slab, 'slab')).toBe(4);
    setPageFlags(memory, pfn, 1, PAGE_FLAGS.dirty, 0);
    expect(countFrames(memory, PAGE_FLAGS.dirty | PAGE_FLAGS.slab)).toBe(1);
    freePages(memory, pfn, 2);
    expect(countFrames(memory, PAGE_FLAGS.slab)).toBe(0);
  });

  it('reserves a free range for a driver, cutting it out of its block, and refuses busy ranges', () => {
    const memory = createPhysicalMemory({ profile: 'tiny' });
    expect(reserveRange(memory, 40, 4, 'vga')).toBeNull();
    expect(countFrames(memory, PAGE_FLAGS.reserved, 'vga')).toBe(4);
    expect(freeFrameCount(memory)).toBe(59);
    // 32-63 became 32-39 (order 3), 44-47 (order 2), 48-63 (order 4).
    expect(freeList(memory.buddy, 0, 3)).toContain(32);
    expect(freeList(memory.buddy, 0, 2)).toContain(44);
    expect(freeList(memory.buddy, 0, 4)).toContain(48);
    expect(reserveRange(memory, 38, 4, 'other')).toBe('EBUSY');
    expect(reserveRange(memory, 60, 10, 'other')).toBe('EINVAL');
  });

  it('takes boot reservations of drivers before the buddy allocator gets the rest', () => {
    const memory = createPhysicalMemory({ profile: 'tiny', reservations: [{ start: 8 * 1024, bytes: 3 * 1024, owner: 'isa-dma' }] });
    expect(countFrames(memory, PAGE_FLAGS.reserved, 'isa-dma')).toBe(3);
    expect(memory.layout.zones[0]!.managed).toBe(60);
    expect(freeList(memory.buddy, 0, 0)).toEqual([1, 11]);
  });

  it('GFP_KERNEL stops at the min watermarks (after the low ones); GFP_ATOMIC may go to min/2 - min/8 (worked by hand)', () => {
    const memory = boot();
    let kernel = 0;
    while (allocPages(memory, GFP.GFP_KERNEL, 0) >= 0) kernel++;
    // Normal down to low 242, DMA down to low 70 + reserve 48, Normal to min 194, DMA to min 56 + 48.
    expect(kernel).toBe(12288 - 194 + (3584 - 104));
    expect([memory.buddy.zoneFreePages.get(0), memory.buddy.zoneFreePages.get(1)]).toEqual([104, 194]);
    let atomic = 0;
    while (allocPages(memory, GFP.GFP_ATOMIC, 0) >= 0) atomic++;
    // Normal: 194 - 97 = 97, - 24 = 73; DMA: 56 - 28 = 28, - 7 = 21, + reserve 48 = 69.
    expect(atomic).toBe(194 - 73 + (104 - 69));
  });
});

describe('other profiles', () => {
  it('linux-x86_64 with 64 MiB has no Normal zone: GFP_KERNEL falls back to DMA32, GFP_DMA stays below 16 MiB', () => {
    const memory = createPhysicalMemory({ profile: 'linux-x86_64', ram: 64 * MiB });
    expect(memory.layout.zones.map((z) => [z.name, z.managed])).toEqual([
      ['DMA', 3840],
      ['DMA32', 12288],
      ['Normal', 0],
    ]);
    // min_free_kbytes = int_sqrt(64512 × 16) = 1015 → 253 pages: DMA 253 × 3840 / 16128 = 60, DMA32 192.
    expect(memory.layout.zones.map((z) => z.watermarks.min)).toEqual([60, 192, 0]);
    expect(allocPages(memory, GFP.GFP_KERNEL, 0)).toBe(4096);
    expect(allocPages(memory, GFP.GFP_DMA32, 0)).toBe(4097);
    expect(allocPages(memory, GFP.GFP_DMA, 0)).toBe(256); // the first 1 MiB is reserved
  });

  it('linux-i386 with 1 GiB: HighMem above 896 MiB serves GFP_HIGHUSER; GFP_KERNEL never gets HighMem', () => {
    const memory = createPhysicalMemory({ profile: 'linux-i386', ram: 1024 * MiB });
    const high = memory.layout.zones[2]!;
    expect([high.startPfn, high.spanned, high.watermarks.min]).toEqual([229376, 32768, 32]);
    expect(allocPages(memory, GFP.GFP_HIGHUSER, 0)).toBe(229376);
    expect(allocPages(memory, GFP.GFP_KERNEL, 0)).toBe(4096);
  });

  it('alpha has 8 KiB pages: 64 MiB is 8192 frames, the first 4 MiB (512 frames) reserved', () => {
    const memory = createPhysicalMemory({ profile: 'alpha', ram: 64 * MiB });
    expect([memory.layout.pageSize, memory.layout.frameCount]).toEqual([8192, 8192]);
    expect(memory.layout.zones.map((z) => [z.name, z.startPfn, z.endPfn, z.managed])).toEqual([
      ['DMA', 0, 2048, 1536],
      ['Normal', 2048, 8192, 6144],
    ]);
  });
});

describe('chunked storage used alone, beside machines', () => {
  it('stays writable while a machine in the same process runs inputs (edit sessions are per machine)', async () => {
    const { createMachine } = await import('@vmlab/kernel');
    const { physSubsystem } = await import('./server.js');
    const memory = createPhysicalMemory({ profile: 'linux-i386', ram: 64 * 1024 * 1024, storage: 'chunked' });
    const first = allocPages(memory, GFP.GFP_KERNEL, 0);
    const machine = createMachine({ subsystems: [physSubsystem], config: { profile: 'tiny' } });
    machine.dispatch({ type: 'phys/alloc-pages', payload: { gfp: GFP.GFP_KERNEL, order: 0 } });
    // Before per-machine sessions, the dispatch above froze every ChunkedArray in the process.
    const second = allocPages(memory, GFP.GFP_KERNEL, 0);
    expect(second).toBeGreaterThanOrEqual(0);
    expect(second).not.toBe(first);
    freePages(memory, second, 0);
    freePages(memory, first, 0);
  });
});
