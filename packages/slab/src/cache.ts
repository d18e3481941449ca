/**
 * Object caches: kmem_cache_create / kmem_cache_alloc / kmem_cache_free / kmem_cache_shrink /
 * kmem_cache_destroy, and the reap that gives empty slabs back under memory pressure.
 * Linux 2.6.18 mm/slab.c and Gorman, "Understanding the Linux Virtual Memory Manager", ch. 8.
 */
import {
  applyCacheCreated,
  applyCacheDestroyed,
  applySlabGrown,
  applySlabReleased,
  putObject,
  takeObject,
} from './apply.js';
import { addressToPfn } from './layout.js';
import { emit, type SlabModel } from './model.js';
import type { PageSource } from './pageSource.js';
import { SLAB_EVENTS, type CacheCreateReply, type CacheRef, type ObjectEvent } from './protocol.js';
import { SLAB_CACHE_DMA } from './slabFlags.js';
import { cacheGeometry } from './slabLayout.js';
import { listFrames } from './slabLists.js';
import { getSlab, pageSlab } from './slabTable.js';
import { BUFCTL_ACTIVE, SLABS_FREE, SLABS_PARTIAL, type Cache, type Slab, type SlabState } from './state.js';

/** GFP_KERNEL (include/linux/gfp_types.h, the values phys-allocator uses). */
export const GFP_KERNEL = 0xcc0;
/** __GFP_DMA. */
export const GFP_DMA = 0x01;
/** __GFP_HIGHMEM. */
export const GFP_HIGHMEM = 0x02;

/** An allocation's outcome: the address, or 0 with an error name. */
export interface AllocResult {
  /** The address, or 0 (NULL). */
  readonly address: number;
  /** `ENOMEM` or `EINVAL` when address is 0. */
  readonly error?: string;
}

/** A release's outcome: 0, or -1 with an error name. */
export interface StatusResult {
  /** 0 on success, -1 on failure. */
  readonly value: number;
  /** The error name on failure. */
  readonly error?: string;
}

/** Options of {@link kmemCacheCreate}. */
export interface CacheOptions {
  /** Required alignment (0: a word). */
  readonly align?: number;
  /** SLAB_* flags. */
  readonly flags?: number;
  /** Constructor name: runs once per object when its slab is made. */
  readonly ctor?: string;
  /** Destructor name: runs once per object when its slab is released. */
  readonly dtor?: string;
  /** Marks a cache the kernel makes at boot (never destroyed). */
  readonly boot?: boolean;
}

/** The cache `ref` names (by name or handle), or undefined. */
export function findCache(state: SlabState, ref: CacheRef): Cache | undefined {
  const id = typeof ref === 'number' ? ref : state.cacheByName[ref];
  return id === undefined ? undefined : state.caches[id];
}

/**
 * kmem_cache_create: a new cache; its handle, or 0 with `EEXIST` (the name is taken) or `EINVAL`
 * (size below a word or no slab of at most 32 pages holds one object; mm/slab.c checks
 * `size < BYTES_PER_WORD || size > (1 << MAX_OBJ_ORDER) * PAGE_SIZE`).
 */
export function kmemCacheCreate(model: SlabModel, name: string, size: number, options: CacheOptions = {}): CacheCreateReply {
  const state = model.state;
  if (!name || !Number.isInteger(size) || size < state.layout.wordSize) return { cache: 0, error: 'EINVAL' };
  if (state.cacheByName[name] !== undefined) return { cache: 0, error: 'EEXIST' };
  const align = options.align ?? 0;
  const flags = options.flags ?? 0;
  if (!Number.isInteger(align) || align < 0 || (align & (align - 1)) !== 0) return { cache: 0, error: 'EINVAL' };
  if (!cacheGeometry(state.layout, size, align, flags)) return { cache: 0, error: 'EINVAL' };
  const cache = state.nextCacheId;
  emit(
    model,
    SLAB_EVENTS.cacheCreated,
    { cache, name, size, align, flags, ctor: options.ctor ?? '', dtor: options.dtor ?? '', boot: options.boot ?? false },
    applyCacheCreated,
  );
  return { cache };
}

/**
 * Frames from the page source; when there are none, memory pressure: the slab reap releases
 * empty slabs (Linux 2.4 mm/vmscan.c try_to_free_pages calls kmem_cache_reap before anything
 * else) and the allocation is tried once more. The first frame, or -1.
 */
export function allocPagesReaping(model: SlabModel, order: number, gfp: number, source: PageSource = model.pages): number {
  const pfn = source.allocPages(order, gfp);
  if (pfn >= 0) return pfn;
  if (kmemCacheReap(model, 2 ** order) === 0) return -1;
  return source.allocPages(order, gfp);
}

/**
 * cache_grow: one more slab for `cache`. Its colour is the cache's next colour (colour_next
 * cycles through 0 … colour-1); its pages come from the page source (GFP_DMA added for
 * SLAB_CACHE_DMA caches); off-slab management is an object of the general cache `slabp_cache`.
 * (2.6 advances colour_next before asking for pages, so a failed grow also moves it; here only a
 * slab that is made does, since a failed grow leaves no event.)
 * The first frame, or -1 when pages (or the management object) could not be had.
 */
export function cacheGrow(model: SlabModel, cache: Cache, gfp: number): number {
  const colourOffset = cache.colourNext * cache.colourOff;
  const pfn = allocPagesReaping(model, cache.order, cache.flags & SLAB_CACHE_DMA ? gfp | GFP_DMA : gfp);
  if (pfn < 0) return -1;
  let mgmt = 0;
  if (cache.offSlab) {
    mgmt = kmemCacheAlloc(model, model.state.caches[cache.mgmtCache]!, gfp).address;
    if (!mgmt) {
      model.pages.freePages(pfn, cache.order);
      return -1;
    }
  }
  emit(model, SLAB_EVENTS.slabGrown, { cache: cache.id, pfn, colourOffset, mgmt }, applySlabGrown);
  return pfn;
}

/**
 * kmem_cache_alloc: an object from the first partial slab, else the first empty slab, else a new
 * slab (Linux 2.4 kmem_cache_alloc_one, Gorman §8.2.1). Its address, or 0 with `ENOMEM`.
 */
export function kmemCacheAlloc(model: SlabModel, cache: Cache, gfp: number = GFP_KERNEL): AllocResult {
  const state = model.state;
  let pfn = cache.lists[SLABS_PARTIAL]!.head;
  if (pfn < 0) pfn = cache.lists[SLABS_FREE]!.head;
  if (pfn < 0) {
    pfn = cacheGrow(model, cache, gfp);
    if (pfn < 0) return { address: 0, error: 'ENOMEM' };
  }
  const slab = getSlab(state, pfn)!;
  const index = slab.free;
  const address = slab.objects + index * cache.objectSize;
  // Hot path: apply directly (same body as applyObjectAllocated) and record the event.
  takeObject(state, cache, slab);
  if (model.record) model.record({ type: SLAB_EVENTS.objectAllocated, payload: { cache: cache.id, pfn, index, address } });
  return { address };
}

/** Where an object is. */
export interface ObjectLocation {
  /** Its slab's first frame. */
  readonly pfn: number;
  /** Its index in the slab. */
  readonly index: number;
  /** Its cache. */
  readonly cache: Cache;
}

/** Where `address` is: its slab's first frame and its index, or null when it is no object's start. */
export function locateObject(state: SlabState, address: number): ObjectLocation | null {
  const slab = slabOf(state, address);
  if (!slab) return null;
  const cache = state.caches[slab.cache]!;
  const index = objectIndex(cache, slab, address);
  return index < 0 ? null : { pfn: slab.pfn, index, cache };
}

/** The slab whose pages hold `address` (virt_to_page, then the page's slab), or undefined. */
function slabOf(state: SlabState, address: number): Slab | undefined {
  const pfn = addressToPfn(state.layout, address);
  const slab = getSlab(state, pfn); // the slab's first page: the common case
  if (slab !== undefined) return slab;
  const head = pageSlab(state, pfn);
  return head === undefined ? undefined : getSlab(state, head);
}

/** The index of the object starting at `address` in `slab`, or -1. */
function objectIndex(cache: Cache, slab: Slab, address: number): number {
  const offset = address - slab.objects;
  if (offset < 0 || offset % cache.objectSize !== 0) return -1;
  const index = offset / cache.objectSize;
  return index < cache.objectsPerSlab ? index : -1;
}

/**
 * The object kmem_cache_alloc would hand out without growing the cache (the free head of the first
 * partial slab, else of the first empty slab), as the event that records it; null when the cache
 * must grow. Reads the state only.
 */
export function planAlloc(state: SlabState, cache: Cache): ObjectEvent | null {
  let pfn = cache.lists[SLABS_PARTIAL]!.head;
  if (pfn < 0) pfn = cache.lists[SLABS_FREE]!.head;
  if (pfn < 0) return null;
  const slab = getSlab(state, pfn)!;
  return { cache: cache.id, pfn, index: slab.free, address: slab.objects + slab.free * cache.objectSize };
}

/**
 * The event freeing the live object at `address` (of `expected`, when given), or the EINVAL
 * result when there is none. Reads the state only (freeing never releases a slab).
 */
export function planFree(state: SlabState, address: number, expected?: Cache): ObjectEvent | StatusResult {
  const slab = slabOf(state, address);
  if (slab === undefined) return INVALID;
  const cache = state.caches[slab.cache]!;
  if (expected !== undefined && expected.id !== cache.id) return INVALID;
  const index = objectIndex(cache, slab, address);
  if (index < 0 || slab.bufctl[index] !== BUFCTL_ACTIVE) return INVALID;
  return { cache: cache.id, pfn: slab.pfn, index, address };
}

const INVALID: StatusResult = Object.freeze({ value: -1, error: 'EINVAL' });
const DONE: StatusResult = Object.freeze({ value: 0 });

/**
 * Frees the object at `address`, which must be a live object (of `expected`, when given): finds
 * its slab from the page, checks its bufctl is BUFCTL_ACTIVE, and puts it back.
 */
export function freeObject(model: SlabModel, address: number, expected?: Cache): StatusResult {
  const state = model.state;
  const slab = slabOf(state, address);
  if (slab === undefined) return INVALID;
  const cache = state.caches[slab.cache]!;
  if (expected !== undefined && expected.id !== cache.id) return INVALID;
  const index = objectIndex(cache, slab, address);
  if (index < 0 || slab.bufctl[index] !== BUFCTL_ACTIVE) return INVALID;
  putObject(state, cache, slab, index);
  if (model.record) model.record({ type: SLAB_EVENTS.objectFreed, payload: { cache: cache.id, pfn: slab.pfn, index, address } });
  return DONE;
}

/**
 * kmem_cache_free: gives the object at `address` back to `cache`, where it stays constructed.
 * -1 with `EINVAL` when the address is not an object of that cache or is already free
 * (mm/slab.c's debug checks: "object from wrong cache", BUFCTL_ACTIVE for double frees).
 */
export function kmemCacheFree(model: SlabModel, cache: Cache, address: number): StatusResult {
  return freeObject(model, address, cache);
}

/**
 * slab_destroy: releases the empty slab at `pfn`: the destructor runs on its objects, its pages go
 * back to the page source, then its off-slab management object goes back to slabp_cache.
 */
export function slabDestroy(model: SlabModel, cache: Cache, pfn: number): void {
  const mgmt = getSlab(model.state, pfn)!.mgmt;
  emit(model, SLAB_EVENTS.slabReleased, { cache: cache.id, pfn, order: cache.order }, applySlabReleased);
  model.pages.freePages(pfn, cache.order);
  if (mgmt) kmemCacheFree(model, model.state.caches[cache.mgmtCache]!, mgmt);
}

/**
 * kmem_cache_shrink: releases up to `limit` (default all) of the cache's empty slabs, last first
 * (2.6 drain_freelist and 2.4 kmem_cache_reap both take `slabs_free.prev`); the frames freed.
 */
export function kmemCacheShrink(model: SlabModel, cache: Cache, limit = Infinity): number {
  let freed = 0;
  for (const pfn of listFrames(model.state, cache, SLABS_FREE).reverse()) {
    if (limit-- <= 0) break;
    slabDestroy(model, cache, pfn);
    freed += 2 ** cache.order;
  }
  return freed;
}

/**
 * kmem_cache_destroy: shrinks the cache and removes it; -1 with `EBUSY` while it has live
 * objects (2.6.18 prints "Can't free all objects" and keeps it) or `EINVAL` for a boot cache.
 */
export function kmemCacheDestroy(model: SlabModel, cache: Cache): StatusResult {
  if (cache.boot) return { value: -1, error: 'EINVAL' };
  if (cache.activeObjects > 0) return { value: -1, error: 'EBUSY' };
  kmemCacheShrink(model, cache);
  emit(model, SLAB_EVENTS.cacheDestroyed, { cache: cache.id }, applyCacheDestroyed);
  return { value: 0 };
}

/**
 * The reap under memory pressure (Linux 2.4 mm/slab.c kmem_cache_reap, Gorman §8.1.7): picks the
 * cache whose empty slabs hold the most pages — discounted by a fifth for caches with a
 * constructor (costly to rebuild) and again for multi-page slabs — and releases half of its empty
 * slabs, rounded up (`best_len = (best_len + 1)/2`, "free only 50% of the free slabs").
 * Repeated until `target` frames were freed. Simplified: every cache is scanned each time, where
 * 2.4 scans REAP_SCANLEN (10) caches from a clock hand and stops early at REAP_PERFECT pages.
 * The frames freed.
 */
export function kmemCacheReap(model: SlabModel, target = Infinity): number {
  let freed = 0;
  while (freed < target) {
    let best: Cache | undefined;
    let bestPages = 0;
    for (const id of model.state.cacheIds) {
      const cache = model.state.caches[id]!;
      const empty = cache.lists[SLABS_FREE]!.length;
      if (empty === 0) continue;
      let pages = empty * 2 ** cache.order;
      if (cache.ctor) pages = Math.floor((pages * 4 + 1) / 5);
      if (cache.order) pages = Math.floor((pages * 4 + 1) / 5);
      if (pages > bestPages) {
        best = cache;
        bestPages = pages;
      }
    }
    if (!best) break;
    freed += kmemCacheShrink(model, best, Math.floor((best.lists[SLABS_FREE]!.length + 1) / 2));
  }
  return freed;
}
