/**
 * The phys subsystem's slice of the machine state, how it is built from the machine
 * configuration, and how `evolve` gets writable versions of its chunked tables.
 */
import { writableChunks, type MachineConfig, type Subsystem } from '@vmlab/kernel';
import { FRAME_COLUMNS } from './frameTable.js';
import type { FixedPool } from './partitions/fixedPartitions.js';
import type { VariablePool } from './partitions/variablePartitions.js';
import { createPhysicalMemory, type BootReservation, type PhysicalMemory } from './physicalMemory.js';
import type { ResourceMap } from './resourceMap.js';

/** A pool of the classic contiguous allocators. */
export type Pool = FixedPool | VariablePool;

/** The phys slice. */
export interface PhysState {
  /** Frames, zones and the buddy allocator. */
  readonly memory: PhysicalMemory;
  /** Partition pools by name. */
  readonly pools: Readonly<Record<string, Pool>>;
  /** Resource maps by name. */
  readonly maps: Readonly<Record<string, ResourceMap>>;
  /** Pool allocations made so far (names allocations that were given none: `#1`, `#2`, …). */
  readonly allocationsMade: number;
}

/** The machine configuration fields phys reads (docs/conventions.md), plus its own optional `phys` section. */
export interface PhysConfig extends MachineConfig {
  /** Profile name (default linux-x86_64). */
  readonly profile?: string;
  /** RAM in bytes. */
  readonly ram?: number;
  /** phys's own overrides. */
  readonly phys?: PhysOptions;
}

/** The `phys` section of a machine configuration. */
export interface PhysOptions {
  /** Overrides the highest buddy order. */
  readonly maxOrder?: number;
  /** Overrides min_free_kbytes (0: no watermarks). */
  readonly minFreeKbytes?: number;
  /** Overrides the bytes reserved at the bottom of memory. */
  readonly reservedLowBytes?: number;
  /** Drivers' static reservations, taken before the buddy allocator gets the rest. */
  readonly reservations?: readonly BootReservation[];
}

/** Boots the slice from the machine configuration. */
export function initialPhysState(config: PhysConfig): PhysState {
  const memory = createPhysicalMemory({
    profile: typeof config.profile === 'string' ? config.profile : undefined,
    ram: typeof config.ram === 'number' ? config.ram : undefined,
    ...(config.phys ?? {}),
    storage: 'chunked',
  });
  return { memory, pools: {}, maps: {}, allocationsMade: 0 };
}

/** The draft of the slice that `evolve` receives (an immer draft). */
export type PhysDraft = Parameters<Subsystem<PhysState>['evolve']>[0];

/** The draft's memory with every chunked table replaced by a writable version (call once per event in `evolve`). */
export function writableMemory(draft: PhysDraft): PhysicalMemory {
  const buddy = draft.memory.buddy;
  writableChunks(buddy, 'heads');
  writableChunks(buddy, 'tails');
  writableChunks(buddy, 'blockCounts');
  writableChunks(buddy, 'zoneFreePages');
  writableChunks(buddy, 'bitmap');
  for (const column of FRAME_COLUMNS) writableChunks(buddy.frames, column);
  return draft.memory as unknown as PhysicalMemory;
}
