/**
 * The slab server: binds the model to bus messages (a decider). Pages come from phys-allocator
 * (`phys/alloc-pages` with owner `slab`, which sets PG_slab; vmalloc frames with owner
 * `vmalloc`), vmalloc pages are mapped in the kernel's address space (asid 0) through
 * hardware-mmu's `mmu/map`. Each request runs the model on a scratch draft of the slice and
 * returns the events it applied; `evolve` applies the same events with the same functions.
 */
import { defineSubsystem, event, type DecideContext, type Decision, type EmittedEvent } from '@vmlab/kernel';
import { MMU_REQUESTS } from '@vmlab/hardware-mmu/protocol';
import { PHYS_REQUESTS, type AllocPagesReply } from '@vmlab/phys-allocator/protocol';
import { createDraft } from 'immer';
import {
  applyCacheCreated,
  applyCacheDestroyed,
  applyObjectAllocated,
  applyObjectFreed,
  applySlabGrown,
  applySlabReleased,
  applyVmallocAreaCreated,
  applyVmallocAreaFreed,
  applyVmallocAreaPopulated,
} from './apply.js';
import { bootSlabState } from './bootCaches.js';
import {
  GFP_DMA,
  GFP_HIGHMEM,
  GFP_KERNEL,
  findCache,
  kmemCacheAlloc,
  kmemCacheCreate,
  kmemCacheDestroy,
  kmemCacheReap,
  kmemCacheShrink,
  planAlloc,
  planFree,
} from './cache.js';
import { kmalloc } from './kmalloc.js';
import { kmallocIndex } from './sizeClasses.js';
import { kernelLayout } from './layout.js';
import type { SlabModel } from './model.js';
import type { KernelMapper, PageSource } from './pageSource.js';
import {
  SLAB_EVENTS,
  SLAB_REQUESTS,
  type AddressRequest,
  type AllocReply,
  type CacheAllocRequest,
  type CacheCreateReply,
  type CacheCreateRequest,
  type CacheFreeRequest,
  type CacheInfo,
  type CacheRequest,
  type FramesReply,
  type KmallocRequest,
  type ReapRequest,
  type ShrinkReply,
  type StatusReply,
  type VmallocRequest,
} from './protocol.js';
import { SLAB_FLAG_CONSTANTS } from './slabFlags.js';
import { SLABS_FREE, SLABS_FULL, SLABS_PARTIAL, type Cache, type SlabState } from './state.js';
import { renderSlabinfo, slabinfoRows } from './views/slabinfo.js';
import { renderVmallocinfo, vmallocinfoRows } from './views/vmallocinfo.js';
import { vfree, vmalloc } from './vmalloc.js';

/** The kernel's own address space in hardware-mmu (asid 0). */
export const KERNEL_ASID = 0;
/** PTE flags of a vmalloc page: PTE_WRITE | PTE_GLOBAL (present implied, no PTE_USER; PAGE_KERNEL). */
export const VMALLOC_PTE_FLAGS = 0x2 | 0x100;

function busPages(ctx: DecideContext, owner: string): PageSource {
  const served = ctx.serves(PHYS_REQUESTS.allocPages);
  return {
    allocPages(order, gfp) {
      if (!served) return -1;
      return ctx.request<AllocPagesReply>(PHYS_REQUESTS.allocPages, { gfp, order, owner }).pfn;
    },
    freePages(pfn, order) {
      ctx.request(PHYS_REQUESTS.freePages, { pfn, order });
    },
  };
}

function busMapper(ctx: DecideContext): KernelMapper | undefined {
  if (!ctx.serves(MMU_REQUESTS.map)) return undefined;
  return {
    map(va, pfn) {
      const reply = ctx.request<{ value: number; error?: string }>(MMU_REQUESTS.map, { asid: KERNEL_ASID, va, pfn, flags: VMALLOC_PTE_FLAGS });
      if (reply.value !== 0) throw new Error(`mmu/map of vmalloc page ${va.toString(16)} failed: ${reply.error}`);
    },
    unmap(va) {
      ctx.request(MMU_REQUESTS.unmap, { asid: KERNEL_ASID, va });
    },
  };
}

/** Runs `op` on a scratch draft of the slice; the reply and the events it applied. */
function run<R>(state: SlabState, ctx: DecideContext, op: (model: SlabModel) => R): { reply: R; events: EmittedEvent[] } {
  const draft = createDraft(state) as SlabState;
  const events: EmittedEvent[] = [];
  const record = (e: EmittedEvent): void => {
    events.push(e);
  };
  const mapper = busMapper(ctx);
  const pages = busPages(ctx, 'slab');
  const vmallocPages = busPages(ctx, 'vmalloc');
  const model: SlabModel = mapper ? { state: draft, pages, vmallocPages, mapper, record } : { state: draft, pages, vmallocPages, record };
  return { reply: op(model), events };
}

/**
 * kmem_cache_alloc on the bus: when a slab has a free object the outcome is read off the state
 * (one event, no draft); otherwise the model grows the cache on a scratch draft.
 */
function allocDecision(state: SlabState, ctx: DecideContext, cache: Cache, gfp: number): Decision {
  const planned = planAlloc(state, cache);
  if (planned) return { reply: { address: planned.address } satisfies AllocReply, events: [event(SLAB_EVENTS.objectAllocated, planned)] };
  return run(state, ctx, (m): AllocReply => kmemCacheAlloc(m, m.state.caches[cache.id]!, gfp));
}

/** kmem_cache_free / kfree on the bus: read off the state (freeing never releases a slab). */
function freeDecision(state: SlabState, address: number, expected?: Cache): Decision {
  const planned = planFree(state, address, expected);
  if (!('index' in planned)) return { reply: planned satisfies StatusReply };
  return { reply: { value: 0 } satisfies StatusReply, events: [event(SLAB_EVENTS.objectFreed, planned)] };
}

/** One cache's numbers, as `slab/cache-info` replies. */
export function cacheInfo(cache: Cache): CacheInfo {
  const full = cache.lists[SLABS_FULL]!.length;
  const partial = cache.lists[SLABS_PARTIAL]!.length;
  return {
    cache: cache.id,
    name: cache.name,
    objectSize: cache.objectSize,
    objectsPerSlab: cache.objectsPerSlab,
    pagesPerSlab: 2 ** cache.order,
    activeObjects: cache.activeObjects,
    totalObjects: cache.totalSlabs * cache.objectsPerSlab,
    activeSlabs: full + partial,
    totalSlabs: cache.totalSlabs,
    full,
    partial,
    empty: cache.lists[SLABS_FREE]!.length,
    ctorRuns: cache.ctorRuns,
    dtorRuns: cache.dtorRuns,
  };
}

const allocResult = (reply: unknown) => {
  const r = reply as AllocReply;
  return r.error ? { value: 0, error: r.error } : { value: r.address };
};
const statusResult = (reply: unknown) => {
  const r = reply as StatusReply;
  return r.error ? { value: r.value, error: r.error } : { value: r.value };
};

/** The slab subsystem. */
export const slabSubsystem = defineSubsystem<SlabState>({
  id: 'slab',
  requests: Object.fromEntries(Object.values(SLAB_REQUESTS).map((type) => [type, 1])),
  events: Object.fromEntries(Object.values(SLAB_EVENTS).map((type) => [type, 1])),
  initialState: (config) =>
    bootSlabState(kernelLayout({ profile: config['profile'] as string | undefined, ram: config['ram'] as number | undefined })),
  decide(request, state, ctx) {
    const badCache = { value: -1, error: 'EINVAL' } satisfies StatusReply;
    switch (request.type) {
      case SLAB_REQUESTS.cacheCreate: {
        const p = request.payload as CacheCreateRequest;
        return run(state, ctx, (m): CacheCreateReply =>
          kmemCacheCreate(m, p.name, p.size, { align: p.align ?? 0, flags: p.flags ?? 0, ctor: p.ctor ?? '', dtor: p.dtor ?? '' }),
        );
      }
      case SLAB_REQUESTS.cacheDestroy: {
        const p = request.payload as CacheRequest;
        if (!findCache(state, p.cache)) return { reply: badCache };
        return run(state, ctx, (m): StatusReply => kmemCacheDestroy(m, findCache(m.state, p.cache)!));
      }
      case SLAB_REQUESTS.cacheAlloc: {
        const p = request.payload as CacheAllocRequest;
        const cache = findCache(state, p.cache);
        if (!cache) return { reply: { address: 0, error: 'EINVAL' } satisfies AllocReply };
        return allocDecision(state, ctx, cache, p.gfp ?? GFP_KERNEL);
      }
      case SLAB_REQUESTS.cacheFree: {
        const p = request.payload as CacheFreeRequest;
        const cache = findCache(state, p.cache);
        if (!cache) return { reply: badCache };
        return freeDecision(state, p.address, cache);
      }
      case SLAB_REQUESTS.cacheShrink: {
        const p = request.payload as CacheRequest;
        if (!findCache(state, p.cache)) return { reply: { pagesFreed: 0 } satisfies ShrinkReply };
        return run(state, ctx, (m): ShrinkReply => ({ pagesFreed: kmemCacheShrink(m, findCache(m.state, p.cache)!) }));
      }
      case SLAB_REQUESTS.reap: {
        const p = (request.payload ?? {}) as ReapRequest;
        return run(state, ctx, (m): ShrinkReply => ({ pagesFreed: kmemCacheReap(m, p.pages ?? Infinity) }));
      }
      case SLAB_REQUESTS.kmalloc: {
        const p = request.payload as KmallocRequest;
        const gfp = p.gfp ?? GFP_KERNEL;
        const index = kmallocIndex(p.size);
        const id = index < 0 ? undefined : (gfp & GFP_DMA ? state.generalDma : state.general)[index];
        if (id === undefined) return run(state, ctx, (m): AllocReply => kmalloc(m, p.size, gfp)); // the refusal, by the model
        return allocDecision(state, ctx, state.caches[id]!, gfp);
      }
      case SLAB_REQUESTS.kfree: {
        const p = request.payload as AddressRequest;
        if (p.address === 0) return { reply: { value: 0 } satisfies StatusReply };
        return freeDecision(state, p.address);
      }
      case SLAB_REQUESTS.vmalloc: {
        const p = request.payload as VmallocRequest;
        return run(state, ctx, (m): AllocReply => vmalloc(m, p.size, p.gfp ?? GFP_KERNEL | GFP_HIGHMEM, p.caller ?? 'vmalloc'));
      }
      case SLAB_REQUESTS.vfree: {
        const p = request.payload as AddressRequest;
        return run(state, ctx, (m): StatusReply => vfree(m, p.address));
      }
      case SLAB_REQUESTS.cacheInfo: {
        const cache = findCache(state, (request.payload as CacheRequest).cache);
        return { reply: cache ? cacheInfo(cache) : null };
      }
      case SLAB_REQUESTS.frames:
        return { reply: { slabFrames: state.slabFrames, vmallocFrames: state.vmallocFrames } satisfies FramesReply };
      default:
        throw new Error(`slab cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    const state = draft as SlabState;
    switch (e.type) {
      case SLAB_EVENTS.cacheCreated:
        return applyCacheCreated(state, e.payload as never);
      case SLAB_EVENTS.cacheDestroyed:
        return applyCacheDestroyed(state, e.payload as never);
      case SLAB_EVENTS.slabGrown:
        return applySlabGrown(state, e.payload as never);
      case SLAB_EVENTS.objectAllocated:
        return applyObjectAllocated(state, e.payload as never);
      case SLAB_EVENTS.objectFreed:
        return applyObjectFreed(state, e.payload as never);
      case SLAB_EVENTS.slabReleased:
        return applySlabReleased(state, e.payload as never);
      case SLAB_EVENTS.vmallocAreaCreated:
        return applyVmallocAreaCreated(state, e.payload as never);
      case SLAB_EVENTS.vmallocAreaPopulated:
        return applyVmallocAreaPopulated(state, e.payload as never);
      case SLAB_EVENTS.vmallocAreaFreed:
        return applyVmallocAreaFreed(state, e.payload as never);
    }
  },
  constants: SLAB_FLAG_CONSTANTS,
  calls: [
    {
      name: 'kmem_cache_create',
      summary: 'Creates a cache of size-byte objects (optional alignment, SLAB_* flags, constructor name); returns its handle (0 on failure).',
      params: [
        { name: 'name', type: 'string' },
        { name: 'size', type: 'size' },
        { name: 'align', type: 'int', optional: true },
        { name: 'flags', type: 'flags', optional: true },
        { name: 'ctor', type: 'string', optional: true },
      ],
      callers: ['kernel'],
      request: SLAB_REQUESTS.cacheCreate,
      toPayload: (args) => ({ name: args['name'], size: args['size'], align: args['align'] ?? 0, flags: args['flags'] ?? 0, ctor: args['ctor'] ?? '' }),
      toResult: (reply) => {
        const r = reply as CacheCreateReply;
        return r.error ? { value: 0, error: r.error } : { value: r.cache };
      },
    },
    {
      name: 'kmem_cache_alloc',
      summary: 'Allocates one object from a cache (by handle or name); returns its address.',
      params: [
        { name: 'cache', type: 'handle' },
        { name: 'gfp', type: 'flags', optional: true },
      ],
      callers: ['kernel'],
      request: SLAB_REQUESTS.cacheAlloc,
      toPayload: (args) => ({ cache: args['cache'], gfp: args['gfp'] ?? GFP_KERNEL }),
      toResult: allocResult,
    },
    {
      name: 'kmem_cache_free',
      summary: 'Gives an object back to its cache.',
      params: [
        { name: 'cache', type: 'handle' },
        { name: 'address', type: 'address' },
      ],
      callers: ['kernel'],
      request: SLAB_REQUESTS.cacheFree,
      toResult: statusResult,
    },
    {
      name: 'kmem_cache_shrink',
      summary: 'Returns the cache’s empty slabs to the buddy allocator; returns the pages freed.',
      params: [{ name: 'cache', type: 'handle' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.cacheShrink,
      toResult: (reply) => ({ value: (reply as ShrinkReply).pagesFreed }),
    },
    {
      name: 'kmem_cache_destroy',
      summary: 'Destroys an empty cache (EBUSY while it has live objects).',
      params: [{ name: 'cache', type: 'handle' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.cacheDestroy,
      toResult: statusResult,
    },
    {
      name: 'kmem_cache_reap',
      summary: 'Reaps empty slabs under memory pressure until pages frames are freed (all when omitted).',
      params: [{ name: 'pages', type: 'int', optional: true }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.reap,
      toResult: (reply) => ({ value: (reply as ShrinkReply).pagesFreed }),
    },
    {
      name: 'kmalloc',
      summary: 'Allocates size bytes from the smallest general cache that fits; returns the address.',
      params: [
        { name: 'size', type: 'size' },
        { name: 'gfp', type: 'flags', optional: true },
      ],
      callers: ['kernel'],
      request: SLAB_REQUESTS.kmalloc,
      toPayload: (args) => ({ size: args['size'], gfp: args['gfp'] ?? GFP_KERNEL }),
      toResult: allocResult,
    },
    {
      name: 'kfree',
      summary: 'Frees a kmalloc’ed object (its cache is found from the page).',
      params: [{ name: 'address', type: 'address' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.kfree,
      toResult: statusResult,
    },
    {
      name: 'vmalloc',
      summary: 'Allocates a virtually contiguous kernel area of order-0 frames; returns its address.',
      params: [{ name: 'size', type: 'size' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.vmalloc,
      toPayload: (args) => ({ size: args['size'], gfp: GFP_KERNEL | GFP_HIGHMEM }),
      toResult: allocResult,
    },
    {
      name: 'vfree',
      summary: 'Unmaps and frees a vmalloc area.',
      params: [{ name: 'address', type: 'address' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.vfree,
      toResult: statusResult,
    },
  ],
  views: [
    {
      name: 'slabinfo',
      summary: '/proc/slabinfo (version 2.1): one line per cache.',
      scope: 'machine',
      render: ({ state }) => ({ text: renderSlabinfo(state), json: slabinfoRows(state) as never }),
    },
    {
      name: 'vmallocinfo',
      summary: '/proc/vmallocinfo: one line per vmalloc area.',
      scope: 'machine',
      render: ({ state }) => ({ text: renderVmallocinfo(state), json: vmallocinfoRows(state) as never }),
    },
  ],
});
