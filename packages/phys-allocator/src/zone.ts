/**
 * Zones: how a profile's physical memory is cut into DMA / DMA32 / Normal / HighMem, their
 * watermarks and lowmem reserves, and which zones an allocation may use given its GFP flags
 * (gfp_zone and the zonelist, include/linux/gfp.h and mm/page_alloc.c).
 */
import { GFP } from './protocol.js';
import { ZONE_INDEX, type MemoryProfile, type ZoneName } from './profiles.js';
import { computeLowmemReserve, computeWatermarks, defaultMinFreeKbytes, type Watermarks } from './watermarks.js';

/** One zone of a machine. */
export interface Zone {
  /** Its name as /proc/buddyinfo prints it. */
  readonly name: ZoneName;
  /** Its Linux zone index (enum zone_type). */
  readonly linuxIndex: number;
  /** First frame. */
  readonly startPfn: number;
  /** One past the last frame. */
  readonly endPfn: number;
  /** Frames spanned (endPfn - startPfn). */
  readonly spanned: number;
  /** Frames handed to the buddy allocator at boot (spanned minus boot reservations). */
  readonly managed: number;
  /** min / low / high watermarks in frames. */
  readonly watermarks: Watermarks;
  /** lowmem_reserve[j]: frames kept back from allocations whose preferred zone is zone j (by position). */
  readonly lowmemReserve: readonly number[];
}

/** The zones of a machine before boot reservations are known: name and frame range. */
export function zoneRanges(profile: MemoryProfile, frameCount: number): Array<{ name: ZoneName; startPfn: number; endPfn: number }> {
  let start = 0;
  return profile.zones.map((zone) => {
    const limit = zone.limit === Infinity ? frameCount : Math.min(frameCount, Math.floor(zone.limit / profile.pageSize));
    const range = { name: zone.name, startPfn: start, endPfn: Math.max(start, limit) };
    start = range.endPfn;
    return range;
  });
}

/** Completes the zones with their managed counts, watermarks and lowmem reserves. */
export function buildZones(
  ranges: ReadonlyArray<{ name: ZoneName; startPfn: number; endPfn: number }>,
  managed: readonly number[],
  minFreeKbytes: number | 'computed',
  pageSize: number,
): Zone[] {
  const sizes = ranges.map((range, i) => ({ name: range.name, managed: managed[i]!, highmem: range.name === 'HighMem' }));
  const lowmemKbytes = sizes.reduce((sum, z) => (z.highmem ? sum : sum + (z.managed * pageSize) / 1024), 0);
  const minFree = minFreeKbytes === 'computed' ? defaultMinFreeKbytes(lowmemKbytes) : minFreeKbytes;
  const watermarks = computeWatermarks(sizes, minFree, pageSize);
  const reserves = computeLowmemReserve(sizes);
  return ranges.map((range, i) => ({
    name: range.name,
    linuxIndex: ZONE_INDEX[range.name],
    startPfn: range.startPfn,
    endPfn: range.endPfn,
    spanned: range.endPfn - range.startPfn,
    managed: managed[i]!,
    watermarks: watermarks[i]!,
    lowmemReserve: reserves[i]!,
  }));
}

/** The position in `zones` of the zone holding `pfn`, or -1. */
export function zoneOfPfn(zones: readonly Zone[], pfn: number): number {
  for (let z = 0; z < zones.length; z++) {
    if (pfn >= zones[z]!.startPfn && pfn < zones[z]!.endPfn) return z;
  }
  return -1;
}

const ZONE_MODIFIERS = GFP.__GFP_DMA | GFP.__GFP_HIGHMEM | GFP.__GFP_DMA32;

/**
 * gfp_zone (include/linux/gfp.h GFP_ZONE_TABLE): the highest zone an allocation may use, as a
 * position in `zones`. A zone the machine lacks maps to Normal (OPT_ZONE_DMA32, OPT_ZONE_HIGHMEM);
 * __GFP_DMA with __GFP_DMA32 or __GFP_HIGHMEM is GFP_ZONE_BAD and throws.
 */
export function preferredZone(zones: readonly Zone[], gfp: number): number {
  const modifiers = gfp & ZONE_MODIFIERS;
  let wanted: ZoneName;
  if (modifiers === GFP.__GFP_DMA) wanted = 'DMA';
  else if (modifiers === GFP.__GFP_DMA32) wanted = 'DMA32';
  else if (modifiers === GFP.__GFP_HIGHMEM) wanted = 'HighMem';
  else if (modifiers === 0) wanted = 'Normal';
  else throw new RangeError(`GFP_ZONE_BAD: conflicting zone modifiers 0x${modifiers.toString(16)} (include/linux/gfp.h)`);
  let position = zones.findIndex((zone) => zone.name === wanted);
  if (position < 0) position = zones.findIndex((zone) => zone.name === 'Normal');
  if (position < 0) position = zones.length - 1;
  return position;
}
