/**
 * @vmlab/slab — Kernel object caches (slab), kmalloc/kfree, slabinfo, and vmalloc.
 *
 * @packageDocumentation
 */
export { addItem, createSlabModel } from './model.js';
export type { SlabModel } from './model.js';
export { SLAB_EVENTS, SLAB_REQUESTS } from './protocol.js';
export { slabSubsystem } from './server.js';
