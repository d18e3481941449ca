/**
 * The regions server's slice: every address space by id, and the counters that hand out ids.
 */
import type { ConfigFieldSpec } from '@vmlab/kernel';
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
  /** CONFIG_LSM_MMAP_MIN_ADDR of the simulated kernel (default 65536). */
  readonly lsmMmapMinAddr?: number;
  /** vm.max_map_count. */
  readonly maxMapCount?: number;
  /** linux-i386 only: a 32-bit task on an x86-64 kernel (IA32 emulation, TASK_SIZE 0xFFFFe000). */
  readonly ia32Emulation?: boolean;
  /** linux-i386 with `ia32Emulation`: the ADDR_LIMIT_3GB personality (`setarch -3`). */
  readonly addrLimit3gb?: boolean;
}

/** The configuration fields regions reads beyond every machine's own (the registry lists them for scenarios). */
export const REGIONS_CONFIG_FIELDS: readonly ConfigFieldSpec[] = [
  { name: 'legacyVaLayout', kind: 'boolean', summary: 'the legacy bottom-up mmap layout (vm.legacy_va_layout, setarch -L)' },
  { name: 'stackLimit', kind: 'size', summary: 'RLIMIT_STACK (ulimit -s), which also places mmap_base' },
  { name: 'mmapMinAddr', kind: 'size', summary: 'vm.mmap_min_addr, the lowest address mmap hands out' },
  { name: 'lsmMmapMinAddr', kind: 'size', summary: "CONFIG_LSM_MMAP_MIN_ADDR, the kernel's floor under vm.mmap_min_addr (security/min_addr.c)" },
  { name: 'maxMapCount', kind: 'count', summary: 'vm.max_map_count, the most regions an address space may have' },
  { name: 'ia32Emulation', kind: 'boolean', summary: 'linux-i386: a 32-bit task on an x86-64 kernel (TASK_SIZE 0xFFFFe000)' },
  { name: 'addrLimit3gb', kind: 'boolean', summary: 'linux-i386 with ia32Emulation: the ADDR_LIMIT_3GB personality (setarch -3)' },
];

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
    ...(config.lsmMmapMinAddr === undefined ? {} : { lsmMmapMinAddr: config.lsmMmapMinAddr }),
    ...(config.maxMapCount === undefined ? {} : { maxMapCount: config.maxMapCount }),
    ...(config.ia32Emulation === undefined ? {} : { ia32Emulation: config.ia32Emulation }),
    ...(config.addrLimit3gb === undefined ? {} : { addrLimit3gb: config.addrLimit3gb }),
  };
  return { layout: layoutFor(config.profile, options), spaces: {}, nextId: 1, inodes: {}, nextInode: 2 };
}
