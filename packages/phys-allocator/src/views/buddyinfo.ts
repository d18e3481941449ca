/**
 * /proc/buddyinfo (mm/vmstat.c frag_show_print): for each populated zone,
 * `seq_printf("Node %d, zone %8s ", nid, name)`, then `"%6lu "` per order (free_area[order].nr_free),
 * then a newline. Byte for byte, trailing space included.
 */
import { freeBlockCount } from '../buddy.js';
import type { PhysicalMemory } from '../physicalMemory.js';

/** One zone's line of data: its name and the number of free blocks at each order. */
export interface ZoneFreeBlocks {
  /** Zone name. */
  readonly zone: string;
  /** Free blocks per order, order 0 first. */
  readonly counts: readonly number[];
}

/** The free-block counts of every populated zone (populated_zone: present pages ≠ 0). */
export function zoneFreeBlocks(memory: PhysicalMemory): ZoneFreeBlocks[] {
  return memory.layout.zones.flatMap((zone, z) =>
    zone.spanned === 0 ? [] : [{ zone: zone.name, counts: Array.from({ length: memory.layout.maxOrder + 1 }, (_, order) => freeBlockCount(memory.buddy, z, order)) }],
  );
}

/** Formats rows as /proc/buddyinfo does (node 0). */
export function formatBuddyinfo(rows: readonly ZoneFreeBlocks[], node = 0): string {
  return rows.map((row) => `Node ${node}, zone ${row.zone.padStart(8)} ${row.counts.map((n) => `${String(n).padStart(6)} `).join('')}\n`).join('');
}
