/**
 * `vmlab run`: exit codes (0 every check held, 1 a check failed, 2 a bad file or flag), one-line
 * errors, the JSON document, colour only on a terminal and never with NO_COLOR, and a recording
 * that `inspect` and `replay --verify` read back.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import type { Io } from '../output/io.js';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenario(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function cli(args: string[], io: Io & { out(): string; err(): string } = memoryIo({ NO_COLOR: '1' })): { code: number; out: string; err: string } {
  const code = runCli(args, io, ALL_SUBSYSTEMS);
  return { code, out: io.out(), err: io.err() };
}

const PASSING = ['processes:', '  - { name: shell, personality: posix }', 'steps:', '  - spawn editor posix', '  - label two', '  - show tasks', '  - kernel: tick(5) == 5', ''].join('\n');

describe('vmlab run', () => {
  it('prints the shown views and a summary, and exits 0 when every check holds', () => {
    const result = cli(['run', scenario('ok.yaml', PASSING)]);
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    expect(result.out).toBe(
      [
        '--- tasks (line 6, position 2)',
        '  PID  PPID PERSONALITY STATE    NAME',
        '    1     0 posix       running  shell',
        '    2     0 posix       running  editor',
        'ok: 4 steps, 1 check passed; 3 inputs, 3 events',
        '',
      ].join('\n'),
    );
  });

  it('gives one JSON document with --json', () => {
    const result = cli(['run', scenario('ok.yaml', PASSING), '--json']);
    const json = JSON.parse(result.out) as { ok: boolean; steps: number; checks: unknown; failures: unknown[]; views: { view: string; position: number; text: string }[] };
    expect(json).toMatchObject({ ok: true, steps: 4, checks: { passed: 1, failed: 0 }, failures: [] });
    expect(json.views).toHaveLength(1);
    expect(json.views[0]).toMatchObject({ view: 'tasks', position: 2 });
  });

  it('exits 1 naming the step, its line, expected and actual when a check fails', () => {
    const file = scenario('fail.yaml', ['steps:', '  - kernel: tick(2) == 2', '  - kernel: tick(2) == 5', ''].join('\n'));
    const result = cli(['run', file]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`FAIL ${file}:3:`);
    expect(result.out).toMatch(/step 2: kernel: tick\(2\) == 5/);
    expect(result.out).toMatch(/expected 5\n {2}actual {3}4\n/);
    expect(result.out).toMatch(/^FAILED: 2 steps, 1 check passed, 1 failed/m);
    const json = JSON.parse(cli(['run', file, '--json']).out) as { ok: boolean; failures: { step: number; line: number }[] };
    expect(json.ok).toBe(false);
    expect(json.failures).toMatchObject([{ step: 2, line: 3 }]);
  });

  it('exits 2 with one line for a missing file, a directory, a bad scenario and bad flags, and runs nothing', () => {
    const missing = cli(['run', join(dir, 'missing.yaml')]);
    expect(missing).toEqual({ code: 2, out: '', err: `vmlab: ${join(dir, 'missing.yaml')}: no such file\n` });
    mkdirSync(join(dir, 'folder.yaml'), { recursive: true });
    expect(cli(['run', join(dir, 'folder.yaml')]).err).toBe(`vmlab: ${join(dir, 'folder.yaml')} is a directory, not a scenario file\n`);
    const bad = scenario('bad.yaml', ['steps:', '  - show taskz', ''].join('\n'));
    const result = cli(['run', bad, '--record', join(dir, 'bad.vmlab')]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(new RegExp(`^vmlab: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: .*taskz.*\\n$`));
    expect(result.err).toMatch(/did you mean tasks/);
    for (const args of [['run'], ['run', bad, '--record'], ['run', bad, '--colour'], ['run', bad, '--checkpoint-every', 'often']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('exits 2 with one line when a subsystem refuses the machine configuration', () => {
    const tooSmall = scenario('small.yaml', ['machine: { profile: linux-x86_64, ram: 100 }', 'steps:', '  - show tasks', ''].join('\n'));
    const result = cli(['run', tooSmall]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.trim().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^vmlab: /);
  });

  it('refuses to record over a file that is not a recording', () => {
    const precious = join(dir, 'notes.txt');
    writeFileSync(precious, 'my notes, not a recording, long enough to be more than a hundred bytes of header material...........\n');
    const result = cli(['run', scenario('ok.yaml', PASSING), '--record', precious]);
    expect(result).toMatchObject({ code: 2, err: `vmlab: ${precious} exists and is not a vmlab recording; not overwriting it\n` });
  });

  it('records a run that inspect renders the same and replay verifies', () => {
    const recording = join(dir, 'ok.vmlab');
    const run = cli(['run', scenario('ok.yaml', PASSING), '--record', recording]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`recorded to ${recording}`);
    expect(cli(['inspect', recording, '--at', 'two', '--view', 'tasks']).out).toBe(run.out.split('\n').slice(1, 4).join('\n') + '\n');
    expect(cli(['replay', recording, '--verify']).code).toBe(0);
    // Recording again replaces the earlier recording, with the very same bytes: nothing in it depends on time.
    const before = readFileSync(recording);
    expect(cli(['run', scenario('ok.yaml', PASSING), '--record', recording]).code).toBe(0);
    expect(readFileSync(recording).equals(before)).toBe(true);
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    const tty = (env: Record<string, string>) => {
      let out = '';
      let err = '';
      const io = { stdout: { isTTY: true, write: (t: string) => (out += t) }, stderr: { isTTY: false, write: (t: string) => (err += t) }, env, out: () => out, err: () => err };
      return cli(['run', scenario('ok.yaml', PASSING)], io).out;
    };
    expect(tty({})).toContain('\u001b[32mok\u001b[39m');
    expect(tty({ NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(cli(['run', scenario('ok.yaml', PASSING)]).out).not.toContain('\u001b[');
  });
});

describe('vmlab run on a terminal', () => {
  it('erases the progress bar before a view when stdout and stderr are one terminal, and redraws it after', () => {
    let text = '';
    const terminal = { isTTY: true, columns: 120, write: (t: string) => ((text += t), true) };
    const io = { stdout: terminal, stderr: terminal, env: { NO_COLOR: '1' } };
    const file = scenario('inter.yaml', ['steps:', '  - spawn shell posix', '  - repeat 3000:', '    - kernel: tick(1)', '  - show tasks', '  - repeat 3000:', '    - kernel: tick(1)', ''].join('\n'));
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 5));
    try {
      expect(runCli(['run', file], io, ALL_SUBSYSTEMS)).toBe(0);
    } finally {
      now.mockRestore();
    }
    expect(text).toMatch(/inter\.yaml \[[█░]+\] \d+% \| \d+\/\d+ steps/);
    // The view starts on a cleared line, and the bar comes back below it.
    expect(text).toMatch(/\u001b\[2K--- tasks \(line 5, position 3001\)\n {2}PID  PPID PERSONALITY STATE    NAME\n {4}1 {5}0 posix {7}running  shell\n(\u001b\[[0-9;?]*[A-Za-z]|\u001b[78])*inter\.yaml \[/);
    expect(text).not.toMatch(/left(\u001b\[[0-9;?]*[A-Za-z])*---/);
    expect(text).toMatch(/\u001b\[2Kok: /);
  });
});
