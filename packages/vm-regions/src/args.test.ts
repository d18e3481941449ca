/**
 * Linux 6.18's answers for arguments it reads as unsigned long (negative or huge), MAP_32BIT,
 * MAP_STACK (VM_NOHUGEPAGE), MAP_DROPPABLE, MAP_SHARED_VALIDATE, MAP_HUGETLB without huge pages and
 * MAP_GROWSDOWN on files: fixtures/linux/args-probe.txt, made by args-probe.c (x86-64, setarch -R,
 * vm.nr_hugepages = 0). Every call of the probe is replayed on the model in order with the same
 * arguments (as signed longs: -8192 stands for 2^64 - 8192): the same errno, the same address
 * where it does not depend on what the static probe had mapped before (fixed mappings and the
 * MAP_32BIT window), the same maps lines and VmFlags.
 *
 * Also the initial [stack] under small RLIMIT_STACK values (fixtures/linux/stack-rlimit.txt, made
 * by stack-rlimit.sh: fs/exec.c setup_arg_pages caps the stack by the rlimit).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMachine } from '@vmlab/kernel';
import { describe, expect, it } from 'vitest';
import { createAddressSpace, type AddressSpace } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { brk } from './brk.js';
import type { OperationResult } from './editor.js';
import { layoutFor } from './layouts.js';
import { mmap, type MappedFile } from './mmap.js';
import { mprotect } from './mprotect.js';
import { munmap } from './munmap.js';
import { REGIONS_REQUESTS } from './protocol.js';
import { regionsSubsystem } from './server.js';
import { expandStack, setupStack } from './stack.js';
import { renderMaps } from './views/maps.js';
import { renderSmaps } from './views/smaps.js';

const read = (name: string): string => readFileSync(fileURLToPath(new URL(`./fixtures/linux/${name}`, import.meta.url)), 'utf8');

interface Call {
  readonly call: string;
  readonly args: number[];
  readonly what: string;
  readonly value: string;
  readonly errno: string;
}

type Entry = { kind: 'call'; call: Call } | { kind: 'maps'; lo: number; hi: number; what: string; lines: string[] } | { kind: 'vmflags'; at: number; line: string };

function parse(text: string): Entry[] {
  const out: Entry[] = [];
  const lines = text.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m = /^@ (\w+) ([-\d ]+) \| (.*) = ([0-9a-f]+) (\w+)$/.exec(line);
    if (m) {
      out.push({ kind: 'call', call: { call: m[1]!, args: m[2]!.trim().split(' ').map(Number), what: m[3]!, value: m[4]!, errno: m[5]! } });
      continue;
    }
    m = /^# maps ([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m) {
      const block: string[] = [];
      while (lines[i + 1] !== undefined && !/^[@#]/.test(lines[i + 1]!)) block.push(lines[++i]!);
      out.push({ kind: 'maps', lo: parseInt(m[1]!, 16), hi: parseInt(m[2]!, 16), what: m[3]!, lines: block });
      continue;
    }
    m = /^# vmflags ([0-9a-f]+)$/.exec(line);
    if (m) out.push({ kind: 'vmflags', at: parseInt(m[1]!, 16), line: lines[++i]! });
  }
  return out;
}

/** Where the model's result must equal Linux's: not for placements that depend on the static probe's own mappings near mmap_base. */
const topDownPlaced = (value: string): boolean => value.startsWith('7ffff');

/** The inode of /dev/zero (deleted) is a shmem counter of its own: left out. */
const normalise = (line: string): string => line.replace(/ \d+( +\/dev\/zero \(deleted\))$/, ' N$1');

describe('unsigned long arguments, MAP_32BIT, MAP_STACK, MAP_DROPPABLE, MAP_SHARED_VALIDATE, MAP_HUGETLB (fixtures/linux/args-probe.txt)', () => {
  const entries = parse(read('args-probe.txt'));
  const fileLine = entries.flatMap((e) => (e.kind === 'maps' ? e.lines : [])).find((l) => l.endsWith('/tmp/args-probe-file'))!;
  const [, , , dev, inode] = fileLine.split(/\s+/);
  const file: MappedFile = { path: '/tmp/args-probe-file', dev: dev!, inode: Number(inode) };

  it('the probe covers every rule (a sanity check of the fixture)', () => {
    const calls = entries.filter((e) => e.kind === 'call');
    expect(calls.length).toBeGreaterThan(80);
    expect(entries.filter((e) => e.kind === 'maps').length).toBe(6);
    expect(entries.filter((e) => e.kind === 'vmflags').length).toBe(6);
  });

  it('replays every call: same errno, same address (fixed and MAP_32BIT ones), same maps lines and VmFlags', () => {
    let space: AddressSpace = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64') })).space;
    // Linux's address of a mapping → the model's (they differ near mmap_base, where the static probe has [vvar] and [vdso]).
    const moved = new Map<number, number>();
    const here = (addr: number): number => moved.get(addr) ?? addr;
    let shmem = 5000;
    for (const entry of entries) {
      if (entry.kind === 'call') {
        const { call, args, what, value, errno } = entry.call;
        let result: OperationResult;
        const before = space;
        switch (call) {
          case 'mmap': {
            const [addr, length, prot, flags, fd, offset] = args as [number, number, number, number, number, number];
            result = mmap(space, { addr, length, prot, flags, offset, ...(fd >= 0 ? { file } : {}), ...(fd < 0 && (flags & 0x0f) === 1 ? { shmemInode: shmem++ } : {}) });
            break;
          }
          case 'munmap':
            result = munmap(space, here(args[0]!), args[1]!);
            break;
          case 'mprotect':
            result = mprotect(space, here(args[0]!), args[1]!, args[2]!);
            break;
          case 'brk': {
            result = brk(space, args[0]!);
            // brk returns the break: the model's, as the static probe's heap lies elsewhere; a refused one is the old one.
            if (args[0] !== 0) expect(result.value, what).toBe(space.brk);
            break;
          }
          default:
            throw new Error(`unknown call ${call}`);
        }
        expect(result.error ?? '0', what).toBe(errno);
        if (result.error) {
          expect(result.value, what).toBe(-1);
          expect(result.space, `${what}: a failed call changes nothing`).toBe(before);
        } else if (call === 'mmap') {
          if (topDownPlaced(value)) moved.set(parseInt(value, 16), result.value);
          else expect(result.value.toString(16), what).toBe(value);
        }
        space = result.space;
      } else if (entry.kind === 'maps') {
        const mine = renderMaps(space)
          .trimEnd()
          .split('\n')
          .filter((l) => {
            const start = parseInt(l.split('-')[0]!, 16);
            return start >= entry.lo && start < entry.hi;
          });
        expect(mine.map(normalise), `maps ${entry.what}`).toEqual(entry.lines.map(normalise));
      } else {
        const at = here(entry.at);
        const blocks = renderSmaps(space).split(/\n(?=[0-9a-f]+-)/);
        const block = blocks.find((b) => parseInt(b.split('-')[0]!, 16) === at)!;
        expect(block.split('\n').find((l) => l.startsWith('VmFlags:')), `VmFlags of ${entry.at.toString(16)}`).toBe(entry.line);
      }
    }
  });

  it('values past 2^53 and past 2^64: 2^64 reads as ULONG_MAX (the double nearest 0xffffffffffffffff), never a wrapped small number', () => {
    const space = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64') })).space;
    expect(mmap(space, { addr: 0, length: 2 ** 64, prot: 3, flags: 0x22 }).error).toBe('ENOMEM');
    // MAP_FIXED at ULONG_MAX: __get_unmapped_area's `addr > TASK_SIZE - len` comes before the alignment check.
    expect(mmap(space, { addr: 2 ** 64, length: 4096, prot: 3, flags: 0x32 }).error).toBe('ENOMEM');
    expect(mmap(space, { addr: 2 ** 70, length: 4096, prot: 3, flags: 0x22 }).value).toBe(0x7ffff7ffe000);
    expect(munmap(space, 2 ** 64, 4096).error).toBe('EINVAL');
    expect(munmap(space, 0x10000, 2 ** 64).error).toBe('EINVAL');
    expect(mprotect(space, 0x7ffffffde000, 2 ** 64, 1).error).toBe('ENOMEM');
    expect(mprotect(space, 0x7ffffffde000, 4096, 2 ** 40 + 1).error).toBe('EINVAL');
    expect(brk(space, 2 ** 64).value).toBe(space.brk);
    expect(brk(space, -1).space).toBe(space);
    // Not numbers at all: refused the same way, nothing thrown.
    expect(mmap(space, { addr: 0, length: Number.NaN, prot: 3, flags: 0x22 }).error).toBe('ENOMEM');
    expect(mmap(space, { addr: 0, length: 4096.5, prot: 3, flags: 0x22 }).value).toBe(0x7ffff7ffe000);
  });

  it('expand_stack and anon_vma_prepare: a negative address is huge, in no region (EFAULT)', () => {
    const space = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64') })).space;
    const low = mmap(space, { addr: 0x10000, length: 4096, prot: 3, flags: 0x22 | 0x10 | 0x100 }).space;
    expect(expandStack(low, -4096).error).toBe('EFAULT');
    expect(anonVmaPrepare(low, -4096).error).toBe('EFAULT');
  });

  it('on the bus: negative scenario arguments give the errno, nothing is mapped, nothing is thrown', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem] });
    const pid = (machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number }).pid;
    machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
    const maps = machine.render('maps', { pid }).text;
    expect(machine.call('do_mmap', [pid, -8192, 8192, 3, 0x32])).toMatchObject({ value: -1, error: 'ENOMEM' });
    expect(machine.call('do_mmap', [pid, 0, -4096, 3, 0x22])).toMatchObject({ value: -1, error: 'ENOMEM' });
    expect(machine.call('do_mmap', [pid, 0x10000, 4096, 1, 0x02, 3, -8192, '/f'])).toMatchObject({ value: -1, error: 'EOVERFLOW' });
    expect(machine.call('do_munmap', [pid, -4096, 4096])).toMatchObject({ value: -1, error: 'EINVAL' });
    expect(machine.call('do_munmap', [pid, 0x7ffffffde000, -4096])).toMatchObject({ value: -1, error: 'EINVAL' });
    expect(machine.call('do_mprotect', [pid, -4096, 4096, 1])).toMatchObject({ value: -1, error: 'ENOMEM' });
    expect(machine.call('expand_stack', [pid, -4096])).toMatchObject({ value: -1, error: 'EFAULT' });
    const old = machine.call('do_brk', [pid, 0]).value;
    expect(machine.call('do_brk', [pid, -4096]).value).toBe(old);
    expect(machine.render('maps', { pid }).text).toBe(maps);
  });
});

describe('the initial [stack] under RLIMIT_STACK (fixtures/linux/stack-rlimit.txt)', () => {
  const text = read('stack-rlimit.txt').trimEnd().split('\n');
  const cases: [number, string][] = [];
  for (let i = 0; i < text.length; i += 2) cases.push([Number(/^# ulimit -s (\d+)$/.exec(text[i]!)![1]), text[i + 1]!]);

  it('covers limits below, at and above the 132 KiB of one argument page plus stack_expand', () => {
    expect(cases.map(([kib]) => kib)).toEqual([12, 16, 64, 100, 128, 132, 136, 8192]);
  });

  for (const [kib, line] of cases) {
    it(`ulimit -s ${kib}: ${line.split(' ')[0]}`, () => {
      const space = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64', { stackLimit: kib * 1024 }) })).space;
      expect(renderMaps(space).split('\n').find((l) => l.endsWith('[stack]'))).toBe(line);
    });
  }

  it('an rlimit that is not a page multiple is rounded down (rlim_stack & PAGE_MASK); never below the argument page', () => {
    const size = (limit: number): number => {
      const space = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64', { stackLimit: limit }) })).space;
      return space.layout.stackTop - [...renderMaps(space).matchAll(/^([0-9a-f]+)-[0-9a-f]+ .*\[stack\]$/gm)].map((m) => parseInt(m[1]!, 16))[0]!;
    };
    expect(size(16 * 1024 + 100)).toBe(16 * 1024);
    expect(size(100)).toBe(4096);
  });
});

describe("the kernel's mmap_min_addr (fixtures/linux/minaddr-probe.txt)", () => {
  const text = read('minaddr-probe.txt').trimEnd().split('\n');
  const sysctl = Number(/^# sysctl vm.mmap_min_addr (\d+)$/.exec(text[0]!)![1]);
  const calls = text.slice(1).map((line) => {
    const m = /^@ mmap ([-\d ]+) \| (.*) = ([0-9a-f]+) (\w+)$/.exec(line)!;
    const [addr, length, prot, flags] = m[1]!.trim().split(' ').map(Number) as [number, number, number, number];
    return { addr, length, prot, flags, what: m[2]!, value: parseInt(m[3]!, 16) };
  });

  it('is the larger of vm.mmap_min_addr and CONFIG_LSM_MMAP_MIN_ADDR: hints below it are rounded up to it, MAP_FIXED below it is allowed', () => {
    expect(sysctl).toBe(4096);
    let space = createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64', { mmapMinAddr: sysctl }) });
    expect(space.layout.mmapMinAddr).toBe(0x10000);
    for (const c of calls) {
      const r = mmap(space, c);
      expect(r.error, c.what).toBeUndefined();
      // A hint whose page is taken goes to the search: the address then depends on what the
      // static probe had mapped (its [vdso] among them), so only its floor is compared.
      if (c.what.includes('searched')) expect([r.value !== c.addr, r.value >= 0x10000], c.what).toEqual([true, true]);
      else expect(r.value.toString(16), c.what).toBe(c.value.toString(16));
      space = r.space;
    }
  });

  it('a kernel built without CONFIG_LSM_MMAP_MIN_ADDR honours a hint down to the sysctl', () => {
    const space = createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64', { mmapMinAddr: sysctl, lsmMmapMinAddr: 0 }) });
    expect(mmap(space, calls[0]!).value).toBe(0x1000);
  });
});
