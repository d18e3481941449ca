/**
 * /proc/vmallocinfo: one line per vmalloc area in address order (mm/vmalloc.c s_show, 2.6.28+):
 * `"0x%p-0x%p %7ld"` (start, end including the guard page, size), the caller, ` pages=N`,
 * ` vmalloc`, and ` vpages` when the page array was itself vmalloc'ed. This machine is not NUMA,
 * so no ` N0=` counts follow (show_numa_info prints them only on NUMA kernels).
 */
import { formatKernelAddress } from '../layout.js';
import type { SlabState } from '../state.js';

/** One area as vmallocinfo shows it. */
export interface VmallocinfoRow {
  /** Start address. */
  readonly start: number;
  /** End address (start + size). */
  readonly end: number;
  /** Bytes including the guard page. */
  readonly size: number;
  /** Who asked. */
  readonly caller: string;
  /** Frames mapped. */
  readonly pages: number;
  /** Page array vmalloc'ed. */
  readonly vpages: boolean;
}

/** The rows in address order. */
export function vmallocinfoRows(state: SlabState): VmallocinfoRow[] {
  return state.areas.map((area) => ({
    start: area.address,
    end: area.address + area.size,
    size: area.size,
    caller: area.caller,
    pages: area.pfns.length,
    vpages: area.vpages,
  }));
}

/** The whole /proc/vmallocinfo text. */
export function renderVmallocinfo(state: SlabState): string {
  return vmallocinfoRows(state)
    .map(
      (row) =>
        `0x${formatKernelAddress(state.layout, row.start)}-0x${formatKernelAddress(state.layout, row.end)} ${String(row.size).padStart(7)}` +
        ` ${row.caller}${row.pages ? ` pages=${row.pages}` : ''} vmalloc${row.vpages ? ' vpages' : ''}\n`,
    )
    .join('');
}
