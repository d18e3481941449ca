/**
 * The slab allocator's state: plain data (records and arrays), so that the same functions update
 * it in place when the model is used alone and through an immer draft inside a machine.
 */
import type { KernelLayout } from './layout.js';

/** Index of the full-slabs list in {@link Cache.lists} (slabs_full). */
export const SLABS_FULL = 0;
/** Index of the partial-slabs list (slabs_partial). */
export const SLABS_PARTIAL = 1;
/** Index of the empty-slabs list (slabs_free). */
export const SLABS_FREE = 2;

/** The end of a slab's free-object chain (BUFCTL_END in mm/slab.c). */
export const BUFCTL_END = -1;
/** The bufctl of an allocated object (BUFCTL_ACTIVE of mm/slab.c's debug code): catches double frees. */
export const BUFCTL_ACTIVE = -2;

/** A doubly-linked list of slabs threaded through {@link Slab.prev}/{@link Slab.next} (a list_head). */
export interface SlabList {
  /** First slab's frame, or -1. */
  head: number;
  /** Last slab's frame, or -1. */
  tail: number;
  /** Number of slabs on it. */
  length: number;
}

/** A cache of equal-sized objects (struct kmem_cache). */
export interface Cache {
  /** Its handle (> 0). */
  readonly id: number;
  /** Its name. */
  readonly name: string;
  /** The size asked for. */
  readonly size: number;
  /** The alignment asked for. */
  readonly requestedAlign: number;
  /** SLAB_* flags. */
  readonly flags: number;
  /** Object size with padding (buffer_size). */
  readonly objectSize: number;
  /** Objects per slab (num). */
  readonly objectsPerSlab: number;
  /** Slab order (gfporder). */
  readonly order: number;
  /** Management off-slab (CFLGS_OFF_SLAB). */
  readonly offSlab: boolean;
  /** Management bytes (slab_size). */
  readonly slabSize: number;
  /** The general cache holding off-slab management (slabp_cache), or 0. */
  readonly mgmtCache: number;
  /** Number of colours. */
  readonly colour: number;
  /** Colour unit in bytes. */
  readonly colourOff: number;
  /** The next slab's colour (colour_next). */
  colourNext: number;
  /** Constructor name, or ''. */
  readonly ctor: string;
  /** Destructor name, or ''. */
  readonly dtor: string;
  /** True for caches the kernel made at boot (general and kernel caches): never destroyed. */
  readonly boot: boolean;
  /** slabs_full, slabs_partial, slabs_free. */
  readonly lists: SlabList[];
  /** Live objects. */
  activeObjects: number;
  /** Slabs on the three lists. */
  totalSlabs: number;
  /** Times the constructor ran (once per object, when its slab was made). */
  ctorRuns: number;
  /** Times the destructor ran (once per object, when its slab was released). */
  dtorRuns: number;
}

/** A slab: 2^order contiguous frames carved into objects (struct slab). */
export interface Slab {
  /** Its cache. */
  readonly cache: number;
  /** Its first frame (also its key). */
  readonly pfn: number;
  /** Colour offset in bytes (colouroff). */
  readonly colourOffset: number;
  /** Address of object 0 (s_mem). */
  readonly objects: number;
  /** Address of the off-slab management object, or 0 when on-slab. */
  readonly mgmt: number;
  /** Live objects in it. */
  inuse: number;
  /** First free object, or BUFCTL_END. */
  free: number;
  /** Per object: the next free object, BUFCTL_END, or BUFCTL_ACTIVE when allocated. */
  readonly bufctl: number[];
  /** Which list it is on. */
  list: number;
  /** Previous slab's frame on that list, or -1. */
  prev: number;
  /** Next slab's frame on that list, or -1. */
  next: number;
}

/** A vmalloc area (struct vm_struct). */
export interface VmArea {
  /** Start address. */
  readonly address: number;
  /** Bytes including the guard page. */
  readonly size: number;
  /** Who asked. */
  readonly caller: string;
  /** The frames mapped, in address order (empty until populated). */
  pfns: number[];
  /** The page array's address (kmalloc'ed or vmalloc'ed), or 0. */
  pagesArray: number;
  /** True when the page array itself was vmalloc'ed (VM_VPAGES). */
  vpages: boolean;
}

/** The whole slab allocator. */
export interface SlabState {
  /** The machine's layout. */
  readonly layout: KernelLayout;
  /** Caches by handle. */
  readonly caches: Record<number, Cache>;
  /** Handles in creation order. */
  readonly cacheIds: number[];
  /** Handle by name. */
  readonly cacheByName: Record<string, number>;
  /** The next handle. */
  nextCacheId: number;
  /** Slabs by first frame, in buckets of 256 frames (see slabTable.ts). */
  readonly slabs: Record<number, Record<number, Slab>>;
  /** Every frame of every slab → the slab's first frame (the page descriptor's slab pointer), bucketed the same way. */
  readonly pageSlab: Record<number, Record<number, number>>;
  /** General caches size-32 … size-131072 by size index (kmalloc). */
  readonly general: number[];
  /** Their DMA twins size-N(DMA). */
  readonly generalDma: number[];
  /** vmalloc areas in address order (vmlist). */
  readonly areas: VmArea[];
  /** Frames held by slabs. */
  slabFrames: number;
  /** Frames backing vmalloc areas. */
  vmallocFrames: number;
}

/** An empty allocator for `layout` (no caches yet). */
export function emptySlabState(layout: KernelLayout): SlabState {
  return {
    layout,
    caches: {},
    cacheIds: [],
    cacheByName: {},
    nextCacheId: 1,
    slabs: {},
    pageSlab: {},
    general: [],
    generalDma: [],
    areas: [],
    slabFrames: 0,
    vmallocFrames: 0,
  };
}
