/**
 * Properties over random scenarios built from the calls and views that exist in the test
 * registry (the kernel's `tick` and `tasks`, the toy subsystem's calls and views):
 * printing a parsed scenario and parsing it again gives the same scenario (up to positions),
 * and running a scenario twice on fresh machines gives identical results.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Scenario } from './ast.js';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { parseScenarioFor } from './parse.js';
import { printScenario } from './printer.js';
import { runScenario } from './runner.js';
import { createMachineFor } from './scenarioMachine.js';

/** The scenario without positions and as-written text, which printing may legitimately change. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'at' && key !== 'source' && key !== 'block' && key !== 'file')
        .map(([key, inner]) => [key, shape(inner)]),
    );
  }
  return value;
}

const size = fc.oneof(
  fc.integer({ min: 1, max: 64 }).map((k) => `${k}KiB`),
  fc.integer({ min: 1, max: 20000 }).map(String),
  fc.integer({ min: 1, max: 0x20000 }).map((n) => `0x${n.toString(16)}`),
);
const offset = fc.integer({ min: 0, max: 4095 }).map((n) => (n % 2 === 0 ? String(n) : `0x${n.toString(16)}`));
const byte = fc.integer({ min: 0, max: 255 });
const cacheName = fc.constantFrom('dentry', 'inode_cache', 'task_struct', 'my cache');

/** One step, as YAML lines (indented by `indent`), given how many variables exist so far. */
type StepWriter = (variables: number, indent: string) => { lines: string[]; defines: number };

const simpleSteps: fc.Arbitrary<StepWriter>[] = [
  size.map((s) => (v: number, i: string) => ({ lines: [`${i}- shell: mmap(0, ${s}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> v${v}`], defines: 1 })),
  fc.tuple(fc.nat(), offset, byte).map(([k, o, b]) => (v: number, i: string) => ({
    lines: [v === 0 ? `${i}- shell: write 0x10000000 + ${o} = ${b}` : `${i}- shell: write v${k % v}+${o} = ${b}`],
    defines: 0,
  })),
  fc.tuple(fc.nat(), offset, byte, fc.constantFrom('read', 'read8', 'read16', 'read32')).map(([k, o, b, word]) => (v: number, i: string) => ({
    lines: [v === 0 ? `${i}- shell: ${word} 0x10000000 => SIGSEGV` : `${i}- shell: ${word} v${k % v} + ${o} == ${b}`],
    defines: 0,
  })),
  fc.integer({ min: 1, max: 5000 }).map((n) => (_v: number, i: string) => ({ lines: [`${i}- kernel: kmalloc(${n}, GFP_KERNEL)`], defines: 0 })),
  fc.tuple(cacheName, fc.integer({ min: 8, max: 512 }), fc.option(fc.constantFrom(8, 16, 64))).map(([name, n, align]) => (_v: number, i: string) => ({
    lines: [`${i}- kernel: kmem_cache_create("${name}", ${n}${align === null ? '' : `, ${align}`})`],
    defines: 0,
  })),
  fc.tuple(size, fc.boolean()).map(([s, zero]) => (_v: number, i: string) => ({
    lines: [zero ? `${i}- app: VirtualAlloc(NULL, 0, MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE) == NULL ERROR_INVALID_PARAMETER` : `${i}- app: VirtualAlloc(NULL, ${s}, MEM_COMMIT, PAGE_READWRITE)`],
    defines: 0,
  })),
  fc.integer({ min: 0, max: 9 }).map((n) => (_v: number, i: string) => ({ lines: [`${i}- kernel: tick(${n}) -> t${n}`], defines: 0 })),
  fc.constantFrom('show maps shell', 'show maps app', 'show toyinfo', 'show tasks').map((text) => (_v: number, i: string) => ({ lines: [`${i}- ${text}`], defines: 0 })),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom('_', '-')).map(([n, joint]) => (_v: number, i: string) => ({ lines: [`${i}- label point${joint}${n}`], defines: 0 })),
  fc.nat().map((k) => (v: number, i: string) => ({
    lines: [`${i}- expect maps shell: |`, ...(v === 0 ? [`${i}    nothing`] : [`${i}    \${v${k % v}:08x}-\${v${k % v} + 0x1000:08x} rw-p 00000000 00:00 0`])],
    defines: 0,
  })),
];

const simpleStep = fc.oneof(...simpleSteps);
const step: fc.Arbitrary<StepWriter> = fc.oneof(
  { weight: 8, arbitrary: simpleStep },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.array(simpleStep, { minLength: 1, maxLength: 3 })).map(([times, inner]) => (v: number, i: string) => {
      const lines = [`${i}- repeat ${times}:`];
      let defined = 0;
      for (const write of inner) {
        const written = write(v + defined, `${i}    `);
        lines.push(...written.lines);
        defined += written.defines;
      }
      return { lines, defines: defined };
    }),
  },
);

const scenarioText = fc.tuple(fc.constantFrom('tiny', 'linux-i386', '{ profile: alpha, ram: 64MiB, seed: 7 }'), fc.array(step, { maxLength: 12 })).map(([machine, writers]) => {
  const lines = [`machine: ${machine}`, 'processes:', '  - { name: shell, personality: posix }', '  - { name: app, personality: win32 }', 'steps:'];
  let variables = 0;
  for (const write of writers) {
    const written = write(variables, '  ');
    lines.push(...written.lines);
    variables += written.defines;
  }
  if (writers.length === 0) lines[lines.length - 1] = 'steps: []';
  return `${lines.join('\n')}\n`;
});

function parse(text: string): Scenario {
  return parseScenarioFor(text, 'random.yaml', TEST_SUBSYSTEMS);
}

describe('random scenarios', () => {
  it('parse(print(s)) gives s again, and printing is stable', () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const scenario = parse(text);
        const printed = printScenario(scenario);
        const again = parse(printed);
        expect(shape(again)).toEqual(shape(scenario));
        expect(printScenario(again)).toBe(printed);
      }),
      { numRuns: 150 },
    );
  });

  it('running twice on fresh machines gives identical results and state hashes', () => {
    fc.assert(
      fc.property(scenarioText, (text) => {
        const scenario = parse(text);
        const first = createMachineFor(scenario, TEST_SUBSYSTEMS);
        const second = createMachineFor(scenario, TEST_SUBSYSTEMS);
        expect(runScenario(scenario, second)).toEqual(runScenario(scenario, first));
        expect(second.hash()).toEqual(first.hash());
        expect(second.position).toBe(first.position);
      }),
      { numRuns: 100 },
    );
  });

  it('the printed form of a scenario is valid YAML that reads the same', () => {
    const scenario = parse('processes:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: mmap(0, 4KiB, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> buf == 0x10000000\n  - repeat 2:\n      - kernel: kmem_cache_create("a b", 64)\n  - expect maps shell: |\n      ${buf:08x}-${buf+4KiB:08x} r--p 00000000 00:00 0\n');
    expect(printScenario(scenario)).toBe(
      [
        'processes:',
        '  - name: shell',
        '    personality: posix',
        'steps:',
        '  - shell: mmap(0, 4KiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) -> buf == 0x10000000',
        '  - repeat 2:',
        '      - kernel: kmem_cache_create("a b", 64)',
        '  - expect maps shell: |',
        '      ${buf:08x}-${buf + 4KiB:08x} r--p 00000000 00:00 0',
        '',
      ].join('\n'),
    );
  });
});
