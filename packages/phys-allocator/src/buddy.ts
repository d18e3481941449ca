/**
 * The binary buddy allocator (Knuth vol. 1 §2.5; Gorman ch. 6; mm/page_alloc.c): per zone and per
 * order a doubly linked free list of blocks of 2^order frames, each block aligned to its size,
 * and per order a bitmap with one bit per pair of buddies.
 *
 * The bitmap follows Linux 2.4 (Gorman §6.1, `free_area_t.map`, `MARK_USED`): the bit of a pair
 * is toggled whenever either buddy enters or leaves the free list of that order, so it is 1 exactly
 * when one of the two is a free block of that order. Freeing a block therefore merges while the
 * bit of its pair is 1 (the buddy is free), as 2.4's `__free_pages_ok` does with
 * `__test_and_change_bit`. Splitting follows Linux 2.6+ `expand()`: the lower half is kept and the
 * upper half goes on the list one order below. Runtime frees go to the head of the list unless a
 * merge at the next order is likely (`buddy_merge_likely`, Linux ≥ 4.15); boot-time frees go to
 * the tail (`FPI_TO_TAIL` in `__free_pages_core`, Linux ≥ 5.10), so the lowest blocks are used first.
 *
 * Every write goes through ChunkedArray.set, so the same code runs on a plain model and inside
 * a server's `evolve` (on writable versions of the columns).
 */
import { createColumn, createFrameTable, NO_FRAME, type Column, type FrameTable, type Storage } from './frameTable.js';
import { PAGE_FLAGS } from './protocol.js';

/** The buddy allocator's state: the frame descriptors and the free areas of every zone. */
export interface BuddyState {
  /** Highest order (blocks of 2^maxOrder frames). */
  readonly maxOrder: number;
  /** Number of zones (free lists are kept per zone). */
  readonly zoneCount: number;
  /** The frame descriptors. */
  readonly frames: FrameTable;
  /** First free block of each (zone, order), index zone × (maxOrder + 1) + order; -1 when empty. */
  readonly heads: Column;
  /** Last free block of each (zone, order). */
  readonly tails: Column;
  /** free_area[order].nr_free of each (zone, order): the number of free blocks. */
  readonly blockCounts: Column;
  /** Free frames per zone. */
  readonly zoneFreePages: Column;
  /** The pair bitmaps of all orders, one after another. */
  readonly bitmap: Column;
  /** Word offset of each order's bitmap in `bitmap`. */
  readonly bitmapOffsets: readonly number[];
}

/** Creates a buddy allocator over `frameCount` frames with no free blocks yet (see `freeRange`). */
export function createBuddy(frameCount: number, maxOrder: number, zoneCount = 1, storage: Storage = 'flat'): BuddyState {
  const orders = maxOrder + 1;
  const bitmapOffsets: number[] = [];
  let words = 0;
  for (let order = 0; order <= maxOrder; order++) {
    bitmapOffsets.push(words);
    words += Math.ceil(Math.ceil(frameCount / 2 ** (order + 1)) / 32);
  }
  return {
    maxOrder,
    zoneCount,
    frames: createFrameTable(frameCount, storage),
    heads: createColumn(Int32Array, zoneCount * orders, storage, NO_FRAME, 64),
    tails: createColumn(Int32Array, zoneCount * orders, storage, NO_FRAME, 64),
    blockCounts: createColumn(Int32Array, zoneCount * orders, storage, 0, 64),
    zoneFreePages: createColumn(Int32Array, zoneCount, storage, 0, 64),
    bitmap: createColumn(Uint32Array, Math.max(1, words), storage, 0, 1024),
    bitmapOffsets,
  };
}

/** The pair bit of the block at `pfn` for `order` (1: exactly one buddy of the pair is a free block of that order). */
export function pairBit(buddy: BuddyState, pfn: number, order: number): number {
  const index = pfn >>> (order + 1);
  return (buddy.bitmap.get(buddy.bitmapOffsets[order]! + (index >>> 5)) >>> (index & 31)) & 1;
}

function togglePairBit(buddy: BuddyState, pfn: number, order: number): void {
  const index = pfn >>> (order + 1);
  const word = buddy.bitmapOffsets[order]! + (index >>> 5);
  buddy.bitmap.set(word, (buddy.bitmap.get(word) ^ (1 << (index & 31))) >>> 0);
}

/** True when `pfn` heads a free block of exactly `order` (PageBuddy and page_order, mm/page_alloc.c page_is_buddy). */
export function isFreeBlock(buddy: BuddyState, pfn: number, order: number): boolean {
  const frames = buddy.frames;
  return pfn >= 0 && pfn < frames.count && (frames.flags.get(pfn) & PAGE_FLAGS.buddy) !== 0 && frames.order.get(pfn) === order;
}

/** Puts the block at `pfn` on the (zone, order) free list, at the head or the tail. */
function addFreeBlock(buddy: BuddyState, zone: number, pfn: number, order: number, toTail: boolean): void {
  const { frames } = buddy;
  const list = zone * (buddy.maxOrder + 1) + order;
  const head = buddy.heads.get(list);
  if (head === NO_FRAME) {
    frames.next.set(pfn, NO_FRAME);
    frames.prev.set(pfn, NO_FRAME);
    buddy.heads.set(list, pfn);
    buddy.tails.set(list, pfn);
  } else if (toTail) {
    const tail = buddy.tails.get(list);
    frames.next.set(tail, pfn);
    frames.prev.set(pfn, tail);
    frames.next.set(pfn, NO_FRAME);
    buddy.tails.set(list, pfn);
  } else {
    frames.prev.set(head, pfn);
    frames.next.set(pfn, head);
    frames.prev.set(pfn, NO_FRAME);
    buddy.heads.set(list, pfn);
  }
  frames.flags.set(pfn, PAGE_FLAGS.buddy);
  frames.order.set(pfn, order);
  buddy.blockCounts.set(list, buddy.blockCounts.get(list) + 1);
  togglePairBit(buddy, pfn, order);
}

/** Takes the free block at `pfn` off its (zone, order) list. */
function removeFreeBlock(buddy: BuddyState, zone: number, pfn: number, order: number): void {
  const { frames } = buddy;
  const list = zone * (buddy.maxOrder + 1) + order;
  const next = frames.next.get(pfn);
  const prev = frames.prev.get(pfn);
  if (prev === NO_FRAME) buddy.heads.set(list, next);
  else frames.next.set(prev, next);
  if (next === NO_FRAME) buddy.tails.set(list, prev);
  else frames.prev.set(next, prev);
  frames.flags.set(pfn, 0); // the order is left as is: it is rewritten when the block is used or listed again
  buddy.blockCounts.set(list, buddy.blockCounts.get(list) - 1);
  togglePairBit(buddy, pfn, order);
}

/**
 * __rmqueue_smallest (mm/page_alloc.c): the first block on the lowest non-empty free list of
 * order ≥ `order` in `zone`, or -1. Read-only; its order is `frames.order.get(pfn)`.
 */
export function smallestFreeBlock(buddy: BuddyState, zone: number, order: number): number {
  const base = zone * (buddy.maxOrder + 1);
  for (let k = order; k <= buddy.maxOrder; k++) {
    const head = buddy.heads.get(base + k);
    if (head !== NO_FRAME) return head;
  }
  return NO_FRAME;
}

/** The head of the free block that contains `pfn` with order ≥ `order`, or -1 when `pfn` is not free. */
export function freeBlockContaining(buddy: BuddyState, pfn: number, order = 0): number {
  for (let k = order; k <= buddy.maxOrder; k++) {
    const head = pfn & ~((1 << k) - 1);
    if (isFreeBlock(buddy, head, k)) return head;
  }
  return NO_FRAME;
}

/**
 * Takes the 2^order frames at `pfn` out of the free block that contains them, splitting the block
 * down (expand(), mm/page_alloc.c): at each step the half without `pfn` goes on the list one order
 * lower. The caller marks the frames in use. Throws when `pfn` is not inside a free block.
 */
export function takeFreeBlock(buddy: BuddyState, zone: number, pfn: number, order: number): void {
  let head = buddy.frames.flags.get(pfn) & PAGE_FLAGS.buddy ? pfn : freeBlockContaining(buddy, pfn, order);
  if (head === NO_FRAME) throw new RangeError(`frame ${pfn} is not in a free block of order ≥ ${order}`);
  let k = buddy.frames.order.get(head);
  removeFreeBlock(buddy, zone, head, k);
  while (k > order) {
    k--;
    const upper = head + (1 << k);
    if (pfn >= upper) {
      addFreeBlock(buddy, zone, head, k, false);
      head = upper;
    } else {
      addFreeBlock(buddy, zone, upper, k, false);
    }
  }
  buddy.zoneFreePages.set(zone, buddy.zoneFreePages.get(zone) - (1 << order));
}

/**
 * Gives the block of 2^order frames at `pfn` back (__free_one_page, mm/page_alloc.c): while the
 * pair bit says the buddy is free, take the buddy off its list and go one order up; then put the
 * merged block on its list. `toTail` forces the tail (boot-time frees). Returns the merged block's head.
 */
export function releaseBlock(buddy: BuddyState, zone: number, pfn: number, order: number, toTail = false): number {
  buddy.zoneFreePages.set(zone, buddy.zoneFreePages.get(zone) + (1 << order));
  let k = order;
  let buddyPfn = pfn;
  while (k < buddy.maxOrder) {
    buddyPfn = pfn ^ (1 << k);
    if (pairBit(buddy, pfn, k) === 0) break;
    removeFreeBlock(buddy, zone, buddyPfn, k);
    pfn &= buddyPfn;
    k++;
  }
  const tail = toTail || mergeLikely(buddy, pfn, buddyPfn, k);
  addFreeBlock(buddy, zone, pfn, k, tail);
  return pfn;
}

/**
 * buddy_merge_likely (mm/page_alloc.c): when the buddy of the next-larger block is free, this
 * block is likely to merge soon, so it goes to the tail and is reused last.
 */
function mergeLikely(buddy: BuddyState, pfn: number, buddyPfn: number, order: number): boolean {
  if (order >= buddy.maxOrder - 1) return false;
  const higher = buddyPfn & pfn;
  return pairBit(buddy, higher, order + 1) === 1;
}

/** The merges releasing (pfn, order) would make, as [head, order] of each merged block; read-only. */
export function plannedMerges(buddy: BuddyState, pfn: number, order: number): Array<[number, number]> {
  const merges: Array<[number, number]> = [];
  let k = order;
  while (k < buddy.maxOrder && pairBit(buddy, pfn, k) === 1) {
    pfn &= ~(1 << k);
    k++;
    merges.push([pfn, k]);
  }
  return merges;
}

/**
 * Hands frames [start, end) of `zone` to the allocator as the largest aligned blocks that fit
 * (memblock_free_all → __free_pages_core, to the tail). The frames must not be free already.
 */
export function freeRange(buddy: BuddyState, zone: number, start: number, end: number): void {
  let pfn = start;
  while (pfn < end) {
    let k = buddy.maxOrder;
    while (k > 0 && ((pfn & ((1 << k) - 1)) !== 0 || pfn + (1 << k) > end)) k--;
    releaseBlock(buddy, zone, pfn, k, true);
    pfn += 1 << k;
  }
}

/** The free blocks on the (zone, order) list, head first (a read-only walk). */
export function freeList(buddy: BuddyState, zone: number, order: number): number[] {
  const blocks: number[] = [];
  for (let pfn = buddy.heads.get(zone * (buddy.maxOrder + 1) + order); pfn !== NO_FRAME; pfn = buddy.frames.next.get(pfn)) blocks.push(pfn);
  return blocks;
}

/** free_area[order].nr_free of `zone`. */
export function freeBlockCount(buddy: BuddyState, zone: number, order: number): number {
  return buddy.blockCounts.get(zone * (buddy.maxOrder + 1) + order);
}

/** True when `zone` has a free block of order ≥ `order`. */
export function hasFreeBlock(buddy: BuddyState, zone: number, order: number): boolean {
  return smallestFreeBlock(buddy, zone, order) !== NO_FRAME;
}
