/**
 * @vmlab/phys-allocator — Physical memory: frame descriptors, zones, the buddy allocator, the classic contiguous allocators and the resource map.
 *
 * @packageDocumentation
 */
export { addItem, createPhysModel } from './model.js';
export type { PhysModel } from './model.js';
export { PHYS_EVENTS, PHYS_REQUESTS } from './protocol.js';
export { physSubsystem } from './server.js';
