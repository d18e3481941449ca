/**
 * Machine profiles as physical memory sees them: page size, zone boundaries, the highest buddy
 * order, default RAM, and what is reserved at boot. The `profile` and `ram` fields of the machine
 * configuration (docs/conventions.md) select and override them.
 */

/** Linux zone indices (include/linux/mmzone.h enum zone_type, with every optional zone configured). */
export const ZONE_INDEX = {
  /** ZONE_DMA: ISA DMA, below 16 MiB. */
  DMA: 0,
  /** ZONE_DMA32: 32-bit devices, below 4 GiB (64-bit machines). */
  DMA32: 1,
  /** ZONE_NORMAL: directly mapped memory. */
  Normal: 2,
  /** ZONE_HIGHMEM: above the kernel's direct map (896 MiB on i386). */
  HighMem: 3,
} as const;

/** A zone name as /proc/buddyinfo prints it (mm/page_alloc.c zone_names[]). */
export type ZoneName = keyof typeof ZONE_INDEX;

/** One zone's extent in a profile: it covers physical addresses below `limit` not taken by lower zones. */
export interface ZoneBoundary {
  /** The zone. */
  readonly name: ZoneName;
  /** Exclusive upper bound in bytes (Infinity for the last zone). */
  readonly limit: number;
}

/** How a profile lays out physical memory. */
export interface MemoryProfile {
  /** The profile's name. */
  readonly name: string;
  /** Bytes per page frame. */
  readonly pageSize: number;
  /** Highest buddy order (blocks of 2^maxOrder frames). */
  readonly maxOrder: number;
  /** Default RAM in bytes. */
  readonly defaultRam: number;
  /** Zones, lowest first. */
  readonly zones: readonly ZoneBoundary[];
  /** Bytes at the bottom of memory reserved at boot (firmware, kernel image). */
  readonly reservedLowBytes: number;
  /** min_free_kbytes, or `computed` for Linux's formula (mm/page_alloc.c calculate_min_free_kbytes). */
  readonly minFreeKbytes: number | 'computed';
}

const MiB = 1024 * 1024;

/** The profiles phys knows (the scenario language's list, packages/scenario/src/machineSpec.ts). */
export const MEMORY_PROFILES: Readonly<Record<string, MemoryProfile>> = {
  // arch/x86/mm/init_32.c zone_sizes_init: ZONE_DMA below MAX_DMA_PFN (16 MiB), ZONE_NORMAL up to
  // max_low_pfn (896 MiB with the 3G/1G split, Gorman ch. 2.2), ZONE_HIGHMEM above.
  // Orders 0…9 as the seed text describes (Linux itself has MAX_ORDER 11 on i386).
  // The first 2 MiB hold the BIOS area and the kernel image (loaded at 1 MiB) and are reserved.
  'linux-i386': {
    name: 'linux-i386',
    pageSize: 4096,
    maxOrder: 9,
    defaultRam: 64 * MiB,
    zones: [
      { name: 'DMA', limit: 16 * MiB },
      { name: 'Normal', limit: 896 * MiB },
      { name: 'HighMem', limit: Infinity },
    ],
    reservedLowBytes: 2 * MiB,
    minFreeKbytes: 'computed',
  },
  // arch/x86/mm/init.c zone_sizes_init: DMA < 16 MiB, DMA32 < 4 GiB, Normal above; MAX_PAGE_ORDER 10.
  // arch/x86/kernel/setup.c reserves the whole first 1 MiB since Linux 5.13.
  'linux-x86_64': {
    name: 'linux-x86_64',
    pageSize: 4096,
    maxOrder: 10,
    defaultRam: 64 * MiB,
    zones: [
      { name: 'DMA', limit: 16 * MiB },
      { name: 'DMA32', limit: 4096 * MiB },
      { name: 'Normal', limit: Infinity },
    ],
    reservedLowBytes: 1 * MiB,
    minFreeKbytes: 'computed',
  },
  // Windows 2000 on x86 has no buddy allocator (its PFN database hands out single pages from
  // free/zeroed lists); phys serves it with the i386 layout so that drivers' contiguous
  // allocations still have a model. The first 1 MiB is reserved (real-mode area, HAL).
  'win2000-x86': {
    name: 'win2000-x86',
    pageSize: 4096,
    maxOrder: 9,
    defaultRam: 64 * MiB,
    zones: [
      { name: 'DMA', limit: 16 * MiB },
      { name: 'Normal', limit: Infinity },
    ],
    reservedLowBytes: 1 * MiB,
    minFreeKbytes: 'computed',
  },
  // Alpha: 8 KiB pages (arch/alpha/include/asm/page.h PAGE_SHIFT 13); ISA DMA below 16 MiB on
  // the platforms that have it (arch/alpha/mm/init.c paging_init). The console (SRM/PALcode) and
  // the kernel image (loaded at 0x310000) sit in the first 4 MiB, reserved.
  alpha: {
    name: 'alpha',
    pageSize: 8192,
    maxOrder: 10,
    defaultRam: 64 * MiB,
    zones: [
      { name: 'DMA', limit: 16 * MiB },
      { name: 'Normal', limit: Infinity },
    ],
    reservedLowBytes: 4 * MiB,
    minFreeKbytes: 'computed',
  },
  // A machine small enough to work by hand: 64 frames of 1 KiB, one zone, blocks of up to 32
  // frames; frame 0 is reserved so that a NULL return (0) is never a valid block. No watermarks.
  tiny: {
    name: 'tiny',
    pageSize: 1024,
    maxOrder: 5,
    defaultRam: 64 * 1024,
    zones: [{ name: 'Normal', limit: Infinity }],
    reservedLowBytes: 1024,
    minFreeKbytes: 0,
  },
};

/** The profile used when the configuration names none (docs/conventions.md). */
export const DEFAULT_PROFILE = 'linux-x86_64';

/** Options that override a profile (the machine configuration's fields phys reads). */
export interface MemoryOptions {
  /** Profile name (default linux-x86_64). */
  readonly profile?: string;
  /** RAM in bytes (default per profile). */
  readonly ram?: number;
  /** Overrides the highest buddy order. */
  readonly maxOrder?: number;
  /** Overrides the bytes reserved at the bottom of memory. */
  readonly reservedLowBytes?: number;
  /** Overrides min_free_kbytes (0 turns watermarks off). */
  readonly minFreeKbytes?: number;
}

/** A profile with its overrides applied and its RAM decided. */
export interface ResolvedProfile extends MemoryProfile {
  /** RAM in bytes. */
  readonly ram: number;
}

/** The profile named by `options`, with its overrides applied; throws on an unknown name. */
export function resolveProfile(options: MemoryOptions = {}): ResolvedProfile {
  const name = options.profile ?? DEFAULT_PROFILE;
  const profile = MEMORY_PROFILES[name];
  if (!profile) throw new RangeError(`unknown machine profile ${name} (known: ${Object.keys(MEMORY_PROFILES).join(', ')})`);
  const ram = options.ram ?? profile.defaultRam;
  if (!Number.isSafeInteger(ram) || ram < profile.pageSize) throw new RangeError(`ram must be at least one page (${profile.pageSize} bytes), got ${ram}`);
  const maxOrder = options.maxOrder ?? profile.maxOrder;
  if (!Number.isInteger(maxOrder) || maxOrder < 0 || maxOrder > 20) throw new RangeError(`maxOrder must be 0…20, got ${maxOrder}`);
  return {
    ...profile,
    ram,
    maxOrder,
    reservedLowBytes: options.reservedLowBytes ?? profile.reservedLowBytes,
    minFreeKbytes: options.minFreeKbytes ?? profile.minFreeKbytes,
  };
}
