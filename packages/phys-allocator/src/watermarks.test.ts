import { describe, expect, it } from 'vitest';
import { computeLowmemReserve, computeWatermarks, defaultMinFreeKbytes, intSqrt, watermarkOk, ALLOC_FLAGS } from './watermarks.js';

describe('watermarks (mm/page_alloc.c __setup_per_zone_wmarks)', () => {
  it('reproduces this machine\'s /proc/zoneinfo (fixtures/zoneinfo.txt: min_free_kbytes 67584, scale factor 10)', () => {
    const zones = [
      { managed: 3840, highmem: false },
      { managed: 772915, highmem: false },
      { managed: 393216, highmem: false },
    ];
    expect(computeWatermarks(zones, 67584, 4096)).toEqual([
      { min: 55, low: 68, high: 81 },
      { min: 11161, low: 13951, high: 16741 },
      { min: 5678, low: 7097, high: 8516 },
    ]);
  });

  it('reproduces the zoneinfo protection arrays (lowmem_reserve_ratio 256 256 32)', () => {
    const reserve = computeLowmemReserve([
      { name: 'DMA', managed: 3840 },
      { name: 'DMA32', managed: 772915 },
      { name: 'Normal', managed: 393216 },
    ]);
    expect(reserve).toEqual([
      [0, 3019, 4555],
      [0, 0, 1536],
      [0, 0, 0],
    ]);
  });

  it('min_free_kbytes = int_sqrt(lowmem_kbytes × 16), clamped to 128…262144', () => {
    expect(intSqrt(1015808)).toBe(1007);
    expect(defaultMinFreeKbytes(63488)).toBe(1007); // a 64 MiB i386 box with 2 MiB reserved
    expect(defaultMinFreeKbytes(64)).toBe(128);
    expect(defaultMinFreeKbytes(2 ** 40)).toBe(262144);
  });

  it('HighMem min is managed/1024 clamped to 32…128', () => {
    const [, high] = computeWatermarks([{ managed: 1000, highmem: false }, { managed: 10 * 1024 * 60, highmem: true }], 128, 4096);
    expect(high!.min).toBe(128);
    const [, small] = computeWatermarks([{ managed: 1000, highmem: false }, { managed: 4096, highmem: true }], 128, 4096);
    expect(small!.min).toBe(32);
  });

  it('__zone_watermark_ok: free - (2^order - 1) must exceed the mark plus the reserve; __GFP_HIGH halves min, non-blocking takes a further quarter', () => {
    expect(watermarkOk(100, 0, 99, 0, 0, true)).toBe(true);
    expect(watermarkOk(100, 0, 100, 0, 0, true)).toBe(false);
    expect(watermarkOk(100, 2, 96, 0, 0, true)).toBe(true); // 100 - 3 = 97 > 96
    expect(watermarkOk(100, 2, 97, 0, 0, true)).toBe(false);
    expect(watermarkOk(100, 0, 90, 10, 0, true)).toBe(false); // reserve counts
    expect(watermarkOk(60, 0, 100, 0, ALLOC_FLAGS.minReserve, true)).toBe(true); // 60 > 50
    expect(watermarkOk(40, 0, 100, 0, ALLOC_FLAGS.minReserve | ALLOC_FLAGS.nonBlock, true)).toBe(true); // 50 - 12 = 38
    expect(watermarkOk(38, 0, 100, 0, ALLOC_FLAGS.minReserve | ALLOC_FLAGS.nonBlock, true)).toBe(false);
    expect(watermarkOk(1000, 3, 0, 0, 0, false)).toBe(false); // no block big enough
  });
});
