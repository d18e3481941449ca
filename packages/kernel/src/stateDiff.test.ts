import { describe, expect, it } from 'vitest';
import { diffState } from './stateDiff.js';
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
