/**
 * The real registry: ALL_SUBSYSTEMS builds a machine, and scenarios that use only what exists in
 * every version of the components (the kernel's `tick` call and `tasks` view), and the component
 * calls and views whose contracts are written down (docs/conventions.md: `alloc_pages` fails
 * with NULL / ENOMEM; spec/cli.md: /proc/buddyinfo and /proc/slabinfo 2.1 formats), parse and run
 * through the public API. Calls the components add later do not change these tests.
 */
import { describe, expect, it } from 'vitest';
import { ALL_SUBSYSTEMS, createScenarioMachine, parseScenario, runScenario, ScenarioError } from './index.js';

describe('ALL_SUBSYSTEMS', () => {
  it('lists each component subsystem once, with distinct ids and no kernel', () => {
    const ids = ALL_SUBSYSTEMS.map((s) => s.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain('kernel');
  });

  it('builds a machine whose registry has the kernel and every component', () => {
    const scenario = parseScenario('steps: []\n', 'empty.yaml');
    const machine = createScenarioMachine(scenario);
    expect(machine.bus.subsystems.map((s) => s.id)).toEqual(['kernel', ...ALL_SUBSYSTEMS.map((s) => s.id)]);
    expect(machine.registry.call('tick', 'kernel')).toBeDefined();
    expect(machine.registry.view('tasks')).toBeDefined();
  });

  it('runs a scenario of the kernel calls and views, with its checks', () => {
    const scenario = parseScenario(
      `machine: { profile: tiny, seed: 3 }
processes:
  - { name: init, personality: posix }
steps:
  - kernel: tick(10) -> now
  - spawn explorer win32
  - label two
  - kernel: tick(now) == 20
  - expect tasks: |2
        PID  PPID PERSONALITY STATE    NAME
          1     0 posix       running  init
          2     0 win32       running  explorer
  - show tasks
`,
      'kernel.yaml',
    );
    const result = runScenario(scenario, createScenarioMachine(scenario));
    expect(result.failures).toEqual([]);
    expect(result.checks).toEqual({ passed: 2, failed: 0 });
    expect(result.views.map((v) => [v.view, v.position, v.line])).toEqual([['tasks', 4, 13]]);
  });

  it('builds a machine from every machine field the scenario accepts', () => {
    const scenario = parseScenario(
      `machine:
  profile: linux-i386
  ram: 64MiB
  tlb: { entries: 16, ways: 4, replacement: fifo, asids: true, seed: 2 }
  policy: clock
  seed: 5
  pageTableFormat: i386
  phys: { maxOrder: 10 }
  legacyVaLayout: true
  stackLimit: 8MiB
  mmapMinAddr: 64KiB
  maxMapCount: 1000
steps:
  - show tasks
`,
      'fields.yaml',
    );
    const result = runScenario(scenario, createScenarioMachine(scenario));
    expect(result.failures).toEqual([]);
  });

  it('rejects a misspelled kernel call and view with suggestions from the real registry', () => {
    const errorOf = (text: string) => {
      try {
        parseScenario(text, 'bad.yaml');
      } catch (error) {
        if (error instanceof ScenarioError) return error;
      }
      throw new Error('no ScenarioError');
    };
    expect(errorOf('steps:\n  - kernel: tikc(1)\n')).toMatchObject({ line: 2, column: 13, hint: 'did you mean tick?' });
    expect(errorOf('steps:\n  - show taks\n')).toMatchObject({ line: 2, column: 10, hint: 'did you mean tasks?' });
    expect(errorOf('steps:\n  - kernel: tick(1, 2)\n').reason).toBe('tick takes 0 to 1 arguments, got 2: tick([ticks])');
  });

  it('runs the kernel allocators through their documented contracts', () => {
    const scenario = parseScenario(
      `machine: { profile: linux-i386, ram: 64MiB }
steps:
  - kernel: alloc_pages(GFP_KERNEL, 2) -> page
  - kernel: alloc_pages(GFP_KERNEL, 40) == NULL ENOMEM
  - kernel: free_pages(page, 2)
  - kernel: kmalloc(100, GFP_KERNEL) -> object
  - kernel: kfree(object)
  - kernel: kmem_cache_create("scenario_test", 192) -> cache
  - show buddyinfo
  - show slabinfo
`,
      'allocators.yaml',
    );
    const result = runScenario(scenario, createScenarioMachine(scenario));
    expect(result.failures).toEqual([]);
    expect(result.checks.passed).toBe(1);
    expect(result.views[0]!.text).toMatch(/^Node 0, zone +DMA/);
    expect(result.views[1]!.text.split('\n')[0]).toBe('slabinfo - version: 2.1');
    expect(result.views[1]!.text).toMatch(/^scenario_test +0 /m);
  });

  it('suggests the real calls and constants for misspellings', () => {
    const reasonOf = (text: string) => {
      try {
        parseScenario(text, 'bad.yaml');
      } catch (error) {
        if (error instanceof ScenarioError) return error.message;
      }
      throw new Error('no ScenarioError');
    };
    expect(reasonOf('steps:\n  - kernel: kmaloc(64, GFP_KERNEL)\n')).toBe('bad.yaml:2:13: unknown call kmaloc: expected a call available to kernel calls; did you mean kmalloc?');
    expect(reasonOf('steps:\n  - kernel: kmalloc(64, GFP_KERNL)\n')).toBe('bad.yaml:2:25: undefined name GFP_KERNL: expected a variable set earlier with -> or a constant; did you mean GFP_KERNEL?');
    expect(reasonOf('steps:\n  - show budyinfo\n')).toContain('bad.yaml:2:10: unknown view budyinfo: expected one of ');
    // One edit from both alloc_page and alloc_pages: the one of the same length is meant.
    expect(reasonOf('steps:\n  - kernel: alloc_pagez(GFP_KERNEL, 0)\n')).toBe('bad.yaml:2:13: unknown call alloc_pagez: expected a call available to kernel calls; did you mean alloc_pages?');
  });
});
