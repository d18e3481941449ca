import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SUBSYSTEMS } from '../fixtures/toySubsystem.js';
import { parseScenarioFor } from '../parse.js';
import { LINUX_ERRNO } from './linuxErrno.js';
import { WIN32_ERRORS } from './win32Errors.js';

describe('Linux errno names', () => {
  it('are the asm-generic list: 1 to 133 but the unused 41 and 58, two kernel aliases and glibc ENOTSUP', () => {
    const numbers = new Set(Object.values(LINUX_ERRNO));
    for (let n = 1; n <= 133; n++) expect(numbers.has(n), `errno ${n}`).toBe(n !== 41 && n !== 58);
    expect(Object.keys(LINUX_ERRNO)).toHaveLength(131 + 3);
    expect(LINUX_ERRNO).toMatchObject({ EPERM: 1, EAGAIN: 11, EWOULDBLOCK: 11, ENOMEM: 12, EFAULT: 14, EINVAL: 22, EDEADLK: 35, EDEADLOCK: 35 });
    expect(LINUX_ERRNO).toMatchObject({ EOPNOTSUPP: 95, ENOTSUP: 95, ENOTRECOVERABLE: 131, ERFKILL: 132, EHWPOISON: 133 });
  });
});

describe('Win32 error names', () => {
  it('hold the system error codes 0 to 1299 by their winerror.h names, each code once', () => {
    expect(WIN32_ERRORS).toMatchObject({
      ERROR_SUCCESS: 0,
      ERROR_INVALID_FUNCTION: 1,
      ERROR_ACCESS_DENIED: 5,
      ERROR_NOT_ENOUGH_MEMORY: 8,
      ERROR_OUTOFMEMORY: 14,
      ERROR_INVALID_PARAMETER: 87,
      ERROR_NOT_LOCKED: 158,
      ERROR_INVALID_ADDRESS: 487,
      ERROR_NOACCESS: 998,
      ERROR_COMMITMENT_LIMIT: 1455,
    });
    const low = Object.entries(WIN32_ERRORS).filter(([, code]) => code <= 1299);
    expect(low.length).toBeGreaterThan(900);
    expect(new Set(low.map(([, code]) => code)).size).toBe(low.length);
    for (const [name, code] of Object.entries(WIN32_ERRORS)) {
      expect(name).toMatch(/^ERROR_[A-Za-z0-9_]+$/);
      expect(code >= 0 && code < 16000, name).toBe(true);
    }
  });
});

describe('error names in scenarios', () => {
  const header = 'processes:\n  - { name: shell, personality: posix }\n  - { name: app, personality: win32 }\nsteps:\n';
  const parse = (step: string) => parseScenarioFor(`${header}  - ${step}\n`, 'e.yaml', TEST_SUBSYSTEMS);

  it('accept every known errno and Win32 name', () => {
    for (const name of Object.keys(LINUX_ERRNO)) expect(() => parse(`"shell: munmap(0, 4KiB) == -1 ${name}"`)).not.toThrow();
    expect(() => parse('"app: VirtualAlloc(0, 4KiB, MEM_COMMIT, PAGE_READWRITE) == NULL ERROR_COMMITMENT_LIMIT"')).not.toThrow();
  });

  it('refuse unknown ones with a suggestion when one is close', () => {
    expect(() => parse('"shell: munmap(0, 4KiB) == -1 ENOMEN"')).toThrow(/unknown errno name ENOMEN: .*; did you mean ENOMEM\?$/);
    expect(() => parse('"shell: munmap(0, 4KiB) == -1 EXYZZY"')).toThrow(/unknown errno name EXYZZY: [^;]*$/);
    expect(() => parse('"app: VirtualAlloc(0, 4KiB, MEM_COMMIT, PAGE_READWRITE) == NULL ERROR_INVALID_ADRESS"')).toThrow(/did you mean ERROR_INVALID_ADDRESS\?$/);
  });

  it('cover every error name the component subsystems return', () => {
    const packages = join(import.meta.dirname, '..', '..', '..');
    const returned = new Set<string>();
    for (const pkg of ['hardware-mmu', 'phys-allocator', 'slab', 'vm-regions']) {
      for (const file of sourceFiles(join(packages, pkg, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/error: '(E[A-Z0-9]+|ERROR_[A-Z0-9_]+)'/g)) returned.add(match[1]!);
      }
    }
    for (const name of returned) expect(Object.hasOwn(LINUX_ERRNO, name) || Object.hasOwn(WIN32_ERRORS, name), name).toBe(true);
  });
});

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.includes('.test.'))
    .map((entry) => join(entry.parentPath, entry.name));
}
