import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createMachine, exportLog, type AnySubsystem, type Machine } from '@vmlab/kernel';
import { probeSubsystem } from '../testing/probeSubsystem.js';
import { RecordingError } from './errors.js';
import { readRecording } from './reader.js';
import { sameJson } from '@vmlab/kernel';
import { replayRecording, verifyRecording } from './replay.js';
import { RecordingWriter } from './writer.js';
import { rmSync } from 'node:fs';

const SUBSYSTEMS = [probeSubsystem];
const hasSqliteShell = spawnSync('sqlite3', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vmlab-recording-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A run with every kind of input: spawns, bulk accesses, random draws, a failure, labels. */
function run(machine: Machine, accesses = 300): void {
  machine.dispatch({ type: 'kernel/spawn', payload: { name: 'shell', personality: 'posix' } });
  machine.label('spawned');
  for (let i = 0; i < accesses; i++) machine.dispatch({ type: 'mmu/access', payload: { pid: 1, address: 0x1000 + i, kind: i % 3 === 0 ? 'read' : 'write', size: 1, value: i & 0xff } });
  machine.dispatch({ type: 'probe/draw', payload: {} });
  machine.dispatch({ type: 'probe/fail', payload: {} });
  machine.label('failed');
  machine.dispatch({ type: 'kernel/spawn', payload: { name: 'child', personality: 'posix', parent: 1 } });
  for (let i = 0; i < 50; i++) machine.dispatch({ type: 'kernel/tick', payload: { ticks: 1 } });
  machine.label('end');
}

function record(file: string, options: { batchInputs?: number } = {}): Machine {
  const machine = createMachine({ subsystems: SUBSYSTEMS, checkpointEvery: 64 });
  const writer = RecordingWriter.create(file, machine, options);
  run(machine);
  writer.close({ ok: true });
  return machine;
}

describe('a recording', () => {
  it('reads back as the run log the machine exports', () => {
    const file = join(dir, 'full.vmlab');
    const machine = record(file, { batchInputs: 50 });
    const recording = readRecording(file);
    const expected = exportLog(machine);
    expect(recording.complete).toBe(true);
    expect(recording.log.inputs).toEqual(expected.inputs);
    expect(recording.log.events).toEqual(expected.events);
    expect(recording.log.errors).toEqual(expected.errors);
    expect(recording.log.checkpoints).toEqual(expected.checkpoints);
    expect(new Map(recording.log.labels)).toEqual(new Map(expected.labels));
    expect(recording.log.fingerprint).toEqual(expected.fingerprint);
    expect(recording.finalHash).toBe(machine.hash());
    expect(recording.result).toEqual({ ok: true });
  });

  it.skipIf(!hasSqliteShell)('opens in the sqlite3 shell, which answers the documented queries', () => {
    const file = join(dir, 'shell.vmlab');
    record(file);
    const sql = (query: string) => execFileSync('sqlite3', ['-readonly', file, query], { encoding: 'utf8' }).trim();
    expect(sql('.tables').split(/\s+/).sort()).toEqual(['checkpoints', 'events', 'input_blocks', 'inputs', 'labels', 'meta', 'requests', 'schema_types', 'shown_views']);
    expect(sql("SELECT value FROM meta WHERE key = 'status'")).toBe('complete');
    expect(sql("SELECT name, position FROM labels ORDER BY position")).toBe('spawned|1\nfailed|303\nend|354');
    expect(sql("SELECT count(*) FROM events WHERE type LIKE 'probe/%'")).toBe('201');
    expect(sql('PRAGMA integrity_check')).toBe('ok');
  });

  it('stores memory accesses as compressed blocks, not a row per access', () => {
    const file = join(dir, 'blocks.vmlab');
    record(file, { batchInputs: 128 });
    const db = new Database(file, { readonly: true });
    const rows = db.prepare("SELECT count(*) AS n FROM inputs WHERE type = 'mmu/access'").get() as { n: number };
    const blocks = db.prepare('SELECT sum(count) AS n, count(*) AS blocks FROM input_blocks').get() as { n: number; blocks: number };
    db.close();
    expect(rows.n).toBe(0);
    expect(blocks.n).toBe(300);
    // 300 accesses after one spawn, cut at batch boundaries of 128 inputs: 127 + 128 + 45.
    expect(blocks.blocks).toBe(3);
  });

  it('is byte-for-byte the same file when the same run is recorded twice', () => {
    record(join(dir, 'a.vmlab'));
    record(join(dir, 'b.vmlab'));
    expect(readFileSync(join(dir, 'a.vmlab')).equals(readFileSync(join(dir, 'b.vmlab')))).toBe(true);
  });

  it('replays to the recorded final state and verifies', () => {
    const file = join(dir, 'verify.vmlab');
    const machine = record(file);
    const recording = readRecording(file);
    expect(replayRecording(recording, SUBSYSTEMS).hash()).toBe(machine.hash());
    const report = verifyRecording(recording, SUBSYSTEMS);
    expect(report.ok).toBe(true);
    expect(report.events).toBe(machine.timeline.eventCount);
  });

  it('replays with progress reports to the same machine as the kernel replay', () => {
    const file = join(dir, 'progress.vmlab');
    const machine = record(file);
    const recording = readRecording(file);
    const reports: [number, number][] = [];
    const replayed = replayRecording(recording, SUBSYSTEMS, { onProgress: (done, total) => reports.push([done, total]) });
    expect(replayed.hash()).toBe(machine.hash());
    expect(replayed.hash()).toBe(replayRecording(recording, SUBSYSTEMS).hash());
    expect([...replayed.timeline.labels()]).toEqual([...machine.timeline.labels()]);
    expect(reports).toEqual([[354, 354]]);
    const partial: [number, number][] = [];
    expect(replayRecording(recording, SUBSYSTEMS, { upTo: 303, onProgress: (d, t) => partial.push([d, t]) }).timeline.labels().has('end')).toBe(false);
    expect(partial).toEqual([[303, 303]]);
  });

  it('names the altered event when one event row is changed', () => {
    const file = join(dir, 'altered.vmlab');
    record(file);
    const db = new Database(file);
    db.prepare("UPDATE events SET payload = json_set(payload, '$.value', 99) WHERE seq = 120").run();
    db.close();
    const report = verifyRecording(readRecording(file), SUBSYSTEMS);
    expect(report.ok).toBe(false);
    expect(report.divergence?.event).toBe(120);
  });

  it('refuses a recording whose schema this build cannot upcast, naming the type', () => {
    const file = join(dir, 'schema.vmlab');
    record(file);
    const db = new Database(file);
    db.prepare("UPDATE schema_types SET version = 7 WHERE type = 'probe/drawn'").run();
    db.close();
    expect(() => verifyRecording(readRecording(file), SUBSYSTEMS)).toThrow(/probe\/drawn \(recorded v7, this build v1\)/);
  });

  it('commits batches on the writer thread while the run goes; flush waits until they are in the file', () => {
    const file = join(dir, 'flushed.vmlab');
    const machine = createMachine({ subsystems: SUBSYSTEMS });
    const writer = RecordingWriter.create(file, machine, { batchInputs: 8 });
    const committedRows = () => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM inputs').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    for (let i = 0; i < 21; i++) machine.dispatch({ type: 'kernel/tick', payload: { ticks: 1 } });
    // Two full batches were handed over; the third (5 inputs) is still filling.
    expect(writer.committed).toBeLessThanOrEqual(16);
    writer.flush();
    expect(writer.committed).toBe(21);
    expect(committedRows()).toBe(21);
    writer.close();
    expect(readRecording(file).log.inputs).toHaveLength(21);
  });

  it('stops recording when a write fails (the disk is full), keeps the run going, and says so when it closes', () => {
    const file = join(dir, 'failing.vmlab');
    const machine = createMachine({ subsystems: SUBSYSTEMS });
    // A size limit is SQLite's own way of simulating a full disk: the file may not grow past it.
    const writer = RecordingWriter.create(file, machine, { batchInputs: 10, maxBytes: 64 * 1024 });
    for (let i = 0; i < 15; i++) machine.dispatch({ type: 'kernel/tick', payload: { ticks: 1 } });
    for (let i = 0; i < 2000; i++) machine.dispatch({ type: 'kernel/spawn', payload: { name: `p${i}`.repeat(20), personality: 'posix' } });
    expect(machine.position).toBe(2015);
    expect(() => writer.close()).toThrow(/^writing the recording .*failing\.vmlab failed after \d+ committed inputs: database or disk is full$/);
    const recording = readRecording(file);
    expect(recording.complete).toBe(false);
    expect(recording.log.inputs.length % 10).toBe(0);
    expect(verifyRecording(recording, SUBSYSTEMS).ok).toBe(true);
  });

  it('replays and verifies a recording of older message versions when upcasters cover them', () => {
    const file = join(dir, 'old.vmlab');
    const old = record(file);
    // This build's probe writes `probe/byte-written` v2, which adds the access width.
    const widen = (payload: unknown) => ({ ...(payload as object), width: 1 });
    const probeV2: AnySubsystem = {
      ...probeSubsystem,
      events: { ...probeSubsystem.events, 'probe/byte-written': 2 },
      decide(request, state, ctx) {
        const decision = probeSubsystem.decide(request, state, ctx);
        return { ...decision, events: decision.events?.map((e) => (e.type === 'probe/byte-written' ? { ...e, payload: widen(e.payload) } : e)) ?? [] };
      },
      upcasters: [{ type: 'probe/byte-written', from: 1, upcast: widen }],
    };
    const recording = readRecording(file);
    expect(verifyRecording(recording, [probeV2])).toMatchObject({ ok: true, inputs: old.position });
    expect(replayRecording(recording, [probeV2]).render('probe').text).toBe(old.render('probe').text);
  });

  it('calls a stored payload an upcaster cannot read a damaged recording, naming the event or input', () => {
    const file = join(dir, 'old-damaged.vmlab');
    record(file);
    const strict = (payload: unknown) => {
      const p = payload as { value?: unknown };
      if (typeof p.value !== 'number') throw new TypeError('a v1 payload has a numeric value');
      return { ...p, width: 1 };
    };
    const probeV2: AnySubsystem = {
      ...probeSubsystem,
      requests: { ...probeSubsystem.requests, 'mmu/access': 2 },
      events: { ...probeSubsystem.events, 'probe/byte-written': 2 },
      decide(request, state, ctx) {
        const decision = probeSubsystem.decide(request, state, ctx);
        return { ...decision, events: decision.events?.map((e) => (e.type === 'probe/byte-written' ? { ...e, payload: { ...(e.payload as object), width: 1 } } : e)) ?? [] };
      },
      upcasters: [
        { type: 'probe/byte-written', from: 1, upcast: strict },
        { type: 'mmu/access', from: 1, upcast: strict },
      ],
    };
    expect(verifyRecording(readRecording(file), [probeV2]).ok).toBe(true);
    const db = new Database(file);
    db.prepare("UPDATE events SET payload = '{}' WHERE seq = 5").run();
    db.close();
    expect(() => verifyRecording(readRecording(file), [probeV2])).toThrow(
      new RecordingError(`${file} is a damaged recording: event 5 (probe/byte-written v1) cannot be brought up to this build's version: a v1 payload has a numeric value`),
    );
    const inputs = join(dir, 'old-damaged-input.vmlab');
    const machine = createMachine({ subsystems: SUBSYSTEMS });
    const writer = RecordingWriter.create(inputs, machine);
    machine.dispatch({ type: 'kernel/spawn', payload: { name: 'shell', personality: 'posix' } });
    machine.dispatch({ type: 'mmu/access', payload: { pid: 1, address: 1, kind: 'read', size: 1 } });
    writer.close();
    expect(() => replayRecording(readRecording(inputs), [probeV2])).toThrow(
      new RecordingError(`${inputs} is a damaged recording: input 1 (mmu/access v1) cannot be brought up to this build's version: a v1 payload has a numeric value`),
    );
  });

  it('compares a stored reply with a replayed one as its JSON text would', () => {
    const same = (value: unknown) => sameJson(JSON.parse(JSON.stringify(value)) as unknown, value);
    for (const value of [null, 0, -1.5, 'x', true, [], {}, { pfn: 7 }, { a: [1, { b: null }], c: 'd' }, [1, undefined, NaN], { a: undefined, b: 1 }, { n: Infinity }]) expect(same(value), JSON.stringify(value)).toBe(true);
    expect(sameJson({ pfn: 7 }, { pfn: 512 })).toBe(false);
    expect(sameJson({ pfn: 7 }, { pfn: 7, order: 0 })).toBe(false);
    expect(sameJson({ pfn: 7, order: 0 }, { pfn: 7 })).toBe(false);
    expect(sameJson([1, 2], [1, 2, 3])).toBe(false);
    expect(sameJson({ a: 1 }, [1])).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
    expect(sameJson({ b: 2, a: 1 }, { a: 1, b: 2 })).toBe(true);
  });

  it('refuses files that are not recordings with one-line errors', () => {
    const text = join(dir, 'text.vmlab');
    writeFileSync(text, 'hello\n');
    expect(() => readRecording(join(dir, 'missing.vmlab'))).toThrow(RecordingError);
    expect(() => readRecording(text)).toThrow(/not a vmlab recording \(not a SQLite file\)/);
    const other = join(dir, 'other.sqlite');
    const db = new Database(other);
    db.exec('CREATE TABLE t (x)');
    db.close();
    expect(() => readRecording(other)).toThrow(/not a vmlab recording/);
    expect(() => RecordingWriter.create(other, createMachine({ subsystems: [] }))).toThrow(/not a vmlab recording; not overwriting/);
  });
});
