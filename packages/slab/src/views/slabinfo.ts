/**
 * /proc/slabinfo, version 2.1: the header Linux prints and one line per cache, newest cache
 * first (caches are added at the head of the cache chain, list_add in kmem_cache_create).
 * Line format from mm/slab_common.c cache_show (the same as 2.6 mm/slab.c s_show):
 * `"%-17s %6lu %6lu %6u %4u %4d"`, `" : tunables %4u %4u %4u"`, `" : slabdata %6lu %6lu %6lu"`.
 * This model has no per-CPU array caches, so limit, batchcount and sharedfactor print as 0 —
 * what a kernel without them prints (the SLUB machine in fixtures/proc-slabinfo.txt).
 */
import type { SlabState } from '../state.js';
import { SLABS_FULL, SLABS_PARTIAL } from '../state.js';

/** The two header lines of /proc/slabinfo 2.1 (mm/slab_common.c print_slabinfo_header). */
export const SLABINFO_HEADER =
  'slabinfo - version: 2.1\n' +
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>' +
  ' : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n';

/** One cache's slabinfo numbers. */
export interface SlabinfoRow {
  /** Cache name. */
  readonly name: string;
  /** Live objects. */
  readonly activeObjs: number;
  /** Objects in all slabs. */
  readonly numObjs: number;
  /** Object size with padding. */
  readonly objsize: number;
  /** Objects per slab. */
  readonly objperslab: number;
  /** Pages per slab. */
  readonly pagesperslab: number;
  /** Slabs with live objects (full + partial). */
  readonly activeSlabs: number;
  /** All slabs. */
  readonly numSlabs: number;
}

/** The rows, in the order /proc/slabinfo prints them (newest cache first). */
export function slabinfoRows(state: SlabState): SlabinfoRow[] {
  const rows: SlabinfoRow[] = [];
  for (let i = state.cacheIds.length - 1; i >= 0; i--) {
    const cache = state.caches[state.cacheIds[i]!]!;
    rows.push({
      name: cache.name,
      activeObjs: cache.activeObjects,
      numObjs: cache.totalSlabs * cache.objectsPerSlab,
      objsize: cache.objectSize,
      objperslab: cache.objectsPerSlab,
      pagesperslab: 2 ** cache.order,
      activeSlabs: cache.lists[SLABS_FULL]!.length + cache.lists[SLABS_PARTIAL]!.length,
      numSlabs: cache.totalSlabs,
    });
  }
  return rows;
}

const pad = (value: number | string, width: number): string => String(value).padStart(width);

/** One line as cache_show prints it. */
export function formatSlabinfoRow(row: SlabinfoRow): string {
  return (
    `${row.name.padEnd(17)} ${pad(row.activeObjs, 6)} ${pad(row.numObjs, 6)} ${pad(row.objsize, 6)} ${pad(row.objperslab, 4)} ${pad(row.pagesperslab, 4)}` +
    ` : tunables ${pad(0, 4)} ${pad(0, 4)} ${pad(0, 4)}` +
    ` : slabdata ${pad(row.activeSlabs, 6)} ${pad(row.numSlabs, 6)} ${pad(0, 6)}\n`
  );
}

/** The whole /proc/slabinfo text. */
export function renderSlabinfo(state: SlabState): string {
  return SLABINFO_HEADER + slabinfoRows(state).map(formatSlabinfoRow).join('');
}
