/**
 * What changed between two state trees, as a list of paths with their values before and after.
 * Shared structure (the same object in both, or the same ChunkedArray chunk) is skipped without
 * being walked, so diffing two nearby points of a timeline costs only what changed.
 */
import { ChunkedArray, type NumericTypedArray } from './chunkedArray.js';
import type { AnySubsystem } from './subsystem.js';

/** One difference between two states. */
export interface StateChange {
  /** Where: `phys.zones[1].free`, `regions.spaces["3"].brk`, `mmu.ram[0x2194]`. */
  readonly path: string;
  /** `added` (only in the later state), `removed` (only in the earlier), `changed` (in both). */
  readonly kind: 'added' | 'removed' | 'changed';
  /** The value in the earlier state (absent when added). */
  readonly before?: unknown;
  /** The value in the later state (absent when removed). */
  readonly after?: unknown;
}

/** The result of `diffState`. */
export interface StateDiff {
  /** The differences, in path order of the walk. */
  readonly changes: readonly StateChange[];
  /** True when more differences existed than `limit` allowed. */
  readonly truncated: boolean;
}

/** Options of `diffState`. */
export interface DiffOptions {
  /** The most changes to list (default 10 000). */
  readonly limit?: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Two root states as people compare them: each slice through its subsystem's `diffView` (the
 * slice as it is for a subsystem without one). A slice the same in both is left as it is, so the
 * diff skips it without projecting it.
 */
export function diffViews(
  before: Readonly<Record<string, unknown>>,
  after: Readonly<Record<string, unknown>>,
  subsystems: readonly AnySubsystem[],
): [Record<string, unknown>, Record<string, unknown>] {
  const a: Record<string, unknown> = { ...before };
  const b: Record<string, unknown> = { ...after };
  for (const subsystem of subsystems) {
    const view = subsystem.diffView;
    const id = subsystem.id;
    if (!view || before[id] === after[id]) continue;
    if (id in before) a[id] = view(before[id]);
    if (id in after) b[id] = view(after[id]);
  }
  return [a, b];
}

/** Lists what changed from state `before` to state `after`. */
export function diffState(before: unknown, after: unknown, options: DiffOptions = {}): StateDiff {
  const limit = options.limit ?? 10_000;
  const changes: StateChange[] = [];
  let truncated = false;
  const push = (change: StateChange): boolean => {
    if (changes.length >= limit) {
      truncated = true;
      return false;
    }
    changes.push(change);
    return true;
  };
  walk(before, after, '', push);
  return { changes, truncated };
}

type Push = (change: StateChange) => boolean;

function keyPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function walk(a: unknown, b: unknown, path: string, push: Push): boolean {
  if (a === b || Object.is(a, b)) return true;
  if (a instanceof ChunkedArray && b instanceof ChunkedArray && a.length === b.length && a.chunkSize === b.chunkSize) {
    return walkChunked(a, b, path, push);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) if (!walk(a[i], b[i], `${path}[${i}]`, push)) return false;
    for (let i = common; i < a.length; i++) if (!push({ path: `${path}[${i}]`, kind: 'removed', before: a[i] })) return false;
    for (let i = common; i < b.length; i++) if (!push({ path: `${path}[${i}]`, kind: 'added', after: b[i] })) return false;
    return true;
  }
  if (a instanceof Map && b instanceof Map) {
    for (const [k, v] of a) {
      const p = `${path}[${JSON.stringify(k)}]`;
      if (!(b.has(k) ? walk(v, b.get(k), p, push) : push({ path: p, kind: 'removed', before: v }))) return false;
    }
    for (const [k, v] of b) {
      if (!a.has(k) && !push({ path: `${path}[${JSON.stringify(k)}]`, kind: 'added', after: v })) return false;
    }
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const key of Object.keys(a)) {
      const p = keyPath(path, key);
      if (!(key in b ? walk(a[key], b[key], p, push) : push({ path: p, kind: 'removed', before: a[key] }))) return false;
    }
    for (const key of Object.keys(b)) {
      if (!(key in a) && !push({ path: keyPath(path, key), kind: 'added', after: b[key] })) return false;
    }
    return true;
  }
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && sameTypedArray(a, b)) return true;
  return push({ path: path === '' ? '(root)' : path, kind: 'changed', before: a, after: b });
}

function walkChunked(a: ChunkedArray<NumericTypedArray>, b: ChunkedArray<NumericTypedArray>, path: string, push: Push): boolean {
  for (let c = 0; c < a.chunkCount; c++) {
    if (a.sharesChunkWith(b, c)) continue;
    const start = c * a.chunkSize;
    const end = Math.min(start + a.chunkSize, a.length);
    for (let i = start; i < end; i++) {
      const x = a.get(i);
      const y = b.get(i);
      if (!Object.is(x, y) && !push({ path: `${path}[${i}]`, kind: 'changed', before: x, after: y })) return false;
    }
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sameTypedArray(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.constructor !== b.constructor || a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
