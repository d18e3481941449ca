/**
 * Property: `vmlab inspect` at any label or position of a recording gives the same view text as
 * the run printed at that point. Random scenarios over the subsystems that exist: the kernel's
 * processes, clock and `tasks` view, plus each component's calls and views that the registry offers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { memoryIo } from '../output/io.js';
import { runCli } from '../program.js';

const dir = mkdtempSync(join(tmpdir(), 'vmlab-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registry = createMachine({ subsystems: ALL_SUBSYSTEMS }).registry;
const has = (call: string, view: string) => registry.call(call, 'kernel') !== undefined && registry.view(view) !== undefined;

/** One generated step: its scenario text (a view is shown after it with probability). */
type Step = string;

const kernelSteps: fc.Arbitrary<Step>[] = [
  fc.constantFrom('posix', 'win32').map((personality) => `spawn NAME ${personality}`),
  fc.integer({ min: 0, max: 50 }).map((n) => `kernel: tick(${n})`),
  fc.constant('show tasks'),
];
/** Component steps, present once the component registers the call and view (checked against the registry). */
const componentSteps: fc.Arbitrary<Step>[] = [];
if (has('alloc_pages', 'buddyinfo')) {
  componentSteps.push(fc.integer({ min: 0, max: 3 }).map((order) => `kernel: alloc_pages(GFP_KERNEL, ${order})`), fc.constant('show buddyinfo'));
}
if (has('kmalloc', 'slabinfo')) {
  componentSteps.push(fc.constantFrom(8, 32, 100, 256, 1000, 4096).map((size) => `kernel: kmalloc(${size}, GFP_KERNEL)`), fc.constant('show slabinfo'));
}

if (has('do_mmap', 'maps')) {
  // Process 1 is `shell`, the scenario's first process: process views by name and by pid.
  componentSteps.push(
    fc.constantFrom('4KiB', '16KiB', '1MiB').chain((size) => fc.constantFrom('PROT_READ', 'PROT_READ|PROT_WRITE').map((prot) => `kernel: do_mmap(1, 0, ${size}, ${prot}, MAP_PRIVATE|MAP_ANONYMOUS)`)),
    fc.constant('show maps shell'),
  );
  if (registry.view('status')) componentSteps.push(fc.constant('show status shell'));
}
if (registry.view('tlb')) componentSteps.push(fc.constant('show tlb'));

const scenarioArbitrary = fc
  .array(fc.tuple(fc.oneof(...kernelSteps, ...componentSteps), fc.boolean()), { minLength: 1, maxLength: 25 })
  .map((steps) => {
    const lines = ['processes:', '  - { name: shell, personality: posix }', 'steps:'];
    steps.forEach(([step, labelled], i) => {
      lines.push(`  - ${step.replace('NAME', `proc${i}`)}`);
      if (labelled) lines.push(`  - label point${i}`);
    });
    lines.push('  - show tasks', '');
    return lines.join('\n');
  });

interface RunJson {
  ok: boolean;
  views: { view: string; position: number; process?: string; pid?: number; text: string; step: number }[];
}

describe('vmlab inspect', () => {
  it('renders at every label and position the text the run printed there', () => {
    let n = 0;
    fc.assert(
      fc.property(scenarioArbitrary, (text) => {
        const file = join(dir, `random${n}.yaml`);
        const recording = join(dir, `random${n++}.vmlab`);
        writeFileSync(file, text);
        const io = memoryIo({ NO_COLOR: '1' });
        const code = runCli(['run', file, '--record', recording, '--json'], io, ALL_SUBSYSTEMS);
        expect(io.err()).toBe('');
        expect([0, 1]).toContain(code);
        const run = JSON.parse(io.out()) as RunJson;
        for (const view of run.views) {
          const at = memoryIo({ NO_COLOR: '1' });
          const args = ['inspect', recording, '--at', String(view.position), '--view', view.view, ...(view.pid === undefined ? [] : ['--proc', String(view.pid)])];
          expect(runCli(args, at, ALL_SUBSYSTEMS), at.err()).toBe(0);
          const printed = view.text === '' || view.text.endsWith('\n') ? view.text : view.text + '\n';
          expect(at.out()).toBe(printed);
          if (view.process !== undefined) {
            // The process named as the scenario named it, found in the task table at that position.
            const byName = memoryIo({ NO_COLOR: '1' });
            expect(runCli(['inspect', recording, '--at', String(view.position), '--view', view.view, '--proc', view.process], byName, ALL_SUBSYSTEMS), byName.err()).toBe(0);
            expect(byName.out()).toBe(printed);
          }
        }
        // Every label: the view shown at the label's position (if any) is what inspect --at LABEL renders.
        const labels = [...text.matchAll(/label (point\d+)/g)].map((m) => m[1]!);
        for (const label of labels) {
          const labelled = memoryIo({ NO_COLOR: '1' });
          expect(runCli(['inspect', recording, '--at', label, '--view', 'tasks', '--json'], labelled, ALL_SUBSYSTEMS)).toBe(0);
          const shown = JSON.parse(labelled.out()) as { position: number; text: string };
          const printed = run.views.filter((v) => v.view === 'tasks' && v.position === shown.position);
          for (const v of printed) expect(shown.text).toBe(v.text);
        }
      }),
      { numRuns: 50 },
    );
  });
});
