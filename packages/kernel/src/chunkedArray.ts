/**
 * A persistent chunked typed array: the structure behind every big hot table (frame
 * descriptors, page-table leaves, RAM contents, TLB, trace-time LRU data).
 *
 * The array is cut into power-of-two chunks. Versions share chunks; a chunk is copied the first
 * time a version writes to it (copy-on-write by chunk), so
 *
 * - a snapshot taken before a write never changes, and
 * - a checkpoint costs only the chunks written since the previous one (plus one small table of
 *   chunk pointers).
 *
 * Chunks that were never written are all the same shared zero-filled chunk, so a large sparse
 * table (16 M frames, 4 GiB of RAM) costs memory only where it was touched.
 *
 * Inside a machine, every committed root state is immutable: the kernel seals the current edit
 * session after each transaction, and a server's `evolve` calls `thaw()` to get a writable
 * version (the same object again for the rest of that transaction). Used alone, an array stays
 * writable until `snapshot()` or `freeze()`.
 */
import { KernelError } from './errors.js';

/** The typed arrays a ChunkedArray can hold. */
export type NumericTypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** A constructor of one of the numeric typed arrays. */
export interface NumericTypedArrayConstructor<A extends NumericTypedArray> {
  /** Creates a zero-filled array of `length` elements. */
  new (length: number): A;
  /** Bytes per element. */
  readonly BYTES_PER_ELEMENT: number;
  /** The constructor's name, e.g. `Uint32Array`. */
  readonly name: string;
}

/** Options of `ChunkedArray.create`. */
export interface ChunkedArrayOptions {
  /** Elements per chunk, a power of two (default 4096). */
  readonly chunkSize?: number;
  /** Initial value of every element (default 0). */
  readonly fill?: number;
}

/** The default number of elements per chunk. */
export const DEFAULT_CHUNK_SIZE = 4096;

let currentEditSession = 0;
let nextArrayId = 1;

/**
 * Ends the current edit session: every ChunkedArray version that exists now becomes read-only,
 * and `thaw()` on it gives a new version. The machine calls this after each transaction, so a
 * committed root state never changes.
 */
export function sealEditSession(): void {
  currentEditSession++;
}

/** A persistent typed array, copy-on-write by chunk. */
export class ChunkedArray<A extends NumericTypedArray = Uint32Array> {
  /** Number of elements. */
  readonly length: number;
  /** Elements per chunk. */
  readonly chunkSize: number;
  private readonly shift: number;
  private readonly mask: number;
  private readonly chunks: A[];
  /** Per chunk: the id of the version allowed to write it in place, or 0. */
  private readonly owner: Int32Array;
  private readonly id: number;
  private readonly session: number;
  private frozen: boolean;

  private constructor(
    private readonly ctor: NumericTypedArrayConstructor<A>,
    length: number,
    chunkSize: number,
    chunks: A[],
    owner: Int32Array,
    frozen: boolean,
  ) {
    this.length = length;
    this.chunkSize = chunkSize;
    this.shift = Math.log2(chunkSize);
    this.mask = chunkSize - 1;
    this.chunks = chunks;
    this.owner = owner;
    this.id = nextArrayId++;
    this.session = currentEditSession;
    this.frozen = frozen;
  }

  /** Creates an array of `length` elements, all `fill` (0 by default), sharing one chunk until written. */
  static create<A extends NumericTypedArray>(
    ctor: NumericTypedArrayConstructor<A>,
    length: number,
    options: ChunkedArrayOptions = {},
  ): ChunkedArray<A> {
    const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || (chunkSize & (chunkSize - 1)) !== 0) {
      throw new RangeError(`chunkSize must be a power of two, got ${chunkSize}`);
    }
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`length must be a natural number, got ${length}`);
    const chunkCount = Math.ceil(length / chunkSize);
    const shared = new ctor(chunkSize);
    if (options.fill) shared.fill(options.fill);
    const chunks = new Array<A>(chunkCount).fill(shared);
    return new ChunkedArray(ctor, length, chunkSize, chunks, new Int32Array(chunkCount), false);
  }

  /** Creates an array holding a copy of `values`. */
  static from<A extends NumericTypedArray>(
    ctor: NumericTypedArrayConstructor<A>,
    values: ArrayLike<number>,
    options: Omit<ChunkedArrayOptions, 'fill'> = {},
  ): ChunkedArray<A> {
    const array = ChunkedArray.create(ctor, values.length, options);
    for (let i = 0; i < values.length; i++) array.set(i, values[i]!);
    return array;
  }

  /** Number of chunks. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The element type's name, e.g. `Uint32Array`. */
  get elementType(): string {
    return this.ctor.name;
  }

  /** True when this version may be written in place (not frozen, and its edit session is the current one). */
  get writable(): boolean {
    return !this.frozen && this.session === currentEditSession;
  }

  /** Reads element `index`, which must be in 0..length-1 (not checked, for speed). */
  get(index: number): number {
    return this.chunks[index >>> this.shift]![index & this.mask]!;
  }

  /** Writes element `index`, copying its chunk first if it is shared with another version. */
  set(index: number, value: number): void {
    if (this.frozen || this.session !== currentEditSession) this.refuseWrite();
    if (index < 0 || index >= this.length || !Number.isInteger(index)) {
      throw new RangeError(`index ${index} outside 0..${this.length - 1}`);
    }
    const c = index >>> this.shift;
    let chunk = this.chunks[c]!;
    if (this.owner[c] !== this.id) {
      chunk = chunk.slice() as A;
      this.chunks[c] = chunk;
      this.owner[c] = this.id;
    }
    chunk[index & this.mask] = value;
  }

  /** Sets elements [start, end) to `value`. */
  fill(value: number, start = 0, end = this.length): void {
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) this.set(i, value);
  }

  /**
   * A writable version with this version's contents: `this` when it is writable, otherwise a new
   * version that shares every chunk (copied on its first write). Call it before writing in `evolve`.
   */
  thaw(): ChunkedArray<A> {
    if (this.writable) return this;
    return new ChunkedArray(this.ctor, this.length, this.chunkSize, this.chunks.slice(), new Int32Array(this.chunks.length), false);
  }

  /** Makes this version read-only for ever and returns it. */
  freeze(): this {
    this.frozen = true;
    return this;
  }

  /**
   * A read-only version with the current contents, which later writes to `this` never change.
   * Costs one table of chunk pointers; the next write to each chunk copies it.
   */
  snapshot(): ChunkedArray<A> {
    const copy = new ChunkedArray(this.ctor, this.length, this.chunkSize, this.chunks.slice(), new Int32Array(this.chunks.length), true);
    this.owner.fill(0);
    return copy;
  }

  /** The chunk at `chunkIndex`, read-only by convention (used by hashing and diffs). */
  chunk(chunkIndex: number): Readonly<A> {
    return this.chunks[chunkIndex]!;
  }

  /** True when chunk `chunkIndex` is the same memory in both versions (so its contents are equal). */
  sharesChunkWith(other: ChunkedArray<A>, chunkIndex: number): boolean {
    return this.chunks[chunkIndex] === other.chunks[chunkIndex];
  }

  /** A plain typed-array copy of the whole contents. */
  toTypedArray(): A {
    const out = new this.ctor(this.length);
    for (let c = 0; c < this.chunks.length; c++) {
      const start = c * this.chunkSize;
      const chunk = this.chunks[c]!;
      out.set(start + this.chunkSize <= this.length ? chunk : chunk.subarray(0, this.length - start), start);
    }
    return out;
  }

  private refuseWrite(): never {
    throw new KernelError(
      'FROZEN_ARRAY',
      'this ChunkedArray version is part of a committed or snapshotted state; call thaw() and write to the version it returns',
    );
  }
}

/**
 * In an `evolve` recipe (or any mutable owner object): replaces `owner[key]` by a writable
 * version of the ChunkedArray it holds and returns it, so a write never reaches a committed state.
 * `writableChunks(draft, 'frames').set(pfn, 1)`.
 */
export function writableChunks<O extends object, K extends keyof O>(owner: O, key: K): O[K] & ChunkedArray<NumericTypedArray> {
  const current = owner[key] as unknown as ChunkedArray<NumericTypedArray>;
  const writable = current.thaw();
  if (writable !== current) owner[key] = writable as unknown as O[K];
  return writable as O[K] & ChunkedArray<NumericTypedArray>;
}
