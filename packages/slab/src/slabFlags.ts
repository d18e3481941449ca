/**
 * Cache creation flags, numerically as in Linux 2.6.18 include/linux/slab.h.
 */

/** SLAB_HWCACHE_ALIGN: align objects on a cache line (squeezing small objects, mm/slab.c). */
export const SLAB_HWCACHE_ALIGN = 0x0000_2000;
/** SLAB_CACHE_DMA: slabs come from ZONE_DMA (GFP_DMA). */
export const SLAB_CACHE_DMA = 0x0000_4000;
/** SLAB_RECLAIM_ACCOUNT: reclaimable objects; calculate_slab_order keeps their slabs at the first order that fits. */
export const SLAB_RECLAIM_ACCOUNT = 0x0002_0000;
/** SLAB_PANIC: panic when creation fails (accepted and ignored: creation failures are reported as values). */
export const SLAB_PANIC = 0x0004_0000;

/** The SLAB_* constants by name, as scenarios use them. */
export const SLAB_FLAG_CONSTANTS: Readonly<Record<string, number>> = {
  SLAB_HWCACHE_ALIGN,
  SLAB_CACHE_DMA,
  SLAB_RECLAIM_ACCOUNT,
  SLAB_PANIC,
};
