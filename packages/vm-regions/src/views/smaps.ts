/**
 * /proc/PID/smaps (fs/proc/task_mmu.c show_smap, __show_smap, show_smap_vma_flags): the maps
 * line, then the page counters in the kernel's order and widths, then VmFlags. Page-level
 * counters (Rss, Pss, dirty/clean, Anonymous, Swap …) are 0: no pager maps pages yet, as on Linux
 * for regions never touched. Locked counts the region's size when it is VM_LOCKED and resident, so 0 too.
 */
import { VM_FLAG_MNEMONICS, hasFlag } from '../constants.js';
import type { AddressSpace } from '../addressSpace.js';
import { treeForEach } from '../regionTree.js';
import { formatMapsLine, mapsEntries, mapsJsonEntry, type MapsEntry } from './maps.js';

/** The smaps page counters, in the order Linux 6.18 prints them. */
export const SMAPS_FIELDS = [
  'Rss',
  'Pss',
  'Pss_Dirty',
  'Shared_Clean',
  'Shared_Dirty',
  'Private_Clean',
  'Private_Dirty',
  'Referenced',
  'Anonymous',
  'KSM',
  'LazyFree',
  'AnonHugePages',
  'ShmemPmdMapped',
  'FilePmdMapped',
  'Shared_Hugetlb',
  'Private_Hugetlb',
  'Swap',
  'SwapPss',
  'Locked',
] as const;

/** `Name:` padded to 16 columns, the value right-aligned in 8, then ` kB` (SEQ_PUT_DEC). */
function kb(name: string, value: number): string {
  return `${(name + ':').padEnd(16, ' ')}${String(value).padStart(8, ' ')} kB\n`;
}

/** The VmFlags mnemonics of a region's vm_flags, each followed by a space. */
export function vmFlagsString(flags: number): string {
  let out = '';
  for (const [bit, name] of VM_FLAG_MNEMONICS) if (hasFlag(flags, bit)) out += name + ' ';
  return out;
}

/** One smaps block as data: the maps entry, the kB counters in Linux's order, THPeligible, the VmFlags mnemonics. */
interface SmapsBlock {
  readonly entry: MapsEntry;
  readonly counters: readonly (readonly [string, number])[];
  readonly thpEligible: number;
  readonly vmFlags: string;
}

function smapsBlocks(space: AddressSpace): SmapsBlock[] {
  const entries = mapsEntries(space);
  const flags: number[] = [];
  treeForEach(space.tree, (r) => flags.push(r.flags));
  return entries.map((entry, i) => ({
    entry,
    counters: [['Size', (entry.end - entry.start) / 1024], ['KernelPageSize', 4], ['MMUPageSize', 4], ...SMAPS_FIELDS.map((f) => [f, 0] as const)],
    thpEligible: 0,
    // The gate area is not a region: its VmFlags are VM_EXEC alone.
    vmFlags: i < flags.length ? vmFlagsString(flags[i]!) : 'ex ',
  }));
}

/** /proc/PID/smaps of `space`, byte for byte. */
export function renderSmaps(space: AddressSpace): string {
  let out = '';
  for (const block of smapsBlocks(space)) {
    out += formatMapsLine(block.entry, space.layout.mapsWidth) + '\n';
    for (const [name, value] of block.counters) out += kb(name, value);
    out += `THPeligible:    ${String(block.thpEligible).padStart(8, ' ')}\n`;
    out += `VmFlags: ${block.vmFlags}\n`;
  }
  return out;
}

/**
 * The smaps view's JSON: per region its maps entry (MapsJsonEntry: addresses as hex strings), then
 * every counter of the text under its own name in kB (`Size`, `KernelPageSize`, `MMUPageSize`,
 * `Rss` … `Locked`), `THPeligible`, and `VmFlags` as the list of mnemonics (`["rd", "wr", …]`).
 */
export function smapsJson(space: AddressSpace): Record<string, string | number | string[]>[] {
  return smapsBlocks(space).map((block) => ({
    ...mapsJsonEntry(block.entry),
    ...Object.fromEntries(block.counters),
    THPeligible: block.thpEligible,
    VmFlags: block.vmFlags.trim().split(' ').filter(Boolean),
  }));
}
