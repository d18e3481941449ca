/**
 * The `partitions` and `rmap` views: each pool of the classic contiguous allocators as an address
 * map (allocations and holes, with internal and external fragmentation), and each resource map as
 * its (address, units) free entries.
 */
import { internalFragmentation } from '../partitions/fixedPartitions.js';
import { freeBytes, holesOf, variableInternalFragmentation } from '../partitions/variablePartitions.js';
import { freeUnits, type ResourceMap } from '../resourceMap.js';
import type { Pool } from '../state.js';

/** One line of a pool's map. */
export interface PoolSegment {
  /** First byte. */
  readonly start: number;
  /** Bytes. */
  readonly size: number;
  /** The allocation's name, or null for free space. */
  readonly holder: string | null;
  /** Bytes asked for (allocations only). */
  readonly used?: number;
}

/** A pool's segments by address. */
export function poolSegments(pool: Pool): PoolSegment[] {
  if (pool.kind === 'fixed') return pool.partitions.map((p) => ({ start: p.start, size: p.size, holder: p.holder, ...(p.holder === null ? {} : { used: p.used }) }));
  const segments: PoolSegment[] = [
    ...pool.allocations.map((a) => ({ start: a.start, size: a.size, holder: a.name, used: a.requested })),
    ...holesOf(pool).map((h) => ({ start: h.start, size: h.size, holder: null })),
  ];
  return segments.sort((a, b) => a.start - b.start);
}

/** Formats one pool: a header line, then one line per segment. */
export function formatPool(name: string, pool: Pool): string {
  const header =
    pool.kind === 'fixed'
      ? `pool ${name}: fixed, ${pool.size} bytes, ${pool.partitions.length} partitions, internal fragmentation ${internalFragmentation(pool)}`
      : `pool ${name}: variable, ${pool.size} bytes, ${pool.fit} fit, ${pool.tracking}${pool.tracking === 'bitmap' ? ` (${pool.unit}-byte units)` : ''}, free ${freeBytes(pool)} in ${holesOf(pool).length} holes, internal fragmentation ${variableInternalFragmentation(pool)}`;
  const lines = poolSegments(pool).map((s) => `  ${String(s.start).padStart(8)} ${String(s.size).padStart(8)} ${s.holder === null ? 'free' : `${s.holder} (${s.used} used)`}`);
  return `${header}\n${lines.join('\n')}\n`;
}

/** Formats one resource map: its free entries as `address units`. */
export function formatResourceMap(name: string, map: ResourceMap): string {
  const lines = map.entries.map((e) => `  ${String(e.address).padStart(10)} ${String(e.units).padStart(10)}`);
  return `map ${name}: ${freeUnits(map)} units free in ${map.entries.length}/${map.slots} entries${map.lost ? `, ${map.lost} lost` : ''}\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}
