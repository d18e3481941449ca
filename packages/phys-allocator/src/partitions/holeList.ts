/**
 * Free space as a sorted list of holes (Tanenbaum §3.2.3 "memory management with linked lists";
 * Knuth vol. 1 §2.5 Algorithm B for coalescing on release): each hole is (start, size); taking
 * space shrinks or removes a hole; giving it back merges with the holes just below and above.
 */

/** A hole: free bytes [start, start + size). */
export interface Hole {
  /** First byte. */
  start: number;
  /** Bytes. */
  size: number;
}

/** The index of the first hole starting at or after `address` (binary search). */
function firstHoleFrom(holes: readonly Hole[], address: number): number {
  let low = 0;
  let high = holes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (holes[mid]!.start < address) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Removes [start, start + size) from the hole that contains it; throws when no hole does. */
export function takeFromHoles(holes: Hole[], start: number, size: number): void {
  const index = firstHoleFrom(holes, start + 1) - 1;
  const hole = holes[index];
  if (!hole || start < hole.start || start + size > hole.start + hole.size) throw new RangeError(`[${start}, ${start + size}) is not free`);
  const end = hole.start + hole.size;
  if (start === hole.start) {
    hole.start += size;
    hole.size -= size;
    if (hole.size === 0) holes.splice(index, 1);
  } else {
    hole.size = start - hole.start;
    if (start + size < end) holes.splice(index + 1, 0, { start: start + size, size: end - start - size });
  }
}

/** Gives [start, start + size) back, merging with adjacent holes (coalescing). */
export function giveToHoles(holes: Hole[], start: number, size: number): void {
  const index = firstHoleFrom(holes, start);
  const below = holes[index - 1];
  const above = holes[index];
  if (below && below.start + below.size > start) throw new RangeError(`[${start}, ${start + size}) overlaps a hole`);
  if (above && start + size > above.start) throw new RangeError(`[${start}, ${start + size}) overlaps a hole`);
  const joinsBelow = below !== undefined && below.start + below.size === start;
  const joinsAbove = above !== undefined && start + size === above.start;
  if (joinsBelow && joinsAbove) {
    below.size += size + above.size;
    holes.splice(index, 1);
  } else if (joinsBelow) {
    below.size += size;
  } else if (joinsAbove) {
    above.start = start;
    above.size += size;
  } else {
    holes.splice(index, 0, { start, size });
  }
}
