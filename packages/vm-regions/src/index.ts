/**
 * @vmlab/vm-regions — Address spaces and regions (mm_struct, vm_area_struct), Linux-exact.
 *
 * @packageDocumentation
 */
export { applyEdit, applyEdits, createAddressSpace } from './addressSpace.js';
export type { AddressSpace, AddressSpaceOptions, Edit } from './addressSpace.js';
export { anonVmaPrepare } from './anonVma.js';
export { BRK_FLAGS, brk } from './brk.js';
export { REGIONS_CALLS } from './calls.js';
export * from './constants.js';
export { SpaceEditor, failure, success } from './editor.js';
export type { OperationResult } from './editor.js';
export { findFreeAreaBottomUp, findFreeAreaTopDown, getUnmappedArea, isFree, startGap } from './freeArea.js';
export type { FreeAreaQuery, UnmappedAreaRequest } from './freeArea.js';
export { layoutFor, topDownMmapBase } from './layouts.js';
export type { Layout, LayoutOptions } from './layouts.js';
export { canMerge, mergeAround } from './merge.js';
export { mmap, protToVmFlags } from './mmap.js';
export type { MappedFile, MmapArgs } from './mmap.js';
export { mprotect } from './mprotect.js';
export { munmap, unmapRange } from './munmap.js';
export { loadProgram } from './program.js';
export type { ProgramImage } from './program.js';
export { REGIONS_EVENTS, REGIONS_REQUESTS } from './protocol.js';
export type {
  AddressRequest,
  AddressSpaceSummary,
  BrkRequest,
  CreateAddressSpaceReply,
  LoadProgramRequest,
  MmapRequest,
  MprotectRequest,
  MunmapRequest,
  PidRequest,
  ProgramBounds,
  RegionData,
  RegionEventBase,
  ValueReply,
} from './protocol.js';
export { isPageAligned, mapsOffset, pageAlign, pageDown, permissionString, regionContains, regionFrom, regionPages, regionSize, regionUpTo } from './region.js';
export type { Region, RegionAttributes } from './region.js';
export {
  TREE_FANOUT,
  checkTree,
  emptyTree,
  treeAt,
  treeFindAbove,
  treeForEach,
  treeFromSorted,
  treeHighestGap,
  treeInsertAt,
  treeLookup,
  treeLowestGap,
  treeRankAbove,
  treeRemoveAt,
  treeReplaceAt,
  treeToArray,
} from './regionTree.js';
export type { RegionInner, RegionLeaf, RegionNode, RegionTree } from './regionTree.js';
export { regionsSubsystem } from './server.js';
export { STACK_FLAGS, expandStack, setupStack } from './stack.js';
export { mapVdso } from './vdso.js';
export { REGIONS_CONFIG_FIELDS, initialRegionsState } from './state.js';
export type { RegionsConfig, RegionsState } from './state.js';
export { REGIONS_VIEWS } from './views/index.js';
export { formatMapsLine, mapsEntries, regionName, renderMaps } from './views/maps.js';
export type { MapsEntry } from './views/maps.js';
export { SMAPS_FIELDS, renderSmaps, vmFlagsString } from './views/smaps.js';
export { renderStatus, statusFields } from './views/status.js';
