/**
 * Variable partitions (Tanenbaum §3.2.3; Stallings §7.2 "dynamic partitioning"; Knuth vol. 1
 * §2.5): each allocation gets exactly the space it asks for (rounded up to the allocation unit
 * with a bitmap), placed in a hole chosen by the fit policy:
 *
 * - first fit: the lowest hole that is big enough;
 * - next fit: like first fit, but starting where the previous search ended (the end of the last
 *   allocation) and wrapping around;
 * - best fit: the smallest hole that is big enough (lowest on ties);
 * - worst fit: the largest hole (lowest on ties), if it is big enough.
 *
 * Free space is tracked by a hole list or by a bitmap; freeing coalesces with neighbours;
 * compaction slides every allocation down and leaves one hole at the top.
 */
import type { Column, Storage } from '../frameTable.js';
import type { CompactionMove, FitPolicy, FreeTracking } from '../protocol.js';
import { bitmapHoles, createFreeBitmap, markUnits } from './freeBitmap.js';
import { giveToHoles, takeFromHoles, type Hole } from './holeList.js';

/** One allocation in a variable-partition pool. */
export interface Allocation {
  /** Its name. */
  readonly name: string;
  /** First byte. */
  start: number;
  /** Bytes it occupies (the request rounded up to the unit). */
  readonly size: number;
  /** Bytes it asked for. */
  readonly requested: number;
}

/** A pool of variable partitions. */
export interface VariablePool {
  /** Discriminant. */
  readonly kind: 'variable';
  /** Bytes in the pool (whole units with a bitmap). */
  readonly size: number;
  /** Fit policy. */
  readonly fit: FitPolicy;
  /** How free space is tracked. */
  readonly tracking: FreeTracking;
  /** Bytes per allocation unit (1 with a hole list). */
  readonly unit: number;
  /** Allocations by address. */
  readonly allocations: Allocation[];
  /** Holes by address (hole-list tracking; empty with a bitmap). */
  readonly holes: Hole[];
  /** One bit per unit, 1 in use (bitmap tracking; null with a hole list). */
  readonly bitmap: Column | null;
  /** Next fit's roving pointer: where the next search starts. */
  rover: number;
}

/** Options of `createVariablePool`. */
export interface VariablePoolOptions {
  /** Fit policy (default first). */
  readonly fit?: FitPolicy;
  /** Hole list or bitmap (default list). */
  readonly tracking?: FreeTracking;
  /** Bytes per bit with a bitmap (default 1). */
  readonly unit?: number;
  /** The bitmap's storage: `flat` (default) or `chunked` (in a machine's state). */
  readonly storage?: Storage;
}

/** An empty pool of `size` bytes: one hole covering everything. */
export function createVariablePool(size: number, options: VariablePoolOptions = {}): VariablePool {
  const tracking = options.tracking ?? 'list';
  const unit = tracking === 'bitmap' ? (options.unit ?? 1) : 1;
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`pool size must be a positive integer, got ${size}`);
  if (!Number.isSafeInteger(unit) || unit <= 0) throw new RangeError(`unit must be a positive integer, got ${unit}`);
  const units = Math.floor(size / unit);
  return {
    kind: 'variable',
    size: units * unit,
    fit: options.fit ?? 'first',
    tracking,
    unit,
    allocations: [],
    holes: tracking === 'list' ? [{ start: 0, size: units * unit }] : [],
    bitmap: tracking === 'bitmap' ? createFreeBitmap(units, options.storage) : null,
    rover: 0,
  };
}

/** The pool's holes by address, whichever way it tracks them. */
export function holesOf(pool: VariablePool): readonly Hole[] {
  return pool.bitmap ? bitmapHoles(pool.bitmap, pool.size / pool.unit, pool.unit) : pool.holes;
}

/** Bytes an allocation of `requested` bytes occupies (rounded up to the unit). */
export function occupiedSize(pool: VariablePool, requested: number): number {
  return Math.ceil(requested / pool.unit) * pool.unit;
}

/** Where the fit policy would place `size` bytes, or -1 when no hole is big enough. Read-only. */
export function findPlacement(pool: VariablePool, size: number): number {
  const holes = holesOf(pool);
  switch (pool.fit) {
    case 'first':
      for (const hole of holes) if (hole.size >= size) return hole.start;
      return -1;
    case 'next': {
      // Start at the hole holding or following the rover, wrap around once.
      let from = holes.findIndex((hole) => hole.start + hole.size > pool.rover);
      if (from < 0) from = 0;
      for (let i = 0; i < holes.length; i++) {
        const hole = holes[(from + i) % holes.length]!;
        if (hole.size >= size) return hole.start;
      }
      return -1;
    }
    case 'best': {
      let best: Hole | undefined;
      for (const hole of holes) if (hole.size >= size && (!best || hole.size < best.size)) best = hole;
      return best ? best.start : -1;
    }
    case 'worst': {
      let worst: Hole | undefined;
      for (const hole of holes) if (!worst || hole.size > worst.size) worst = hole;
      return worst && worst.size >= size ? worst.start : -1;
    }
  }
}

/** Index of the first allocation starting at or after `address`. */
function allocationIndex(pool: VariablePool, address: number): number {
  let low = 0;
  let high = pool.allocations.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (pool.allocations[mid]!.start < address) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Records allocation `name` of `requested` bytes at `start` (which must be free). */
export function placeAllocation(pool: VariablePool, name: string, start: number, requested: number): void {
  const size = occupiedSize(pool, requested);
  if (pool.bitmap) markUnits(pool.bitmap, start / pool.unit, size / pool.unit, true);
  else takeFromHoles(pool.holes, start, size);
  pool.allocations.splice(allocationIndex(pool, start), 0, { name, start, size, requested });
  pool.rover = start + size;
}

/** Allocates `requested` bytes by the pool's fit policy; returns the start, or -1. */
export function variableAlloc(pool: VariablePool, name: string, requested: number): number {
  if (!Number.isSafeInteger(requested) || requested <= 0) throw new RangeError(`size must be a positive integer, got ${requested}`);
  const start = findPlacement(pool, occupiedSize(pool, requested));
  if (start >= 0) placeAllocation(pool, name, start, requested);
  return start;
}

/** The allocation starting at `address`, or undefined. */
export function allocationAt(pool: VariablePool, address: number): Allocation | undefined {
  const allocation = pool.allocations[allocationIndex(pool, address)];
  return allocation && allocation.start === address ? allocation : undefined;
}

/** Frees the allocation starting at `address`, coalescing its space with the holes around it; false when there is none. */
export function variableFree(pool: VariablePool, address: number): boolean {
  const index = allocationIndex(pool, address);
  const allocation = pool.allocations[index];
  if (!allocation || allocation.start !== address) return false;
  pool.allocations.splice(index, 1);
  if (pool.bitmap) markUnits(pool.bitmap, allocation.start / pool.unit, allocation.size / pool.unit, false);
  else giveToHoles(pool.holes, allocation.start, allocation.size);
  return true;
}

/** The moves compaction would make: every allocation slid down, in address order. Read-only. */
export function plannedCompaction(pool: VariablePool): CompactionMove[] {
  const moves: CompactionMove[] = [];
  let cursor = 0;
  for (const allocation of pool.allocations) {
    if (allocation.start !== cursor) moves.push({ name: allocation.name, from: allocation.start, to: cursor, size: allocation.size });
    cursor += allocation.size;
  }
  return moves;
}

/** Compacts the pool (Tanenbaum §3.2.1 "memory compaction"): returns what moved; one hole remains, at the top. */
export function compact(pool: VariablePool): CompactionMove[] {
  const moves = plannedCompaction(pool);
  let cursor = 0;
  for (const allocation of pool.allocations) {
    allocation.start = cursor;
    cursor += allocation.size;
  }
  if (pool.bitmap) {
    const units = pool.size / pool.unit;
    markUnits(pool.bitmap, 0, cursor / pool.unit, true);
    markUnits(pool.bitmap, cursor / pool.unit, units - cursor / pool.unit, false);
  } else {
    pool.holes.splice(0, pool.holes.length);
    if (cursor < pool.size) pool.holes.push({ start: cursor, size: pool.size - cursor });
  }
  pool.rover = cursor;
  return moves;
}

/** Free bytes outside allocations (external fragmentation when no single hole is big enough). */
export function freeBytes(pool: VariablePool): number {
  return holesOf(pool).reduce((sum, hole) => sum + hole.size, 0);
}

/** Bytes lost to rounding up to the unit (internal fragmentation; 0 with a hole list). */
export function variableInternalFragmentation(pool: VariablePool): number {
  return pool.allocations.reduce((sum, a) => sum + a.size - a.requested, 0);
}
