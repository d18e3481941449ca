/**
 * A /proc/pagetypeinfo-style table of free blocks (mm/vmstat.c pagetypeinfo_show and
 * pagetypeinfo_showfree_print): the page block order, then per zone and type the free blocks at
 * each order, with Linux's widths (`"%-43s "` header, `"Node %4d, zone %8s, type %12s "`,
 * `"%6lu "` counts, `>100000` when the count passed the limit).
 *
 * vmlab does not model migrate types, so every zone has one row, typed `(any)`: the free blocks of
 * all types together. The formatter itself takes any types (it reproduces the real file's first part).
 */
import type { PhysicalMemory } from '../physicalMemory.js';
import { zoneFreeBlocks } from './buddyinfo.js';

/** One row: a zone, a migrate type, and its free blocks per order. */
export interface PageTypeRow {
  /** Zone name. */
  readonly zone: string;
  /** Migrate type name (`Unmovable`, `Movable`, …, or `(any)`). */
  readonly type: string;
  /** Free blocks per order. */
  readonly counts: readonly number[];
}

/** pageblock_order: HUGETLB_PAGE_ORDER (9 with 4 KiB pages on x86) or the highest order when smaller. */
export function pageblockOrder(maxOrder: number): number {
  return Math.min(9, maxOrder);
}

/** Formats the header and the free-count table as pagetypeinfo does (node 0; counts stop at 100000 as Linux's walk does). */
export function formatPagetypeinfo(pageblock: number, orders: number, rows: readonly PageTypeRow[], node = 0): string {
  let text = `Page block order: ${pageblock}\nPages per block:  ${2 ** pageblock}\n\n`;
  text += `${'Free pages count per migrate type at order'.padEnd(43)} `;
  for (let order = 0; order < orders; order++) text += `${String(order).padStart(6)} `;
  text += '\n';
  for (const row of rows) {
    text += `Node ${String(node).padStart(4)}, zone ${row.zone.padStart(8)}, type ${row.type.padStart(12)} `;
    for (const count of row.counts) text += count >= 100000 ? `>${String(100000).padStart(6)} ` : `${String(count).padStart(6)} `;
    text += '\n';
  }
  return text;
}

/** The rows of a machine: one `(any)` row per populated zone. */
export function pageTypeRows(memory: PhysicalMemory): PageTypeRow[] {
  return zoneFreeBlocks(memory).map((row) => ({ zone: row.zone, type: '(any)', counts: row.counts }));
}
