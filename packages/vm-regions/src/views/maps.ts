/**
 * /proc/PID/maps (fs/proc/task_mmu.c show_map_vma, show_vma_header_prefix): one line per region,
 * `start-end perms offset dev inode`, the name padded to column 25 + sizeof(void *) * 6, and on
 * x86-64 the [vsyscall] gate area last.
 */
import type { AddressSpace } from '../addressSpace.js';
import { mapsOffset, permissionString, type Region } from '../region.js';
import { treeForEach } from '../regionTree.js';

/** One maps line as data. */
export interface MapsEntry {
  /** First address. */
  readonly start: number;
  /** One past the last address. */
  readonly end: number;
  /** `rw-p` etc. */
  readonly perms: string;
  /** Byte offset in the file. */
  readonly offset: number;
  /** Device, `fe:00`. */
  readonly dev: string;
  /** Inode. */
  readonly inode: number;
  /** Path or `[heap]`/`[stack]`/`[vdso]`, or empty (as stored: the text form escapes a newline, see mapsName). */
  readonly name: string;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** The name column (task_mmu.c get_vma_name): the file, the special name, [heap], [stack], or nothing. */
export function regionName(space: AddressSpace, region: Region): string {
  if (region.file !== null) return region.file;
  if (region.special !== null) return region.special;
  // include/linux/mm.h vma_is_initial_heap (strict bounds) / vma_is_initial_stack (inclusive).
  if (region.start < space.brk && region.end > space.startBrk) return '[heap]';
  if (region.start <= space.startStack && region.end >= space.startStack) return '[stack]';
  return '';
}

/** The maps entries of `space`, in address order (the gate area included). */
export function mapsEntries(space: AddressSpace): MapsEntry[] {
  const entries: MapsEntry[] = [];
  treeForEach(space.tree, (r) =>
    entries.push({ start: r.start, end: r.end, perms: permissionString(r.flags), offset: mapsOffset(r), dev: r.dev, inode: r.inode, name: regionName(space, r) }),
  );
  const gate = space.layout.gateArea;
  if (gate) entries.push({ start: gate.start, end: gate.end, perms: '--xp', offset: 0, dev: '00:00', inode: 0, name: '[vsyscall]' });
  return entries;
}

/**
 * One maps entry in the views' JSON form. Addresses and the file offset are lowercase hex strings
 * without `0x` or padding (`"7ffff7ffc000"`, `"ffffffffff600000"`, `"0"`): exact for every value,
 * where a JSON number above 2^53 (the [vsyscall] page, offsets up to 2^63) would be read back
 * rounded by most parsers. The name is as stored (a newline stays a newline).
 */
export interface MapsJsonEntry {
  /** First address, hex. */
  readonly start: string;
  /** One past the last address, hex. */
  readonly end: string;
  /** `rw-p` etc. */
  readonly perms: string;
  /** Byte offset in the file, hex. */
  readonly offset: string;
  /** Device, `fe:00`. */
  readonly dev: string;
  /** Inode. */
  readonly inode: number;
  /** Path, `[heap]` …, or empty. */
  readonly name: string;
}

/** An entry in the JSON form (see MapsJsonEntry). */
export function mapsJsonEntry(entry: MapsEntry): MapsJsonEntry {
  return { start: entry.start.toString(16), end: entry.end.toString(16), perms: entry.perms, offset: entry.offset.toString(16), dev: entry.dev, inode: entry.inode, name: entry.name };
}

/** The maps view's JSON: one MapsJsonEntry per line. */
export function mapsJson(space: AddressSpace): MapsJsonEntry[] {
  return mapsEntries(space).map(mapsJsonEntry);
}

/**
 * The name as maps prints it: fs/proc/task_mmu.c show_map_vma prints a file with
 * seq_file_path(m, file, "\n"), whose mangle_path (fs/seq_file.c) writes each character of "\n" as
 * a backslash and three octal digits, `\012`; nothing else is escaped (a tab or a backslash stays
 * as it is: fixtures/linux/path-escape.txt). The special names never hold a newline.
 */
export function mapsName(name: string): string {
  return name.replaceAll('\n', '\\012');
}

/** One line of maps (smaps' header line too), without the newline. */
export function formatMapsLine(entry: MapsEntry, width: number): string {
  const head = `${hex(entry.start, 8)}-${hex(entry.end, 8)} ${entry.perms} ${hex(entry.offset, 8)} ${entry.dev} ${entry.inode} `;
  if (!entry.name) return head;
  // seq_pad: pad to the width, then one space, then the name.
  return head.padEnd(width, ' ') + ' ' + mapsName(entry.name);
}

/** /proc/PID/maps of `space`, byte for byte. */
export function renderMaps(space: AddressSpace): string {
  return mapsEntries(space)
    .map((e) => formatMapsLine(e, space.layout.mapsWidth) + '\n')
    .join('');
}
