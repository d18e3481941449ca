import { describe, expect, it } from 'vitest';
import { createMachine } from './machine.js';
import { exportLog, replayLog, verifyReplay, type RunLog } from './replay.js';
import { defineSubsystem } from './subsystem.js';
import { event } from './messages.js';
import { isKernelError } from './errors.js';
import { auditSubsystem, counterSubsystem, ledgerSubsystem } from './fixtures/ledger.js';

const subsystems = [counterSubsystem, ledgerSubsystem, auditSubsystem];

function sampleRun(): RunLog {
  const m = createMachine({ subsystems, config: { seed: 9 }, checkpointEvery: 4 });
  for (let i = 0; i < 10; i++) {
    m.dispatch({ type: 'ledger/deposit', payload: { account: `a${i % 3}`, amount: i } });
    m.dispatch({ type: 'ledger/draw', payload: {} });
    m.dispatch({ type: 'ledger/poke', payload: { index: i * 37, value: i } });
  }
  m.dispatch({ type: 'ledger/fail-after-audit', payload: {} });
  m.label('end');
  return exportLog(m);
}

describe('replay', () => {
  it('verifies an untouched log: every event and checkpoint hash matches', () => {
    const log = sampleRun();
    const report = verifyReplay(log, subsystems);
    expect(report.ok).toBe(true);
    expect(report.inputs).toBe(31);
    expect(report.checkpoints).toBe(8);
    expect(report.events).toBe(log.events!.length);
  });

  it('survives a JSON round trip (what recordings store)', () => {
    const log = JSON.parse(JSON.stringify(sampleRun())) as RunLog;
    expect(verifyReplay(log, subsystems).ok).toBe(true);
  });

  it('names the altered event and its input', () => {
    const log = sampleRun();
    const events = log.events!.map((e) => (e.seq === 17 ? { ...e, payload: { account: 'mallory', amount: 1e6 } } : e));
    const report = verifyReplay({ ...log, events }, subsystems);
    expect(report.ok).toBe(false);
    expect(report.divergence?.event).toBe(17);
    expect(report.divergence?.input).toBe(log.events![17]!.input);
    expect(report.divergence?.reason).toMatch(/event 17 differs/);
  });

  it('finds a divergence by checkpoint hash when events were not logged', () => {
    const log = { ...sampleRun(), events: null };
    const inputs = log.inputs.map((input) => (input.seq === 6 ? { ...input, payload: { index: 1, value: 12345 } } : input));
    const report = verifyReplay({ ...log, inputs }, subsystems);
    expect(report.divergence).toMatchObject({ input: 4, checkpoint: 8 });
  });

  it('checks the state after the last checkpoint against the recorded head', () => {
    const m = createMachine({ subsystems, checkpointEvery: 1000 });
    for (let i = 0; i < 5; i++) m.dispatch({ type: 'ledger/poke', payload: { index: i, value: i + 1 } });
    const log = { ...exportLog(m), events: null };
    expect(verifyReplay(log, subsystems).ok).toBe(true);
    const report = verifyReplay({ ...log, head: { ...log.head!, hash: '0123456789abcdef' } }, subsystems);
    expect(report.ok).toBe(false);
    expect(report.divergence?.reason).toMatch(/final state hash/);
  });

  it('compares the replies it is given, and reports progress', () => {
    const m = createMachine({ subsystems });
    const replies = new Map<number, unknown>();
    for (let i = 0; i < 2100; i++) replies.set(i, m.dispatch({ type: 'ledger/deposit', payload: { account: 'a', amount: 1 } }).reply);
    const log = JSON.parse(JSON.stringify(exportLog(m))) as RunLog;
    const progress: [number, number][] = [];
    expect(verifyReplay(log, subsystems, { replies, onProgress: (d, t) => progress.push([d, t]) }).ok).toBe(true);
    expect(progress).toEqual([[1024, 2100], [2048, 2100], [2100, 2100]]);
    const altered = new Map(replies).set(7, { balance: -1 });
    expect(verifyReplay(log, subsystems, { replies: altered }).divergence).toMatchObject({ input: 7, reason: expect.stringMatching(/^the reply to input 7 differs: recorded \{"balance":-1\}, replayed/) });
  });

  it('a stored version other than the schema one is a divergence at that input', () => {
    const log = sampleRun();
    const inputs = log.inputs.map((input) => (input.seq === 5 ? { ...input, v: 9 } : input));
    expect(verifyReplay({ ...log, inputs }, subsystems).divergence).toMatchObject({ input: 5, reason: expect.stringContaining('is stored as ledger/poke v9, but the schema has ledger/poke v1') });
  });

  it('a log that no run could have produced is MALFORMED_LOG, naming the input or event', () => {
    const log = sampleRun();
    const unknownInput = { ...log, inputs: log.inputs.map((input) => (input.seq === 4 ? { ...input, type: 'foo/bar' } : input)) };
    const unknownEvent = { ...log, events: log.events!.map((e) => (e.seq === 3 ? { ...e, type: 'foo/baz' } : e)) };
    // An event's type as an input's: the schema lists it, but no server takes requests of it.
    const eventType = log.events![0]!.type;
    const unserved = { ...log, inputs: log.inputs.map((input) => (input.seq === 4 ? { ...input, type: eventType } : input)) };
    const cases: [RunLog, RegExp][] = [
      [unknownInput, /^input 4 has type foo\/bar, which the schema does not list$/],
      [unknownEvent, /^event 3 has type foo\/baz, which the schema does not list$/],
      [unserved, new RegExp(`^input 4 \\(${eventType}\\) cannot be re-executed: `)],
    ];
    for (const [bad, message] of cases) {
      let thrown: unknown;
      try {
        verifyReplay(bad, subsystems);
      } catch (error) {
        thrown = error;
      }
      expect(isKernelError(thrown, 'MALFORMED_LOG'), String(thrown)).toBe(true);
      expect((thrown as Error).message).toMatch(message);
    }
  });

  it('rebuilds a machine from a log, with labels, up to any position', () => {
    const log = sampleRun();
    const full = replayLog(log, subsystems);
    expect(full.hash()).toBe(log.checkpoints.at(-1) && verifyReplay(log, subsystems).finalHash);
    expect(full.timeline.positionOf('end')).toBe(31);
    const partial = replayLog(log, subsystems, { upTo: 8 });
    expect(partial.position).toBe(8);
    expect(partial.hash()).toBe(log.checkpoints.find((c) => c.position === 8)!.hash);
  });

  describe('schema versions', () => {
    const v1 = defineSubsystem<{ total: number }>({
      id: 'meter',
      requests: { 'meter/add': 1 },
      events: { 'meter/added': 1 },
      initialState: () => ({ total: 0 }),
      decide: (r) => ({ reply: null, events: [event('meter/added', { n: (r.payload as { n: number }).n })] }),
      evolve: (d, e) => void (d.total += (e.payload as { n: number }).n),
    });
    // v2 renamed the payload field n → amount, for both the request and the event.
    const v2base = {
      ...v1,
      requests: { 'meter/add': 2 },
      events: { 'meter/added': 2 },
      decide: (r: { payload: unknown }) => ({ reply: null, events: [event('meter/added', { amount: (r.payload as { amount: number }).amount })] }),
      evolve: (d: { total: number }, e: { payload: unknown }) => void (d.total += (e.payload as { amount: number }).amount),
    };
    const recordV1 = () => {
      const m = createMachine({ subsystems: [v1] });
      m.dispatch({ type: 'meter/add', payload: { n: 5 } });
      return exportLog(m);
    };

    it('refuses a log whose versions differ, naming the types', () => {
      const v2 = defineSubsystem<{ total: number }>(v2base);
      try {
        replayLog(recordV1(), [v2]);
        expect.unreachable();
      } catch (error) {
        expect(isKernelError(error, 'SCHEMA_MISMATCH')).toBe(true);
        expect((error as Error).message).toBe(
          "the log's schema differs from this build and no upcaster covers: meter/add (recorded v1, this build v2), meter/added (recorded v1, this build v2)",
        );
      }
    });

    it('loads it through upcasters', () => {
      const rename = (p: unknown) => ({ amount: (p as { n: number }).n });
      const v2 = defineSubsystem<{ total: number }>({
        ...v2base,
        upcasters: [
          { type: 'meter/add', from: 1, upcast: rename },
          { type: 'meter/added', from: 1, upcast: rename },
        ],
      });
      const log = recordV1();
      expect(replayLog(log, [v2]).slice<{ total: number }>('meter').total).toBe(5);
      expect(verifyReplay(log, [v2]).ok).toBe(true);
    });
  });
});
