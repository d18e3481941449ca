/**
 * What the MMU takes from the machine configuration (docs/conventions.md): the profile chooses
 * the page-table format, the RAM size and the kernel's direct-map base; `ram`, `tlb` and a
 * scenario's own `pageTableFormat` override them.
 */
import { ALPHA_FORMAT, BUILT_IN_FORMATS, I386_FORMAT, TINY_FORMAT, X86_64_FORMAT, compileFormat, type PageTableFormat } from './pageTableFormat.js';
import type { TlbConfig } from './tlb.js';

/** The MMU's settings for a machine. */
export interface MmuMachineSettings {
  /** The profile name. */
  readonly profile: string;
  /** The page-table format. */
  readonly format: PageTableFormat;
  /** Physical memory in bytes. */
  readonly ramBytes: number;
  /** TLB geometry. */
  readonly tlb: Required<Pick<TlbConfig, 'entries' | 'ways'>> & TlbConfig;
  /** The kernel's direct-map base (PAGE_OFFSET), null when the profile has none in range. */
  readonly pageOffset: number | null;
}

const MIB = 1024 * 1024;

interface ProfileDefaults {
  readonly format: PageTableFormat;
  readonly ramBytes: number;
  readonly pageOffset: number | null;
}

/**
 * Defaults per profile. PAGE_OFFSET: 0xC0000000 on i386 (arch/x86/Kconfig, VMSPLIT_3G);
 * 0xffff888000000000 on x86-64 (Documentation/arch/x86/x86_64/mm.rst), kept as its low 48 bits
 * like every x86-64 kernel address in vmlab; Windows 2000 and Alpha have no Linux-style direct
 * map here.
 */
const PROFILES: Readonly<Record<string, ProfileDefaults>> = {
  'linux-i386': { format: I386_FORMAT, ramBytes: 64 * MIB, pageOffset: 0xc000_0000 },
  'linux-x86_64': { format: X86_64_FORMAT, ramBytes: 64 * MIB, pageOffset: 0x8880_0000_0000 },
  'win2000-x86': { format: I386_FORMAT, ramBytes: 64 * MIB, pageOffset: null },
  alpha: { format: ALPHA_FORMAT, ramBytes: 64 * MIB, pageOffset: null },
  tiny: { format: TINY_FORMAT, ramBytes: 4096, pageOffset: null },
};

/** The profile names the MMU knows. */
export const MMU_PROFILES: readonly string[] = Object.keys(PROFILES);

/** Reads the MMU's settings from a machine configuration (unknown fields are ignored). */
export function mmuSettings(config: Readonly<Record<string, unknown>>): MmuMachineSettings {
  const profile = typeof config.profile === 'string' ? config.profile : 'linux-x86_64';
  const defaults = PROFILES[profile];
  if (!defaults) throw new RangeError(`unknown machine profile ${profile} (known: ${MMU_PROFILES.join(', ')})`);
  let format = defaults.format;
  const custom = config.pageTableFormat;
  if (typeof custom === 'string') {
    const named = BUILT_IN_FORMATS[custom];
    if (!named) throw new RangeError(`unknown page-table format ${custom}`);
    format = named;
  } else if (custom && typeof custom === 'object') {
    format = custom as PageTableFormat;
  }
  compileFormat(format);
  const ramBytes = typeof config.ram === 'number' ? config.ram : defaults.ramBytes;
  const tlbConfig = (config.tlb && typeof config.tlb === 'object' ? config.tlb : {}) as TlbConfig;
  const entries = tlbConfig.entries ?? 64;
  // The random replacement policy draws from its own generator, seeded by the machine's seed.
  const seed = tlbConfig.seed ?? (typeof config.seed === 'number' ? config.seed : 1);
  const tlb = { ...tlbConfig, entries, ways: tlbConfig.ways ?? entries, seed };
  return { profile, format, ramBytes, tlb, pageOffset: format === defaults.format ? defaults.pageOffset : null };
}
