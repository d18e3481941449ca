/**
 * A machine's physical memory: the frame descriptors, the zones, boot-time reservations, and the
 * page allocator's entry points alloc_pages / free_pages / get_page / put_page over per-zone
 * buddy allocators (mm/page_alloc.c; Gorman ch. 6).
 *
 * Differences from Linux, on purpose: no per-CPU page lists (order-0 pages come straight from the
 * buddy lists), no migrate types, no reclaim or compaction when a watermark is not met (the
 * allocation fails with ENOMEM after the min-watermark pass; reclaim belongs to the pager).
 */
import { freeBlockContaining, createBuddy, freeRange, releaseBlock, smallestFreeBlock, takeFreeBlock, type BuddyState } from './buddy.js';
import { NO_FRAME, type Storage } from './frameTable.js';
import { resolveProfile, type MemoryOptions } from './profiles.js';
import { GFP, PAGE_FLAGS } from './protocol.js';
import { ALLOC_FLAGS, watermarkOk } from './watermarks.js';
import { buildZones, preferredZone, zoneOfPfn, zoneRanges, type Zone } from './zone.js';

/** A contiguous range reserved at boot before the buddy allocator takes the rest (memblock_reserve). */
export interface BootReservation {
  /** First byte (rounded down to a frame). */
  readonly start: number;
  /** Bytes (rounded up to whole frames). */
  readonly bytes: number;
  /** Who holds it (a driver's name). */
  readonly owner: string;
}

/** Options of `createPhysicalMemory`: the profile and its overrides, and boot reservations. */
export interface PhysicalMemoryOptions extends MemoryOptions {
  /**
   * `flat` (default: plain typed arrays, fastest, always writable) or `chunked` (persistent ChunkedArrays,
   * what a machine's state holds; made outside a machine, writable until snapshotted or frozen).
   */
  readonly storage?: Storage;
  /** Static reservations by drivers, made before the buddy allocator takes the rest. */
  readonly reservations?: readonly BootReservation[];
}

/** The fixed facts of a machine's memory. */
export interface MemoryLayout {
  /** The profile's name. */
  readonly profile: string;
  /** Bytes per frame. */
  readonly pageSize: number;
  /** Number of frames. */
  readonly frameCount: number;
  /** Highest buddy order. */
  readonly maxOrder: number;
  /** The zones, lowest first (empty zones included; /proc shows only populated ones). */
  readonly zones: readonly Zone[];
  /** For each value of the GFP zone modifiers (gfp & 7), the preferred zone's position, or -1 for GFP_ZONE_BAD. */
  readonly preferredZoneByModifiers: readonly number[];
}

/** A machine's physical memory: layout, buddy allocator and owner names. */
export interface PhysicalMemory {
  /** Fixed facts. */
  readonly layout: MemoryLayout;
  /** The frame descriptors and free areas. */
  readonly buddy: BuddyState;
  /** Owner names by index; 0 is nobody. */
  readonly owners: string[];
}

/** Owner index of allocations that name no owner. */
export const KERNEL_OWNER = 1;
/** Owner index of the memory reserved at the bottom of RAM at boot. */
export const BOOT_OWNER = 2;

/** Boots a machine's physical memory: zones, reservations, and every other frame freed to the buddy allocator. */
export function createPhysicalMemory(options: PhysicalMemoryOptions = {}): PhysicalMemory {
  const profile = resolveProfile(options);
  const frameCount = Math.floor(profile.ram / profile.pageSize);
  const ranges = zoneRanges(profile, frameCount);
  const buddy = createBuddy(frameCount, profile.maxOrder, ranges.length, options.storage ?? 'flat');
  const owners = ['', 'kernel', 'boot'];
  const reserved = new Uint8Array(frameCount);
  const reservedOwner = new Uint8Array(frameCount);
  const reserve = (startPfn: number, endPfn: number, owner: number) => {
    for (let pfn = Math.max(0, startPfn); pfn < Math.min(frameCount, endPfn); pfn++) {
      reserved[pfn] = 1;
      reservedOwner[pfn] = owner;
    }
  };
  reserve(0, Math.ceil(profile.reservedLowBytes / profile.pageSize), BOOT_OWNER);
  for (const r of options.reservations ?? []) {
    reserve(Math.floor(r.start / profile.pageSize), Math.ceil((r.start + r.bytes) / profile.pageSize), ownerIndex(owners, r.owner));
  }
  const managed = ranges.map((range) => {
    let count = 0;
    for (let pfn = range.startPfn; pfn < range.endPfn; pfn++) if (!reserved[pfn]) count++;
    return count;
  });
  // Reserved frames: PG_reserved, a reference held for ever (mm/memblock.c reserve_bootmem_region).
  for (let pfn = 0; pfn < frameCount; pfn++) {
    if (!reserved[pfn]) continue;
    buddy.frames.flags.set(pfn, PAGE_FLAGS.reserved);
    buddy.frames.refcount.set(pfn, 1);
    buddy.frames.owner.set(pfn, reservedOwner[pfn]!);
  }
  ranges.forEach((range, zone) => {
    let run = range.startPfn;
    for (let pfn = range.startPfn; pfn <= range.endPfn; pfn++) {
      if (pfn === range.endPfn || reserved[pfn]) {
        if (pfn > run) freeRange(buddy, zone, run, pfn);
        run = pfn + 1;
      }
    }
  });
  const zones = buildZones(ranges, managed, profile.minFreeKbytes, profile.pageSize);
  const preferredZoneByModifiers = [0, 1, 2, 3, 4, 5, 6, 7].map((modifiers) => {
    try {
      return preferredZone(zones, modifiers);
    } catch {
      return -1;
    }
  });
  return {
    layout: { profile: profile.name, pageSize: profile.pageSize, frameCount, maxOrder: profile.maxOrder, zones, preferredZoneByModifiers },
    buddy,
    owners,
  };
}

/** The index of owner `name`, added to `owners` when new (at most 255 owners). */
export function ownerIndex(owners: string[], name: string | undefined): number {
  if (name === undefined || name === 'kernel') return KERNEL_OWNER;
  let index = owners.indexOf(name);
  if (index < 0) {
    if (owners.length >= 256) throw new RangeError('more than 255 distinct frame owners');
    index = owners.push(name) - 1;
  }
  return index;
}

/** The zone (position) of the block the last findBlockForAllocation returned (a scratch slot: no object per call). */
let foundZone = -1;

/**
 * The allocation's zone and block without taking it (get_page_from_freelist over the zonelist,
 * first against the low watermark, then — the slow path without reclaim — against min, lowered
 * for __GFP_HIGH and further for callers that cannot sleep; mm/page_alloc.c). Returns the head
 * of the free block to split, or -1 when no zone can serve the request. Read-only.
 */
export function findBlockForAllocation(memory: PhysicalMemory, gfp: number, order: number): number {
  const { layout, buddy } = memory;
  if (!Number.isInteger(order) || order < 0 || order > layout.maxOrder) return NO_FRAME;
  const preferred = layout.preferredZoneByModifiers[gfp & 7]!;
  if (preferred < 0) throw new RangeError(`GFP_ZONE_BAD: conflicting zone modifiers in gfp 0x${gfp.toString(16)} (include/linux/gfp.h)`);
  let slowFlags = gfp & GFP.__GFP_HIGH ? ALLOC_FLAGS.minReserve : 0;
  if (!(gfp & GFP.__GFP_DIRECT_RECLAIM)) slowFlags |= ALLOC_FLAGS.nonBlock;
  for (let pass = 0; pass < 2; pass++) {
    for (let z = preferred; z >= 0; z--) {
      const zone = layout.zones[z]!;
      if (zone.managed === 0) continue;
      const head = smallestFreeBlock(buddy, z, order);
      const mark = pass === 0 ? zone.watermarks.low : zone.watermarks.min;
      const flags = pass === 0 ? 0 : slowFlags;
      if (head !== NO_FRAME && watermarkOk(buddy.zoneFreePages.get(z), order, mark, zone.lowmemReserve[preferred]!, flags, true)) {
        foundZone = z;
        return head;
      }
    }
  }
  return NO_FRAME;
}

/**
 * Marks the 2^order frames at `pfn` in use by `owner` (prep_new_page: refcount 1 on the head;
 * with __GFP_COMP and order > 0 the head gets PG_head, prep_compound_page).
 */
export function markAllocated(memory: PhysicalMemory, pfn: number, order: number, owner: number, extraFlags: number, gfp = 0): void {
  const frames = memory.buddy.frames;
  frames.refcount.set(pfn, 1);
  frames.order.set(pfn, order);
  const end = pfn + (1 << order);
  for (let frame = pfn; frame < end; frame++) {
    frames.owner.set(frame, owner);
    if (extraFlags !== 0) frames.flags.set(frame, extraFlags);
  }
  if (gfp & GFP.__GFP_COMP && order > 0) frames.flags.set(pfn, extraFlags | PAGE_FLAGS.head);
}

/** Flags every frame of an allocation by `owner` gets: PG_slab for the slab allocator (__SetPageSlab, mm/slub.c). */
export function ownerFlags(memory: PhysicalMemory, owner: number): number {
  return memory.owners[owner] === 'slab' ? PAGE_FLAGS.slab : 0;
}

/**
 * alloc_pages(gfp, order): 2^order contiguous frames from the first zone of the zonelist that
 * passes its watermark; returns the first frame's number, or -1 (the caller sees NULL / ENOMEM).
 */
export function allocPages(memory: PhysicalMemory, gfp: number, order: number, owner?: string): number {
  const head = findBlockForAllocation(memory, gfp, order);
  if (head === NO_FRAME) return NO_FRAME;
  takeFreeBlock(memory.buddy, foundZone, head, order);
  const ownerId = owner === undefined ? KERNEL_OWNER : ownerIndex(memory.owners, owner);
  markAllocated(memory, head, order, ownerId, ownerFlags(memory, ownerId), gfp);
  return head;
}

/** Checks that `pfn` heads an allocated block of `order`; throws (a programmer error, like Linux's bad_page) otherwise. */
export function checkAllocatedBlock(memory: PhysicalMemory, pfn: number, order: number): void {
  const frames = memory.buddy.frames;
  if (!Number.isInteger(pfn) || pfn < 0 || pfn >= memory.layout.frameCount) throw new RangeError(`pfn ${pfn} outside 0…${memory.layout.frameCount - 1}`);
  const flags = frames.flags.get(pfn);
  if (flags & PAGE_FLAGS.buddy || frames.refcount.get(pfn) === 0) throw new RangeError(`bad page: frame ${pfn} is not allocated (mm/page_alloc.c bad_page)`);
  if (flags & PAGE_FLAGS.reserved) throw new RangeError(`bad page: frame ${pfn} is reserved`);
  if (frames.order.get(pfn) !== order) throw new RangeError(`frame ${pfn} heads a block of order ${frames.order.get(pfn)}, not ${order}`);
}

/** Returns the block at `pfn` to its zone's buddy allocator, whatever its reference count (free_the_page). */
export function releasePages(memory: PhysicalMemory, pfn: number, order: number): void {
  const frames = memory.buddy.frames;
  frames.refcount.set(pfn, 0);
  const end = pfn + (1 << order);
  for (let frame = pfn; frame < end; frame++) {
    frames.owner.set(frame, 0);
    frames.flags.set(frame, 0);
  }
  releaseBlock(memory.buddy, zoneOfPfn(memory.layout.zones, pfn), pfn, order);
}

/**
 * free_pages / __free_pages(page, order) (mm/page_alloc.c): drops the caller's reference; the block
 * goes back to the buddy allocator when that was the last one. Returns the count left.
 */
export function freePages(memory: PhysicalMemory, pfn: number, order: number): number {
  checkAllocatedBlock(memory, pfn, order);
  const left = memory.buddy.frames.refcount.get(pfn) - 1;
  if (left === 0) releasePages(memory, pfn, order);
  else memory.buddy.frames.refcount.set(pfn, left);
  return left;
}

/** get_page (include/linux/mm.h): one more reference on the allocated block headed by `pfn`; returns the new count. */
export function getPage(memory: PhysicalMemory, pfn: number): number {
  checkAllocatedBlock(memory, pfn, memory.buddy.frames.order.get(pfn));
  const count = memory.buddy.frames.refcount.get(pfn) + 1;
  if (count > 0xffff) throw new RangeError(`refcount overflow on frame ${pfn}`);
  memory.buddy.frames.refcount.set(pfn, count);
  return count;
}

/** put_page: drops a reference; frees the block when it was the last. Returns the count left. */
export function putPage(memory: PhysicalMemory, pfn: number): number {
  return freePages(memory, pfn, memory.buddy.frames.order.get(pfn));
}

/** Sets and clears PAGE_FLAGS bits on frames [pfn, pfn + count) (PageBuddy and PG_reserved are not the caller's to change). */
export function setPageFlags(memory: PhysicalMemory, pfn: number, count: number, set: number, clear: number): void {
  const problem = pageFlagsProblem(memory, pfn, count);
  if (problem) throw new RangeError(problem);
  const protectedBits = PAGE_FLAGS.buddy | PAGE_FLAGS.reserved;
  const frames = memory.buddy.frames;
  for (let frame = pfn; frame < pfn + count; frame++) {
    const old = frames.flags.get(frame);
    frames.flags.set(frame, (old & protectedBits) | ((old | set) & ~clear & ~protectedBits));
  }
}

/** Why flags cannot be changed on frames [pfn, pfn + count) (out of range, or a free frame), or null. */
export function pageFlagsProblem(memory: PhysicalMemory, pfn: number, count: number): string | null {
  if (!Number.isInteger(pfn) || !Number.isInteger(count) || count < 1 || pfn < 0 || pfn + count > memory.layout.frameCount) {
    return `frames ${pfn}…${pfn + count - 1} are not all inside 0…${memory.layout.frameCount - 1}`;
  }
  for (let frame = pfn; frame < pfn + count; frame++) {
    if (memory.buddy.frames.owner.get(frame) === 0) return `frame ${frame} is free; flags belong to allocated frames`;
  }
  return null;
}

/** Why a range cannot be reserved now, or null when every frame of it is free. */
export function reservationProblem(memory: PhysicalMemory, pfn: number, count: number): 'EINVAL' | 'EBUSY' | null {
  if (!Number.isInteger(pfn) || !Number.isInteger(count) || pfn < 0 || count <= 0 || pfn + count > memory.layout.frameCount) return 'EINVAL';
  for (let frame = pfn; frame < pfn + count; frame++) {
    if (freeBlockContaining(memory.buddy, frame) === NO_FRAME) return 'EBUSY';
  }
  return null;
}

/**
 * Reserves frames [pfn, pfn + count) that are free (a driver's static reservation): each frame is
 * cut out of its free block (the rest of the block stays free) and marked PG_reserved.
 * Returns the problem instead when a frame is not free.
 */
export function reserveRange(memory: PhysicalMemory, pfn: number, count: number, owner: string): 'EINVAL' | 'EBUSY' | null {
  const problem = reservationProblem(memory, pfn, count);
  if (problem) return problem;
  const ownerId = ownerIndex(memory.owners, owner);
  const frames = memory.buddy.frames;
  for (let frame = pfn; frame < pfn + count; frame++) {
    takeFreeBlock(memory.buddy, zoneOfPfn(memory.layout.zones, frame), frame, 0);
    frames.flags.set(frame, PAGE_FLAGS.reserved);
    frames.order.set(frame, 0);
    frames.refcount.set(frame, 1);
    frames.owner.set(frame, ownerId);
  }
  return null;
}

/** Free frames in the whole machine. */
export function freeFrameCount(memory: PhysicalMemory): number {
  let free = 0;
  for (let z = 0; z < memory.layout.zones.length; z++) free += memory.buddy.zoneFreePages.get(z);
  return free;
}

/** Frames held (allocated or reserved) that have every bit of `flags` and, when given, belong to `owner`. */
export function countFrames(memory: PhysicalMemory, flags = 0, owner?: string): number {
  const frames = memory.buddy.frames;
  const ownerId = owner === undefined ? -1 : owner === 'kernel' ? KERNEL_OWNER : memory.owners.indexOf(owner);
  if (owner !== undefined && ownerId < 0) return 0;
  let count = 0;
  for (let pfn = 0; pfn < memory.layout.frameCount; pfn++) {
    const who = frames.owner.get(pfn);
    if (who === 0) continue;
    if (ownerId >= 0 && who !== ownerId) continue;
    if ((frames.flags.get(pfn) & flags) !== flags) continue;
    count++;
  }
  return count;
}
