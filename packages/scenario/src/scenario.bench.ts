/**
 * The scenario package's benchmarks: how fast a large scenario is parsed and validated (YAML,
 * the step grammar, the registry checks), and how fast its steps run through a machine. Both use
 * the toy test subsystem, so the figures measure this package and the kernel, not a component.
 * Most of the parse time is the YAML library's (about 1 s for this 520 KB file on a loaded
 * 2-core machine); the step grammar and validation add little.
 */
import { defineSuite, median, timeMs } from '@vmlab/bench';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { parseScenarioFor } from './parse.js';
import { runScenario } from './runner.js';
import { createMachineFor } from './scenarioMachine.js';

const ROUNDS = 2000;

/** A scenario of 6 × ROUNDS steps: calls with flags and sizes, memory accesses with checks, kernel calls. */
function largeScenario(): string {
  const lines = ['processes:', '  - { name: shell, personality: posix }', 'steps:'];
  for (let i = 0; i < ROUNDS; i++) {
    lines.push(
      `  - shell: mmap(0, ${(i % 16) + 1}KiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> b${i}`,
      `  - shell: write b${i} + 0x10 = ${i % 256}`,
      `  - shell: read b${i} + 0x10 == ${i % 256}`,
      `  - kernel: kmalloc(${(i % 64) * 8 + 8}, GFP_KERNEL)`,
      `  - kernel: kmem_cache_create("cache_${i}", 64)`,
      '  - label round',
    );
  }
  return `${lines.join('\n')}\n`;
}

const text = largeScenario();
const STEPS = ROUNDS * 6;

export default defineSuite('@vmlab/scenario', [
  {
    name: `parse and validate a ${STEPS}-step scenario`,
    unit: 'steps/s',
    run() {
      parseScenarioFor(text, 'large.yaml', TEST_SUBSYSTEMS);
      const ms = median([1, 2, 3].map(() => timeMs(() => parseScenarioFor(text, 'large.yaml', TEST_SUBSYSTEMS))));
      return { value: (STEPS / ms) * 1000, details: { 'ms per parse': ms, 'bytes': text.length } };
    },
  },
  {
    name: `run a ${STEPS}-step scenario (timeline on)`,
    unit: 'steps/s',
    run() {
      const scenario = parseScenarioFor(text, 'large.yaml', TEST_SUBSYSTEMS);
      let failed = 0;
      const ms = median(
        [1, 2, 3].map(() =>
          timeMs(() => {
            failed += runScenario(scenario, createMachineFor(scenario, TEST_SUBSYSTEMS)).checks.failed;
          }),
        ),
      );
      if (failed !== 0) throw new Error(`the benchmark scenario's checks failed ${failed} times`);
      return { value: (STEPS / ms) * 1000, details: { 'ms per run': ms } };
    },
  },
]);
