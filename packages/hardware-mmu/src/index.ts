/**
 * @vmlab/hardware-mmu — The hardware: page tables in simulated RAM, the walk, the TLB, protection and segmentation.
 *
 * @packageDocumentation
 */
export { addItem, createMmuModel } from './model.js';
export type { MmuModel } from './model.js';
export { MMU_EVENTS, MMU_REQUESTS } from './protocol.js';
export type { AddItemReply, AddItemRequest, ItemAddedEvent } from './protocol.js';
export { mmuSubsystem } from './server.js';
