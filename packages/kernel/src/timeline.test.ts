import { describe, expect, it } from 'vitest';
import { createMachine } from './machine.js';
import { hashState } from './stateHash.js';
import { auditSubsystem, counterSubsystem, ledgerSubsystem, type CounterState } from './fixtures/ledger.js';

const subsystems = [counterSubsystem, ledgerSubsystem, auditSubsystem];

function counterRun(n: number, checkpointEvery: number, logEvents = true) {
  const m = createMachine({ subsystems, checkpointEvery, logEvents });
  for (let i = 1; i <= n; i++) m.dispatch({ type: 'counter/increment', payload: { by: i } });
  return m;
}

describe('Timeline', () => {
  it('keeps a checkpoint every K inputs, position 0 included', () => {
    const m = counterRun(25, 10);
    expect(m.timeline.checkpoints().map((c) => [c.position, c.eventSeq])).toEqual([
      [0, 0],
      [10, 10],
      [20, 20],
    ]);
  });

  it('reconstructs any position from the nearest checkpoint', () => {
    const m = counterRun(25, 10);
    for (const p of [0, 1, 9, 10, 11, 19, 20, 24, 25]) {
      expect((m.timeline.stateAt(p).counter as CounterState).count).toBe((p * (p + 1)) / 2);
    }
    expect(hashState(m.timeline.stateAt(25))).toBe(m.hash());
    expect(() => m.timeline.stateAt(26)).toThrow(/outside 0..25/);
  });

  it('seeks, steps back and forward, and keeps the cursor where it was put', () => {
    const m = counterRun(5, 2);
    expect(m.timeline.cursor).toBe(5);
    expect((m.timeline.seek(3).counter as CounterState).count).toBe(6);
    expect((m.timeline.stepBack().counter as CounterState).count).toBe(3);
    expect(m.timeline.cursor).toBe(2);
    expect((m.timeline.stepForward().counter as CounterState).count).toBe(6);
    m.dispatch({ type: 'counter/increment', payload: { by: 100 } });
    expect(m.timeline.cursor).toBe(3);
    m.timeline.seek(0);
    expect(m.timeline.stepBack()).toBe(m.timeline.stateAt(0));
    expect(m.timeline.cursor).toBe(0);
  });

  it('names points with labels and seeks to them', () => {
    const m = counterRun(3, 100);
    m.label('after-three');
    m.dispatch({ type: 'counter/increment', payload: { by: 10 } });
    expect(m.timeline.positionOf('after-three')).toBe(3);
    expect((m.timeline.seek('after-three').counter as CounterState).count).toBe(6);
    expect(m.timeline.positionOf('2')).toBe(2);
    expect(() => m.timeline.positionOf('nowhere')).toThrow(/no label named nowhere/);
  });

  it('gives a stable hash: equal states hash equal, different states differ', () => {
    const a = counterRun(7, 3);
    const b = counterRun(7, 5);
    expect(a.hash()).toBe(b.hash());
    expect(a.timeline.hashAt(4)).toBe(b.timeline.hashAt(4));
    expect(a.timeline.hashAt(4)).not.toBe(a.timeline.hashAt(5));
    expect(hashState(a.state)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('lists what changed between two points', () => {
    const m = createMachine({ subsystems });
    m.dispatch({ type: 'ledger/deposit', payload: { account: 'alice', amount: 5 } });
    m.label('deposited');
    m.dispatch({ type: 'ledger/poke', payload: { index: 70, value: 9 } });
    m.dispatch({ type: 'counter/increment', payload: { by: 2 } });
    const diff = m.timeline.diff('deposited', m.position);
    expect(diff.changes).toEqual([
      { path: 'counter.count', kind: 'changed', before: 0, after: 2 },
      { path: 'ledger.table[70]', kind: 'changed', before: 0, after: 9 },
    ]);
    expect(m.timeline.diff(0, 'deposited').changes).toEqual([
      { path: 'ledger.balances.alice', kind: 'added', after: 5 },
      { path: 'audit.notes[0]', kind: 'added', after: 'deposit alice' },
    ]);
  });

  it('re-derives events and requests on demand when the run kept inputs only', () => {
    const logged = counterRun(30, 8, true);
    const bare = counterRun(30, 8, false);
    expect(bare.timeline.eventsOf(17)).toEqual(logged.timeline.eventsOf(17));
    expect(bare.timeline.event(29)).toEqual(logged.timeline.event(29));
    expect(bare.timeline.events()).toEqual(logged.timeline.events());
  });

  it('finds an event among inputs that emitted none', () => {
    const m = createMachine({ subsystems, logEvents: false });
    m.dispatch({ type: 'ledger/transfer', payload: { from: 'x', to: 'y', amount: 1 } }); // refused: no events
    m.dispatch({ type: 'counter/increment', payload: { by: 1 } });
    m.dispatch({ type: 'ledger/transfer', payload: { from: 'x', to: 'y', amount: 1 } });
    expect(m.timeline.event(0).input).toBe(1);
    expect(m.timeline.why(0).input.seq).toBe(1);
  });
});
