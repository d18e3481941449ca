/**
 * A stable hash of a state tree: the same contents give the same hash in every run, on every
 * machine, whatever order object keys were inserted in. Replay verification compares these
 * hashes at checkpoints.
 *
 * Covers plain objects (keys sorted), arrays, Maps and Sets (in iteration order, which a
 * deterministic run reproduces), numbers (by their IEEE-754 bits, so -0 and NaN are distinct
 * and stable), strings, booleans, null, undefined, bigints, typed arrays and ChunkedArrays.
 * Frozen subtrees and read-only chunks are hashed once and remembered, so hashing a state that
 * shares most of its structure with an earlier one costs only what changed.
 */
import { ChunkedArray } from './chunkedArray.js';

/** A 64-bit state hash as 16 lowercase hex digits. */
export type StateHash = string;

const TAG = {
  undefined: 1,
  null: 2,
  false: 3,
  true: 4,
  number: 5,
  string: 6,
  array: 7,
  object: 8,
  map: 9,
  set: 10,
  bigint: 11,
  typedArray: 12,
  chunked: 13,
} as const;

const float = new Float64Array(1);
const floatWords = new Uint32Array(float.buffer);
const remembered = new WeakMap<object, readonly [number, number]>();

/** Two murmur3-style 32-bit lanes fed the same words with different seeds. */
class Hasher {
  a = 0x9747b28c;
  b = 0x85ebca6b;

  word(x: number): void {
    let k = Math.imul(x, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    this.a ^= k;
    this.a = (this.a << 13) | (this.a >>> 19);
    this.a = (Math.imul(this.a, 5) + 0xe6546b64) | 0;
    let j = Math.imul(x ^ 0x5bd1e995, 0x27d4eb2d);
    j = (j << 16) | (j >>> 16);
    this.b = (Math.imul(this.b ^ j, 0x165667b1) + 0x7f4a7c15) | 0;
  }

  number(x: number): void {
    if (Number.isInteger(x) && x >= -0x80000000 && x <= 0x7fffffff && !Object.is(x, -0)) {
      this.word(TAG.number);
      this.word(x);
      return;
    }
    float[0] = x;
    this.word(TAG.number + 0x100);
    this.word(floatWords[0]!);
    this.word(floatWords[1]!);
  }

  string(s: string): void {
    this.word(TAG.string);
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  finish(): readonly [number, number] {
    return [fmix(this.a), fmix(this.b ^ this.a)];
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex(words: readonly [number, number]): StateHash {
  return words[0].toString(16).padStart(8, '0') + words[1].toString(16).padStart(8, '0');
}

/** Hashes a value into a stable 64-bit hash. */
export function hashState(value: unknown): StateHash {
  return hex(digest(value));
}

function digest(value: unknown): readonly [number, number] {
  mayChange = false;
  const h = new Hasher();
  feed(h, value);
  return h.finish();
}

function feedDigest(h: Hasher, d: readonly [number, number]): void {
  h.word(d[0]);
  h.word(d[1]);
}

function feed(h: Hasher, value: unknown): void {
  switch (typeof value) {
    case 'undefined':
      h.word(TAG.undefined);
      return;
    case 'boolean':
      h.word(value ? TAG.true : TAG.false);
      return;
    case 'number':
      h.number(value);
      return;
    case 'string':
      h.string(value);
      return;
    case 'bigint':
      h.word(TAG.bigint);
      h.string(value.toString(16));
      return;
    case 'object':
      if (value === null) {
        h.word(TAG.null);
        return;
      }
      feedDigest(h, digestObject(value));
      return;
    default:
      throw new TypeError(`cannot hash a ${typeof value} in state`);
  }
}

/**
 * True while digesting something that contains a ChunkedArray that may still change (not sealed):
 * no object around it is remembered, even a frozen one, since its contents could change in place.
 */
let mayChange = false;

function digestObject(value: object): readonly [number, number] {
  const known = remembered.get(value);
  if (known) return known;
  const outer = mayChange;
  mayChange = false;
  const h = new Hasher();
  let cacheable = Object.isFrozen(value);
  if (value instanceof ChunkedArray) {
    h.word(TAG.chunked);
    h.string(value.elementType);
    h.word(value.length);
    for (let c = 0; c < value.chunkCount; c++) {
      // Only the elements inside the array count: the last chunk's padding is not contents.
      const chunk = value.chunk(c) as ArrayLike<number> & object & { subarray(start: number, end: number): ArrayLike<number> & object };
      const inside = value.length - c * value.chunkSize;
      const part = inside < value.chunkSize ? chunk.subarray(0, inside) : chunk;
      feedDigest(h, digestTypedArray(part, value.sealed && part === chunk));
    }
    cacheable = value.sealed;
    if (!cacheable) mayChange = true;
  } else if (ArrayBuffer.isView(value)) {
    h.word(TAG.typedArray);
    h.string(value.constructor.name);
    feedDigest(h, digestTypedArray(value as unknown as ArrayLike<number> & object, false));
    cacheable = false;
  } else if (Array.isArray(value)) {
    h.word(TAG.array);
    h.word(value.length);
    for (const item of value) feed(h, item);
  } else if (value instanceof Map) {
    h.word(TAG.map);
    h.word(value.size);
    for (const [k, v] of value) {
      feed(h, k);
      feed(h, v);
    }
  } else if (value instanceof Set) {
    h.word(TAG.set);
    h.word(value.size);
    for (const item of value) feed(h, item);
  } else {
    h.word(TAG.object);
    const keys = Object.keys(value).sort();
    h.word(keys.length);
    for (const key of keys) {
      h.string(key);
      feed(h, (value as Record<string, unknown>)[key]);
    }
  }
  const result = h.finish();
  if (cacheable && !mayChange) remembered.set(value, result);
  mayChange ||= outer;
  return result;
}

function digestTypedArray(values: ArrayLike<number> & object, cacheable: boolean): readonly [number, number] {
  const known = remembered.get(values);
  if (known) return known;
  const h = new Hasher();
  h.word(values.length);
  const integer = !(values instanceof Float32Array || values instanceof Float64Array);
  for (let i = 0; i < values.length; i++) {
    if (integer) h.word(values[i]!);
    else h.number(values[i]!);
  }
  const result = h.finish();
  if (cacheable) remembered.set(values, result);
  return result;
}
