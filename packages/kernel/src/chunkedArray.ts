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
 * Edit sessions. Each machine (its executor) owns an `EditSession`. An array created or thawed
 * while a session runs (`session.run`, which the executor does around each input) belongs to it,
 * is writable only while that session runs, and becomes read-only for ever when the session is
 * sealed; `thaw()` (and `writableChunks` in `evolve`) then gives a new version in the running
 * session. Sealing one machine's session never touches another machine's arrays or standalone ones.
 * A machine seals only when it keeps a root; in between, inputs write in place under an undo log
 * (see `EditSession`).
 * An array created outside any session (used alone, no machine) is writable until `snapshot()`
 * or `freeze()`. The ambient "running session" mirrors immer's current scope: one synchronous
 * transaction at a time, restored when it ends.
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

let nextArrayId = 1;
/** The session whose transaction is running, or null (standalone use). */
let runningSession: EditSession | null = null;

/**
 * The versions one machine may write in place. An array created or thawed while the session runs
 * belongs to it; `seal()` makes all of them read-only for ever (the machine seals when it keeps a
 * root: a checkpoint, a read of its state, a seek), so a kept root never changes.
 *
 * Between seals, inputs write the same versions in place. Each input is a transaction
 * (`begin` … `commit` or `rollback`): the first write of a transaction to a version made before
 * it records the old value (or the old chunk, when the write copies one) in an undo log, and
 * `rollback` restores them in reverse order, so a failed input leaves the previous root as it was.
 * This is the undo-log half of write-ahead logging (SQLite's rollback journal keeps the old
 * content of each page before the first change of a transaction: https://sqlite.org/atomiccommit.html).
 */
export class EditSession {
  /** Incremented by `seal()`: versions of an older epoch are read-only. */
  private epochCount = 0;
  /** A fresh object per `run`, so other persistent structures can tell "made in this run". */
  private runToken: object | null = null;
  /** The number of the current (or last) transaction; versions remember the one they were made in. */
  private transactionCount = 0;
  private open = false;
  /** Undo log: the version, the element index (or -1 - chunk index for a replaced chunk), the old value or chunk, the old owner. */
  private readonly undoArrays: ChunkedArray<NumericTypedArray>[] = [];
  private readonly undoSlots: number[] = [];
  private readonly undoValues: (number | NumericTypedArray)[] = [];
  private readonly undoOwners: number[] = [];

  /** The current epoch (versions made in an older one are sealed). */
  get epoch(): number {
    return this.epochCount;
  }

  /** The number of the running transaction (0 before the first). */
  get transaction(): number {
    return this.transactionCount;
  }

  /** True between `begin` and `commit`/`rollback`. */
  get inTransaction(): boolean {
    return this.open;
  }

  /** True while `run` is executing for this session. */
  get running(): boolean {
    return runningSession === this;
  }

  /** Makes every version of this session read-only; `thaw()` gives new ones afterwards. */
  seal(): void {
    this.epochCount++;
  }

  /** Starts a transaction: writes to versions made before it are logged until `commit` or `rollback`. */
  begin(): void {
    if (this.open) throw new KernelError('REENTRANT_DISPATCH', 'an edit session transaction began inside another');
    this.transactionCount++;
    this.open = true;
  }

  /** Ends the transaction, keeping its writes. */
  commit(): void {
    this.open = false;
    this.clearUndo();
  }

  /** Ends the transaction, restoring every version made before it to what it held at `begin`. */
  rollback(): void {
    for (let i = this.undoArrays.length - 1; i >= 0; i--) {
      const slot = this.undoSlots[i]!;
      if (slot >= 0) this.undoArrays[i]!.restoreValue(slot, this.undoValues[i] as number);
      else this.undoArrays[i]!.restoreChunk(-1 - slot, this.undoValues[i] as NumericTypedArray, this.undoOwners[i]!);
    }
    this.open = false;
    this.clearUndo();
  }

  /** Records that `array`'s element `index` held `value` (called by ChunkedArray.set). @internal */
  logValue(array: ChunkedArray<NumericTypedArray>, index: number, value: number): void {
    this.undoArrays.push(array);
    this.undoSlots.push(index);
    this.undoValues.push(value);
    this.undoOwners.push(0);
  }

  /** Records that `array`'s chunk `chunkIndex` was `chunk`, owned by `owner` (called by ChunkedArray.set). @internal */
  logChunk(array: ChunkedArray<NumericTypedArray>, chunkIndex: number, chunk: NumericTypedArray, owner: number): void {
    this.undoArrays.push(array);
    this.undoSlots.push(-1 - chunkIndex);
    this.undoValues.push(chunk);
    this.undoOwners.push(owner);
  }

  /** Runs `fn` with this session as the running one (the previous one is restored afterwards). */
  run<T>(fn: () => T): T {
    const previous = runningSession;
    const previousToken = this.runToken;
    runningSession = this;
    this.runToken = {};
    try {
      return fn();
    } finally {
      runningSession = previous;
      this.runToken = previousToken;
    }
  }

  /** The token of the running `run` (a new object each time), or null when not running. */
  get token(): object | null {
    return runningSession === this ? this.runToken : null;
  }

  private clearUndo(): void {
    if (this.undoArrays.length === 0) return;
    this.undoArrays.length = 0;
    this.undoSlots.length = 0;
    this.undoValues.length = 0;
    this.undoOwners.length = 0;
  }
}

/** The session whose `run` is executing (a machine's transaction), or null when used alone. */
export function runningEditSession(): EditSession | null {
  return runningSession;
}

/**
 * A token identifying the running transaction of the running session (a new object for each
 * input), or null outside any machine. A persistent structure that is not a ChunkedArray (the
 * TLB) keeps the token of the copy it made and edits in place only while the token is current.
 */
export function currentEditToken(): object | null {
  return runningSession === null ? null : runningSession.token;
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
  /** The session it belongs to (null: standalone) and that session's epoch when it was made. */
  private readonly session: EditSession | null;
  private readonly epoch: number;
  /** The session's transaction it was made in: writes in a later one are undo-logged. */
  private readonly transaction: number;
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
    this.session = runningSession;
    this.epoch = runningSession === null ? 0 : runningSession.epoch;
    this.transaction = runningSession === null ? 0 : runningSession.transaction;
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

  /**
   * True when this version may be written in place now: not frozen and, if it belongs to a
   * session, that session is running and has not been sealed since the version was made.
   */
  get writable(): boolean {
    if (this.frozen) return false;
    const session = this.session;
    return session === null || (session === runningSession && session.epoch === this.epoch);
  }

  /** True when this version can never change again (frozen, snapshotted, or its session sealed). */
  get sealed(): boolean {
    return this.frozen || (this.session !== null && this.session.epoch !== this.epoch);
  }

  /** Reads element `index`, which must be in 0..length-1 (not checked, for speed). */
  get(index: number): number {
    return this.chunks[index >>> this.shift]![index & this.mask]!;
  }

  /** Writes element `index`, copying its chunk first if it is shared with another version. */
  set(index: number, value: number): void {
    const session = this.session;
    if (this.frozen || (session !== null && (session !== runningSession || session.epoch !== this.epoch))) this.refuseWrite();
    if (index < 0 || index >= this.length || !Number.isInteger(index)) {
      throw new RangeError(`index ${index} outside 0..${this.length - 1}`);
    }
    const c = index >>> this.shift;
    let chunk = this.chunks[c]!;
    // A version made before the running transaction belongs to the previous root: log what this
    // write changes, so that a rollback can restore it.
    const logged = session !== null && session.inTransaction && this.transaction !== session.transaction;
    if (this.owner[c] !== this.id) {
      if (logged) session.logChunk(this, c, chunk, this.owner[c]!);
      chunk = chunk.slice() as A;
      this.chunks[c] = chunk;
      this.owner[c] = this.id;
    } else if (logged) {
      session.logValue(this, index, chunk[index & this.mask]!);
    }
    chunk[index & this.mask] = value;
  }

  /** Sets elements [start, end) to `value`. */
  fill(value: number, start = 0, end = this.length): void {
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) this.set(i, value);
  }

  /**
   * A writable version with this version's contents: `this` when it is writable and belongs to the
   * running session (or, used alone, to none), otherwise a new version of the running session that
   * shares every chunk (copied on its first write). Call it before writing in `evolve`.
   */
  thaw(): ChunkedArray<A> {
    // Inside a session only its own open versions are kept: a standalone or foreign version is
    // copied in, so a machine's committed root never holds an array someone else may write.
    if (this.writable && this.session === runningSession) return this;
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

  /** Puts back an element's old value (an edit session's rollback; not for other callers). @internal */
  restoreValue(index: number, value: number): void {
    this.chunks[index >>> this.shift]![index & this.mask] = value;
  }

  /** Puts back a chunk replaced by a copy, and its owner (an edit session's rollback; not for other callers). @internal */
  restoreChunk(chunkIndex: number, chunk: NumericTypedArray, owner: number): void {
    this.chunks[chunkIndex] = chunk as A;
    this.owner[chunkIndex] = owner;
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
