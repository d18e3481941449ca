import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FitPolicy, FreeTracking } from '../protocol.js';
import { compact, createVariablePool, freeBytes, holesOf, variableAlloc, variableFree, variableInternalFragmentation } from './variablePartitions.js';

/**
 * The textbook case: 512 bytes; allocate(r1,100), allocate(r2,200), allocate(r3,200), free(r2),
 * allocate(r4,10), free(r1), allocate(r5,200). Worked by hand:
 * after free(r2) the holes are [100,300) and [500,512);
 * first and worst put r4 at 100, best (12-byte hole) and next (rover at 500) at 500;
 * after free(r1), first/worst have holes 100, 190, 12 bytes → r5 fails;
 * best/next have [0,300) → r5 at 0.
 */
function textbookCase(fit: FitPolicy, tracking: FreeTracking) {
  const pool = createVariablePool(512, { fit, tracking });
  const r1 = variableAlloc(pool, 'r1', 100);
  const r2 = variableAlloc(pool, 'r2', 200);
  const r3 = variableAlloc(pool, 'r3', 200);
  variableFree(pool, r2);
  const r4 = variableAlloc(pool, 'r4', 10);
  variableFree(pool, r1);
  const r5 = variableAlloc(pool, 'r5', 200);
  return { pool, placed: { r1, r2, r3, r4, r5 }, holes: holesOf(pool).map((h) => [h.start, h.size]) };
}

describe('variable partitions on the textbook case (512 bytes)', () => {
  for (const tracking of ['list', 'bitmap'] as const) {
    it(`first fit (${tracking}): r4 at 100, r5 fails with holes of 100, 190 and 12 bytes`, () => {
      const { placed, holes } = textbookCase('first', tracking);
      expect(placed).toEqual({ r1: 0, r2: 100, r3: 300, r4: 100, r5: -1 });
      expect(holes).toEqual([[0, 100], [110, 190], [500, 12]]);
    });
    it(`next fit (${tracking}): r4 at 500 (after r3), r5 wraps to 0`, () => {
      const { placed, holes } = textbookCase('next', tracking);
      expect(placed).toEqual({ r1: 0, r2: 100, r3: 300, r4: 500, r5: 0 });
      expect(holes).toEqual([[200, 100], [510, 2]]);
    });
    it(`best fit (${tracking}): r4 in the 12-byte hole at 500, r5 at 0`, () => {
      const { placed, holes } = textbookCase('best', tracking);
      expect(placed).toEqual({ r1: 0, r2: 100, r3: 300, r4: 500, r5: 0 });
      expect(holes).toEqual([[200, 100], [510, 2]]);
    });
    it(`worst fit (${tracking}): r4 in the 200-byte hole at 100, r5 fails`, () => {
      const { placed, holes } = textbookCase('worst', tracking);
      expect(placed).toEqual({ r1: 0, r2: 100, r3: 300, r4: 100, r5: -1 });
      expect(holes).toEqual([[0, 100], [110, 190], [500, 12]]);
    });
  }

  it('compaction after the first-fit failure moves r4 to 0 and r3 to 10, leaving one 302-byte hole where r5 fits', () => {
    const { pool } = textbookCase('first', 'list');
    expect(compact(pool)).toEqual([
      { name: 'r4', from: 100, to: 0, size: 10 },
      { name: 'r3', from: 300, to: 10, size: 200 },
    ]);
    expect(holesOf(pool)).toEqual([{ start: 210, size: 302 }]);
    expect(variableAlloc(pool, 'r5', 200)).toBe(210);
  });

  it('a bitmap with 8-byte units rounds requests up and reports the internal fragmentation', () => {
    const pool = createVariablePool(512, { tracking: 'bitmap', unit: 8 });
    expect(variableAlloc(pool, 'a', 100)).toBe(0); // 13 units = 104 bytes
    expect(variableAlloc(pool, 'b', 10)).toBe(104); // 2 units = 16 bytes
    expect(variableInternalFragmentation(pool)).toBe(4 + 6);
    expect(freeBytes(pool)).toBe(512 - 120);
    compact(pool);
    expect(holesOf(pool)).toEqual([{ start: 120, size: 392 }]);
  });

  it('coalesces a freed allocation with both neighbouring holes', () => {
    const pool = createVariablePool(300);
    const [a, b, c] = [variableAlloc(pool, 'a', 100), variableAlloc(pool, 'b', 100), variableAlloc(pool, 'c', 100)];
    variableFree(pool, a);
    variableFree(pool, c);
    expect(holesOf(pool)).toHaveLength(2);
    variableFree(pool, b);
    expect(holesOf(pool)).toEqual([{ start: 0, size: 300 }]);
  });
});

/** A deliberately simple reference: one byte per byte of the pool (0 free, else an allocation id). */
class ByteMapReference {
  readonly bytes: Int32Array;
  rover = 0;
  constructor(size: number, readonly fit: FitPolicy) {
    this.bytes = new Int32Array(size);
  }
  holes(): Array<[number, number]> {
    const holes: Array<[number, number]> = [];
    for (let i = 0; i < this.bytes.length; ) {
      if (this.bytes[i] !== 0) { i++; continue; }
      let j = i;
      while (j < this.bytes.length && this.bytes[j] === 0) j++;
      holes.push([i, j - i]);
      i = j;
    }
    return holes;
  }
  alloc(id: number, size: number): number {
    const holes = this.holes().filter(([, s]) => s >= size);
    let start = -1;
    if (this.fit === 'first' && holes.length) start = holes[0]![0];
    if (this.fit === 'best' && holes.length) start = [...holes].sort((x, y) => x[1] - y[1] || x[0] - y[0])[0]![0];
    if (this.fit === 'worst') {
      const all = this.holes().sort((x, y) => y[1] - x[1] || x[0] - y[0]);
      if (all.length && all[0]![1] >= size) start = all[0]![0];
    }
    if (this.fit === 'next' && holes.length) {
      const allHoles = this.holes();
      const firstFromRover = allHoles.findIndex(([s, n]) => s + n > this.rover);
      const ordered = firstFromRover < 0 ? allHoles : [...allHoles.slice(firstFromRover), ...allHoles.slice(0, firstFromRover)];
      start = ordered.find(([, n]) => n >= size)?.[0] ?? -1;
    }
    if (start >= 0) {
      this.bytes.fill(id, start, start + size);
      this.rover = start + size;
    }
    return start;
  }
  free(start: number): void {
    const id = this.bytes[start]!;
    for (let i = start; i < this.bytes.length && this.bytes[i] === id; i++) this.bytes[i] = 0;
  }
}

describe('variable partitions against a byte-map reference model (fast-check)', () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('alloc' as const), size: fc.integer({ min: 1, max: 120 }) }),
    fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
  );
  for (const fit of ['first', 'next', 'best', 'worst'] as const) {
    for (const tracking of ['list', 'bitmap'] as const) {
      it(`${fit} fit with a ${tracking} places every allocation where the reference does`, () => {
        fc.assert(
          fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
            const pool = createVariablePool(512, { fit, tracking });
            const reference = new ByteMapReference(512, fit);
            const live: number[] = [];
            let id = 1;
            for (const s of steps) {
              if (s.kind === 'alloc') {
                const got = variableAlloc(pool, `r${id}`, s.size);
                expect(got).toBe(reference.alloc(id++, s.size));
                if (got >= 0) live.push(got);
              } else if (live.length > 0) {
                const [start] = live.splice(s.pick % live.length, 1);
                expect(variableFree(pool, start!)).toBe(true);
                reference.free(start!);
              }
              expect(holesOf(pool).map((h) => [h.start, h.size])).toEqual(reference.holes());
            }
          }),
          { numRuns: 150 },
        );
      });
    }
  }
});
