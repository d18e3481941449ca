/**
 * The only functions that change a {@link SlabState}: one per event. The model's operations
 * decide what happens, then call these; a machine's `evolve` calls the same ones with the
 * recorded events, so the model alone and the server can never disagree.
 */
import { pageAddress } from './layout.js';
import type {
  CacheCreatedEvent,
  CacheDestroyedEvent,
  ObjectEvent,
  SlabGrownEvent,
  SlabReleasedEvent,
  VmallocAreaCreatedEvent,
  VmallocAreaFreedEvent,
  VmallocAreaPopulatedEvent,
} from './protocol.js';
import { cacheGeometry } from './slabLayout.js';
import { listAdd, listAddTail, listDel } from './slabLists.js';
import { clearPageSlab, getSlab, putSlab, removeSlab, setPageSlab } from './slabTable.js';
import { BUFCTL_ACTIVE, BUFCTL_END, SLABS_FREE, SLABS_FULL, SLABS_PARTIAL, type Cache, type Slab, type SlabState } from './state.js';
import { kmallocIndex } from './sizeClasses.js';

/** Adds the cache `e` describes, with the geometry mm/slab.c gives it. */
export function applyCacheCreated(state: SlabState, e: CacheCreatedEvent): void {
  const geometry = cacheGeometry(state.layout, e.size, e.align, e.flags);
  if (!geometry) throw new RangeError(`cache ${e.name}: no slab of at most 2^${state.layout.maxSlabOrder} pages holds a ${e.size}-byte object`);
  let mgmtCache = 0;
  if (geometry.offSlab) {
    // slabp_cache = kmem_find_general_cachep(slab_size, 0): the general cache that fits the management.
    mgmtCache = state.general[kmallocIndex(geometry.slabSize)] ?? 0;
    if (!mgmtCache) throw new RangeError(`cache ${e.name}: no general cache holds its ${geometry.slabSize}-byte slab management`);
  }
  const cache: Cache = {
    id: e.cache,
    name: e.name,
    size: e.size,
    requestedAlign: e.align,
    flags: e.flags,
    objectSize: geometry.objectSize,
    objectsPerSlab: geometry.objectsPerSlab,
    order: geometry.order,
    offSlab: geometry.offSlab,
    slabSize: geometry.slabSize,
    mgmtCache,
    colour: geometry.colour,
    colourOff: geometry.colourOff,
    colourNext: 0,
    ctor: e.ctor,
    dtor: e.dtor,
    boot: e.boot,
    lists: [
      { head: -1, tail: -1, length: 0 },
      { head: -1, tail: -1, length: 0 },
      { head: -1, tail: -1, length: 0 },
    ],
    activeObjects: 0,
    totalSlabs: 0,
    ctorRuns: 0,
    dtorRuns: 0,
  };
  state.caches[e.cache] = cache;
  state.cacheIds.push(e.cache);
  state.cacheByName[e.name] = e.cache;
  if (e.cache >= state.nextCacheId) state.nextCacheId = e.cache + 1;
}

/** Removes an empty cache. */
export function applyCacheDestroyed(state: SlabState, e: CacheDestroyedEvent): void {
  const cache = state.caches[e.cache]!;
  delete state.cacheByName[cache.name];
  delete state.caches[e.cache];
  state.cacheIds.splice(state.cacheIds.indexOf(e.cache), 1);
}

/**
 * Adds a slab (mm/slab.c cache_grow): colour offset, management on- or off-slab, every object
 * constructed and chained free (cache_init_objs), the slab last on slabs_free, and every page
 * pointing back at it (page_set_cache / page_set_slab).
 */
export function applySlabGrown(state: SlabState, e: SlabGrownEvent): void {
  const cache = state.caches[e.cache]!;
  const base = pageAddress(state.layout, e.pfn);
  const num = cache.objectsPerSlab;
  const bufctl = new Array<number>(num);
  for (let i = 0; i < num - 1; i++) bufctl[i] = i + 1;
  bufctl[num - 1] = BUFCTL_END;
  const slab = {
    cache: e.cache,
    pfn: e.pfn,
    colourOffset: e.colourOffset,
    objects: base + e.colourOffset + (cache.offSlab ? 0 : cache.slabSize),
    mgmt: e.mgmt,
    inuse: 0,
    free: 0,
    bufctl,
    list: SLABS_FREE,
    prev: -1,
    next: -1,
  };
  putSlab(state, slab);
  const pages = 2 ** cache.order;
  setPageSlab(state, e.pfn, pages, e.pfn);
  listAddTail(state, cache, getSlab(state, e.pfn)!, SLABS_FREE);
  cache.totalSlabs++;
  if (cache.ctor) cache.ctorRuns += num;
  cache.colourNext = cache.colourNext + 1 >= cache.colour ? 0 : cache.colourNext + 1;
  state.slabFrames += pages;
}

/**
 * Hands out object `e.index`, the head of its slab's free chain (slab_get_obj), and moves the
 * slab as Linux 2.4's kmem_cache_alloc_one does (Gorman §8.2): a slab taken from slabs_free goes
 * first on slabs_partial; a slab with no free object left goes first on slabs_full.
 */
export function applyObjectAllocated(state: SlabState, e: ObjectEvent): void {
  const slab = getSlab(state, e.pfn)!;
  if (slab.free !== e.index) throw new Error(`object ${e.index} is not the free head (${slab.free}) of slab ${e.pfn}`);
  takeObject(state, state.caches[slab.cache]!, slab);
}

/** Takes the head of `slab`'s free chain (the body of {@link applyObjectAllocated}, for callers that hold the slab). */
export function takeObject(state: SlabState, cache: Cache, slab: Slab): void {
  const index = slab.free;
  slab.free = slab.bufctl[index]!;
  slab.bufctl[index] = BUFCTL_ACTIVE;
  slab.inuse++;
  cache.activeObjects++;
  if (slab.list === SLABS_FREE) {
    listDel(state, cache, slab);
    listAdd(state, cache, slab, SLABS_PARTIAL);
  }
  if (slab.free === BUFCTL_END) {
    listDel(state, cache, slab);
    listAdd(state, cache, slab, SLABS_FULL);
  }
}

/**
 * Takes object `e.index` back, first on its slab's free chain (slab_put_obj), still constructed;
 * a slab that becomes empty goes first on slabs_free, a full one first on slabs_partial
 * (Linux 2.4 kmem_cache_free_one, Gorman §8.2).
 */
export function applyObjectFreed(state: SlabState, e: ObjectEvent): void {
  const slab = getSlab(state, e.pfn)!;
  if (slab.bufctl[e.index] !== BUFCTL_ACTIVE) throw new Error(`object ${e.index} of slab ${e.pfn} is not allocated`);
  putObject(state, state.caches[slab.cache]!, slab, e.index);
}

/** Puts allocated object `index` back on `slab` (the body of {@link applyObjectFreed}, for callers that hold the slab). */
export function putObject(state: SlabState, cache: Cache, slab: Slab, index: number): void {
  slab.bufctl[index] = slab.free;
  slab.free = index;
  slab.inuse--;
  cache.activeObjects--;
  if (slab.inuse === 0) {
    listDel(state, cache, slab);
    listAdd(state, cache, slab, SLABS_FREE);
  } else if (slab.list === SLABS_FULL) {
    listDel(state, cache, slab);
    listAdd(state, cache, slab, SLABS_PARTIAL);
  }
}

/** Drops an empty slab (slab_destroy): the destructor runs on each object, the pages forget it. */
export function applySlabReleased(state: SlabState, e: SlabReleasedEvent): void {
  const slab = getSlab(state, e.pfn)!;
  if (slab.inuse !== 0) throw new Error(`slab ${e.pfn} still has ${slab.inuse} objects`);
  const cache = state.caches[slab.cache]!;
  listDel(state, cache, slab);
  const pages = 2 ** cache.order;
  clearPageSlab(state, e.pfn, pages);
  removeSlab(state, e.pfn);
  cache.totalSlabs--;
  if (cache.dtor) cache.dtorRuns += cache.objectsPerSlab;
  state.slabFrames -= pages;
}

/** Inserts a reserved area into the address-ordered vmlist. */
export function applyVmallocAreaCreated(state: SlabState, e: VmallocAreaCreatedEvent): void {
  let at = 0;
  while (at < state.areas.length && state.areas[at]!.address < e.address) at++;
  state.areas.splice(at, 0, { address: e.address, size: e.size, caller: e.caller, pfns: [], pagesArray: 0, vpages: false });
}

/** Records the frames and page array of a reserved area. */
export function applyVmallocAreaPopulated(state: SlabState, e: VmallocAreaPopulatedEvent): void {
  const area = state.areas.find((a) => a.address === e.address)!;
  area.pfns = [...e.pfns];
  area.pagesArray = e.pagesArray;
  area.vpages = e.vpages;
  state.vmallocFrames += e.pfns.length;
}

/** Removes an area from the vmlist. */
export function applyVmallocAreaFreed(state: SlabState, e: VmallocAreaFreedEvent): void {
  const at = state.areas.findIndex((a) => a.address === e.address);
  state.vmallocFrames -= state.areas[at]!.pfns.length;
  state.areas.splice(at, 1);
}
