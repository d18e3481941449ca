/**
 * @vmlab/slab — kernel object caches (SLAB), kmalloc/kfree, slabinfo, and vmalloc.
 *
 * @packageDocumentation
 */
export { createSlabModel } from './allocator.js';
export type { SlabModelOptions } from './allocator.js';
export { KERNEL_CACHES, bootSlabState } from './bootCaches.js';
export type { KernelCacheSpec } from './bootCaches.js';
export {
  GFP_DMA,
  GFP_HIGHMEM,
  GFP_KERNEL,
  cacheGrow,
  allocPagesReaping,
  findCache,
  freeObject,
  kmemCacheAlloc,
  kmemCacheCreate,
  kmemCacheDestroy,
  kmemCacheFree,
  kmemCacheReap,
  kmemCacheShrink,
  locateObject,
  planAlloc,
  planFree,
  slabDestroy,
} from './cache.js';
export type { AllocResult, CacheOptions, ObjectLocation, StatusResult } from './cache.js';
export { kfree, kmalloc } from './kmalloc.js';
export { addressToPfn, formatKernelAddress, kernelLayout, pageAddress } from './layout.js';
export type { KernelLayout } from './layout.js';
export type { SlabModel } from './model.js';
export { createPagePool } from './pageSource.js';
export type { KernelMapper, PagePool, PageSource } from './pageSource.js';
export { SLAB_EVENTS, SLAB_REQUESTS } from './protocol.js';
export type {
  AddressRequest,
  AllocReply,
  CacheAllocRequest,
  CacheCreateReply,
  CacheCreateRequest,
  CacheCreatedEvent,
  CacheDestroyedEvent,
  CacheFreeRequest,
  CacheInfo,
  CacheRef,
  CacheRequest,
  FramesReply,
  KmallocRequest,
  ObjectEvent,
  ReapRequest,
  ShrinkReply,
  SlabGrownEvent,
  SlabReleasedEvent,
  StatusReply,
  VmallocAreaCreatedEvent,
  VmallocAreaFreedEvent,
  VmallocAreaPopulatedEvent,
  VmallocRequest,
} from './protocol.js';
export { KERNEL_ASID, VMALLOC_PTE_FLAGS, cacheInfo, slabSubsystem } from './server.js';
export { SLAB_CACHE_DMA, SLAB_FLAG_CONSTANTS, SLAB_HWCACHE_ALIGN, SLAB_PANIC, SLAB_RECLAIM_ACCOUNT } from './slabFlags.js';
export { cacheEstimate, calculateSlabOrder, cacheGeometry } from './slabLayout.js';
export type { CacheGeometry, SlabEstimate, SlabOrder } from './slabLayout.js';
export { allSlabs, getSlab, pageSlab } from './slabTable.js';
export { KMALLOC_MAX_SIZE, KMALLOC_SIZES, generalCacheName, kmallocIndex } from './sizeClasses.js';
export { listFrames } from './slabLists.js';
export { BUFCTL_ACTIVE, BUFCTL_END, SLABS_FREE, SLABS_FULL, SLABS_PARTIAL, emptySlabState } from './state.js';
export type { Cache, Slab, SlabList, SlabState, VmArea } from './state.js';
export { SLABINFO_HEADER, formatSlabinfoRow, renderSlabinfo, slabinfoRows } from './views/slabinfo.js';
export type { SlabinfoRow } from './views/slabinfo.js';
export { renderVmallocinfo, vmallocinfoRows } from './views/vmallocinfo.js';
export type { VmallocinfoRow } from './views/vmallocinfo.js';
export { findArea, findVmArea, vfree, vmalloc } from './vmalloc.js';
