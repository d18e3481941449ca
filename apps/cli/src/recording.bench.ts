/**
 * The CLI's benchmarks (issue 3): recording overhead — the same scenario run through `vmlab run`
 * with `--record` and without, as a ratio (target ≤ 2×) — and the recording's size per input and
 * per event. Three scenarios: the kernel's cheapest input (clock ticks: the worst case for the
 * ratio, since the run itself costs almost nothing), a mixed one (spawns, ticks and labels), and
 * the components' calls (alloc_pages/free_pages and kmalloc/kfree, several events per input).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSuite, median, timeMs, type Measurement } from '@vmlab/bench';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { memoryIo } from './output/io.js';
import { runCli } from './program.js';
import { readRecording } from './recording/reader.js';

const SCENARIOS = {
  ticks: ['steps:', '  - repeat 100000:', '      - kernel: tick(1)', ''].join('\n'),
  components: [
    'machine: { profile: linux-i386, ram: 16MiB }',
    'processes:',
    '  - { name: shell, personality: posix }',
    'steps:',
    '  - repeat 5000:',
    '      - kernel: alloc_pages(GFP_KERNEL, 1) -> block',
    '      - kernel: kmalloc(200, GFP_KERNEL) -> object',
    '      - kernel: kfree(object)',
    '      - kernel: free_pages(block, 1)',
    '  - show buddyinfo',
    '',
  ].join('\n'),
  mixed: ['processes:', '  - { name: shell, personality: posix }', 'steps:', '  - repeat 2000:', '      - spawn worker posix', '      - repeat 20:', '          - kernel: tick(3)', '      - label round', '  - show tasks', ''].join('\n'),
} as const;

function run(args: string[]): void {
  const code = runCli(args, memoryIo(), ALL_SUBSYSTEMS);
  if (code !== 0) throw new Error(`vmlab ${args.join(' ')} exited ${code}`);
}

function overhead(name: keyof typeof SCENARIOS): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-bench-'));
  try {
    const scenario = join(dir, `${name}.yaml`);
    writeFileSync(scenario, SCENARIOS[name]);
    const recording = join(dir, `${name}.vmlab`);
    run(['run', scenario]);
    run(['run', scenario, '--record', recording]);
    const plain: number[] = [];
    const recorded: number[] = [];
    for (let i = 0; i < 7; i++) {
      plain.push(timeMs(() => run(['run', scenario])));
      recorded.push(timeMs(() => run(['run', scenario, '--record', recording])));
    }
    const bytes = statSync(recording).size;
    const { log } = readRecording(recording);
    const events = log.events?.length ?? 0;
    return {
      value: median(recorded) / median(plain),
      details: {
        'without ms': Math.round(median(plain)),
        'with --record ms': Math.round(median(recorded)),
        inputs: log.inputs.length,
        events,
        'bytes/input': Math.round(bytes / log.inputs.length),
        'bytes/event': Math.round(bytes / Math.max(1, events)),
        'file KiB': Math.round(bytes / 1024),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function size(name: keyof typeof SCENARIOS): Measurement {
  const dir = mkdtempSync(join(tmpdir(), 'vmlab-bench-'));
  try {
    const scenario = join(dir, `${name}.yaml`);
    writeFileSync(scenario, SCENARIOS[name]);
    const recording = join(dir, `${name}.vmlab`);
    run(['run', scenario, '--record', recording]);
    const bytes = statSync(recording).size;
    const { log } = readRecording(recording);
    const events = log.events?.length ?? 0;
    return { value: bytes / log.inputs.length, details: { 'bytes/event': Math.round(bytes / Math.max(1, events)), inputs: log.inputs.length, events, 'file KiB': Math.round(bytes / 1024) } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default defineSuite('@vmlab/cli', [
  { name: 'recording overhead, 100k clock ticks (--record / without)', unit: '×', target: { atMost: 2 }, run: () => overhead('ticks') },
  { name: 'recording overhead, spawns + ticks + labels (--record / without)', unit: '×', target: { atMost: 2 }, run: () => overhead('mixed') },
  { name: 'recording overhead, alloc_pages + kmalloc + kfree + free_pages (--record / without)', unit: '×', target: { atMost: 2 }, run: () => overhead('components') },
  { name: 'recording size per input, 100k clock ticks', unit: 'bytes', run: () => size('ticks') },
  { name: 'recording size per input, spawns + ticks + labels', unit: 'bytes', run: () => size('mixed') },
  { name: 'recording size per input, alloc_pages + kmalloc + kfree + free_pages', unit: 'bytes', run: () => size('components') },
]);
