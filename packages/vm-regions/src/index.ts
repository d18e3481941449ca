/**
 * @vmlab/vm-regions — Address spaces and regions (mm_struct, vm_area_struct), Linux-exact.
 *
 * @packageDocumentation
 */
export { addItem, createRegionsModel } from './model.js';
export type { RegionsModel } from './model.js';
export { REGIONS_EVENTS, REGIONS_REQUESTS } from './protocol.js';
export type { AddItemReply, AddItemRequest, ItemAddedEvent } from './protocol.js';
export { regionsSubsystem } from './server.js';
