/**
 * The page-frame descriptors (mem_map, one `struct page` per frame; Gorman ch. 2.4), stored as
 * columns of persistent chunked typed arrays so 16 M frames cost 14 bytes each once touched and
 * a checkpoint copies only the chunks that changed:
 *
 * | column | type | bytes | meaning |
 * |---|---|---|---|
 * | refcount | Uint16 | 2 | page->_refcount: 0 free (or a tail of a block), ≥ 1 in use |
 * | flags | Uint16 | 2 | PAGE_FLAGS bits (PG_dirty, PG_slab, PG_reserved, PageBuddy, …) |
 * | order | Uint8 | 1 | order of the block the frame heads (page_private for PageBuddy heads) |
 * | owner | Uint8 | 1 | index into the owner names; 0 = nobody (free) |
 * | next, prev | Int32 | 4 + 4 | free-list links (page->lru) of a free block's head, -1 = end |
 */
import { ChunkedArray } from '@vmlab/kernel';
import { PAGE_FLAGS } from './protocol.js';

/** The end of a free list. */
export const NO_FRAME = -1;

/** The frame descriptors, one column per field. */
export interface FrameTable {
  /** Number of frames. */
  readonly count: number;
  /** Reference counts. */
  readonly refcount: ChunkedArray<Uint16Array>;
  /** PAGE_FLAGS bits. */
  readonly flags: ChunkedArray<Uint16Array>;
  /** Block order of heads. */
  readonly order: ChunkedArray<Uint8Array>;
  /** Owner index (0 = none). */
  readonly owner: ChunkedArray<Uint8Array>;
  /** Next free block of the same order and zone. */
  readonly next: ChunkedArray<Int32Array>;
  /** Previous free block of the same order and zone. */
  readonly prev: ChunkedArray<Int32Array>;
}

/** The column names of a FrameTable. */
export const FRAME_COLUMNS = ['refcount', 'flags', 'order', 'owner', 'next', 'prev'] as const;

/** Bytes each frame costs once its chunks are written (the sum of the column widths). */
export const BYTES_PER_FRAME = 2 + 2 + 1 + 1 + 4 + 4;

/** Creates the descriptors of `count` frames, all zero (not free, not owned) until the allocator takes them. */
export function createFrameTable(count: number, chunkSize = 4096): FrameTable {
  return {
    count,
    refcount: ChunkedArray.create(Uint16Array, count, { chunkSize }),
    flags: ChunkedArray.create(Uint16Array, count, { chunkSize }),
    order: ChunkedArray.create(Uint8Array, count, { chunkSize }),
    owner: ChunkedArray.create(Uint8Array, count, { chunkSize }),
    next: ChunkedArray.create(Int32Array, count, { chunkSize, fill: NO_FRAME }),
    prev: ChunkedArray.create(Int32Array, count, { chunkSize, fill: NO_FRAME }),
  };
}

/** The names of the flags set in `flags`, in PAGE_FLAGS order. */
export function flagNames(flags: number): string[] {
  return Object.entries(PAGE_FLAGS)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
}
