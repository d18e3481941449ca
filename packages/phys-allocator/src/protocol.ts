/**
 * Messages of the phys subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/phys-allocator/protocol`), never the implementation.
 *
 * These names are a cross-component contract (docs/conventions.md): keep them stable.
 */

/** Request types served by phys. */
export const PHYS_REQUESTS = {
  /** Allocates 2^order contiguous frames (alloc_pages, mm/page_alloc.c); replies `{ pfn }` or `{ pfn: -1, error: 'ENOMEM' }`. */
  allocPages: 'phys/alloc-pages',
  /** Frees a block given back by `phys/alloc-pages` (__free_pages); replies null. */
  freePages: 'phys/free-pages',
  /** Takes one more reference on an allocated frame (get_page); replies `{ refcount }`. */
  getPage: 'phys/get-page',
  /** Drops one reference (put_page); the block is freed when the head's count reaches 0; replies `{ refcount }`. */
  putPage: 'phys/put-page',
  /** Sets and clears page flags (PG_dirty, PG_referenced, …) on a run of frames; replies null. */
  setPageFlags: 'phys/set-page-flags',
  /** A driver's static reservation of free contiguous frames (memblock_reserve at boot; here cut out of the buddy lists); replies `{ pfn }` or `{ pfn: -1, error }`. */
  reserveRange: 'phys/reserve-range',
  /** Read-only: one frame's descriptor. */
  frameInfo: 'phys/frame-info',
  /** Read-only: counts allocated frames matching a flag mask and/or an owner. */
  countFrames: 'phys/count-frames',
  /** Read-only: the machine's page size, frame count and zones. */
  describeMemory: 'phys/describe-memory',
  /** Creates a contiguous-allocation pool over a byte range (fixed or variable partitions). */
  createPool: 'phys/create-pool',
  /** Allocates from a pool; replies `{ address }` or `{ address: -1, error: 'ENOMEM' }`. */
  partitionAlloc: 'phys/partition-alloc',
  /** Frees a pool allocation by its start address; replies null or `{ error: 'EINVAL' }`. */
  partitionFree: 'phys/partition-free',
  /** Compacts a variable-partition pool (moves allocations down); replies the moves. */
  compact: 'phys/compact',
  /** Creates a UNIX resource map (struct map, rminit). */
  createMap: 'phys/create-map',
  /** rmalloc(map, units): first fit; replies `{ address }`, 0 on failure as in UNIX. */
  rmalloc: 'phys/rmalloc',
  /** rmfree(map, units, address): gives units back, merging with neighbours; replies null. */
  rmfree: 'phys/rmfree',
} as const;

/** Event types emitted by phys. */
export const PHYS_EVENTS = {
  /** A block of 2^order frames was handed out. */
  pagesAllocated: 'phys/pages-allocated',
  /** A block of 2^order frames came back to the buddy allocator. */
  pagesFreed: 'phys/pages-freed',
  /** A free block was split in two on allocation (informational; applied as part of pages-allocated). */
  blockSplit: 'phys/block-split',
  /** Two free buddies were merged on release (informational; applied as part of pages-freed). */
  buddiesMerged: 'phys/buddies-merged',
  /** A frame's reference count changed (get_page / put_page). */
  pageRefChanged: 'phys/page-ref-changed',
  /** Page flags changed on a run of frames. */
  pageFlagsChanged: 'phys/page-flags-changed',
  /** A frame range was reserved at boot. */
  rangeReserved: 'phys/range-reserved',
  /** A partition pool was created. */
  poolCreated: 'phys/pool-created',
  /** A pool allocation was made. */
  partitionAllocated: 'phys/partition-allocated',
  /** A pool allocation was freed. */
  partitionFreed: 'phys/partition-freed',
  /** A pool was compacted. */
  poolCompacted: 'phys/pool-compacted',
  /** A resource map was created. */
  mapCreated: 'phys/map-created',
  /** rmalloc handed out units. */
  rmAllocated: 'phys/rm-allocated',
  /** rmfree took units back. */
  rmFreed: 'phys/rm-freed',
} as const;

/**
 * GFP flag bits, numerically as in Linux include/linux/gfp_types.h (v6.x, without lockdep).
 * Only the zone modifiers (__GFP_DMA, __GFP_HIGHMEM, __GFP_DMA32) change where phys allocates.
 */
export const GFP = {
  /** ___GFP_DMA: allocate from ZONE_DMA. */
  __GFP_DMA: 0x01,
  /** ___GFP_HIGHMEM: ZONE_HIGHMEM allowed. */
  __GFP_HIGHMEM: 0x02,
  /** ___GFP_DMA32: allocate from ZONE_DMA32. */
  __GFP_DMA32: 0x04,
  /** ___GFP_MOVABLE: movable (may go to HighMem / ZONE_MOVABLE). */
  __GFP_MOVABLE: 0x08,
  /** ___GFP_RECLAIMABLE. */
  __GFP_RECLAIMABLE: 0x10,
  /** ___GFP_HIGH: may use the reserves below the min watermark. */
  __GFP_HIGH: 0x20,
  /** ___GFP_IO. */
  __GFP_IO: 0x40,
  /** ___GFP_FS. */
  __GFP_FS: 0x80,
  /** ___GFP_ZERO. */
  __GFP_ZERO: 0x100,
  /** ___GFP_DIRECT_RECLAIM. */
  __GFP_DIRECT_RECLAIM: 0x400,
  /** ___GFP_KSWAPD_RECLAIM. */
  __GFP_KSWAPD_RECLAIM: 0x800,
  /** ___GFP_NOWARN. */
  __GFP_NOWARN: 0x2000,
  /** ___GFP_NOFAIL. */
  __GFP_NOFAIL: 0x8000,
  /** ___GFP_NORETRY. */
  __GFP_NORETRY: 0x10000,
  /** ___GFP_COMP: compound page. */
  __GFP_COMP: 0x40000,
  /** ___GFP_HARDWALL. */
  __GFP_HARDWALL: 0x100000,
  /** ___GFP_ACCOUNT. */
  __GFP_ACCOUNT: 0x400000,
  /** __GFP_RECLAIM = DIRECT | KSWAPD. */
  __GFP_RECLAIM: 0xc00,
  /** GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM. */
  GFP_ATOMIC: 0x820,
  /** GFP_KERNEL = __GFP_RECLAIM | __GFP_IO | __GFP_FS. */
  GFP_KERNEL: 0xcc0,
  /** GFP_NOWAIT = __GFP_KSWAPD_RECLAIM. */
  GFP_NOWAIT: 0x800,
  /** GFP_NOIO = __GFP_RECLAIM. */
  GFP_NOIO: 0xc00,
  /** GFP_NOFS = __GFP_RECLAIM | __GFP_IO. */
  GFP_NOFS: 0xc40,
  /** GFP_USER = __GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HARDWALL. */
  GFP_USER: 0x100cc0,
  /** GFP_DMA = __GFP_DMA. */
  GFP_DMA: 0x01,
  /** GFP_DMA32 = __GFP_DMA32. */
  GFP_DMA32: 0x04,
  /** GFP_HIGHUSER = GFP_USER | __GFP_HIGHMEM. */
  GFP_HIGHUSER: 0x100cc2,
  /** GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | __GFP_MOVABLE | __GFP_SKIP_KASAN (0 without KASAN). */
  GFP_HIGHUSER_MOVABLE: 0x100cca,
} as const;

/** Page flag bits (a subset of include/linux/page-flags.h enum pageflags, in its order). */
export const PAGE_FLAGS = {
  /** PG_locked: page is locked (I/O in progress). */
  locked: 1 << 0,
  /** PG_referenced: recently accessed. */
  referenced: 1 << 1,
  /** PG_uptodate: contents valid. */
  uptodate: 1 << 2,
  /** PG_dirty: must be written back. */
  dirty: 1 << 3,
  /** PG_lru: on an LRU list. */
  lru: 1 << 4,
  /** PG_head: heads a compound block. */
  head: 1 << 5,
  /** PG_active: on the active list. */
  active: 1 << 6,
  /** PG_slab: owned by the slab allocator. */
  slab: 1 << 7,
  /** PG_reserved: reserved at boot (firmware, kernel image, drivers); never in the buddy lists. */
  reserved: 1 << 8,
  /** PG_private: fs/buffer private data. */
  private: 1 << 9,
  /** PG_writeback: being written back. */
  writeback: 1 << 10,
  /** PG_swapbacked: backed by swap. */
  swapbacked: 1 << 11,
  /** PageBuddy: heads a free block on a buddy free list (a page type in Linux ≥ 4.x). */
  buddy: 1 << 12,
} as const;

/** Payload of `phys/alloc-pages`. */
export interface AllocPagesRequest {
  /** GFP flags (GFP_KERNEL, GFP_DMA, GFP_HIGHUSER, …). */
  readonly gfp: number;
  /** log2 of the number of frames. */
  readonly order: number;
  /** Who holds the block (`slab`, `mmu`, `pager`, …); `slab` also sets PG_slab on every frame. */
  readonly owner?: string;
}

/** Reply of `phys/alloc-pages`: the first frame, or -1 with ENOMEM when no block is big enough. */
export interface AllocPagesReply {
  /** The page frame number of the block's first frame, or -1. */
  readonly pfn: number;
  /** `ENOMEM` on failure. */
  readonly error?: 'ENOMEM';
}

/** Payload of `phys/free-pages`. */
export interface FreePagesRequest {
  /** First frame of the block. */
  readonly pfn: number;
  /** Its order, as allocated. */
  readonly order: number;
}

/** Payload of `phys/get-page` and `phys/put-page`. */
export interface PageRefRequest {
  /** The head frame of an allocated block. */
  readonly pfn: number;
}

/** Reply of `phys/get-page` and `phys/put-page`. */
export interface PageRefReply {
  /** The reference count after the change (0: the block was freed). */
  readonly refcount: number;
}

/** Payload of `phys/set-page-flags`. */
export interface SetPageFlagsRequest {
  /** First frame. */
  readonly pfn: number;
  /** Number of frames (default 1). */
  readonly count?: number;
  /** PAGE_FLAGS bits to set. */
  readonly set?: number;
  /** PAGE_FLAGS bits to clear. */
  readonly clear?: number;
}

/** Payload of `phys/reserve-range`. */
export interface ReserveRangeRequest {
  /** First frame of the range. */
  readonly pfn: number;
  /** Number of frames. */
  readonly count: number;
  /** Who reserves it (a driver name). */
  readonly owner?: string;
}

/** Reply of `phys/reserve-range`. */
export interface ReserveRangeReply {
  /** The first frame, or -1 when part of the range is not free. */
  readonly pfn: number;
  /** `EBUSY` when part of the range is allocated or reserved, `EINVAL` when out of range. */
  readonly error?: 'EBUSY' | 'EINVAL';
}

/** Payload of `phys/frame-info`. */
export interface FrameInfoRequest {
  /** The frame. */
  readonly pfn: number;
}

/** One frame's descriptor (struct page, abridged). */
export interface FrameInfo {
  /** The frame number. */
  readonly pfn: number;
  /** Reference count (0 = free or the tail of a block). */
  readonly refcount: number;
  /** PAGE_FLAGS bits. */
  readonly flags: number;
  /** The flags by name. */
  readonly flagNames: readonly string[];
  /** Order of the block this frame heads (free or allocated), else 0. */
  readonly order: number;
  /** Zone name (`DMA`, `DMA32`, `Normal`, `HighMem`). */
  readonly zone: string;
  /** Owner name, or null. */
  readonly owner: string | null;
  /** Whether the frame is free (in some free block). */
  readonly free: boolean;
}

/** Payload of `phys/count-frames` (read-only): both filters must match when both are given. */
export interface CountFramesRequest {
  /** Count frames that have every bit of this PAGE_FLAGS mask. */
  readonly flags?: number;
  /** Count frames held by this owner. */
  readonly owner?: string;
}

/** Reply of `phys/count-frames`. */
export interface CountFramesReply {
  /** Number of matching frames. */
  readonly count: number;
}

/** A zone as `phys/describe-memory` reports it. */
export interface ZoneDescription {
  /** `DMA`, `DMA32`, `Normal` or `HighMem`. */
  readonly name: string;
  /** First frame. */
  readonly startPfn: number;
  /** Frames spanned. */
  readonly spanned: number;
  /** Frames managed by the buddy allocator (not reserved at boot). */
  readonly managed: number;
  /** Free frames now. */
  readonly free: number;
  /** Watermarks in frames. */
  readonly min: number;
  /** Low watermark. */
  readonly low: number;
  /** High watermark. */
  readonly high: number;
}

/** Reply of `phys/describe-memory`. */
export interface MemoryDescription {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Number of frames. */
  readonly frames: number;
  /** Highest buddy order (MAX_ORDER - 1 in Linux before 6.4). */
  readonly maxOrder: number;
  /** The zones, lowest first. */
  readonly zones: readonly ZoneDescription[];
}

/** Fit policies of variable partitions. */
export type FitPolicy = 'first' | 'next' | 'best' | 'worst';

/** How a variable-partition pool tracks free space. */
export type FreeTracking = 'list' | 'bitmap';

/** Payload of `phys/create-pool`. */
export interface CreatePoolRequest {
  /** The pool's name. */
  readonly pool: string;
  /** `fixed` partitions or `variable` partitions. */
  readonly kind: 'fixed' | 'variable';
  /** Bytes in the pool. */
  readonly size: number;
  /** Fixed pools: the partition sizes (sum ≤ size); equal partitions when all are the same. */
  readonly partitions?: readonly number[];
  /** Variable pools: the fit policy (default `first`). */
  readonly fit?: FitPolicy;
  /** Variable pools: free list or bitmap (default `list`). */
  readonly tracking?: FreeTracking;
  /** Bitmap pools: bytes per bit (default 1). */
  readonly unit?: number;
}

/** Payload of `phys/partition-alloc`. */
export interface PartitionAllocRequest {
  /** The pool. */
  readonly pool: string;
  /** Bytes wanted. */
  readonly size: number;
  /** A name for the allocation (default `r<n>`). */
  readonly name?: string;
}

/** Reply of `phys/partition-alloc`. */
export interface PartitionAllocReply {
  /** Start address within the pool, or -1. */
  readonly address: number;
  /** `ENOMEM` when no hole fits, `EINVAL` for a bad pool or size. */
  readonly error?: 'ENOMEM' | 'EINVAL';
}

/** Payload of `phys/partition-free`. */
export interface PartitionFreeRequest {
  /** The pool. */
  readonly pool: string;
  /** The allocation's start address. */
  readonly address: number;
}

/** Payload of `phys/compact`. */
export interface CompactRequest {
  /** The pool. */
  readonly pool: string;
}

/** One allocation moved by compaction. */
export interface CompactionMove {
  /** The allocation's name. */
  readonly name: string;
  /** Old start address. */
  readonly from: number;
  /** New start address. */
  readonly to: number;
  /** Its size in bytes. */
  readonly size: number;
}

/** Reply of `phys/compact`. */
export interface CompactReply {
  /** What moved, lowest first. */
  readonly moves: readonly CompactionMove[];
  /** Bytes copied in total. */
  readonly bytesMoved: number;
}

/** Payload of `phys/create-map`. */
export interface CreateMapRequest {
  /** The map's name (e.g. `swapmap`). */
  readonly map: string;
  /** First unit address handed out (must be > 0: rmalloc returns 0 for failure). */
  readonly base: number;
  /** Units managed. */
  readonly units: number;
  /** Maximum number of free entries (m_size; default 64); rmfree loses the freed fragment when the map is full ("rmap ovflo", 4.3BSD sys/subr_rmap.c). */
  readonly slots?: number;
}

/** Payload of `phys/rmalloc`. */
export interface RmallocRequest {
  /** The map. */
  readonly map: string;
  /** Units wanted. */
  readonly units: number;
}

/** Reply of `phys/rmalloc`. */
export interface RmallocReply {
  /** The address of the first unit, 0 on failure. */
  readonly address: number;
  /** `ENOMEM` on failure. */
  readonly error?: 'ENOMEM';
}

/** Payload of `phys/rmfree`. */
export interface RmfreeRequest {
  /** The map. */
  readonly map: string;
  /** Units given back. */
  readonly units: number;
  /** Their first address. */
  readonly address: number;
}

/** Payload of `phys/pages-allocated`. */
export interface PagesAllocatedEvent {
  /** First frame. */
  readonly pfn: number;
  /** Order. */
  readonly order: number;
  /** Zone it came from. */
  readonly zone: string;
  /** The request's GFP flags. */
  readonly gfp: number;
  /** Owner, or null. */
  readonly owner: string | null;
}

/** Payload of `phys/pages-freed`. */
export interface PagesFreedEvent {
  /** First frame. */
  readonly pfn: number;
  /** Order. */
  readonly order: number;
  /** Zone. */
  readonly zone: string;
}

/** Payload of `phys/block-split`. */
export interface BlockSplitEvent {
  /** Zone. */
  readonly zone: string;
  /** First frame of the block split. */
  readonly pfn: number;
  /** Order of the block before the split. */
  readonly order: number;
  /** First frame of the upper half, put on the free list of order - 1. */
  readonly freedHalf: number;
}

/** Payload of `phys/buddies-merged`. */
export interface BuddiesMergedEvent {
  /** Zone. */
  readonly zone: string;
  /** First frame of the merged block. */
  readonly pfn: number;
  /** Order of the merged block. */
  readonly order: number;
}
