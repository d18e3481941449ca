/**
 * The page-frame descriptors (mem_map, one `struct page` per frame; Gorman ch. 2.4), stored as
 * columns of persistent chunked typed arrays so 16 M frames cost 14 bytes each once touched and
 * a checkpoint copies only the chunks that changed (or, for the model used alone, of flat typed arrays):
 *
 * | column | type | bytes | meaning |
 * |---|---|---|---|
 * | refcount | Uint16 | 2 | page->_refcount: 0 free (or a tail of a block), ≥ 1 in use |
 * | flags | Uint16 | 2 | PAGE_FLAGS bits (PG_dirty, PG_slab, PG_reserved, PageBuddy, …) |
 * | order | Uint8 | 1 | order of the block the frame heads (page_private for PageBuddy heads) |
 * | owner | Uint8 | 1 | index into the owner names; 0 = nobody (free) |
 * | next, prev | Int32 | 4 + 4 | free-list links (page->lru) of a free block's head, -1 = end |
 */
import { ChunkedArray, type NumericTypedArray, type NumericTypedArrayConstructor } from '@vmlab/kernel';
import { PAGE_FLAGS } from './protocol.js';

/**
 * A column of numbers read and written by index: a ChunkedArray (persistent, what a machine's
 * state holds) or a flat column (one plain typed array, for the model used alone when speed
 * matters more than snapshots).
 */
export interface Column {
  /** Number of elements. */
  readonly length: number;
  /** Reads element `index`. */
  get(index: number): number;
  /** Writes element `index`. */
  set(index: number, value: number): void;
}

/** A column over one plain Uint8Array (one class per element type keeps every access site monomorphic). */
export class FlatUint8Column implements Column {
  /** The elements. */
  readonly values: Uint8Array;
  /** Creates a column of `length` elements, all `fill`. */
  constructor(length: number, fill = 0) {
    this.values = new Uint8Array(length).fill(fill);
  }
  /** Number of elements. */
  get length(): number {
    return this.values.length;
  }
  /** Reads element `index`. */
  get(index: number): number {
    return this.values[index]!;
  }
  /** Writes element `index`. */
  set(index: number, value: number): void {
    this.values[index] = value;
  }
}

/** A column over one plain Uint16Array. */
export class FlatUint16Column implements Column {
  /** The elements. */
  readonly values: Uint16Array;
  /** Creates a column of `length` elements, all `fill`. */
  constructor(length: number, fill = 0) {
    this.values = new Uint16Array(length).fill(fill);
  }
  /** Number of elements. */
  get length(): number {
    return this.values.length;
  }
  /** Reads element `index`. */
  get(index: number): number {
    return this.values[index]!;
  }
  /** Writes element `index`. */
  set(index: number, value: number): void {
    this.values[index] = value;
  }
}

/** A column over one plain Int32Array. */
export class FlatInt32Column implements Column {
  /** The elements. */
  readonly values: Int32Array;
  /** Creates a column of `length` elements, all `fill`. */
  constructor(length: number, fill = 0) {
    this.values = new Int32Array(length).fill(fill);
  }
  /** Number of elements. */
  get length(): number {
    return this.values.length;
  }
  /** Reads element `index`. */
  get(index: number): number {
    return this.values[index]!;
  }
  /** Writes element `index`. */
  set(index: number, value: number): void {
    this.values[index] = value;
  }
}

/** A column over one plain Uint32Array. */
export class FlatUint32Column implements Column {
  /** The elements. */
  readonly values: Uint32Array;
  /** Creates a column of `length` elements, all `fill`. */
  constructor(length: number, fill = 0) {
    this.values = new Uint32Array(length).fill(fill);
  }
  /** Number of elements. */
  get length(): number {
    return this.values.length;
  }
  /** Reads element `index`. */
  get(index: number): number {
    return this.values[index]!;
  }
  /** Writes element `index`. */
  set(index: number, value: number): void {
    this.values[index] = value;
  }
}

/** How the model stores its tables: `flat` (plain typed arrays, the default alone) or `chunked` (persistent ChunkedArrays, what servers use). */
export type Storage = 'chunked' | 'flat';

/** Creates a column of `length` elements, all `fill`, in the given storage. */
export function createColumn<A extends NumericTypedArray>(ctor: NumericTypedArrayConstructor<A>, length: number, storage: Storage, fill = 0, chunkSize = 4096): Column {
  if (storage === 'chunked') return ChunkedArray.create(ctor, length, { chunkSize, fill });
  switch (ctor.name) {
    case 'Uint8Array':
      return new FlatUint8Column(length, fill);
    case 'Uint16Array':
      return new FlatUint16Column(length, fill);
    case 'Int32Array':
      return new FlatInt32Column(length, fill);
    case 'Uint32Array':
      return new FlatUint32Column(length, fill);
    default:
      throw new RangeError(`no flat column for ${ctor.name}`);
  }
}

/** The end of a free list. */
export const NO_FRAME = -1;

/** The frame descriptors, one column per field. */
export interface FrameTable {
  /** Number of frames. */
  readonly count: number;
  /** Reference counts. */
  readonly refcount: Column;
  /** PAGE_FLAGS bits. */
  readonly flags: Column;
  /** Block order of heads. */
  readonly order: Column;
  /** Owner index (0 = none). */
  readonly owner: Column;
  /** Next free block of the same order and zone. */
  readonly next: Column;
  /** Previous free block of the same order and zone. */
  readonly prev: Column;
}

/** The column names of a FrameTable. */
export const FRAME_COLUMNS = ['refcount', 'flags', 'order', 'owner', 'next', 'prev'] as const;

/** Bytes each frame costs once its chunks are written (the sum of the column widths). */
export const BYTES_PER_FRAME = 2 + 2 + 1 + 1 + 4 + 4;

/** Creates the descriptors of `count` frames, all zero (not free, not owned) until the allocator takes them. */
export function createFrameTable(count: number, storage: Storage = 'flat'): FrameTable {
  return {
    count,
    refcount: createColumn(Uint16Array, count, storage),
    flags: createColumn(Uint16Array, count, storage),
    order: createColumn(Uint8Array, count, storage),
    owner: createColumn(Uint8Array, count, storage),
    next: createColumn(Int32Array, count, storage, NO_FRAME),
    prev: createColumn(Int32Array, count, storage, NO_FRAME),
  };
}

/** The names of the flags set in `flags`, in PAGE_FLAGS order. */
export function flagNames(flags: number): string[] {
  return Object.entries(PAGE_FLAGS)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
}
