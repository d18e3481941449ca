import { describe, expect, it } from 'vitest';
import { createMachine } from './machine.js';
import { isKernelError } from './errors.js';
import { defineSubsystem } from './subsystem.js';
import { event, type EventEnvelope } from './messages.js';
import { ChunkedArray, writableChunks } from './chunkedArray.js';
import { auditSubsystem, counterSubsystem, ledgerSubsystem, type AuditState, type CounterState, type LedgerState } from './fixtures/ledger.js';

const subsystems = [counterSubsystem, ledgerSubsystem, auditSubsystem];

describe('Machine', () => {
  it('runs an input through its server, applies its events and numbers everything', () => {
    const m = createMachine({ subsystems, freeze: true });
    const outcome = m.dispatch({ type: 'counter/increment', payload: { by: 3 } });
    expect(outcome.reply).toBe(3);
    expect(outcome.input).toEqual({ seq: 0, type: 'counter/increment', v: 1, payload: { by: 3 } });
    expect(outcome.events).toEqual([{ seq: 0, type: 'counter/incremented', v: 1, input: 0, cause: [0], payload: { by: 3 } }]);
    expect(m.slice<CounterState>('counter').count).toBe(3);
    expect(m.position).toBe(1);
  });

  it('records the cause chain from the input through nested requests to each event', () => {
    const m = createMachine({ subsystems });
    const outcome = m.dispatch({ type: 'ledger/deposit', payload: { account: 'a', amount: 5 } });
    expect(outcome.requests.map((r) => [r.id, r.type, r.parent, r.server])).toEqual([
      [0, 'ledger/deposit', -1, 'ledger'],
      [1, 'audit/note', 0, 'audit'],
    ]);
    expect(outcome.events.map((e) => [e.type, e.cause])).toEqual([
      ['audit/noted', [0, 1]],
      ['ledger/deposited', [0]],
    ]);
    const chain = m.timeline.why(0);
    expect(chain.input.type).toBe('ledger/deposit');
    expect(chain.requests.map((r) => r.type)).toEqual(['ledger/deposit', 'audit/note']);
  });

  it('rolls back a whole input when a server throws, and logs the input with its error', () => {
    const m = createMachine({ subsystems });
    m.dispatch({ type: 'ledger/deposit', payload: { account: 'a', amount: 5 } });
    const before = m.state;
    const hash = m.hash();
    const outcome = m.dispatch({ type: 'ledger/fail-after-audit', payload: {} });
    expect(outcome.error?.message).toMatch(/deliberate failure/);
    expect(outcome.events).toEqual([]);
    expect(m.state).toBe(before);
    expect(m.hash()).toBe(hash);
    expect(m.slice<AuditState>('audit').notes).toEqual(['deposit a']);
    expect(m.slice<LedgerState>('ledger').table.get(1)).toBe(0);
    expect(m.timeline.length).toBe(2);
    expect(m.timeline.errorOf(1)?.message).toMatch(/deliberate/);
    expect(m.timeline.eventCount).toBe(2);
  });

  it('logs inputs that nobody can change afterwards', () => {
    const m = createMachine({ subsystems });
    const payload = { by: 4 };
    m.dispatch({ type: 'counter/increment', payload });
    expect(() => {
      payload.by = 100;
    }).toThrow(TypeError);
    expect(m.timeline.input(0).payload).toEqual({ by: 4 });
  });

  it('keeps every committed root frozen when asked to', () => {
    const m = createMachine({ subsystems, freeze: true });
    m.dispatch({ type: 'ledger/deposit', payload: { account: 'a', amount: 5 } });
    expect(Object.isFrozen(m.state)).toBe(true);
    expect(Object.isFrozen(m.slice<LedgerState>('ledger').balances)).toBe(true);
    expect(() => {
      (m.slice<LedgerState>('ledger').balances as Record<string, number>).a = 1;
    }).toThrow(TypeError);
  });

  it('never changes an earlier root: chunked tables are copied on write between inputs', () => {
    const m = createMachine({ subsystems });
    m.dispatch({ type: 'ledger/poke', payload: { index: 3, value: 1 } });
    const earlier = m.state;
    m.dispatch({ type: 'ledger/poke', payload: { index: 3, value: 2 } });
    expect((earlier.ledger as LedgerState).table.get(3)).toBe(1);
    expect(m.slice<LedgerState>('ledger').table.get(3)).toBe(2);
  });

  it('refuses a second server for a request type, and a request nobody serves, with typed errors', () => {
    const clash = defineSubsystem({
      id: 'other',
      requests: { 'counter/increment': 1 },
      events: {},
      initialState: () => ({}),
      decide: () => ({ reply: null }),
      evolve: () => undefined,
    });
    try {
      createMachine({ subsystems: [counterSubsystem, clash] });
      expect.unreachable();
    } catch (error) {
      expect(isKernelError(error, 'DUPLICATE_SERVER')).toBe(true);
      expect((error as Error).message).toMatch(/already served by counter/);
    }
    const m = createMachine({ subsystems });
    expect(() => m.dispatch({ type: 'nobody/home', payload: {} })).toThrow(/no server handles requests of type nobody\/home/);
    const asker = defineSubsystem({
      id: 'asker',
      requests: { 'asker/ask': 1 },
      events: {},
      initialState: () => ({}),
      decide: (_r, _s, ctx) => ({ reply: ctx.request('nobody/home', {}) }),
      evolve: () => undefined,
    });
    const m2 = createMachine({ subsystems: [asker] });
    expect(m2.dispatch({ type: 'asker/ask', payload: {} }).error?.code).toBe('NO_SERVER');
  });

  it('refuses an event type the subsystem did not declare', () => {
    const sloppy = defineSubsystem({
      id: 'sloppy',
      requests: { 'sloppy/do': 1 },
      events: {},
      initialState: () => ({}),
      decide: () => ({ reply: null, events: [event('sloppy/done', {})] }),
      evolve: () => undefined,
    });
    const m = createMachine({ subsystems: [sloppy] });
    expect(m.dispatch({ type: 'sloppy/do', payload: {} }).error?.code).toBe('UNKNOWN_EVENT');
  });

  it('publishes committed events to observers, and nothing of a rolled-back input', () => {
    const m = createMachine({ subsystems });
    const seen: EventEnvelope[] = [];
    const subscription = m.events$.subscribe((e) => seen.push(e));
    m.dispatch({ type: 'counter/increment', payload: { by: 1 } });
    m.dispatch({ type: 'ledger/fail-after-audit', payload: {} });
    subscription.unsubscribe();
    m.dispatch({ type: 'counter/increment', payload: { by: 1 } });
    expect(seen.map((e) => e.type)).toEqual(['counter/incremented']);
  });

  it('draws random numbers from the seeded generator kept in state, reproducibly', () => {
    const run = (seed: number) => {
      const m = createMachine({ subsystems, config: { seed } });
      return [1, 2, 3].map(() => m.dispatch({ type: 'ledger/draw', payload: {} }).reply);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
    const m = createMachine({ subsystems });
    const outcome = m.dispatch({ type: 'ledger/draw', payload: {} });
    expect(outcome.events.map((e) => e.type)).toEqual(['ledger/drawn', 'kernel/random-advanced']);
  });

  it('refuses dispatch from inside an input', () => {
    const m = createMachine({ subsystems });
    let inner: unknown;
    m.events$.subscribe(() => {
      try {
        m.dispatch({ type: 'counter/increment', payload: { by: 1 } });
      } catch (error) {
        inner = error;
      }
    });
    m.dispatch({ type: 'counter/increment', payload: { by: 1 } });
    // an observer reacting to an event must not start a new input while its own is being published
    expect(isKernelError(inner, 'REENTRANT_DISPATCH')).toBe(true);
    expect(m.slice<CounterState>('counter').count).toBe(1);
  });

  it('makes registered calls, renders views and answers read-only queries', () => {
    const m = createMachine({ subsystems });
    expect(m.call('increment', [4]).value).toBe(4);
    expect(m.render('counter').text).toBe('count 4\n');
    expect(m.query('counter/read', {})).toBe(4);
    expect(() => m.query('counter/increment', { by: 1 })).toThrow(/changed state/);
    expect(m.render('counter', { at: 0 }).text).toBe('count 0\n');
    expect(() => m.render('nope')).toThrow(/no view named nope/);
    expect(m.registry.callNames('kernel')).toEqual(['increment', 'tick']);
    expect(m.registry.viewNames()).toEqual(['counter', 'tasks']);
  });

  it('keeps the task table: spawn, address space, exit', () => {
    const m = createMachine({ subsystems: [] });
    const { pid } = m.dispatch({ type: 'kernel/spawn', payload: { name: 'shell', personality: 'posix' } }).reply as { pid: number };
    const child = (m.dispatch({ type: 'kernel/spawn', payload: { name: 'child', personality: 'posix', parent: pid } }).reply as { pid: number }).pid;
    m.dispatch({ type: 'kernel/exit', payload: { pid: child, exit: 'SIGSEGV' } });
    expect([pid, child]).toEqual([1, 2]);
    expect(m.render('tasks').text).toBe(
      ['  PID  PPID PERSONALITY STATE    NAME', '    1     0 posix       running  shell', '    2     1 posix       exit(SIGSEGV) child', ''].join('\n'),
    );
    expect(m.dispatch({ type: 'kernel/exit', payload: { pid: 9, exit: 0 } }).error?.message).toMatch(/no task with pid 9/);
  });

  it('writes a big table in place from one input to the next while nobody keeps the head, and copies once after a root is kept', () => {
    const versions: unknown[] = [];
    const table = defineSubsystem<{ readonly table: ChunkedArray<Uint32Array> }>({
      id: 'table',
      requests: { 'table/write': 1 },
      events: { 'table/written': 1 },
      initialState: () => ({ table: ChunkedArray.create(Uint32Array, 1 << 20) }),
      decide: (request) => ({ reply: null, events: [event('table/written', request.payload)] }),
      evolve(draft, e) {
        const p = e.payload as { index: number; value: number };
        const writable = writableChunks(draft, 'table');
        versions.push(writable);
        writable.set(p.index, p.value);
      },
    });
    const m = createMachine({ subsystems: [table], checkpointEvery: 1000 });
    const write = (index: number, value: number) => m.dispatch({ type: 'table/write', payload: { index, value } });
    write(1, 1);
    write(5000, 2);
    write(9, 3);
    // One version for the three inputs: no chunk-pointer table copied per input.
    expect(new Set(versions).size).toBe(1);
    const kept = m.slice<{ table: ChunkedArray<Uint32Array> }>('table').table;
    write(1, 4);
    // The kept root is sealed: the next input wrote a new version, and the kept one is unchanged.
    expect(versions[3]).not.toBe(versions[0]);
    expect(kept.get(1)).toBe(1);
    expect(m.slice<{ table: ChunkedArray<Uint32Array> }>('table').table.get(1)).toBe(4);
  });

  it('undoes in-place writes of an input that throws, when the head was not kept', () => {
    const m = createMachine({ subsystems, freeze: true });
    m.dispatch({ type: 'ledger/poke', payload: { index: 1, value: 5 } });
    m.dispatch({ type: 'ledger/poke', payload: { index: 2, value: 6 } });
    // fail-after-audit pokes index 1 with 99 (in place: the head was never kept), then throws.
    const outcome = m.dispatch({ type: 'ledger/fail-after-audit', payload: {} });
    expect(outcome.error?.message).toMatch(/deliberate/);
    const table = m.slice<LedgerState>('ledger').table;
    expect([table.get(1), table.get(2)]).toEqual([5, 6]);
    expect(m.slice<AuditState>('audit').notes).toEqual([]);
    expect(m.timeline.hashAt(2)).toBe(m.hash());
  });
});
