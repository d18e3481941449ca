/**
 * kmalloc / kfree over the general caches (Linux 2.6 mm/slab.c __kmalloc and kfree; Gorman §8.4).
 */
import { GFP_DMA, freeObject, kmemCacheAlloc, type AllocResult, type StatusResult } from './cache.js';
import type { SlabModel } from './model.js';
import { kmallocIndex } from './sizeClasses.js';

/**
 * kmalloc: an object of the smallest general cache of at least `size` bytes (the size-N(DMA)
 * twin with __GFP_DMA). Sizes above the largest general cache return 0 with `ENOMEM`, as
 * __kmalloc returns NULL when kmem_find_general_cachep finds no cache; `kmalloc(0)` gets a
 * size-32 object, as 2.6 SLAB does.
 */
export function kmalloc(model: SlabModel, size: number, gfp: number): AllocResult {
  const index = kmallocIndex(size);
  const id = index < 0 ? undefined : (gfp & GFP_DMA ? model.state.generalDma : model.state.general)[index];
  if (id === undefined) return { address: 0, error: size < 0 ? 'EINVAL' : 'ENOMEM' };
  return kmemCacheAlloc(model, model.state.caches[id]!, gfp);
}

/**
 * kfree: finds the object's cache from its page (virt_to_cache: the page descriptor points at
 * the cache and the slab) and frees it there. `kfree(0)` does nothing; an address that is not a
 * live slab object returns -1 with `EINVAL` (Linux would BUG).
 */
export function kfree(model: SlabModel, address: number): StatusResult {
  if (address === 0) return { value: 0 };
  return freeObject(model, address);
}
