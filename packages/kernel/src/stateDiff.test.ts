import { describe, expect, it } from 'vitest';
import { diffState, diffViews } from './stateDiff.js';
import { defineSubsystem, type AnySubsystem } from './subsystem.js';
import { ChunkedArray } from './chunkedArray.js';

describe('diffState', () => {
  it('lists added, removed and changed paths', () => {
    const before = { zones: [{ free: 10 }], brk: 0x1000, 'odd key': 1, gone: true };
    const after = { zones: [{ free: 9 }, { free: 4 }], brk: 0x2000, 'odd key': 2, fresh: 'x' };
    expect(diffState(before, after).changes).toEqual([
      { path: 'zones[0].free', kind: 'changed', before: 10, after: 9 },
      { path: 'zones[1]', kind: 'added', after: { free: 4 } },
      { path: 'brk', kind: 'changed', before: 0x1000, after: 0x2000 },
      { path: '["odd key"]', kind: 'changed', before: 1, after: 2 },
      { path: 'gone', kind: 'removed', before: true },
      { path: 'fresh', kind: 'added', after: 'x' },
    ]);
  });

  it('skips shared structure and compares only chunks that differ', () => {
    const table = ChunkedArray.create(Uint8Array, 1 << 20, { chunkSize: 4096 });
    const before = table.snapshot();
    table.set(123_456, 7);
    const shared = { big: 'unchanged' };
    expect(diffState({ table: before, shared }, { table, shared }).changes).toEqual([{ path: 'table[123456]', kind: 'changed', before: 0, after: 7 }]);
  });

  it('stops at the limit and says so', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const b = a.map((x) => x + 1);
    const diff = diffState(a, b, { limit: 5 });
    expect(diff.changes).toHaveLength(5);
    expect(diff.truncated).toBe(true);
  });
});

describe('diffViews', () => {
  /** A subsystem whose slice is a sorted array and whose diff view keys its items by name. */
  const items = defineSubsystem<{ items: { name: string; size: number }[] }>({
    id: 'items',
    requests: {},
    events: {},
    initialState: () => ({ items: [] }),
    decide: () => ({ reply: null }),
    evolve: () => undefined,
    diffView: (state) => Object.fromEntries(state.items.map((i) => [i.name, i.size])),
  });
  const plain = { id: 'plain' } as AnySubsystem;

  it('shows each slice through its subsystem\'s diff view, the others as they are', () => {
    const before = { items: { items: [{ name: 'a', size: 1 }, { name: 'c', size: 3 }] }, plain: { n: 1 } };
    const after = { items: { items: [{ name: 'a', size: 1 }, { name: 'b', size: 2 }, { name: 'c', size: 4 }] }, plain: { n: 2 } };
    const [a, b] = diffViews(before, after, [items as AnySubsystem, plain]);
    // By name, not by index: inserting b does not make c look changed into b.
    expect(diffState(a, b).changes).toEqual([
      { path: 'items.c', kind: 'changed', before: 3, after: 4 },
      { path: 'items.b', kind: 'added', after: 2 },
      { path: 'plain.n', kind: 'changed', before: 1, after: 2 },
    ]);
  });

  it('leaves a slice the same in both as it is, without viewing it', () => {
    let viewed = 0;
    const counting = { ...items, diffView: (state: unknown) => (viewed++, state) } as AnySubsystem;
    const slice = { items: [] };
    const [a, b] = diffViews({ items: slice }, { items: slice }, [counting]);
    expect([a.items, b.items, viewed]).toEqual([slice, slice, 0]);
  });
});
