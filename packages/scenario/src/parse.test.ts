import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SUBSYSTEMS } from './fixtures/toySubsystem.js';
import { loadScenarioFileFor, parseScenarioFor } from './parse.js';
import { ALL_SUBSYSTEMS } from './subsystems.js';
import { ScenarioError } from './scenarioError.js';
import { POLICIES } from './machineSpec.js';
import { createMachineFor, machineConfigOf } from './scenarioMachine.js';
import { defineSubsystem } from '@vmlab/kernel';

const directory = mkdtempSync(join(tmpdir(), 'vmlab-scenario-'));

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('loading files', () => {
  it('reads YAML and JSON with the same structure', () => {
    const yamlFile = join(directory, 'a.yaml');
    const jsonFile = join(directory, 'a.json');
    writeFileSync(yamlFile, 'machine: tiny\nprocesses:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: getpid() == 1\n  - show maps shell\n');
    writeFileSync(jsonFile, JSON.stringify({ machine: 'tiny', processes: [{ name: 'shell', personality: 'posix' }], steps: [{ shell: 'getpid() == 1' }, 'show maps shell'] }, null, 2));
    const fromYaml = loadScenarioFileFor(yamlFile, TEST_SUBSYSTEMS);
    const fromJson = loadScenarioFileFor(jsonFile, TEST_SUBSYSTEMS);
    expect(fromYaml.steps.map((s) => [s.kind, s.source])).toEqual(fromJson.steps.map((s) => [s.kind, s.source]));
    expect(fromJson.steps[0]!.at).toEqual({ line: 11, column: 7 });
  });

  it('accept a UTF-8 byte order mark in YAML and JSON alike, columns counted as editors show them', () => {
    const yamlFile = join(directory, 'bom.yaml');
    const jsonFile = join(directory, 'bom.json');
    writeFileSync(yamlFile, '\uFEFFmachine: tiny\nsteps:\n  - show toyinfo\n');
    writeFileSync(jsonFile, '\uFEFF{ "machine": "tiny", "steps": ["show toyinfo"] }\n');
    expect(loadScenarioFileFor(yamlFile, TEST_SUBSYSTEMS).steps).toHaveLength(1);
    expect(loadScenarioFileFor(jsonFile, TEST_SUBSYSTEMS).steps).toHaveLength(1);
    writeFileSync(yamlFile, '\uFEFFsteps: [show toyinfx]\n');
    writeFileSync(jsonFile, '\uFEFF{ "steps": ["show toyinfx"] }\n');
    expect(messageOf(() => loadScenarioFileFor(yamlFile, TEST_SUBSYSTEMS))).toMatch(/^\S+bom\.yaml:1:14: unknown view toyinfx: /);
    expect(messageOf(() => loadScenarioFileFor(jsonFile, TEST_SUBSYSTEMS))).toMatch(/^\S+bom\.json:1:19: unknown view toyinfx: /);
  });

  it('refuses other extensions and missing files with a located error', () => {
    expect(messageOf(() => loadScenarioFileFor(join(directory, 'a.txt'), TEST_SUBSYSTEMS))).toBe(`${join(directory, 'a.txt')}:1:1: not a scenario file: expected a name ending in .yaml, .yml, .json`);
    expect(messageOf(() => loadScenarioFileFor(join(directory, 'missing.yml'), TEST_SUBSYSTEMS))).toBe(`${join(directory, 'missing.yml')}:1:1: cannot read the file (ENOENT)`);
  });
});

describe('the machine section', () => {
  it('a profile name alone', () => {
    expect(machineConfigOf(parseScenarioFor('machine: win2000-x86\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toEqual({ profile: 'win2000-x86' });
  });

  it('an object overrides the profile, sizes in bytes', () => {
    const scenario = parseScenarioFor(
      'machine: { profile: linux-i386, ram: 64MiB, swap: 16777216, tlb: { entries: 32, ways: 4 }, policy: clock, seed: 1 }\nfiles:\n  /data/input.bin: { size: 64KiB }\n  /usr/bin/cat: { host: /usr/bin/cat }\nsteps: []\n',
      'm.yaml',
      TEST_SUBSYSTEMS,
    );
    expect(machineConfigOf(scenario)).toEqual({
      profile: 'linux-i386',
      ram: 64 * 1024 * 1024,
      swap: 16 * 1024 * 1024,
      tlb: { entries: 32, ways: 4 },
      policy: 'clock',
      seed: 1,
      files: { '/data/input.bin': { size: 65536 }, '/usr/bin/cat': { host: '/usr/bin/cat' } },
    });
  });

  it('the default profile is linux-x86_64', () => {
    expect(machineConfigOf(parseScenarioFor('steps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toEqual({ profile: 'linux-x86_64' });
  });
});

describe('validation against the registry', () => {
  it('memory accesses need a server of mmu/access', () => {
    const text = 'processes:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: read 0x1000\n';
    expect(messageOf(() => parseScenarioFor(text, 'k.yaml', []))).toBe('k.yaml:4:5: memory accesses need the hardware-mmu subsystem (nobody serves mmu/access yet)');
    expect(() => parseScenarioFor(text, 'k.yaml', TEST_SUBSYSTEMS)).not.toThrow();
  });

  it('knows only what the registry offers: the kernel alone has tick and tasks', () => {
    expect(() => parseScenarioFor('steps:\n  - kernel: tick(3) -> now\n  - kernel: tick(now)\n  - show tasks\n', 'k.yaml', [])).not.toThrow();
    expect(messageOf(() => parseScenarioFor('steps:\n  - kernel: kmalloc(64, GFP_KERNEL)\n', 'k.yaml', []))).toBe('k.yaml:2:13: unknown call kmalloc: expected a call available to kernel calls');
  });

  it('a pid held by a variable names a process of the parent personality', () => {
    expect(() =>
      parseScenarioFor('processes:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: fork() -> child\n  - child: getpid()\n  - show maps child\n', 'f.yaml', TEST_SUBSYSTEMS),
    ).not.toThrow();
    expect(messageOf(() => parseScenarioFor('steps:\n  - kernel: tick() -> t\n  - t: getpid()\n', 'f.yaml', TEST_SUBSYSTEMS))).toContain('f.yaml:3:5: unknown process t');
  });

  it('nothing runs on a bad file: the first error is thrown before any machine exists', () => {
    const text = 'processes:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: getpid()\n  - shell: getpdi()\n';
    expect(messageOf(() => parseScenarioFor(text, 'x.yaml', TEST_SUBSYSTEMS))).toBe('x.yaml:5:12: unknown call getpdi: expected a call available to posix processes; did you mean getpid?');
  });

  it('a ScenarioError carries its parts', () => {
    try {
      parseScenarioFor('steps:\n  - show mpas\n', 'e.yaml', TEST_SUBSYSTEMS);
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      expect(error).toMatchObject({ file: 'e.yaml', line: 2, column: 10, hint: 'did you mean maps?' });
      expect((error as ScenarioError).reason).toBe('unknown view mpas: expected one of maps, tasks, toyinfo');
    }
  });
});

describe('host files', () => {
  it('must exist, relative to the scenario file', () => {
    writeFileSync(join(directory, 'data.bin'), 'content');
    const good = join(directory, 'host.yaml');
    writeFileSync(good, 'files:\n  /data/input.bin: { host: data.bin }\nsteps: []\n');
    expect(loadScenarioFileFor(good, TEST_SUBSYSTEMS).files).toEqual([{ path: '/data/input.bin', host: 'data.bin', at: { line: 2, column: 3 } }]);
    const bad = join(directory, 'missing-host.yaml');
    writeFileSync(bad, 'files:\n  /data/input.bin: { host: nothing.bin }\nsteps: []\n');
    expect(messageOf(() => loadScenarioFileFor(bad, TEST_SUBSYSTEMS))).toBe(
      `${bad}:2:3: file /data/input.bin: its host file nothing.bin does not exist (a relative path is read from the scenario's folder)`,
    );
  });
});

describe('machine fields of the subsystems', () => {
  it('pass through when a component reads them, read as that component needs', () => {
    const scenario = parseScenarioFor(
      'machine: { profile: tiny, pageTableFormat: i386, phys: { maxOrder: 5 }, stackLimit: 8MiB, maxMapCount: 100, legacyVaLayout: true }\nsteps: []\n',
      'm.yaml',
      ALL_SUBSYSTEMS,
    );
    expect(machineConfigOf(scenario)).toEqual({ profile: 'tiny', pageTableFormat: 'i386', phys: { maxOrder: 5 }, stackLimit: 8 * 1024 * 1024, maxMapCount: 100, legacyVaLayout: true });
  });

  it('are the fields the subsystems of the machine declare (configFields): another machine refuses them', () => {
    expect(messageOf(() => parseScenarioFor('machine: { pageTableFormat: i386 }\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toBe(
      'm.yaml:1:12: unknown machine field pageTableFormat: expected profile, ram, swap, tlb, policy, seed or a field a component reads (legacyVaLayout, stackLimit, toyCount, toyOptions)',
    );
  });

  it('are refused when no component reads them, with a suggestion when close', () => {
    const fields = 'profile, ram, swap, tlb, policy, seed or a field a component reads (addrLimit3gb, ia32Emulation, legacyVaLayout, lsmMmapMinAddr, maxMapCount, mmapMinAddr, pageTableFormat, phys, stackLimit)';
    expect(messageOf(() => parseScenarioFor('machine: { sed: 3 }\nsteps: []\n', 'm.yaml', ALL_SUBSYSTEMS))).toBe(`m.yaml:1:12: unknown machine field sed: expected ${fields}; did you mean seed?`);
    expect(messageOf(() => parseScenarioFor('machine: { maxOrder: 5 }\nsteps: []\n', 'm.yaml', ALL_SUBSYSTEMS))).toBe(`m.yaml:1:12: unknown machine field maxOrder: expected ${fields}`);
    expect(messageOf(() => parseScenarioFor('machine: { stackLimt: 8MiB }\nsteps: []\n', 'm.yaml', ALL_SUBSYSTEMS))).toBe(
      `m.yaml:1:12: unknown machine field stackLimt: expected ${fields}; did you mean stackLimit?`,
    );
  });

  it('tlb takes what the TLB reads: replacement, asids and seed beside entries and ways', () => {
    const scenario = parseScenarioFor('machine: { tlb: { entries: 16, ways: 4, replacement: random, asids: true, seed: 7 } }\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS);
    expect(machineConfigOf(scenario).tlb).toEqual({ entries: 16, ways: 4, replacement: 'random', asids: true, seed: 7 });
    expect(messageOf(() => parseScenarioFor('machine: { tlb: { entries: 16, ways: 4, asids: 1 } }\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toBe('m.yaml:1:48: asids: expected true or false');
    expect(messageOf(() => parseScenarioFor('machine: { tlb: { ways: 4 } }\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toBe('m.yaml:1:17: tlb needs entries');
  });

  it('policy must be one the project names', () => {
    for (const policy of POLICIES) expect(machineConfigOf(parseScenarioFor(`machine: { policy: ${policy} }\nsteps: []\n`, 'm.yaml', TEST_SUBSYSTEMS)).policy).toBe(policy);
    expect(messageOf(() => parseScenarioFor('machine: { policy: 3 }\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toMatch(/^m\.yaml:1:20: expected a page-replacement policy name \(fifo, /);
    expect(messageOf(() => parseScenarioFor('machine:\n  policy:\nsteps: []\n', 'm.yaml', TEST_SUBSYSTEMS))).toMatch(/^m\.yaml:2:3: expected a page-replacement policy name \(fifo, /);
  });

  it('a configuration a subsystem refuses is a ScenarioError at the machine section', () => {
    const picky = defineSubsystem<null>({
      id: 'picky',
      requests: {},
      events: {},
      initialState: (config) => {
        if (typeof config.ram === 'number' && config.ram < 4096) throw new RangeError(`ram must be at least one page (4096 bytes), got ${config.ram}`);
        return null;
      },
      decide: () => ({ reply: null }),
      evolve: () => undefined,
    });
    const scenario = parseScenarioFor('steps: []\nmachine:\n  ram: 100\n', 'm.yaml', [picky]);
    expect(messageOf(() => createMachineFor(scenario, [picky]))).toBe('m.yaml:3:3: the machine cannot be built from this configuration: ram must be at least one page (4096 bytes), got 100');
  });
});

describe('personalities without calls yet', () => {
  it('say so instead of suggesting nothing', () => {
    expect(messageOf(() => parseScenarioFor('processes:\n  - { name: shell, personality: posix }\nsteps:\n  - shell: mmap(0, 4096, 3, 34, -1, 0)\n', 'p.yaml', []))).toBe(
      'p.yaml:4:12: unknown call mmap: no subsystem offers calls to posix processes yet',
    );
  });
});
