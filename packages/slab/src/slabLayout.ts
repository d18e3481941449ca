/**
 * How a cache's slabs are laid out: object size after alignment, objects per slab, pages per slab,
 * where the slab management (struct slab + the kmem_bufctl_t array) lives, and how many colours
 * the left-over bytes allow. The rules are Linux 2.6.18 mm/slab.c: `kmem_cache_create`,
 * `cache_estimate`, `calculate_slab_order` (Gorman, "Understanding the Linux Virtual Memory
 * Manager", ch. 8.1 describes the same computation for 2.4's kmem_cache_estimate).
 */
import type { KernelLayout } from './layout.js';
import { SLAB_HWCACHE_ALIGN, SLAB_RECLAIM_ACCOUNT } from './slabFlags.js';

/** The geometry of a cache's slabs. */
export interface CacheGeometry {
  /** The object size with alignment padding (cachep->buffer_size; slabinfo's `<objsize>`). */
  readonly objectSize: number;
  /** The alignment objects get. */
  readonly align: number;
  /** Objects per slab (cachep->num). */
  readonly objectsPerSlab: number;
  /** Slab order: 2^order contiguous pages per slab (cachep->gfporder). */
  readonly order: number;
  /** Bytes of a slab neither objects nor management use, before colouring. */
  readonly leftOver: number;
  /** True when struct slab + bufctls live in a separate general-cache object (CFLGS_OFF_SLAB). */
  readonly offSlab: boolean;
  /** Bytes of the slab management (cachep->slab_size). */
  readonly slabSize: number;
  /** Number of colours (cachep->colour = left_over / colour_off). */
  readonly colour: number;
  /** The colour unit in bytes (cachep->colour_off). */
  readonly colourOff: number;
}

function alignUp(value: number, align: number): number {
  return Math.ceil(value / align) * align;
}

/** What cache_estimate finds for one order. */
export interface SlabEstimate {
  /** Objects per slab. */
  readonly num: number;
  /** Bytes left over. */
  readonly leftOver: number;
}

/** What calculate_slab_order chooses. */
export interface SlabOrder extends SlabEstimate {
  /** The slab order. */
  readonly order: number;
}

/** Objects that fit in a slab of 2^order pages and the bytes left over (mm/slab.c cache_estimate). */
export function cacheEstimate(layout: KernelLayout, order: number, bufferSize: number, align: number, offSlab: boolean): SlabEstimate {
  const slabBytes = layout.pageSize * 2 ** order;
  if (offSlab) {
    const num = Math.floor(slabBytes / bufferSize);
    return { num, leftOver: slabBytes - num * bufferSize };
  }
  // On-slab: struct slab, one kmem_bufctl_t per object, padding to `align`, then the objects.
  // The first guess ignores the padding and is at most one too many.
  const mgmt = (n: number): number => alignUp(layout.slabHeaderSize + n * layout.bufctlSize, align);
  let num = Math.floor((slabBytes - layout.slabHeaderSize) / (bufferSize + layout.bufctlSize));
  if (mgmt(num) + num * bufferSize > slabBytes) num--;
  if (num <= 0) return { num: 0, leftOver: slabBytes };
  return { num, leftOver: slabBytes - num * bufferSize - mgmt(num) };
}

/**
 * The slab order for objects of `bufferSize` bytes (mm/slab.c calculate_slab_order): the first
 * order from 0 that holds an object, growing while more than 1/8 of the slab is wasted, but not
 * past slab_break_gfp_order; off-slab caches stop before their bufctl array would outgrow an
 * object; SLAB_RECLAIM_ACCOUNT caches take the first order that fits.
 */
export function calculateSlabOrder(
  layout: KernelLayout,
  bufferSize: number,
  align: number,
  flags: number,
  offSlab: boolean,
): SlabOrder {
  let best: SlabOrder = { num: 0, order: 0, leftOver: 0 };
  for (let order = 0; order <= layout.maxSlabOrder; order++) {
    const { num, leftOver } = cacheEstimate(layout, order, bufferSize, align, offSlab);
    if (num === 0) continue;
    if (offSlab) {
      const offslabLimit = Math.floor((bufferSize - layout.slabHeaderSize) / layout.bufctlSize);
      if (num > offslabLimit) break;
    }
    best = { num, order, leftOver };
    if (flags & SLAB_RECLAIM_ACCOUNT) break;
    if (order >= layout.slabBreakOrder) break;
    if (leftOver * 8 <= layout.pageSize * 2 ** order) break;
  }
  return best;
}

/**
 * The geometry kmem_cache_create gives a cache of `size`-byte objects (Linux 2.6.18 mm/slab.c),
 * or null when no slab of at most 2^maxSlabOrder pages holds one object.
 *
 * 1. size rounds up to a word; 2. alignment: a cache line with SLAB_HWCACHE_ALIGN (halved while
 * the object fits twice), else a word, raised to the caller's `align`; 3. management goes off-slab
 * for objects of PAGE_SIZE/8 or more; 4. the order from calculate_slab_order; 5. off-slab
 * management moves back on-slab when the left-over bytes can hold it; 6. colours = left-over /
 * colour unit, the unit being a cache line or the alignment if larger.
 */
export function cacheGeometry(layout: KernelLayout, size: number, align: number, flags: number): CacheGeometry | null {
  let bufferSize = alignUp(size, layout.wordSize);
  let ralign: number;
  if (flags & SLAB_HWCACHE_ALIGN) {
    ralign = layout.cacheLineSize;
    while (bufferSize <= ralign / 2) ralign /= 2;
  } else {
    ralign = layout.wordSize;
  }
  if (ralign < align) ralign = align;
  let offSlab = bufferSize >= layout.pageSize / 8;
  bufferSize = alignUp(bufferSize, ralign);
  const order = calculateSlabOrder(layout, bufferSize, ralign, flags, offSlab);
  if (order.num === 0) return null;
  let leftOver = order.leftOver;
  let slabSize = alignUp(order.num * layout.bufctlSize + layout.slabHeaderSize, ralign);
  if (offSlab && leftOver >= slabSize) {
    offSlab = false;
    leftOver -= slabSize;
  }
  if (offSlab) slabSize = order.num * layout.bufctlSize + layout.slabHeaderSize;
  const colourOff = Math.max(layout.cacheLineSize, ralign);
  return {
    objectSize: bufferSize,
    align: ralign,
    objectsPerSlab: order.num,
    order: order.order,
    leftOver,
    offSlab,
    slabSize,
    colour: Math.floor(leftOver / colourOff),
    colourOff,
  };
}
