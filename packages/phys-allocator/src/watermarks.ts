/**
 * Zone watermarks and the lowmem reserve, computed as Linux does at boot, and the watermark test
 * every allocation passes (mm/page_alloc.c, Linux 6.x).
 */

/** A zone's three watermarks, in frames. */
export interface Watermarks {
  /** WMARK_MIN: below it only __GFP_HIGH / atomic allocations succeed. */
  readonly min: number;
  /** WMARK_LOW: the fast path's threshold (kswapd is woken below it). */
  readonly low: number;
  /** WMARK_HIGH: kswapd stops reclaiming above it. */
  readonly high: number;
}

/** What the watermark computation needs to know about one zone. */
export interface ZoneSize {
  /** Frames the buddy allocator manages in the zone. */
  readonly managed: number;
  /** True for ZONE_HIGHMEM (its min watermark is computed differently). */
  readonly highmem: boolean;
}

/** vm.watermark_scale_factor's default (Documentation/admin-guide/sysctl/vm.rst). */
export const WATERMARK_SCALE_FACTOR = 10;

/** SWAP_CLUSTER_MAX (include/linux/swap.h). */
export const SWAP_CLUSTER_MAX = 32;

/** int_sqrt (lib/math/int_sqrt.c): the integer square root, rounded down. */
export function intSqrt(x: number): number {
  let root = Math.floor(Math.sqrt(x));
  while (root * root > x) root--;
  while ((root + 1) * (root + 1) <= x) root++;
  return root;
}

/**
 * calculate_min_free_kbytes (mm/page_alloc.c): sqrt(lowmem_kbytes * 16), clamped to 128 … 262144.
 * `lowmemKbytes` is nr_free_buffer_pages() in KiB, i.e. the managed lowmem at boot.
 */
export function defaultMinFreeKbytes(lowmemKbytes: number): number {
  return Math.min(262144, Math.max(128, intSqrt(lowmemKbytes * 16)));
}

/**
 * __setup_per_zone_wmarks (mm/page_alloc.c): min is min_free_kbytes shared among lowmem zones by
 * their managed size (HighMem: managed/1024 clamped to SWAP_CLUSTER_MAX … 128); then
 * tmp = max(min/4, managed × watermark_scale_factor / 10000), low = min + tmp, high = min + 2 tmp.
 */
export function computeWatermarks(zones: readonly ZoneSize[], minFreeKbytes: number, pageSize: number, scaleFactor = WATERMARK_SCALE_FACTOR): Watermarks[] {
  const pagesMin = Math.floor((minFreeKbytes * 1024) / pageSize);
  const lowmemPages = zones.reduce((sum, z) => (z.highmem ? sum : sum + z.managed), 0);
  return zones.map((zone) => {
    let tmp = lowmemPages === 0 ? 0 : Math.floor((pagesMin * zone.managed) / lowmemPages);
    let min: number;
    if (zone.highmem) {
      min = Math.min(128, Math.max(SWAP_CLUSTER_MAX, Math.floor(zone.managed / 1024)));
    } else {
      min = tmp;
    }
    if (minFreeKbytes === 0) return { min: 0, low: 0, high: 0 };
    tmp = Math.max(tmp >> 2, Math.floor((zone.managed * scaleFactor) / 10000));
    return { min, low: min + tmp, high: min + 2 * tmp };
  });
}

/** sysctl_lowmem_reserve_ratio's defaults by zone name (mm/page_alloc.c; HighMem and above: 0 = none). */
export const LOWMEM_RESERVE_RATIO: Readonly<Record<string, number>> = { DMA: 256, DMA32: 256, Normal: 32, HighMem: 0 };

/**
 * setup_per_zone_lowmem_reserve (mm/page_alloc.c): zone i keeps back, from allocations that could
 * have used the higher zone j, (managed pages of zones i+1 … j) / ratio[i] frames.
 * Returns reserve[i][j] for zones listed lowest first.
 */
export function computeLowmemReserve(zones: readonly { readonly name: string; readonly managed: number }[]): number[][] {
  return zones.map((zone, i) => {
    const ratio = LOWMEM_RESERVE_RATIO[zone.name] ?? 0;
    let managedAbove = 0;
    return zones.map((upper, j) => {
      if (j <= i) return 0;
      managedAbove += upper.managed;
      return ratio === 0 ? 0 : Math.floor(managedAbove / ratio);
    });
  });
}

/** ALLOC_WMARK_* and ALLOC_* bits (mm/internal.h) that the watermark test reads. */
export const ALLOC_FLAGS = {
  /** Use the min watermark. */
  wmarkMin: 0,
  /** Use the low watermark. */
  wmarkLow: 1,
  /** Use the high watermark. */
  wmarkHigh: 2,
  /** ALLOC_MIN_RESERVE (== __GFP_HIGH): may dip to half of min. */
  minReserve: 0x20,
  /** ALLOC_NON_BLOCK: the caller cannot sleep; with minReserve another quarter. */
  nonBlock: 0x400,
} as const;

/**
 * __zone_watermark_ok (mm/page_alloc.c): after taking 2^order frames, would the zone still be
 * above `mark` plus its lowmem reserve for the requested zone? For order > 0, a free block of at
 * least that order must also exist (`hasBlock`).
 */
export function watermarkOk(freePages: number, order: number, mark: number, lowmemReserve: number, allocFlags: number, hasBlock: boolean): boolean {
  let min = mark;
  const free = freePages - ((1 << order) - 1);
  if (allocFlags & ALLOC_FLAGS.minReserve) {
    min -= Math.floor(min / 2);
    if (allocFlags & ALLOC_FLAGS.nonBlock) min -= Math.floor(min / 4);
  }
  if (free <= min + lowmemReserve) return false;
  if (order === 0) return true;
  return hasBlock;
}
