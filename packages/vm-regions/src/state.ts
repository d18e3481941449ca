/**
 * The regions server's slice: every address space by id, and the counters that hand out ids.
 */
import type { AddressSpace } from './addressSpace.js';
import { layoutFor, type Layout, type LayoutOptions } from './layouts.js';

/** The machine configuration fields regions reads. */
export interface RegionsConfig extends Readonly<Record<string, unknown>> {
  /** `linux-x86_64` (default), `linux-i386`, `win2000-x86` … */
  readonly profile?: string;
  /** The legacy bottom-up mmap layout (vm.legacy_va_layout / `setarch -L`). */
  readonly legacyVaLayout?: boolean;
  /** RLIMIT_STACK in bytes. */
  readonly stackLimit?: number;
  /** vm.mmap_min_addr. */
  readonly mmapMinAddr?: number;
  /** vm.max_map_count. */
  readonly maxMapCount?: number;
}

/** The regions slice. */
export interface RegionsState {
  /** The layout every new address space gets. */
  readonly layout: Layout;
  /** Address spaces by id. */
  readonly spaces: Readonly<Record<number, AddressSpace>>;
  /** The next address-space id. */
  readonly nextId: number;
  /** Inode numbers given to mapped paths (until a file system exists). */
  readonly inodes: Readonly<Record<string, number>>;
  /** The next inode number (files and shmem objects). */
  readonly nextInode: number;
}

/** The initial slice for a machine configuration. */
export function initialRegionsState(config: RegionsConfig): RegionsState {
  const options: LayoutOptions = {
    ...(config.legacyVaLayout === undefined ? {} : { legacyLayout: config.legacyVaLayout }),
    ...(config.stackLimit === undefined ? {} : { stackLimit: config.stackLimit }),
    ...(config.mmapMinAddr === undefined ? {} : { mmapMinAddr: config.mmapMinAddr }),
    ...(config.maxMapCount === undefined ? {} : { maxMapCount: config.maxMapCount }),
  };
  return { layout: layoutFor(config.profile, options), spaces: {}, nextId: 1, inodes: {}, nextInode: 2 };
}
