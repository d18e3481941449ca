import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkedArray, EditSession, writableChunks } from './chunkedArray.js';
import { createMachine } from './machine.js';
import { ledgerSubsystem, auditSubsystem } from './fixtures/ledger.js';
import { isKernelError } from './errors.js';

describe('ChunkedArray', () => {
  it('reads zeros (or the fill value) until written, then what was written', () => {
    const a = ChunkedArray.create(Uint32Array, 10_000, { chunkSize: 256 });
    expect(a.get(0)).toBe(0);
    expect(a.get(9_999)).toBe(0);
    a.set(300, 7);
    expect(a.get(300)).toBe(7);
    expect(a.get(299)).toBe(0);
    expect(a.chunkCount).toBe(40);
    const b = ChunkedArray.create(Int16Array, 5, { fill: -3 });
    expect(b.toTypedArray()).toEqual(new Int16Array([-3, -3, -3, -3, -3]));
  });

  it('refuses chunk sizes that are not powers of two and writes outside the array', () => {
    expect(() => ChunkedArray.create(Uint8Array, 10, { chunkSize: 100 })).toThrow(/power of two/);
    const a = ChunkedArray.create(Uint8Array, 10);
    expect(() => a.set(10, 1)).toThrow(RangeError);
    expect(() => a.set(-1, 1)).toThrow(RangeError);
  });

  it('keeps a snapshot unchanged by later writes, and shares untouched chunks', () => {
    const a = ChunkedArray.create(Uint32Array, 1024, { chunkSize: 64 });
    a.set(5, 1);
    a.set(700, 2);
    const snap = a.snapshot();
    a.set(5, 10);
    a.set(900, 3);
    expect(snap.get(5)).toBe(1);
    expect(snap.get(900)).toBe(0);
    expect(a.get(5)).toBe(10);
    expect(snap.writable).toBe(false);
    expect(() => snap.set(1, 1)).toThrow(/thaw/);
    // chunk 10 (index 700) was not written after the snapshot: same memory
    expect(a.sharesChunkWith(snap, 10)).toBe(true);
    expect(a.sharesChunkWith(snap, 0)).toBe(false);
  });

  it('copies only the written chunks after a snapshot', () => {
    const a = ChunkedArray.create(Uint8Array, 64 * 100, { chunkSize: 64 });
    for (let i = 0; i < a.length; i++) a.set(i, i & 0xff);
    const before = a.snapshot();
    a.set(3 * 64, 200);
    let shared = 0;
    for (let c = 0; c < a.chunkCount; c++) if (a.sharesChunkWith(before, c)) shared++;
    expect(shared).toBe(99);
  });

  it('becomes read-only when its edit session is sealed; thaw gives a writable version', () => {
    const session = new EditSession();
    const a = session.run(() => ChunkedArray.create(Uint32Array, 100));
    session.run(() => a.set(1, 1));
    session.seal();
    expect(a.writable).toBe(false);
    try {
      a.set(1, 2);
      expect.unreachable();
    } catch (error) {
      expect(isKernelError(error, 'FROZEN_ARRAY')).toBe(true);
    }
    const b = session.run(() => a.thaw());
    expect(b).not.toBe(a);
    expect(session.run(() => b.thaw())).toBe(b);
    session.run(() => b.set(1, 2));
    expect(a.get(1)).toBe(1);
    expect(b.get(1)).toBe(2);
  });

  it('writableChunks replaces a frozen field by a writable version', () => {
    const owner = { table: ChunkedArray.create(Uint16Array, 10) };
    const original = owner.table;
    original.freeze();
    writableChunks(owner, 'table').set(3, 9);
    expect(owner.table).not.toBe(original);
    expect(owner.table.get(3)).toBe(9);
    expect(original.get(3)).toBe(0);
  });

  it('is not frozen by a machine running inputs: a standalone array stays writable until snapshot or freeze', () => {
    const standalone = ChunkedArray.create(Uint32Array, 100);
    standalone.set(1, 1);
    const machine = createMachine({ subsystems: [ledgerSubsystem, auditSubsystem] });
    machine.dispatch({ type: 'ledger/poke', payload: { index: 3, value: 7 } });
    expect(standalone.writable).toBe(true);
    standalone.set(1, 2);
    expect(standalone.get(1)).toBe(2);
    expect(machine.slice<{ table: ChunkedArray }>('ledger').table.get(3)).toBe(7);
  });

  it('seals only the arrays of the session that is sealed', () => {
    const mine = new EditSession();
    const other = new EditSession();
    const a = mine.run(() => ChunkedArray.create(Uint32Array, 10));
    const b = other.run(() => ChunkedArray.create(Uint32Array, 10));
    other.seal();
    expect(mine.run(() => a.writable)).toBe(true);
    expect(other.run(() => b.writable)).toBe(false);
    // An array of a session is written only while that session runs.
    expect(a.writable).toBe(false);
    expect(() => a.set(0, 1)).toThrow(/thaw/);
    mine.run(() => a.set(0, 1));
    expect(a.get(0)).toBe(1);
  });

  it('gives a version of the running session to writableChunks, whatever session the field came from', () => {
    const session = new EditSession();
    const owner = { table: ChunkedArray.create(Uint16Array, 10) };
    const standalone = owner.table;
    session.run(() => writableChunks(owner, 'table').set(2, 5));
    expect(owner.table).not.toBe(standalone);
    session.seal();
    expect(() => owner.table.set(2, 6)).toThrow(/thaw/);
    expect(standalone.get(2)).toBe(0);
  });

  it('property: every snapshot keeps the contents it had, whatever is written later', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.record({ index: fc.nat(499), value: fc.nat(0xffff) }), fc.constant('snapshot' as const)), { maxLength: 200 }),
        (operations) => {
          const array = ChunkedArray.create(Uint32Array, 500, { chunkSize: 16 });
          const reference = new Uint32Array(500);
          const snapshots: { snap: ChunkedArray<Uint32Array>; expected: Uint32Array }[] = [];
          for (const op of operations) {
            if (op === 'snapshot') snapshots.push({ snap: array.snapshot(), expected: reference.slice() });
            else {
              array.set(op.index, op.value);
              reference[op.index] = op.value;
            }
          }
          expect(array.toTypedArray()).toEqual(reference);
          for (const { snap, expected } of snapshots) expect(snap.toTypedArray()).toEqual(expected);
        },
      ),
    );
  });
});
