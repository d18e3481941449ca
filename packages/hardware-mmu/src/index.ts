/**
 * @vmlab/hardware-mmu — The hardware: physical RAM with contents, page-table formats as data,
 * page tables in simulated RAM, the walk with accessed/dirty bits and faults, the TLB, user and
 * kernel modes, physical addressing, relocation and segmentation; as a model and as the `mmu`
 * server on the bus.
 *
 * @packageDocumentation
 */
export { MMU_CALLS } from './calls.js';
export {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  FAULT_BOUNDS,
  FAULT_NOT_PRESENT,
  FAULT_PRIVILEGE,
  FAULT_PROTECTION,
  NO_FAULT,
  accessCode,
  accessKindOf,
  faultKindOf,
  makeFault,
  pageFaultErrorCode,
} from './fault.js';
export type { AccessKind, Fault, FaultKind } from './fault.js';
export { mapDirectMap, physToVirt, shareKernelEntries, virtToPhys } from './directMap.js';
export { Mmu, createMmu, topDownFrameAllocator } from './mmu.js';
export type { MmuOptions, MmuStats, ReadDone, ReadResult, Translation, TranslationDone, TranslationFault, WriteResult } from './mmu.js';
export { CompiledFormatRef, applyFlush, evolveMmu, initialMmuState } from './mmuState.js';
export type { AddressSpaceRecord, MmuState, Mutable, TableFrame } from './mmuState.js';
export {
  DIRECTORY_FLAGS,
  allocateTablePage,
  setEntry,
  createRootTable,
  forEachMapping,
  lookupEntry,
  mapPage,
  protectPage,
  tableFrames,
  testAndClearAccessed,
  unmapPage,
} from './pageTable.js';
export type { EntryLookup, MapError, Mapping, PageTableEditor } from './pageTable.js';
/** Range edits of a page table (munmap's zap, mprotect's change_protection), walking only the tables that exist. */
export { editRange, protectRange, unmapRange } from './pageTableRange.js';
/** An entry a range edit changed, and the per-entry edit it applies. */
export type { EntryEdit, RangeChange } from './pageTableRange.js';
export {
  ALPHA_FORMAT,
  BUILT_IN_FORMATS,
  I386_FORMAT,
  TINY_FORMAT,
  X86_64_FORMAT,
  compileFormat,
  levelIndex,
} from './pageTableFormat.js';
export type { CompiledFormat, PageTableFormat, PteBitPositions } from './pageTableFormat.js';
export { MMU_PROFILES, mmuSettings } from './profiles.js';
export type { MmuMachineSettings } from './profiles.js';
export { MMU_EVENTS, MMU_REQUESTS } from './protocol.js';
export type * from './protocol.js';
export { encodePte, formatPte, pteFlags, pteFrame, ptePresent, readPte, writePte } from './pte.js';
export type { PteWords } from './pte.js';
export {
  PTE_ACCESSED,
  PTE_CONSTANTS,
  PTE_DIRTY,
  PTE_FLAG_NAMES,
  PTE_GLOBAL,
  PTE_LARGE,
  PTE_NX,
  PTE_PCD,
  PTE_PRESENT,
  PTE_PWT,
  PTE_USER,
  PTE_WRITE,
  describeFlags,
} from './pteFlags.js';
export {
  MAX_RAM_BYTES,
  RAM_CHUNK_BYTES,
  RAM_CHUNK_SHIFT,
  createPhysicalMemory,
  readPhysical,
  readPhysical64,
  readWord32,
  writePhysical,
  writePhysical64,
  writeWord32,
  zeroPhysical,
} from './ram.js';
export type { AccessSize, PhysicalMemory } from './ram.js';
export { relocate, segmentTranslate, translateSegmented } from './segmentation.js';
export type { RelocationRegisters, Segment, SegmentAddress, SegmentFault, SegmentRegister, SegmentRights, SegmentTable, SegmentTranslation } from './segmentation.js';
export { mmuSubsystem } from './server.js';
export { Tlb } from './tlb.js';
export type { TlbConfig, TlbReplacement } from './tlb.js';
export { WalkResult, accessFault, flagsAfterAccess, forEachAccessedDirtyUpdate, walk, walkFault, walkInterpreted, walkerFor } from './walk.js';
export type { Walker } from './walk.js';
export { formatSize, formatVirtual, pagetableView, renderPageTable } from './views/pagetable.js';
export { renderTlb, tlbView } from './views/tlb.js';
