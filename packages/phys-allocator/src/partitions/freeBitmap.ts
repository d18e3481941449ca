/**
 * Free space as a bitmap (Tanenbaum §3.2.3 "memory management with bitmaps"): memory is cut into
 * allocation units of `unit` bytes, one bit each, 1 = in use. Coalescing is implicit: adjacent
 * zero bits already form one hole. Finding a hole means scanning for a run of zeros.
 */
import { createColumn, type Column, type Storage } from '../frameTable.js';
import type { Hole } from './holeList.js';

/** A bitmap of `units` bits, all free. */
export function createFreeBitmap(units: number, storage: Storage = 'flat'): Column {
  return createColumn(Uint32Array, Math.max(1, Math.ceil(units / 32)), storage, 0, 256);
}

/** Whether unit `index` is in use. */
export function unitInUse(bitmap: Column, index: number): boolean {
  return ((bitmap.get(index >>> 5) >>> (index & 31)) & 1) === 1;
}

/** Marks units [first, first + count) in use (true) or free (false). */
export function markUnits(bitmap: Column, first: number, count: number, inUse: boolean): void {
  for (let index = first; index < first + count; index++) {
    const word = index >>> 5;
    const bit = 1 << (index & 31);
    const old = bitmap.get(word);
    bitmap.set(word, (inUse ? old | bit : old & ~bit) >>> 0);
  }
}

/** The holes (runs of free units) in address order, in bytes. Whole words of 32 used or 32 free units are skipped at once. */
export function bitmapHoles(bitmap: Column, units: number, unit: number): Hole[] {
  const holes: Hole[] = [];
  let runStart = -1;
  let index = 0;
  while (index < units) {
    if ((index & 31) === 0 && index + 32 <= units) {
      const word = bitmap.get(index >>> 5);
      if (word === 0xffffffff && runStart < 0) {
        index += 32;
        continue;
      }
      if (word === 0 && runStart >= 0) {
        index += 32;
        continue;
      }
    }
    const free = !unitInUse(bitmap, index);
    if (free && runStart < 0) runStart = index;
    if (!free && runStart >= 0) {
      holes.push({ start: runStart * unit, size: (index - runStart) * unit });
      runStart = -1;
    }
    index++;
  }
  if (runStart >= 0) holes.push({ start: runStart * unit, size: (units - runStart) * unit });
  return holes;
}
