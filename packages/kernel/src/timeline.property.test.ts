/**
 * Property tests of the kernel's central promises, over random input sequences of the test
 * subsystems (deposits, transfers, chunked-table writes, random draws, failing inputs).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createMachine } from './machine.js';
import type { InputMessage } from './messages.js';
import { hashState } from './stateHash.js';
import { ChunkedArray, type NumericTypedArray, type NumericTypedArrayConstructor } from './chunkedArray.js';
import { exportLog, verifyReplay } from './replay.js';
import { LEDGER_TABLE_SIZE, auditSubsystem, counterSubsystem, ledgerSubsystem } from './fixtures/ledger.js';

const subsystems = [counterSubsystem, ledgerSubsystem, auditSubsystem];
const account = fc.constantFrom('a', 'b', 'c');

const input: fc.Arbitrary<InputMessage> = fc.oneof(
  fc.record({ by: fc.integer({ min: -5, max: 5 }) }).map((payload) => ({ type: 'counter/increment', payload })),
  fc.record({ account, amount: fc.nat(100) }).map((payload) => ({ type: 'ledger/deposit', payload })),
  fc.record({ from: account, to: account, amount: fc.nat(100) }).map((payload) => ({ type: 'ledger/transfer', payload })),
  // indexes past the table make the input throw
  fc.record({ index: fc.nat(LEDGER_TABLE_SIZE + 20), value: fc.nat(0xffffffff) }).map((payload) => ({ type: 'ledger/poke', payload })),
  fc.constant({ type: 'ledger/draw', payload: {} }),
  fc.constant({ type: 'ledger/fail-after-audit', payload: {} }),
);

function run(inputs: readonly InputMessage[], checkpointEvery: number, seed: number) {
  const m = createMachine({ subsystems, checkpointEvery, config: { seed } });
  for (const i of inputs) m.dispatch(i);
  return m;
}

describe('timeline properties', () => {
  it('the hash after seek(n) equals the hash of a fresh run of the first n inputs', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 60 }), fc.integer({ min: 1, max: 9 }), fc.nat(), fc.nat(), (inputs, k, seed, at) => {
        const m = run(inputs, k, seed);
        const n = at % (inputs.length + 1);
        expect(hashState(m.timeline.seek(n))).toBe(run(inputs.slice(0, n), k, seed).hash());
      }),
      { numRuns: 150 },
    );
  });

  it('a throwing input leaves the state as it was and the log consistent', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        const m = createMachine({ subsystems, checkpointEvery: 3 });
        for (const i of inputs) {
          const before = m.state;
          const events = m.timeline.eventCount;
          const outcome = m.dispatch(i);
          if (outcome.error) {
            expect(m.state).toBe(before);
            expect(m.timeline.eventCount).toBe(events);
            expect(m.timeline.errorOf(outcome.input.seq)).toEqual(outcome.error);
          } else {
            expect(m.timeline.eventCount).toBe(events + outcome.events.length);
          }
        }
        expect(m.timeline.length).toBe(inputs.length);
        expect(m.timeline.events().map((e) => e.seq)).toEqual([...Array(m.timeline.eventCount).keys()]);
        expect(verifyReplay(exportLog(m), subsystems).ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('a state, once committed, never changes after later inputs', () => {
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        const m = createMachine({ subsystems });
        const seen: { root: unknown; hash: string }[] = [];
        for (const i of inputs) {
          m.dispatch(i);
          seen.push({ root: m.state, hash: hashState(m.state) });
        }
        // hash caches must not hide a change: compare with a structural copy's hash
        for (const { root, hash } of seen) expect(hashState(structuredCopy(root))).toBe(hash);
      }),
      { numRuns: 100 },
    );
  });

  it('with roots kept only now and then (tables written in place between), every kept root stays as it was and every position hashes as a run that keeps them all', () => {
    const step = fc.oneof(
      { weight: 6, arbitrary: input.map((i) => ({ kind: 'input' as const, input: i })) },
      { weight: 1, arbitrary: fc.constant({ kind: 'keep' as const }) },
      { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'seek' as const, at })) },
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), fc.integer({ min: 1, max: 12 }), (steps, k) => {
        const m = createMachine({ subsystems, checkpointEvery: k });
        const kept: { root: unknown; copy: unknown }[] = [];
        const inputs: InputMessage[] = [];
        for (const s of steps) {
          if (s.kind === 'input') {
            m.dispatch(s.input);
            inputs.push(s.input);
          } else if (s.kind === 'keep') kept.push({ root: m.state, copy: structuredCopy(m.state) });
          else {
            const root = m.timeline.seek(s.at % (m.position + 1));
            kept.push({ root, copy: structuredCopy(root) });
          }
        }
        for (const { root, copy } of kept) expect(hashState(structuredCopy(root))).toBe(hashState(copy));
        const reference = createMachine({ subsystems, checkpointEvery: k });
        const hashes = [reference.hash()];
        for (const i of inputs) {
          reference.dispatch(i);
          hashes.push(reference.hash());
        }
        expect(hashState(structuredCopy(m.state))).toBe(hashes[inputs.length]);
        for (let p = 0; p <= inputs.length; p++) expect(m.timeline.hashAt(p)).toBe(hashes[p]);
        expect(verifyReplay(exportLog(m), subsystems).ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

/** A deep copy that shares nothing with the original, so no hash cache applies. */
function structuredCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(structuredCopy);
  if (value instanceof ChunkedArray) {
    const ctor = (globalThis as unknown as Record<string, NumericTypedArrayConstructor<NumericTypedArray>>)[value.elementType]!;
    return ChunkedArray.from(ctor, value.toTypedArray(), { chunkSize: value.chunkSize }).freeze();
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, structuredCopy(v)]));
}
