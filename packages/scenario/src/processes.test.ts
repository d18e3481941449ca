import { describe, expect, it } from 'vitest';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { parseScenarioFor } from './parse.js';
import { resolveProcess } from './processes.js';
import { runScenario } from './runner.js';
import { createMachineFor } from './scenarioMachine.js';

function runText(text: string) {
  const scenario = parseScenarioFor(text, 'p.yaml', TEST_SUBSYSTEMS);
  const machine = createMachineFor(scenario, TEST_SUBSYSTEMS);
  const result = runScenario(scenario, machine);
  return { machine, result };
}

describe('resolveProcess', () => {
  const { machine, result } = runText(`processes:
  - { name: shell, personality: posix }
steps:
  - label start
  - spawn app win32
  - label with_app
  - shell: fork() -> child
  - shell: write 0x5000 = 1 => SIGSEGV
`);

  it('the run itself held', () => {
    expect(result.failures).toEqual([]);
  });

  it('finds processes by name at the head', () => {
    expect(resolveProcess(machine, 'shell')).toBe(1);
    expect(resolveProcess(machine, 'app')).toBe(2);
    expect(resolveProcess(machine, 'shell-child')).toBe(3);
    expect(resolveProcess(machine, 'nobody')).toBeUndefined();
  });

  it('finds processes at a label or a position: a process spawned later is not there yet', () => {
    expect(resolveProcess(machine, 'app', 'start')).toBeUndefined();
    expect(resolveProcess(machine, 'app', 'with_app')).toBe(2);
    expect(resolveProcess(machine, 'shell', 0)).toBeUndefined();
    expect(resolveProcess(machine, 'shell', 1)).toBe(1);
  });

  it('accepts a pid written in decimal, and still finds an exited process by name', () => {
    expect(resolveProcess(machine, '2')).toBe(2);
    expect(resolveProcess(machine, '99')).toBeUndefined();
    expect(machine.kernel.tasks[1]!.state).toBe('exited');
    expect(resolveProcess(machine, 'shell')).toBe(1);
  });
});

describe('spawning', () => {
  it('uses kernel/spawn when no personality serves <personality>/spawn, with the personality recorded', () => {
    const { machine } = runText('processes:\n  - { name: a, personality: win32 }\nsteps:\n  - spawn b\n');
    expect(Object.values(machine.kernel.tasks).map((t) => [t.pid, t.name, t.personality])).toEqual([
      [1, 'a', 'win32'],
      [2, 'b', 'posix'],
    ]);
    expect(machine.timeline.inputs().map((i) => i.type)).toEqual(['kernel/spawn', 'kernel/spawn']);
  });
});
