/**
 * /proc/PID/smaps (fs/proc/task_mmu.c show_smap, __show_smap, show_smap_vma_flags): the maps
 * line, then the page counters in the kernel's order and widths, then VmFlags. Page-level
 * counters (Rss, Pss, dirty/clean, Anonymous, Swap …) are 0: no pager maps pages yet, as on Linux
 * for regions never touched. Locked counts the region's size when it is VM_LOCKED and resident, so 0 too.
 */
import { VM_FLAG_MNEMONICS, hasFlag } from '../constants.js';
import type { AddressSpace } from '../addressSpace.js';
import { treeForEach } from '../regionTree.js';
import { formatMapsLine, mapsEntries } from './maps.js';

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

/** /proc/PID/smaps of `space`, byte for byte. */
export function renderSmaps(space: AddressSpace): string {
  const entries = mapsEntries(space);
  const flags: number[] = [];
  treeForEach(space.tree, (r) => flags.push(r.flags));
  let out = '';
  entries.forEach((entry, i) => {
    out += formatMapsLine(entry, space.layout.mapsWidth) + '\n';
    out += kb('Size', (entry.end - entry.start) / 1024);
    out += kb('KernelPageSize', 4);
    out += kb('MMUPageSize', 4);
    for (const field of SMAPS_FIELDS) out += kb(field, 0);
    out += 'THPeligible:           0\n';
    // The gate area is not a region: its VmFlags are VM_EXEC alone.
    out += `VmFlags: ${i < flags.length ? vmFlagsString(flags[i]!) : 'ex '}\n`;
  });
  return out;
}
