/**
 * Messages of the slab subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/slab/protocol`), never the implementation.
 *
 * Addresses are kernel virtual addresses held in a JS number. On 64-bit profiles a kernel
 * address is kept as its low 48 bits (bits 63..48 of a canonical x86-64 address are copies of
 * bit 47, so they carry no information and are dropped to fit in 2^53); views print them
 * sign-extended, as Linux does (`0xffff880000001000` is held as `0x880000001000`).
 * A failed allocation replies address 0 (NULL) with an `error`, the Linux convention.
 */

/** Request types served by slab. */
export const SLAB_REQUESTS = {
  /** `kmem_cache_create(name, size, align, flags, ctor)`: a new cache; replies its handle. */
  cacheCreate: 'slab/cache-create',
  /** `kmem_cache_destroy(cache)`: releases an empty cache and all its slabs. */
  cacheDestroy: 'slab/cache-destroy',
  /** `kmem_cache_alloc(cache, gfp)`: one object of a cache, by name or handle. */
  cacheAlloc: 'slab/cache-alloc',
  /** `kmem_cache_free(cache, obj)`: gives an object back to its cache. */
  cacheFree: 'slab/cache-free',
  /** `kmem_cache_shrink(cache)`: returns the cache's empty slabs to the buddy allocator. */
  cacheShrink: 'slab/cache-shrink',
  /** Reap under memory pressure: returns empty slabs of every cache to the buddy allocator. */
  reap: 'slab/reap',
  /** `kmalloc(size, gfp)`: an object of the smallest general cache that fits. */
  kmalloc: 'slab/kmalloc',
  /** `kfree(ptr)`: frees a kmalloc'ed object, finding its cache from the page. */
  kfree: 'slab/kfree',
  /** `vmalloc(size)`: a virtually contiguous kernel area of order-0 frames. */
  vmalloc: 'slab/vmalloc',
  /** `vfree(addr)`: unmaps a vmalloc area and frees its frames. */
  vfree: 'slab/vfree',
  /** Read-only: one cache's counters (what a slabinfo line shows, and more). */
  cacheInfo: 'slab/cache-info',
  /** Read-only: the frames slab holds (slab pages and vmalloc pages). */
  frames: 'slab/frames',
} as const;

/** Event types emitted by slab. */
export const SLAB_EVENTS = {
  /** A cache was created. */
  cacheCreated: 'slab/cache-created',
  /** A cache was destroyed. */
  cacheDestroyed: 'slab/cache-destroyed',
  /** A cache got a new slab (its constructor ran on every object of it). */
  slabGrown: 'slab/slab-grown',
  /** An object was handed out. */
  objectAllocated: 'slab/object-allocated',
  /** An object was given back (still constructed). */
  objectFreed: 'slab/object-freed',
  /** An empty slab went back to the buddy allocator (its destructor ran on every object). */
  slabReleased: 'slab/slab-released',
  /** A vmalloc area was reserved in the vmalloc range (get_vm_area), not yet backed. */
  vmallocAreaCreated: 'slab/vmalloc-area-created',
  /** A reserved vmalloc area got its frames, mapped in the kernel page table. */
  vmallocAreaPopulated: 'slab/vmalloc-area-populated',
  /** A vmalloc area was unmapped and its frames freed. */
  vmallocAreaFreed: 'slab/vmalloc-area-freed',
} as const;

/** A cache named by its name (`'vm_area_struct'`) or by the handle `slab/cache-create` replied. */
export type CacheRef = string | number;

/** Payload of `slab/cache-create`. */
export interface CacheCreateRequest {
  /** The cache's name as slabinfo shows it. */
  readonly name: string;
  /** The object size in bytes. */
  readonly size: number;
  /** Required alignment in bytes (0 or absent: the word size). */
  readonly align?: number;
  /** `SLAB_*` flags (`SLAB_HWCACHE_ALIGN` = 0x2000). */
  readonly flags?: number;
  /** The constructor's name, when objects have one (it runs once per object, at slab creation). */
  readonly ctor?: string;
  /** The destructor's name, when objects have one (it runs when a slab is released). */
  readonly dtor?: string;
}

/** Reply of `slab/cache-create`: the handle, or 0 with an error (`EEXIST`, `EINVAL`). */
export interface CacheCreateReply {
  /** The cache handle (> 0), or 0 on failure. */
  readonly cache: number;
  /** The error name on failure. */
  readonly error?: string;
}

/** Payload of `slab/cache-destroy` and `slab/cache-shrink`. */
export interface CacheRequest {
  /** The cache. */
  readonly cache: CacheRef;
}

/** Reply of `slab/cache-destroy`, `slab/cache-free`, `slab/kfree`, `slab/vfree`: 0, or -1 with an error. */
export interface StatusReply {
  /** 0 on success, -1 on failure. */
  readonly value: number;
  /** The error name on failure (`EINVAL`, `EBUSY`). */
  readonly error?: string;
}

/** Payload of `slab/cache-alloc`. */
export interface CacheAllocRequest {
  /** The cache. */
  readonly cache: CacheRef;
  /** GFP flags for the pages a new slab needs (phys-allocator's values; GFP_KERNEL by default). */
  readonly gfp?: number;
}

/** Reply of every allocation (`cache-alloc`, `kmalloc`, `vmalloc`): the address, or 0 with an error. */
export interface AllocReply {
  /** The object's (or area's) kernel virtual address, or 0 (NULL). */
  readonly address: number;
  /** `ENOMEM` (no pages), `EINVAL` (bad size or cache) on failure. */
  readonly error?: string;
}

/** Payload of `slab/cache-free`. */
export interface CacheFreeRequest {
  /** The cache the object came from. */
  readonly cache: CacheRef;
  /** The object's address. */
  readonly address: number;
}

/** Reply of `slab/cache-shrink` and `slab/reap`: pages returned to the buddy allocator. */
export interface ShrinkReply {
  /** Number of page frames freed. */
  readonly pagesFreed: number;
}

/** Payload of `slab/reap`. */
export interface ReapRequest {
  /** Stop once at least this many pages were freed (absent: free every empty slab). */
  readonly pages?: number;
}

/** Payload of `slab/kmalloc`. */
export interface KmallocRequest {
  /** Bytes wanted. */
  readonly size: number;
  /** GFP flags (phys-allocator's values); `__GFP_DMA` picks the `size-N(DMA)` caches. */
  readonly gfp?: number;
}

/** Payload of `slab/kfree` and `slab/vfree`. */
export interface AddressRequest {
  /** The address allocation returned (0 is accepted and ignored, like `kfree(NULL)`). */
  readonly address: number;
}

/** Payload of `slab/vmalloc`. */
export interface VmallocRequest {
  /** Bytes wanted (rounded up to whole pages). */
  readonly size: number;
  /** GFP flags for the frames (GFP_KERNEL | __GFP_HIGHMEM by default). */
  readonly gfp?: number;
  /** Who asked, as vmallocinfo's caller column shows it (default `vmalloc`). */
  readonly caller?: string;
}

/** Reply of `slab/cache-info`: one cache's numbers, or null for an unknown cache. */
export interface CacheInfo {
  /** The handle. */
  readonly cache: number;
  /** The name. */
  readonly name: string;
  /** Object size with alignment padding (slabinfo's `<objsize>`). */
  readonly objectSize: number;
  /** Objects per slab. */
  readonly objectsPerSlab: number;
  /** Pages per slab (2^order). */
  readonly pagesPerSlab: number;
  /** Live objects. */
  readonly activeObjects: number;
  /** Objects in all slabs. */
  readonly totalObjects: number;
  /** Slabs with at least one live object. */
  readonly activeSlabs: number;
  /** All slabs. */
  readonly totalSlabs: number;
  /** Slabs on the full, partial and empty lists. */
  readonly full: number;
  /** Slabs on the partial list. */
  readonly partial: number;
  /** Slabs on the empty (free) list. */
  readonly empty: number;
  /** Times the constructor ran. */
  readonly ctorRuns: number;
  /** Times the destructor ran. */
  readonly dtorRuns: number;
}

/** Reply of `slab/frames`: page frames slab holds. */
export interface FramesReply {
  /** Frames in slabs. */
  readonly slabFrames: number;
  /** Frames backing vmalloc areas. */
  readonly vmallocFrames: number;
}

/** Payload of `slab/cache-created`. */
export interface CacheCreatedEvent {
  /** The handle. */
  readonly cache: number;
  /** The name. */
  readonly name: string;
  /** The size asked for. */
  readonly size: number;
  /** The alignment asked for. */
  readonly align: number;
  /** The flags. */
  readonly flags: number;
  /** Constructor name, or ''. */
  readonly ctor: string;
  /** Destructor name, or ''. */
  readonly dtor: string;
  /** True for the caches made at boot (general and kernel caches), which are never destroyed. */
  readonly boot: boolean;
}

/** Payload of `slab/cache-destroyed`. */
export interface CacheDestroyedEvent {
  /** The handle. */
  readonly cache: number;
}

/** Payload of `slab/slab-grown`. */
export interface SlabGrownEvent {
  /** The cache. */
  readonly cache: number;
  /** The first frame of the slab. */
  readonly pfn: number;
  /** Colour offset in bytes of this slab's first object area. */
  readonly colourOffset: number;
  /** Address of the off-slab management object (allocated just before), or 0 when on-slab. */
  readonly mgmt: number;
}

/** Payload of `slab/object-allocated` and `slab/object-freed`. */
export interface ObjectEvent {
  /** The cache. */
  readonly cache: number;
  /** The slab's first frame. */
  readonly pfn: number;
  /** The object's index within its slab. */
  readonly index: number;
  /** The object's address. */
  readonly address: number;
}

/** Payload of `slab/slab-released`. */
export interface SlabReleasedEvent {
  /** The cache. */
  readonly cache: number;
  /** The slab's first frame. */
  readonly pfn: number;
  /** The slab's order (2^order frames). */
  readonly order: number;
}

/** Payload of `slab/vmalloc-area-created`. */
export interface VmallocAreaCreatedEvent {
  /** Start of the area. */
  readonly address: number;
  /** Size including the guard page (as vmallocinfo prints it). */
  readonly size: number;
  /** Who asked. */
  readonly caller: string;
}

/** Payload of `slab/vmalloc-area-populated`. */
export interface VmallocAreaPopulatedEvent {
  /** Start of the area. */
  readonly address: number;
  /** The frames, one per page, in address order. */
  readonly pfns: readonly number[];
  /** The address of the area's page array (kmalloc'ed, or vmalloc'ed when larger than a page). */
  readonly pagesArray: number;
  /** True when the page array was vmalloc'ed (VM_VPAGES). */
  readonly vpages: boolean;
}

/** Payload of `slab/vmalloc-area-freed`. */
export interface VmallocAreaFreedEvent {
  /** Start of the area. */
  readonly address: number;
}
