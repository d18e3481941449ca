/**
 * A /proc/zoneinfo subset (mm/vmstat.c zoneinfo_show_print): per zone the `Node %d, zone %8s`
 * line, then `pages free`, `boost`, `min`, `low`, `high`, `spanned`, `present`, `managed` and
 * `protection: (…)` with Linux's labels and spacing. Omitted: promo, cma, the per-node and
 * per-cpu statistics (not modelled).
 */
import type { PhysicalMemory } from '../physicalMemory.js';

/** One zone's figures as the view shows them. */
export interface ZoneFigures {
  /** Zone name. */
  readonly zone: string;
  /** Free frames. */
  readonly free: number;
  /** Watermarks. */
  readonly min: number;
  /** Low watermark. */
  readonly low: number;
  /** High watermark. */
  readonly high: number;
  /** Frames spanned. */
  readonly spanned: number;
  /** Frames present (= spanned: no holes are modelled). */
  readonly present: number;
  /** Frames managed by the buddy allocator. */
  readonly managed: number;
  /** lowmem_reserve against each zone. */
  readonly protection: readonly number[];
}

/** The figures of every zone of the machine. */
export function zoneFigures(memory: PhysicalMemory): ZoneFigures[] {
  return memory.layout.zones.map((zone, z) => ({
    zone: zone.name,
    free: memory.buddy.zoneFreePages.get(z),
    min: zone.watermarks.min,
    low: zone.watermarks.low,
    high: zone.watermarks.high,
    spanned: zone.spanned,
    present: zone.spanned,
    managed: zone.managed,
    protection: zone.lowmemReserve,
  }));
}

/** Formats the figures like /proc/zoneinfo (node 0). */
export function formatZoneinfo(zones: readonly ZoneFigures[], node = 0): string {
  return zones
    .map(
      (z) =>
        `Node ${node}, zone ${z.zone.padStart(8)}` +
        `\n  pages free     ${z.free}` +
        `\n        boost    0` +
        `\n        min      ${z.min}` +
        `\n        low      ${z.low}` +
        `\n        high     ${z.high}` +
        `\n        spanned  ${z.spanned}` +
        `\n        present  ${z.present}` +
        `\n        managed  ${z.managed}` +
        `\n        protection: (${z.protection.join(', ')})\n`,
    )
    .join('');
}
