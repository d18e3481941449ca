import { describe, expect, it } from 'vitest';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { parseScenarioFor } from './parse.js';
import { runScenario } from './runner.js';
import { createMachineFor } from './scenarioMachine.js';

function run(text: string) {
  const scenario = parseScenarioFor(text, 'test.yaml', TEST_SUBSYSTEMS);
  return runScenario(scenario, createMachineFor(scenario, TEST_SUBSYSTEMS));
}

describe('runScenario', () => {
  it('runs calls, accesses, fork and views, and every check holds', () => {
    const result = run(`
processes:
  - { name: shell, personality: posix }
steps:
  - shell: mmap(0, 16KiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> buf == 0x10000000
  - shell: write buf+0x10 = 42
  - shell: fork() -> child
  - child: write buf+0x10 = 7
  - shell: read buf+0x10 == 42
  - child: read buf+0x10 == 7
  - shell: mmap(0, 0, PROT_READ, MAP_PRIVATE, -1, 0) == -1 EINVAL
  - label after
  - show maps shell
  - expect maps shell: |
      \${buf:08x}-\${buf+16KiB:08x} rw-p 00000000 00:00 0
`);
    expect(result.failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.steps).toBe(10);
    expect(result.checks).toEqual({ passed: 5, failed: 0 });
    expect(result.views).toHaveLength(1);
    expect(result.views[0]!.text).toBe('10000000-10004000 rw-p 00000000 00:00 0\n');
    expect(result.views[0]).toMatchObject({ step: 9, line: 13, view: 'maps', process: 'shell', pid: 1 });
  });
});
