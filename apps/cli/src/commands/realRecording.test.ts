/**
 * The recording commands on a recording of the quick start, made with every real subsystem: what
 * `log --why` reads from the stored rows is the chain the kernel's timeline gives for the same run,
 * and the damage a reviewer made by hand (a configuration no profile fits, a type nobody serves)
 * ends in one line and exit 2, never a stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { alteredCopy } from '../testing/alteredCopy.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';
import { readRecording } from '../recording/reader.js';
import { replayRecording } from '../recording/replay.js';

const QUICKSTART = fileURLToPath(new URL('../../../../examples/quickstart.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'vmlab-real-'));
const file = join(dir, 'run.vmlab');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]): { code: number; out: string; err: string } {
  const io = memoryIo({ NO_COLOR: '1' });
  const code = runCli(args, io, ALL_SUBSYSTEMS);
  return { code, out: io.out(), err: io.err() };
}

function copy(name: string, sql: string): string {
  return alteredCopy(file, join(dir, name), sql);
}

beforeAll(() => {
  expect(cli('run', QUICKSTART, '--record', file).code).toBe(0);
});

describe('a recording of the quick start', () => {
  it('log --why gives, from the stored rows, the chain the replayed timeline gives, for every event', () => {
    const machine = replayRecording(readRecording(file), ALL_SUBSYSTEMS);
    const count = machine.timeline.eventCount;
    expect(count).toBeGreaterThan(10);
    let nested = 0;
    for (let seq = 0; seq < count; seq++) {
      const chain = machine.timeline.why(seq);
      if (chain.requests.length > 1) nested++;
      const stored = cli('log', file, '--why', String(seq), '--json');
      expect(stored.code).toBe(0);
      expect(JSON.parse(stored.out), `event ${seq}`).toEqual(JSON.parse(JSON.stringify(chain)));
    }
    // Some events come from requests servers made of each other, not only from inputs.
    expect(nested).toBeGreaterThan(0);
  });

  it('log --requests lists the stored requests after their input and before its events, as the run made them', () => {
    const machine = replayRecording(readRecording(file), ALL_SUBSYSTEMS);
    const listed = JSON.parse(cli('log', file, '--requests', '--json').out) as { entries: { kind: string; input?: number; seq?: number; id?: number }[] };
    const expected: unknown[] = [];
    const events = machine.timeline.events();
    for (let seq = 0; seq < machine.position; seq++) {
      expected.push(['input', seq]);
      for (const r of machine.timeline.requestsOf(seq)) if (r.id !== 0) expected.push(['request', seq, r.id, r.type, r.server, r.parent]);
      for (const e of events) if (e.input === seq) expected.push(['event', e.seq]);
    }
    const entries = listed.entries as { kind: string; input?: number; seq?: number; id?: number; type?: string; server?: string; parent?: number }[];
    expect(entries.map((e) => (e.kind === 'input' ? ['input', e.seq] : e.kind === 'request' ? ['request', e.input, e.id, e.type, e.server, e.parent] : ['event', e.seq]))).toEqual(expected);
    expect(expected.filter((e) => (e as unknown[])[0] === 'request').length).toBeGreaterThan(5);
    // Filters apply to requests as to the rest.
    const pages = JSON.parse(cli('log', file, '--requests', '--type', 'phys/alloc-pages', '--json').out) as { entries: { kind: string; type: string }[] };
    expect(new Set(pages.entries.map((e) => `${e.kind} ${e.type}`))).toEqual(new Set(['input phys/alloc-pages', 'request phys/alloc-pages']));
    expect(cli('log', file, '--requests', '--from', '3', '--to', '3').out).toMatch(/^ {2}request 1 {2}phys\/alloc-pages \{"gfp":\d+,"order":0,"owner":"slab"\} {2}\(served by phys; asked by request 0\)$/m);
  });

  it('a configuration no subsystem accepts is a damaged recording: one line, exit 2', () => {
    const profile = copy('profile.vmlab', `UPDATE meta SET value = '{"profile":"nosuch"}' WHERE key = 'config'`);
    const ram = copy('ram.vmlab', `UPDATE meta SET value = json_set(value, '$.ram', -5) WHERE key = 'config'`);
    for (const target of [profile, ram]) {
      for (const args of [['replay', '--verify'], ['inspect', '--view', 'tasks'], ['diff']]) {
        const result = cli(args[0]!, target, ...args.slice(1));
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.out).toBe('');
        expect(result.err).toMatch(new RegExp(`^vmlab: ${target.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is a damaged recording: its machine configuration \\(meta\\.config .*\\) is refused: [^\\n]+\\n$`));
      }
    }
  });

  it('inputs of a type nobody serves, as a row or a block, are a damaged recording naming the input', () => {
    const row = copy('row.vmlab', "UPDATE inputs SET type = 'foo/bar' WHERE seq = 2");
    const block = copy('block.vmlab', "UPDATE input_blocks SET type = 'foo/bar'");
    const first = (new Database(file, { readonly: true }).prepare('SELECT min(first_seq) AS s FROM input_blocks').get() as { s: number }).s;
    for (const [target, seq] of [[row, 2], [block, first]] as const) {
      for (const args of [['replay', '--verify'], ['log'], ['inspect', '--view', 'tasks']]) {
        expect(cli(args[0]!, target, ...args.slice(1))).toEqual({
          code: 2,
          out: '',
          err: `vmlab: ${target} is a damaged recording: input ${seq} has type foo/bar, which the recording's schema (schema_types) does not list\n`,
        });
      }
    }
  });
});
