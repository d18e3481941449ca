/**
 * The UNIX resource map (`struct map`; Bach, "The Design of the UNIX Operating System", §9.1.1;
 * UNIX V6 ken/malloc.c; 4.3BSD sys/subr_rmap.c rmalloc/rmfree): an array of (address, units)
 * entries describing the free parts of a resource — swap space in particular — kept in address
 * order. rmalloc takes the first entry big enough (first fit) from its low end; rmfree puts units
 * back, merging with the entry just below and/or above. Address 0 means failure, so a map's
 * addresses start at 1 or above.
 */

/** One free entry: `units` free units from `address`. */
export interface MapEntry {
  /** First free unit (m_addr). */
  address: number;
  /** Free units (m_size). */
  units: number;
}

/** A resource map. */
export interface ResourceMap {
  /** At most this many free entries fit (the map array's size). */
  readonly slots: number;
  /** Free entries by address. */
  readonly entries: MapEntry[];
  /** Units lost because the map was full when they were freed. */
  lost: number;
}

/** rminit: a map with one entry (`base`, `units`); `base` must be ≥ 1 (0 is the failure value). */
export function createResourceMap(base: number, units: number, slots = 64): ResourceMap {
  if (!Number.isSafeInteger(base) || base < 1) throw new RangeError(`a resource map's base must be ≥ 1, got ${base}`);
  if (!Number.isSafeInteger(units) || units <= 0) throw new RangeError(`units must be a positive integer, got ${units}`);
  if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`slots must be ≥ 1, got ${slots}`);
  return { slots, entries: [{ address: base, units }], lost: 0 };
}

/** The address rmalloc would return for `units` (0 when none fits). Read-only. */
export function rmallocPlacement(map: ResourceMap, units: number): number {
  for (const entry of map.entries) if (entry.units >= units) return entry.address;
  return 0;
}

/** rmalloc(map, units): first fit; returns the first unit's address, or 0 when no entry is big enough. */
export function rmalloc(map: ResourceMap, units: number): number {
  if (!Number.isSafeInteger(units) || units <= 0) return 0;
  for (let index = 0; index < map.entries.length; index++) {
    const entry = map.entries[index]!;
    if (entry.units < units) continue;
    const address = entry.address;
    entry.address += units;
    entry.units -= units;
    if (entry.units === 0) map.entries.splice(index, 1);
    return address;
  }
  return 0;
}

/**
 * rmfree(map, units, address): returns units to the map, merging with the entry below when it ends
 * at `address` and with the entry above when it starts at `address + units`. Freeing units that
 * are already free is a programmer error (4.3BSD panics "bad rmfree") and throws. When a new entry
 * is needed and the map is full, the units are lost (4.3BSD: "rmap ovflo, lost").
 */
export function rmfree(map: ResourceMap, units: number, address: number): void {
  const entries = map.entries;
  let index = 0;
  while (index < entries.length && entries[index]!.address <= address) index++;
  const below = entries[index - 1];
  const above = entries[index];
  if ((below && below.address + below.units > address) || (above && address + units > above.address)) {
    throw new RangeError(`bad rmfree: [${address}, ${address + units}) overlaps free space`);
  }
  if (below && below.address + below.units === address) {
    below.units += units;
    if (above && address + units === above.address) {
      below.units += above.units;
      entries.splice(index, 1);
    }
  } else if (above && address + units === above.address) {
    above.address = address;
    above.units += units;
  } else if (entries.length < map.slots) {
    entries.splice(index, 0, { address, units });
  } else {
    map.lost += units;
  }
}

/** Free units in the map. */
export function freeUnits(map: ResourceMap): number {
  return map.entries.reduce((sum, entry) => sum + entry.units, 0);
}
