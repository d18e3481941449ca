/**
 * A ready-to-use slab allocator for the model alone: booted caches over an injected page source.
 */
import { bootSlabState } from './bootCaches.js';
import { kernelLayout } from './layout.js';
import type { SlabModel } from './model.js';
import type { KernelMapper, PageSource } from './pageSource.js';

/** Options of {@link createSlabModel}. */
export interface SlabModelOptions {
  /** Machine profile (default linux-x86_64). */
  readonly profile?: string;
  /** RAM in bytes (default: the profile's). */
  readonly ram?: number;
  /** Where frames come from. */
  readonly pages: PageSource;
  /** Where vmalloc's frames come from (default: `pages`). */
  readonly vmallocPages?: PageSource;
  /** The kernel page table vmalloc maps into (optional). */
  readonly mapper?: KernelMapper;
}

/** A slab allocator right after boot (general and kernel caches, no slabs), changed in place by the operations. */
export function createSlabModel(options: SlabModelOptions): SlabModel {
  const state = bootSlabState(kernelLayout({ profile: options.profile, ram: options.ram }));
  return {
    state,
    pages: options.pages,
    ...(options.vmallocPages ? { vmallocPages: options.vmallocPages } : {}),
    ...(options.mapper ? { mapper: options.mapper } : {}),
  };
}
