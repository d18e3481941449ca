/**
 * @vmlab/phys-allocator — Physical memory: frame descriptors, zones, the buddy allocator, the
 * classic contiguous allocators and the resource map; a model usable alone and a server on the bus.
 *
 * @packageDocumentation
 */
export {
  createBuddy,
  freeBlockContaining,
  freeBlockCount,
  freeList,
  freeRange,
  hasFreeBlock,
  isFreeBlock,
  pairBit,
  plannedMerges,
  releaseBlock,
  smallestFreeBlock,
  takeFreeBlock,
} from './buddy.js';
export type { BuddyState } from './buddy.js';
export { BYTES_PER_FRAME, createColumn, createFrameTable, flagNames, FlatInt32Column, FlatUint16Column, FlatUint32Column, FlatUint8Column, FRAME_COLUMNS, NO_FRAME } from './frameTable.js';
export type { Column, FrameTable, Storage } from './frameTable.js';
export {
  allocPages,
  countFrames,
  createPhysicalMemory,
  findBlockForAllocation,
  freeFrameCount,
  freePages,
  getPage,
  putPage,
  reserveRange,
  setPageFlags,
} from './physicalMemory.js';
export type { BootReservation, MemoryLayout, PhysicalMemory, PhysicalMemoryOptions } from './physicalMemory.js';
export { DEFAULT_PROFILE, MEMORY_PROFILES, resolveProfile, ZONE_INDEX } from './profiles.js';
export type { MemoryOptions, MemoryProfile, ResolvedProfile, ZoneBoundary, ZoneName } from './profiles.js';
export { preferredZone, zoneOfPfn } from './zone.js';
export type { Zone } from './zone.js';
export { computeLowmemReserve, computeWatermarks, defaultMinFreeKbytes, watermarkOk } from './watermarks.js';
export type { Watermarks, ZoneSize } from './watermarks.js';
export { createFixedPool, equalPartitions, fixedAlloc, fixedFree, internalFragmentation } from './partitions/fixedPartitions.js';
export type { FixedPartition, FixedPool } from './partitions/fixedPartitions.js';
export {
  compact,
  createVariablePool,
  findPlacement,
  freeBytes,
  holesOf,
  plannedCompaction,
  variableAlloc,
  variableFree,
  variableInternalFragmentation,
} from './partitions/variablePartitions.js';
export type { Allocation, VariablePool, VariablePoolOptions } from './partitions/variablePartitions.js';
export type { Hole } from './partitions/holeList.js';
export { createResourceMap, freeUnits, rmalloc, rmfree } from './resourceMap.js';
export type { MapEntry, ResourceMap } from './resourceMap.js';
export { formatBuddyinfo, zoneFreeBlocks } from './views/buddyinfo.js';
export type { ZoneFreeBlocks } from './views/buddyinfo.js';
export { formatPagetypeinfo, pageTypeRows } from './views/pagetypeinfo.js';
export type { PageTypeRow } from './views/pagetypeinfo.js';
export { formatZoneinfo, zoneFigures } from './views/zoneinfo.js';
export type { ZoneFigures } from './views/zoneinfo.js';
export { formatFrames, frameRuns } from './views/frames.js';
export type { FrameRun } from './views/frames.js';
export { GFP, PAGE_FLAGS, PHYS_EVENTS, PHYS_REQUESTS } from './protocol.js';
export type * from './protocol.js';
export { PHYS_CALLS, PHYS_CONSTANTS } from './calls.js';
export { physSubsystem } from './server.js';
export type { PhysConfig, PhysOptions, PhysState, Pool } from './state.js';
