/**
 * A recording survives kill -9: a child process records a long run through the real `vmlab`
 * command; the test kills it with SIGKILL in the middle, then opens the file, replays it up to its
 * last committed input and verifies it. Needs the built CLI (`tsc -b`, as `npm test` does first).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';
import { readRecording } from './reader.js';
import { replayRecording, verifyRecording } from './replay.js';

const BIN = fileURLToPath(new URL('../../bin/vmlab.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vmlab-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function committedInputs(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT count(*) AS n FROM inputs').get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // the file is being created
  }
}

it('loses only the batches not yet committed when the recorder is killed with SIGKILL', async () => {
  const scenario = join(dir, 'long.yaml');
  writeFileSync(scenario, ['processes:', '  - { name: shell, personality: posix }', 'steps:', '  - label start', '  - repeat 1000:', '      - repeat 2000:', '          - kernel: tick(1)', ''].join('\n'));
  const file = join(dir, 'killed.vmlab');
  const child = spawn(process.execPath, [BIN, 'run', scenario, '--record', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const deadline = Date.now() + 50_000;
  try {
    while (committedInputs(file) < 20_000) {
      if (child.exitCode !== null) throw new Error(`the recorder exited early (${child.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error('the recorder did not commit 20,000 inputs within 50 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');

  const db = new Database(file, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  db.close();
  const recording = readRecording(file);
  expect(recording.complete).toBe(false);
  const committed = recording.log.inputs.length;
  expect(committed).toBeGreaterThanOrEqual(20_000);
  expect(committed).toBeLessThan(2_000_001); // the run was cut short
  expect(committed % 512).toBe(0); // whole batches of 512 inputs: the spawn, then ticks
  expect(recording.log.labels).toEqual([['start', 1]]);
  expect(recording.log.checkpoints.at(-1)!.position).toBeLessThanOrEqual(committed);

  const machine = replayRecording(recording, ALL_SUBSYSTEMS, { upTo: committed });
  expect(machine.position).toBe(committed);
  expect(machine.kernel.tick).toBe(committed - 1);
  const report = verifyRecording(recording, ALL_SUBSYSTEMS);
  expect(report).toMatchObject({ ok: true, inputs: committed, events: committed });

  const io = memoryIo({ NO_COLOR: '1' });
  expect(runCli(['replay', file, '--verify'], io, ALL_SUBSYSTEMS)).toBe(0);
  expect(io.out()).toMatch(new RegExp(`^verified: ${committed} inputs, .*an unfinished recording: the run stopped after input ${committed - 1}`));
});
