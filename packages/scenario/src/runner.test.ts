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

const HEADER = `processes:
  - { name: shell, personality: posix }
  - { name: app, personality: win32 }
steps:
  - shell: mmap(0, 16KiB, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> buf
`;

describe('checks that should fail do fail', () => {
  it('a wrong call result names the step, its line, expected and actual', () => {
    const result = run(`${HEADER}  - shell: munmap(buf, 16KiB) == -1 EINVAL\n`);
    expect(result.ok).toBe(false);
    expect(result.checks).toEqual({ passed: 0, failed: 1 });
    expect(result.failures).toEqual([
      {
        step: 2,
        line: 6,
        column: 5,
        source: 'shell: munmap(buf, 16KiB) == -1 EINVAL',
        expected: '-1 EINVAL',
        actual: '0',
        message: 'munmap returned 0',
      },
    ]);
  });

  it('a wrong errno fails even when the value matches', () => {
    const result = run(`${HEADER}  - shell: munmap(0x1234, 4KiB) == -1 ENOMEM\n`);
    expect(result.failures[0]).toMatchObject({ expected: '-1 ENOMEM', actual: '-1 EINVAL' });
  });

  it('a Win32 failure is checked with NULL and the GetLastError name', () => {
    const result = run(`${HEADER}  - app: VirtualAlloc(NULL, 0, MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE) == NULL ERROR_INVALID_PARAMETER\n`);
    expect(result.failures).toEqual([]);
    expect(result.checks.passed).toBe(1);
    const wrong = run(`${HEADER}  - app: VirtualAlloc(NULL, 0, MEM_COMMIT, PAGE_READWRITE) == NULL ERROR_INVALID_ADDRESS\n`);
    expect(wrong.failures[0]).toMatchObject({ line: 6, expected: '0 ERROR_INVALID_ADDRESS', actual: '0 ERROR_INVALID_PARAMETER' });
  });

  it('a wrong value read names the address and both values', () => {
    const result = run(`${HEADER}  - shell: write buf+0x10 = 42\n  - shell: read buf+0x10 == 43\n`);
    expect(result.failures).toEqual([
      { step: 3, line: 7, column: 5, source: 'shell: read buf+0x10 == 43', expected: '43', actual: '42', message: 'read 42 at 0x10000010' },
    ]);
  });

  it('an unexpected fault kills the process and fails the run; later accesses fail too', () => {
    const result = run(`${HEADER}  - shell: write 0x1000 = 1\n  - shell: read buf\n`);
    expect(result.failures.map((f) => [f.line, f.message])).toEqual([
      [6, 'shell was killed by SIGSEGV at 0x1000'],
      [7, 'shell has exited (SIGSEGV) and cannot access memory'],
    ]);
  });

  it('an expected fault is a check that holds, and the process is gone afterwards', () => {
    const result = run(`${HEADER}  - shell: write 0x1000 = 1 => SIGSEGV\n  - show tasks\n`);
    expect(result.failures).toEqual([]);
    expect(result.checks.passed).toBe(1);
    expect(result.views[0]!.text).toContain('exit(SIGSEGV) shell');
  });

  it('a fault names its signal when the reply gives one, else the personality decides', () => {
    const result = run(`${HEADER}  - shell: mmap(0, 4KiB, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) -> ro
  - shell: write ro = 1 => SIGSEGV
  - app: VirtualAlloc(NULL, 4KiB, MEM_COMMIT, PAGE_READWRITE) -> mem
  - app: write mem + 4KiB = 1 => EXCEPTION_ACCESS_VIOLATION
`);
    expect(result.failures.map((f) => [f.line, f.message, f.expected, f.actual])).toEqual([[7, 'the access raised SIGBUS', 'SIGSEGV', 'SIGBUS']]);
    expect(result.checks).toEqual({ passed: 1, failed: 1 });
  });

  it('an expected fault that does not happen fails', () => {
    const result = run(`${HEADER}  - shell: write buf = 1 => SIGSEGV\n`);
    expect(result.failures[0]).toMatchObject({ line: 6, expected: 'SIGSEGV', actual: 'no fault' });
  });

  it('an expect block that differs gives a line diff with - expected and + actual', () => {
    const result = run(`${HEADER}  - shell: mmap(0, 4KiB, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  - expect maps shell: |
      \${buf:08x}-\${buf+16KiB:08x} rw-p 00000000 00:00 0
      10004000-10005000 rw-p 00000000 00:00 0
`);
    expect(result.checks).toEqual({ passed: 0, failed: 1 });
    const failure = result.failures[0]!;
    expect(failure).toMatchObject({ step: 3, line: 7, column: 5, source: 'expect maps shell', message: 'view maps of shell differs from the expected block' });
    expect(failure.expected).toBe('10000000-10004000 rw-p 00000000 00:00 0\n10004000-10005000 rw-p 00000000 00:00 0');
    expect(failure.actual).toBe('10000000-10004000 rw-p 00000000 00:00 0\n10004000-10005000 r--p 00000000 00:00 0\n');
    expect(failure.diff).toBe('  10000000-10004000 rw-p 00000000 00:00 0\n- 10004000-10005000 rw-p 00000000 00:00 0\n+ 10004000-10005000 r--p 00000000 00:00 0');
  });

  it('expect blocks ignore trailing spaces', () => {
    const result = run(`${HEADER}  - expect maps shell: "\${buf:08x}-\${buf+16KiB:08x} rw-p 00000000 00:00 0   \\n"\n`);
    expect(result.failures).toEqual([]);
  });

  it('repeat runs its steps N times and each check counts', () => {
    const result = run(`${HEADER}  - repeat 3:
      - kernel: kmalloc(64, GFP_KERNEL)
      - shell: getpid() == 1
  - expect toyinfo: |
      kmallocs 3
      caches
`);
    expect(result.failures).toEqual([]);
    expect(result.steps).toBe(1 + 6 + 1);
    expect(result.checks.passed).toBe(4);
  });

  it('an argument whose variable holds the wrong type fails at run time, before the call', () => {
    const result = run(`${HEADER}  - kernel: kmem_cache_create("dentry", 192) -> cache\n  - kernel: kmem_cache_create(buf, 64)\n  - expect toyinfo: |\n      kmallocs 0\n      caches dentry\n`);
    expect(result.failures.map((f) => [f.line, f.message, f.expected, f.actual])).toEqual([[7, 'argument name of kmem_cache_create must be a "string"', 'a "string"', '268435456']]);
  });

  it('a machine without the subsystems the scenario was checked against refuses those steps, and the run goes on', () => {
    const text = `processes:
  - { name: shell, personality: posix }
steps:
  - shell: write 0x1000 = 1
  - shell: getpid()
  - shell: mmap(0, 4KiB, 1, 2, -1, 0) -> buf
  - shell: munmap(buf, 4KiB)
  - show tasks
`;
    const scenario = parseScenarioFor(text, 't.yaml', TEST_SUBSYSTEMS);
    const result = runScenario(scenario, createMachineFor(scenario, []));
    expect(result.failures.map((f) => [f.line, f.message, f.actual])).toEqual([
      [4, 'the machine refused the step: no server handles requests of type mmu/access', 'NO_SERVER'],
      [5, 'getpid could not be called: no call getpid is available to posix', 'no such call'],
      [6, 'mmap could not be called: no call mmap is available to posix', 'no such call'],
      [7, 'buf has no value', 'none'],
    ]);
    expect(result.views).toHaveLength(1);
  });

  it('fork() -> child names a process usable in later steps', () => {
    const result = run(`${HEADER}  - shell: write buf = 9\n  - shell: fork() -> child\n  - child: read buf == 9\n  - child: getpid() == child\n  - show maps child\n`);
    expect(result.failures).toEqual([]);
    expect(result.views[0]).toMatchObject({ process: 'child', pid: 3 });
  });

  it('labels name timeline positions and views record theirs', () => {
    const scenario = parseScenarioFor(`${HEADER}  - label mapped\n  - spawn extra win32\n  - show tasks\n`, 't.yaml', TEST_SUBSYSTEMS);
    const machine = createMachineFor(scenario, TEST_SUBSYSTEMS);
    const steps: [number, number][] = [];
    const result = runScenario(scenario, machine, { onStep: (done, total) => steps.push([done, total]) });
    expect(machine.timeline.labels().get('mapped')).toBe(3);
    expect(result.views[0]!.position).toBe(4);
    expect(result.views[0]!.text).toContain('win32');
    expect(steps).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
  });
});

describe('writes of values wider than the access', () => {
  it('fail at run time naming the step when the value comes from a variable, and write nothing', () => {
    const result = run(`${HEADER}  - shell: write buf+0x10 = 7\n  - shell: write buf+0x10 = buf\n  - shell: write16 buf+0x20 = buf - 0x10000000 + 0xffff\n  - shell: read buf+0x10 == 7\n`);
    expect(result.checks).toEqual({ passed: 1, failed: 1 });
    expect(result.failures).toEqual([
      {
        step: 3,
        line: 7,
        column: 5,
        source: 'shell: write buf+0x10 = buf',
        expected: 'a value from -128 to 255',
        actual: String(0x10000000),
        message: 'write at 0x10000010 not done: value 268435456 does not fit in one byte, the width of write: expected -128 to 255, or write16/write32/write64 for a wider value',
      },
    ]);
  });

  it('are refused before the run when the value is a constant; values that fit pass, signed or not', () => {
    expect(() => run(`${HEADER}  - shell: write32 buf = 0x100000000\n`)).toThrow('test.yaml:6:26: value 4294967296 does not fit in 4 bytes, the width of write32');
    const result = run(`${HEADER}  - shell: write buf = -128\n  - shell: write buf+1 = 255\n  - shell: write16 buf+2 = -1\n  - shell: write32 buf+4 = 0xffffffff\n  - shell: write64 buf+8 = 0x1fffffffffffff\n`);
    expect(result.failures).toEqual([]);
    expect(result.steps).toBe(6);
  });
});
