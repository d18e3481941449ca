/**
 * The recording commands (inspect, log, diff, replay) run in-process on recordings of the probe
 * subsystem beside the kernel, with their exit codes and one-line errors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { alteredCopy } from '../testing/alteredCopy.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMachine, type AnySubsystem, type Machine } from '@vmlab/kernel';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';
import { openRecording, readRecording } from '../recording/reader.js';
import { RecordingWriter } from '../recording/writer.js';
import { probeSubsystem } from '../testing/probeSubsystem.js';

const SUBSYSTEMS = [probeSubsystem];
const dir = mkdtempSync(join(tmpdir(), 'vmlab-commands-'));
const file = join(dir, 'run.vmlab');
let machine: Machine;

function cli(...args: string[]): { code: number; out: string; err: string } {
  return cliWith(SUBSYSTEMS, ...args);
}

function cliWith(subsystems: readonly AnySubsystem[], ...args: string[]): { code: number; out: string; err: string } {
  const io = memoryIo({ NO_COLOR: '1' });
  const code = runCli(args, io, subsystems);
  return { code, out: io.out(), err: io.err() };
}

/** A copy of the test recording with `sql` applied to it. */
function copy(name: string, sql: string): string {
  return alteredCopy(file, join(dir, name), sql);
}

/** The probe, counting the requests it decides (how many inputs a command re-executes). */
function countingProbe(): { subsystems: AnySubsystem[]; decided: () => number } {
  let decided = 0;
  const counting: AnySubsystem = {
    ...probeSubsystem,
    decide(request, state, ctx) {
      decided++;
      return probeSubsystem.decide(request, state, ctx);
    },
  };
  return { subsystems: [counting], decided: () => decided };
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

describe('reading what the recording holds, and only what a command needs', () => {
  it('reads any range of inputs and events, from rows and the blocks that overlap it, as the whole file reads', () => {
    const whole = readRecording(file);
    const recording = openRecording(file);
    try {
      expect(recording.inputCount).toBe(25);
      expect(recording.eventCount).toBe(whole.log.events!.length);
      for (let from = 0; from < 25; from++) {
        for (let to = from; to < 27; to++) {
          expect([...recording.inputs(from, to)].map((s) => s.input)).toEqual(whole.log.inputs.slice(from, to + 1));
          expect([...recording.events(from, to)]).toEqual(whole.log.events!.filter((e) => e.input >= from && e.input <= to));
          for (const types of [['mmu/access'], ['kernel/spawn', 'probe/draw']]) {
            expect([...recording.inputs(from, to, { types })].map((s) => s.input)).toEqual(whole.log.inputs.slice(from, to + 1).filter((i) => types.includes(i.type)));
          }
          expect([...recording.events(from, to, { types: ['probe/drawn'] })]).toEqual(whole.log.events!.filter((e) => e.input >= from && e.input <= to && e.type === 'probe/drawn'));
        }
      }
      expect([...recording.inputs(0, 24, { types: ['mmu/access'] })].map((s) => s.input.seq)).toEqual([...Array.from({ length: 20 }, (_, i) => i + 1), 22]);
    } finally {
      recording.close();
    }
  });

  it('log lists the stored rows without re-executing anything, even with no subsystem to re-execute them', () => {
    const stored = cliWith([], 'log', file, '--json');
    expect(stored.code).toBe(0);
    expect(stored.out).toBe(cli('log', file, '--json').out);
    const doc = JSON.parse(stored.out) as { inputs: number; events: number; entries: { kind: string }[] };
    expect(doc).toMatchObject({ inputs: 25, events: 25 });
    expect(doc.entries).toHaveLength(50);
    expect(cliWith([], 'log', file, '--why', '21').out).toBe(cli('log', file, '--why', '21').out);
    expect(cliWith([], 'log', file, '--why', '22').out.split('\n')[0]).toBe('event 22  probe/byte-written {"address":8192,"value":7}');
    expect(cliWith([], 'log', file, '--proc', 'child', '--json').out).toBe(cli('log', file, '--proc', 'child', '--json').out);
  });

  it('log prints the event payloads the file holds, not those a re-run would produce', () => {
    const altered = copy('altered-event.vmlab', "UPDATE events SET payload = json_set(payload, '$.value', 99) WHERE seq = 22");
    expect(cli('log', altered, '--from', '22', '--to', '22').out).toMatch(/^ {2}event 22 {2}probe\/byte-written \{"address":8192,"value":99\}$/m);
    expect(cli('log', altered, '--why', '22').out.split('\n')[0]).toBe('event 22  probe/byte-written {"address":8192,"value":99}');
  });

  it('inspect and diff re-execute only up to the position they need', () => {
    const probe = countingProbe();
    expect(cliWith(probe.subsystems, 'inspect', file, '--view', 'probe', '--at', '3')).toEqual({ code: 0, out: 'bytes 2 draws \n', err: '' });
    expect(probe.decided()).toBe(2);
    const later = countingProbe();
    expect(cliWith(later.subsystems, 'diff', file, '--from', '5', '--to', '2', '--json').code).toBe(0);
    // Inputs 0 … 4 to rebuild position 5, then input 1 again to seek back to position 2 from the checkpoint at 0.
    expect(later.decided()).toBe(5);
    // A damaged input past the point asked for does not matter.
    const holed = copy('holed-late.vmlab', "UPDATE inputs SET type = 'foo/bar' WHERE seq = 24");
    expect(cli('inspect', holed, '--view', 'probe', '--at', 'spawned').code).toBe(0);
    expect(cli('log', holed, '--to', '23').code).toBe(0);
  });
});

describe('damaged recordings', () => {
  const damage = (name: string, sql: string) => copy(name, sql);
  const expectDamaged = (target: string, reason: string, ...commands: string[][]) => {
    for (const args of commands) {
      const result = cli(args[0]!, target, ...args.slice(1));
      expect(result, args.join(' ')).toEqual({ code: 2, out: '', err: `vmlab: ${target} is a damaged recording: ${reason}\n` });
    }
  };
  const all = [['replay', '--verify'], ['replay'], ['log'], ['inspect', '--view', 'probe'], ['diff']];

  it('an input row of a type the schema does not list: exit 2, one line, naming the input', () => {
    expectDamaged(damage('type-row.vmlab', "UPDATE inputs SET type = 'foo/bar' WHERE seq = 21"), "input 21 has type foo/bar, which the recording's schema (schema_types) does not list", ...all);
  });

  it('an input block of a type the schema does not list', () => {
    expectDamaged(damage('type-block.vmlab', "UPDATE input_blocks SET type = 'foo/bar' WHERE first_seq = 22"), "input 22 has type foo/bar, which the recording's schema (schema_types) does not list", ...all);
  });

  it('a type the stored schema lost (a deleted schema_types row), for inputs and for events', () => {
    expectDamaged(damage('lost-input-type.vmlab', "DELETE FROM schema_types WHERE type = 'probe/fail'"), "input 23 has type probe/fail, which the recording's schema (schema_types) does not list", ...all);
    expectDamaged(damage('lost-event-type.vmlab', "DELETE FROM schema_types WHERE type = 'probe/drawn'"), "event 23 has type probe/drawn, which the recording's schema (schema_types) does not list", ['replay', '--verify'], ['log']);
  });

  it('a checkpoint interval that is not a number', () => {
    expectDamaged(damage('every.vmlab', "UPDATE meta SET value = 'abc' WHERE key = 'checkpoint_every'"), 'meta.checkpoint_every is "abc", not a whole number of at least 1', ...all);
  });

  it('a machine configuration the subsystems refuse', () => {
    const picky: AnySubsystem = {
      ...probeSubsystem,
      initialState: (config: { probeSize?: number }) => {
        if (config.probeSize !== undefined && config.probeSize < 0) throw new RangeError(`probeSize ${config.probeSize} is negative`);
        return probeSubsystem.initialState(config);
      },
    };
    const target = damage('config.vmlab', `UPDATE meta SET value = '{"probeSize":-5}' WHERE key = 'config'`);
    for (const args of [['replay', '--verify'], ['replay'], ['inspect', '--view', 'probe', '--at', '0'], ['diff', '--to', '1']]) {
      expect(cliWith([picky], args[0]!, target, ...args.slice(1)), args.join(' ')).toEqual({
        code: 2,
        out: '',
        err: `vmlab: ${target} is a damaged recording: its machine configuration (meta.config {"probeSize":-5}, checkpoint_every 8) is refused: probeSize -5 is negative\n`,
      });
    }
  });

  it('a label past the end of the run', () => {
    expectDamaged(damage('label.vmlab', "UPDATE labels SET position = 99 WHERE name = 'end'"), 'label end is at position 99, past the end of the recording (25)', ['inspect', '--view', 'probe', '--at', 'end']);
    expect(cli('replay', join(dir, 'label.vmlab')).err).toMatch(/is a damaged recording: label end is at position 99, past the end of the recording \(25\)\n$/);
  });

  it('while a bug in the program itself is still an internal error, not the file\'s fault', () => {
    const broken: AnySubsystem = { ...probeSubsystem, views: [{ name: 'probe', summary: 'broken', scope: 'machine', render: () => { throw new TypeError('a bug'); } }] };
    expect(() => runCli(['inspect', file, '--view', 'probe'], memoryIo(), [broken])).toThrow(TypeError);
  });
});

describe('replay --verify finds every kind of tampering', () => {
  it('a changed reply, naming the input (exit 1)', () => {
    const target = copy('reply.vmlab', `UPDATE inputs SET reply = '{"pfn":7}' WHERE seq = 21`);
    const result = cli('replay', target, '--verify');
    expect(result).toMatchObject({ code: 1, out: 'diverged at input 21: the reply to input 21 differs: recorded {"pfn":7}, replayed {"pid":2}\n' });
    const json = JSON.parse(cli('replay', target, '--verify', '--json').out) as { ok: boolean; divergence: { input: number } };
    expect(json).toMatchObject({ ok: false, divergence: { input: 21 } });
  });

  it('a changed version column of an input or an event, naming it (exit 1)', () => {
    expect(cli('replay', copy('v.vmlab', 'UPDATE inputs SET v = 2 WHERE seq = 21'), '--verify')).toMatchObject({
      code: 1,
      out: 'diverged at input 21: input 21 is stored as kernel/spawn v2, but the schema has kernel/spawn v1\n',
    });
    expect(cli('replay', copy('ev.vmlab', 'UPDATE events SET v = 5 WHERE seq = 3'), '--verify')).toMatchObject({
      code: 1,
      out: "diverged at input 3, event 3: event 3 is stored as probe/byte-written v5, but the schema has probe/byte-written v1\n",
    });
  });
});

describe('unfinished recordings', () => {
  it('log, inspect and diff say so on stderr in one line, and --json stdout stays one document', () => {
    const target = copy('unfinished.vmlab', "UPDATE meta SET value = 'recording' WHERE key = 'status'; DELETE FROM meta WHERE key IN ('final_hash', 'input_count', 'event_count', 'result')");
    const notice = `vmlab: note: ${target} is an unfinished recording: the run stopped after input 24, its last committed one\n`;
    for (const args of [['log', '--json'], ['log', '--why', '3'], ['inspect', '--view', 'probe', '--json'], ['diff', '--json'], ['diff']]) {
      const result = cli(args[0]!, target, ...args.slice(1));
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.err, args.join(' ')).toBe(notice);
      if (args.includes('--json')) expect(() => JSON.parse(result.out) as unknown).not.toThrow();
    }
    expect(cli('log', file).err).toBe('');
  });
});

describe('flag values', () => {
  it('diff --limit 0 lists no change, only whether there are more', () => {
    const zero = cli('diff', file, '--from', 'spawned', '--to', 'end', '--limit', '0');
    expect(zero.code).toBe(0);
    expect(zero.out).toBe('from position 1 to position 25: 0+ changes\n… more changes not listed (raise --limit)\n');
    expect(JSON.parse(cli('diff', file, '--limit', '0', '--json').out)).toMatchObject({ changes: [], truncated: true });
  });

  it('say what they expect: a number of changes, a number of inputs', () => {
    expect(cli('diff', file, '--limit', '-2')).toEqual({ code: 2, out: '', err: 'vmlab: --limit -2: expected a number of changes (0, 1, 2 …)\n' });
    const scenario = join(dir, 'tick.yaml');
    writeFileSync(scenario, 'steps:\n  - kernel: tick(1)\n');
    expect(cli('run', scenario, '--checkpoint-every', 'x')).toEqual({ code: 2, out: '', err: 'vmlab: --checkpoint-every x: expected a whole number of inputs (1, 2, 3 …)\n' });
  });

  it('log --from past the end says how many inputs the recording has', () => {
    expect(cli('log', file, '--from', '100')).toEqual({ code: 2, out: '', err: 'vmlab: --from 100: the recording has only 25 inputs (0 to 24)\n' });
    expect(cli('log', file, '--from', '10', '--to', '5').err).toBe('vmlab: --from 10 is after --to 5\n');
    expect(cli('log', file, '--from', '24', '--to', '100', '--json').code).toBe(0);
  });

  it('log --type takes [] sets, and refuses an unclosed one', () => {
    const set = JSON.parse(cli('log', file, '--type', 'probe/[bd]*', '--json').out) as { entries: { type: string }[] };
    expect(new Set(set.entries.map((e) => e.type))).toEqual(new Set(['probe/byte-written', 'probe/draw', 'probe/drawn']));
    expect(JSON.parse(cli('log', file, '--type', 'probe/[!b]*', '--json').out).entries.map((e: { type: string }) => e.type)).toEqual(['probe/fail', 'probe/draw', 'probe/drawn']);
    expect(cli('log', file, '--type', 'probe/[bd*')).toEqual({ code: 2, out: '', err: 'vmlab: --type probe/[bd*: a [ without its closing ] (a set of characters is written [abc], [a-z] or [!abc])\n' });
  });

  it('an unknown command with --help is an unknown command (exit 2), as without it', () => {
    for (const args of [['trace', '--help'], ['trace', 'x'], ['help', 'trace']]) expect(cli(...args), args.join(' ')).toEqual({ code: 2, out: '', err: "vmlab: unknown command 'trace'\n" });
    expect(cli('log', '--help').code).toBe(0);
  });
});

describe('progress on a terminal', () => {
  it('replay --verify shows a bar on a terminal, as plain replay does', () => {
    const long = join(dir, 'long.vmlab');
    const m = createMachine({ subsystems: SUBSYSTEMS });
    const writer = RecordingWriter.create(long, m);
    for (let i = 0; i < 5000; i++) m.dispatch({ type: 'kernel/tick', payload: { ticks: 1 } });
    writer.close();
    for (const args of [['replay', long, '--verify'], ['replay', long]]) {
      let err = '';
      const io = { ...memoryIo({ NO_COLOR: '1' }), stderr: { isTTY: true, columns: 120, write: (t: string) => ((err += t), true) } };
      let clock = 0;
      const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 700));
      try {
        expect(runCli(args, io, SUBSYSTEMS), args.join(' ')).toBe(0);
      } finally {
        now.mockRestore();
      }
      expect(err, args.join(' ')).toMatch(/(verifying|replaying) long\.vmlab \[[█░]+\] \d+% \| \d+\/5000 inputs/);
      expect(err.endsWith('\u001b[2K'), args.join(' ')).toBe(true); // erased when it ends
    }
  });
});
