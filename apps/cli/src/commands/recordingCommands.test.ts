/**
 * The recording commands (inspect, log, diff, replay) run in-process on recordings of the probe
 * subsystem beside the kernel, with their exit codes and one-line errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '@vmlab/kernel';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';
import { RecordingWriter } from '../recording/writer.js';
import { probeSubsystem } from '../testing/probeSubsystem.js';

const SUBSYSTEMS = [probeSubsystem];
const dir = mkdtempSync(join(tmpdir(), 'vmlab-commands-'));
const file = join(dir, 'run.vmlab');
let machine: Machine;

function cli(...args: string[]): { code: number; out: string; err: string } {
  const io = memoryIo({ NO_COLOR: '1' });
  const code = runCli(args, io, SUBSYSTEMS);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(() => {
  machine = createMachine({ subsystems: SUBSYSTEMS, checkpointEvery: 8 });
  const writer = RecordingWriter.create(file, machine, { batchInputs: 16 });
  machine.dispatch({ type: 'kernel/spawn', payload: { name: 'shell', personality: 'posix' } });
  machine.label('spawned');
  for (let i = 0; i < 20; i++) machine.dispatch({ type: 'mmu/access', payload: { pid: 1, address: 0x1000 + i, kind: 'write', size: 1, value: i } });
  machine.dispatch({ type: 'kernel/spawn', payload: { name: 'child', personality: 'posix', parent: 1 } });
  machine.dispatch({ type: 'mmu/access', payload: { pid: 2, address: 0x2000, kind: 'write', size: 1, value: 7 } });
  machine.dispatch({ type: 'probe/fail', payload: {} });
  machine.dispatch({ type: 'probe/draw', payload: {} });
  machine.label('end');
  writer.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vmlab inspect', () => {
  it('renders a view at a label, a position and the end, as the machine rendered it there', () => {
    expect(cli('inspect', file, '--view', 'tasks', '--at', 'spawned')).toEqual({ code: 0, out: machine.render('tasks', { at: 1 }).text, err: '' });
    expect(cli('inspect', file, '--view', 'probe', '--at', '10').out).toBe('bytes 9 draws \n');
    expect(cli('inspect', file, '--view', 'probe').out).toBe(machine.render('probe').text);
    const json = JSON.parse(cli('inspect', file, '--view', 'tasks', '--json').out) as { position: number; json: { name: string }[] };
    expect(json.position).toBe(machine.position);
    expect(json.json.map((t) => t.name)).toEqual(['shell', 'child']);
  });

  it('exits 2 with one line for an unknown view, label or position, and a missing --view', () => {
    const view = cli('inspect', file, '--view', 'task');
    expect(view.code).toBe(2);
    expect(view.err).toBe(`vmlab: --view task: no such view (did you mean tasks?); views: probe, tasks\n`);
    expect(cli('inspect', file, '--view', 'tasks', '--at', 'nowhere').err).toBe('vmlab: --at nowhere: no label of that name in the recording (labels: spawned, end)\n');
    expect(cli('inspect', file, '--view', 'tasks', '--at', '999').err).toBe(`vmlab: --at 999 is outside the recording: positions go from 0 to ${machine.position}\n`);
    const missing = cli('inspect', file);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/--view/);
  });
});

describe('vmlab log', () => {
  it('filters by type glob, process, address and range', () => {
    const spawns = cli('log', file, '--type', 'kernel/*');
    expect(spawns.code).toBe(0);
    expect(spawns.out.split('\n').filter((l) => l.startsWith('input'))).toHaveLength(2);
    expect(spawns.out).toMatch(/^input 0 {2}kernel\/spawn \{"name":"shell","personality":"posix"\} → \{"pid":1\}$/m);
    const child = JSON.parse(cli('log', file, '--proc', 'child', '--json').out) as { entries: { kind: string; seq: number; type: string }[] };
    expect(child.entries.map((e) => `${e.kind} ${e.type}`)).toEqual(['event kernel/task-spawned', 'input mmu/access', 'event probe/byte-written']);
    const at = JSON.parse(cli('log', file, '--addr', '0x1005', '--json').out) as { entries: { kind: string; seq: number }[] };
    expect(at.entries).toEqual([expect.objectContaining({ kind: 'input', seq: 6 }), expect.objectContaining({ kind: 'event', seq: 6 })]);
    const range = JSON.parse(cli('log', file, '--from', '21', '--to', '22', '--type', 'mmu/*,probe/*', '--json').out) as { entries: { seq: number; kind: string }[] };
    expect(range.entries.map((e) => `${e.kind} ${e.seq}`)).toEqual(['input 22', 'event 22']);
    expect(cli('log', file, '--type', 'probe/fail').out).toMatch(/^input 23 {2}probe\/fail \{\} ✗ RangeError: probe\/fail always fails$/m);
  });

  it('walks from an event back to its input', () => {
    const why = cli('log', file, '--why', '22');
    expect(why.code).toBe(0);
    expect(why.out.split('\n')[0]).toBe('event 22  probe/byte-written {"address":8192,"value":7}');
    expect(why.out).toMatch(/from input 22 {2}mmu\/access/);
    expect(cli('log', file, '--why', '5000').code).toBe(2);
    expect(cli('log', file, '--why', 'x').err).toBe('vmlab: --why x: expected a sequence number (0, 1, 2 …)\n');
  });
});

describe('vmlab diff', () => {
  it('lists what changed between two labels', () => {
    const diff = cli('diff', file, '--from', 'spawned', '--to', 'end');
    expect(diff.code).toBe(0);
    expect(diff.out).toMatch(/^\+ probe\.memory\["4096"\] = 0$/m);
    expect(diff.out).toMatch(/^\+ kernel\.tasks\["2"\] = \{"pid":2,"name":"child"/m);
    const json = JSON.parse(cli('diff', file, '--from', '0', '--to', '0', '--json').out) as { changes: unknown[] };
    expect(json.changes).toEqual([]);
  });
});

describe('vmlab replay', () => {
  it('verifies a recording, and names the sequence number of an altered event with exit 1', () => {
    expect(cli('replay', file, '--verify')).toMatchObject({ code: 0, out: expect.stringMatching(/^verified: 25 inputs, 25 events, 4 checkpoint hashes and the final hash match/) });
    const altered = join(dir, 'altered.vmlab');
    writeFileSync(altered, '');
    const m = createMachine({ subsystems: SUBSYSTEMS, checkpointEvery: 8 });
    const writer = RecordingWriter.create(altered, m);
    for (let i = 0; i < 30; i++) m.dispatch({ type: 'mmu/access', payload: { pid: 1, address: i, kind: 'write', size: 1, value: i } });
    writer.close();
    const db = new Database(altered);
    db.prepare("UPDATE events SET payload = json_set(payload, '$.value', 200) WHERE seq = 17").run();
    db.close();
    const result = cli('replay', altered, '--verify');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^diverged at input 17, event 17: event 17 differs/);
  });

  it('exits 2 on a missing file, a file that is not a recording, and an unknown flag', () => {
    expect(cli('replay', join(dir, 'nope.vmlab'))).toEqual({ code: 2, out: '', err: `vmlab: ${join(dir, 'nope.vmlab')}: no such file\n` });
    const text = join(dir, 'text.vmlab');
    writeFileSync(text, 'not a database, just text long enough to have a header of one hundred bytes..........................................\n');
    expect(cli('replay', text).err).toBe(`vmlab: ${text} is not a vmlab recording (not a SQLite file)\n`);
    const flag = cli('replay', file, '--verfy');
    expect(flag.code).toBe(2);
    expect(flag.err).toBe("vmlab: unknown option '--verfy' (Did you mean --verify?)\n");
    const copy = (name: string, sql: string): string => {
      const target = join(dir, name);
      const db = new Database(file, { readonly: true });
      db.exec(`VACUUM INTO '${target}'`);
      db.close();
      const edit = new Database(target);
      edit.exec(sql);
      edit.close();
      return target;
    };
    const newer = copy('newer.vmlab', "UPDATE schema_types SET version = 3 WHERE type = 'probe/drawn'");
    expect(cli('inspect', newer, '--view', 'tasks')).toEqual({
      code: 2,
      out: '',
      err: `vmlab: ${newer} cannot be replayed by this build: the log's schema differs from this build and no upcaster covers: probe/drawn (recorded v3, this build v1)\n`,
    });
    const holed = copy('holed.vmlab', 'DELETE FROM inputs WHERE seq = 21');
    expect(cli('log', holed)).toEqual({ code: 2, out: '', err: `vmlab: ${holed} is a damaged recording: input 21 is missing (the file has inputs up to 24)\n` });
    const future = copy('future.vmlab', "UPDATE meta SET value = '9' WHERE key = 'format'");
    expect(cli('diff', future).err).toBe(`vmlab: ${future} has recording format 9; this vmlab reads format 1\n`);
    expect(cli('frobnicate').code).toBe(2);
    expect(cli().code).toBe(2);
    expect(cli('--help').code).toBe(0);
    expect(cli('replay', '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/--verify/) });
  });
});
