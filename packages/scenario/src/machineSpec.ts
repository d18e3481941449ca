/**
 * The `machine:` section: a profile name, or an object whose fields override the profile's
 * (`{ profile: linux-i386, ram: 64MiB, swap: 16MiB, tlb: { entries: 32, ways: 4 }, policy: clock, seed: 1 }`).
 * Sizes may be written `64MiB` or as plain numbers of bytes.
 */
import type { MachineConfig } from '@vmlab/kernel';
import type { MachineSpec } from './ast.js';
import { readNumber } from './numberLiteral.js';
import type { SourcePosition } from './scenarioError.js';

/** The machine profiles the language knows, and what each stands for. */
export const PROFILES: Readonly<Record<string, string>> = {
  'linux-i386': '4 KB pages, 2-level tables, 3 GB / 1 GB split at 0xC0000000, zones DMA/Normal/HighMem, first 2 MB reserved',
  'linux-x86_64': '4-level tables, 47-bit user space',
  'win2000-x86': '4 KB pages, 2 GB / 2 GB split, 64 KB allocation granularity',
  alpha: '8 KB pages, 3-level tables',
  tiny: 'small addresses and pages, for exercises worked by hand',
};

/** The profile used when a scenario names none. */
export const DEFAULT_PROFILE = 'linux-x86_64';

/** The fields of a machine object that the spec defines. */
export const MACHINE_FIELDS = ['profile', 'ram', 'swap', 'tlb', 'policy', 'seed'] as const;

/**
 * The page-replacement policies a machine may name. No component reads `policy` yet (the pager
 * that will is not written), so these are the policies the spec and DESIGN.md name: FIFO, LRU,
 * Clock, NRU, aging, working set, Linux's active/inactive lists, and OPT (on traces).
 */
export const POLICIES = ['fifo', 'lru', 'clock', 'nru', 'aging', 'working-set', 'active-inactive', 'opt'] as const;

/** The fields of `tlb`: the spec's `entries` and `ways` (both needed), and what hardware-mmu's TLB also reads (`replacement`, `asids`, `seed`). */
export const TLB_FIELDS = ['entries', 'ways', 'replacement', 'asids', 'seed'] as const;

/** The TLB's replacement policies within a set (hardware-mmu's `TlbReplacement`). */
export const TLB_REPLACEMENTS = ['lru', 'fifo', 'random'] as const;

/** A size field's value read from YAML: a number of bytes, or a string like `64MiB`. */
export function readSize(value: unknown): { ok: true; value: number } | { ok: false; reason: string; hint?: string } {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? { ok: true, value } : { ok: false, reason: `bad size ${value}: expected a whole number of bytes` };
  }
  if (typeof value !== 'string') return { ok: false, reason: 'expected a size such as 64MiB' };
  const text = value.replace(/\s+/g, '');
  return readNumber(text);
}

/** The machine configuration a scenario's machine section stands for: the profile and its overrides. */
export function machineConfigOfSpec(spec: MachineSpec): MachineConfig {
  return { profile: spec.profile, ...spec.overrides };
}

/** A machine section for a bare profile name. */
export function profileMachine(profile: string, at: SourcePosition): MachineSpec {
  return { profile, overrides: {}, at };
}
