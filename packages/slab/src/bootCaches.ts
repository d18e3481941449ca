/**
 * The caches the kernel makes at boot: the general caches (kmem_cache_init, mm/slab.c) and the
 * kernel object caches other components allocate from (fork_init and proc_caches_init,
 * kernel/fork.c).
 */
import { kmemCacheCreate } from './cache.js';
import type { KernelLayout } from './layout.js';
import type { SlabModel } from './model.js';
import { SLAB_CACHE_DMA, SLAB_HWCACHE_ALIGN, SLAB_PANIC } from './slabFlags.js';
import { cacheGeometry } from './slabLayout.js';
import { KMALLOC_SIZES, generalCacheName } from './sizeClasses.js';
import { emptySlabState, type SlabState } from './state.js';

/** A kernel object cache made at boot: name, object size on 64-bit and 32-bit machines, flags. */
export interface KernelCacheSpec {
  /** Its name. */
  readonly name: string;
  /** sizeof the object on 64-bit profiles. */
  readonly size64: number;
  /** sizeof the object on 32-bit profiles. */
  readonly size32: number;
  /** Alignment asked for (0: a word). */
  readonly align: number;
  /** SLAB_* flags. */
  readonly flags: number;
}

/**
 * The kernel caches, in the order Linux 2.6 creates them: task_struct (fork_init, aligned to
 * ARCH_MIN_TASKALIGN = L1_CACHE_BYTES), vm_area_struct and mm_struct (proc_caches_init, mm_struct
 * with SLAB_HWCACHE_ALIGN). The sizes are this model's descriptors, of the order of 2.6-era
 * structures (not measured from a kernel build).
 */
export const KERNEL_CACHES: readonly KernelCacheSpec[] = [
  { name: 'task_struct', size64: 1920, size32: 1328, align: 64, flags: SLAB_PANIC },
  { name: 'vm_area_struct', size64: 176, size32: 88, align: 0, flags: SLAB_PANIC },
  { name: 'mm_struct', size64: 896, size32: 448, align: 0, flags: SLAB_HWCACHE_ALIGN | SLAB_PANIC },
];

/**
 * The state right after boot: size-32, size-32(DMA), size-64, … (each general cache created with
 * ARCH_KMALLOC_FLAGS = SLAB_HWCACHE_ALIGN, its DMA twin right after), up to the largest size a
 * slab of at most 32 pages holds, then the kernel caches. No slab exists yet.
 */
export function bootSlabState(layout: KernelLayout): SlabState {
  const state = emptySlabState(layout);
  const noPages = {
    allocPages: () => -1,
    freePages: () => {
      throw new Error('boot creates no slabs');
    },
  };
  const model: SlabModel = { state, pages: noPages };
  for (let i = 0; i < KMALLOC_SIZES.length; i++) {
    const size = KMALLOC_SIZES[i]!;
    if (!cacheGeometry(layout, size, 0, SLAB_HWCACHE_ALIGN)) break;
    for (const dma of [false, true]) {
      const created = kmemCacheCreate(model, generalCacheName(i, dma), size, {
        flags: SLAB_HWCACHE_ALIGN | SLAB_PANIC | (dma ? SLAB_CACHE_DMA : 0),
        boot: true,
      });
      (dma ? state.generalDma : state.general).push(created.cache);
    }
  }
  const wide = layout.wordSize === 8;
  for (const spec of KERNEL_CACHES) {
    kmemCacheCreate(model, spec.name, wide ? spec.size64 : spec.size32, { align: spec.align, flags: spec.flags, boot: true });
  }
  return state;
}
