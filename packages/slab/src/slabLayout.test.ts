import { describe, expect, it } from 'vitest';
import { kernelLayout } from './layout.js';
import { SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT } from './slabFlags.js';
import { cacheEstimate, cacheGeometry } from './slabLayout.js';

// Hand-worked with Linux 2.6.18 mm/slab.c kmem_cache_create / calculate_slab_order / cache_estimate.
// x86-64: PAGE_SIZE 4096, BYTES_PER_WORD 8, cache line 64, sizeof(struct slab) 48, bufctl 4 bytes.
const x86_64 = kernelLayout({ profile: 'linux-x86_64' });
const i386 = kernelLayout({ profile: 'linux-i386' });

describe('cache_estimate', () => {
  it('on-slab: 4048 / (32 + 4) = 112 objects of 32 bytes, management ALIGN(48 + 448, 32) = 512, nothing left', () => {
    expect(cacheEstimate(x86_64, 0, 32, 32, false)).toEqual({ num: 112, leftOver: 0 });
  });

  it('on-slab: the first guess drops by one when the alignment padding does not fit', () => {
    // 4048 / (1000 + 4) = 4; ALIGN(48 + 16, 1024) = 1024, 1024 + 4 * 1000 > 4096 → 3.
    expect(cacheEstimate(x86_64, 0, 1000, 1024, false)).toEqual({ num: 3, leftOver: 4096 - 3000 - 1024 });
  });

  it('off-slab: the whole slab holds objects', () => {
    expect(cacheEstimate(x86_64, 1, 1104, 8, true)).toEqual({ num: 7, leftOver: 8192 - 7 * 1104 });
  });
});

describe('cacheGeometry (kmem_cache_create)', () => {
  // The general caches of a 2.6 x86-64 SLAB kernel, as its /proc/slabinfo prints them:
  // size-32 112/slab, size-64 59, size-128 30, size-256 15, size-512 8, size-131072 1 per 32 pages.
  it.each([
    [32, 32, 112, 0, false, 0],
    [64, 64, 59, 0, false, 0],
    [128, 128, 30, 0, false, 1], // aligned to 64: ALIGN(48 + 120, 64) = 192, 64 left
    [256, 256, 15, 0, false, 2],
    [512, 512, 8, 0, true, 0],
    [1024, 1024, 4, 0, true, 0],
    [4096, 4096, 1, 0, true, 0],
    [8192, 8192, 1, 1, true, 0],
    [131072, 131072, 1, 5, true, 0],
  ])('size-%i: objsize %i, %i per slab, order %i, off-slab %s, %i colours', (size, objectSize, num, order, offSlab, colour) => {
    const g = cacheGeometry(x86_64, size, 0, SLAB_HWCACHE_ALIGN)!;
    expect([g.objectSize, g.objectsPerSlab, g.order, g.offSlab, g.colour]).toEqual([objectSize, num, order, offSlab, colour]);
  });

  it('size-256: management ALIGN(48 + 60, 64) = 128, 15 * 256 + 128 = 3968, 128 left = 2 colours of 64', () => {
    const g = cacheGeometry(x86_64, 256, 0, SLAB_HWCACHE_ALIGN)!;
    expect([g.slabSize, g.leftOver, g.colourOff, g.colour]).toEqual([128, 128, 64, 2]);
  });

  it('size-512 keeps its 8 * 4 + 48 = 80-byte management off-slab (nothing is left over to hold it)', () => {
    const g = cacheGeometry(x86_64, 512, 0, SLAB_HWCACHE_ALIGN)!;
    expect([g.offSlab, g.slabSize, g.leftOver]).toEqual([true, 80, 0]);
  });

  it('i386: size-32 holds 113 objects (4068 / 36 = 113, ALIGN(28 + 452, 32) = 480, 480 + 3616 = 4096)', () => {
    const g = cacheGeometry(i386, 32, 0, SLAB_HWCACHE_ALIGN)!;
    expect([g.objectsPerSlab, g.leftOver]).toEqual([113, 0]);
  });

  it('SLAB_HWCACHE_ALIGN squeezes small objects: 20 bytes → 24 → aligned to 32 (64 halved while the object fits twice)', () => {
    expect(cacheGeometry(x86_64, 20, 0, SLAB_HWCACHE_ALIGN)!.objectSize).toBe(32);
    expect(cacheGeometry(x86_64, 20, 0, 0)!.objectSize).toBe(24);
  });

  it('a caller alignment of 64 pads 100 bytes to 128: 30 per slab, 64 bytes left = 1 colour', () => {
    // 4048 / 132 = 30; ALIGN(48 + 120, 64) = 192; 192 + 3840 = 4032.
    const g = cacheGeometry(x86_64, 100, 64, 0)!;
    expect([g.objectSize, g.objectsPerSlab, g.leftOver, g.colour]).toEqual([128, 30, 64, 1]);
  });

  it('vm_area_struct (176 bytes, word aligned): 4048 / 180 = 22 per slab, 88 bytes left, 1 colour', () => {
    const g = cacheGeometry(x86_64, 176, 0, 0)!;
    expect([g.objectsPerSlab, g.order, g.slabSize, g.leftOver, g.colour]).toEqual([22, 0, 136, 88, 1]);
  });

  it('mm_struct (896, HWCACHE): off-slab at first, moved on-slab because 512 bytes are left; 7 colours', () => {
    // 4096 / 896 = 4, 512 left; slab_size ALIGN(16 + 48, 64) = 64 ≤ 512 → on-slab, 448 left.
    const g = cacheGeometry(x86_64, 896, 0, SLAB_HWCACHE_ALIGN)!;
    expect([g.objectsPerSlab, g.offSlab, g.slabSize, g.leftOver, g.colour]).toEqual([4, false, 64, 448, 7]);
  });

  it('1100 bytes: order 0 wastes 784 > 4096/8, so order 1 (slab_break_gfp_order with > 32 MiB): 7 per slab', () => {
    const g = cacheGeometry(x86_64, 1100, 0, 0)!;
    // 8192 / 1104 = 7, 464 left; slab_size ALIGN(28 + 48, 8) = 80 fits → on-slab, 384 left.
    expect([g.objectSize, g.order, g.objectsPerSlab, g.offSlab, g.leftOver, g.colour]).toEqual([1104, 1, 7, false, 384, 6]);
  });

  it('with 32 MiB or less slab_break_gfp_order is 0: the same cache stays at order 0, 3 per slab', () => {
    const small = kernelLayout({ profile: 'linux-x86_64', ram: 32 * 1024 * 1024 });
    const g = cacheGeometry(small, 1100, 0, 0)!;
    expect([g.order, g.objectsPerSlab, g.leftOver]).toEqual([0, 3, 4096 - 3312 - 64]);
  });

  it('SLAB_RECLAIM_ACCOUNT takes the first order that fits', () => {
    expect(cacheGeometry(x86_64, 1100, 0, SLAB_RECLAIM_ACCOUNT)!.order).toBe(0);
  });

  it('tiny (1 KiB pages, 32-bit): size-32 holds (1024 - 28) / 36 = 27', () => {
    expect(cacheGeometry(kernelLayout({ profile: 'tiny' }), 32, 0, SLAB_HWCACHE_ALIGN)!.objectsPerSlab).toBe(27);
  });

  it('alpha (8 KiB pages, 64-bit): size-32 holds (8192 - 48) / 36 = 226, ALIGN(48 + 904, 32) = 960 + 7232 = 8192; size-131072 is order 4', () => {
    const alpha = kernelLayout({ profile: 'alpha' });
    expect(cacheGeometry(alpha, 32, 0, SLAB_HWCACHE_ALIGN)!.objectsPerSlab).toBe(226);
    expect(cacheGeometry(alpha, 131072, 0, SLAB_HWCACHE_ALIGN)!.order).toBe(4);
  });

  it('no slab of 32 pages holds 256 KiB: null', () => {
    expect(cacheGeometry(x86_64, 262144, 0, 0)).toBeNull();
  });
});
