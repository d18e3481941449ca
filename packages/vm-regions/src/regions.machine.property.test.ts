/**
 * Regions and the slab allocator on one machine (hardware-mmu, phys-allocator, slab, regions):
 * after any sequence of spawn / mmap / munmap / mprotect / brk / first faults / exit (fast-check),
 * the vm_area_struct line of /proc/slabinfo counts exactly the regions alive over all address
 * spaces, and the mm_struct line the address spaces (vm_area_alloc / vm_area_free, mm_alloc /
 * mmdrop). Every region and every mm holds its own object, the run replays to the same states, and
 * evolve over its events alone rebuilds the regions slice.
 */
import { createMachine, exportLog, verifyReplay, type AnySubsystem, type Machine } from '@vmlab/kernel';
import { mmuSubsystem } from '@vmlab/hardware-mmu';
import { physSubsystem } from '@vmlab/phys-allocator';
import { slabSubsystem } from '@vmlab/slab';
import fc from 'fast-check';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { REGIONS_REQUESTS, type RegionData } from './protocol.js';
import { regionsSubsystem } from './server.js';
import type { RegionsConfig, RegionsState } from './state.js';
import { treeToArray } from './regionTree.js';

const P = 4096;
const SUBSYSTEMS: readonly AnySubsystem[] = [mmuSubsystem as AnySubsystem, physSubsystem as AnySubsystem, slabSubsystem as AnySubsystem, regionsSubsystem as AnySubsystem];
const PROGRAM_BASE = 0x555555554000;
const WINDOW = 0x10000000;

type Op =
  | { op: 'spawn' }
  | { op: 'exit'; who: number }
  | { op: 'mmap'; who: number; page: number; pages: number; prot: number; fixed: boolean; shared: boolean; file: boolean }
  | { op: 'munmap'; who: number; page: number; pages: number }
  | { op: 'mprotect'; who: number; page: number; pages: number; prot: number }
  | { op: 'brk'; who: number; pages: number }
  | { op: 'touch'; who: number; page: number };

const who = fc.nat(7);
const page = fc.nat(20);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: 'spawn' as const }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('exit' as const), who }) },
  {
    weight: 5,
    arbitrary: fc.record({ op: fc.constant('mmap' as const), who, page, pages: fc.integer({ min: 1, max: 6 }), prot: fc.nat(7), fixed: fc.boolean(), shared: fc.boolean(), file: fc.boolean() }),
  },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('munmap' as const), who, page, pages: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('mprotect' as const), who, page, pages: fc.integer({ min: 1, max: 8 }), prot: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('brk' as const), who, pages: fc.integer({ min: -3, max: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('touch' as const), who, page }) },
);

/** The active_objs column of a cache's line in /proc/slabinfo (the view's text). */
function activeObjects(machine: Machine, cache: string): number {
  const line = machine.render('slabinfo').text.split('\n').find((l) => l.startsWith(cache + ' '));
  if (!line) throw new Error(`no ${cache} line in slabinfo`);
  return Number(line.trim().split(/\s+/)[1]);
}

function check(machine: Machine, what: string): void {
  const spaces = Object.values(machine.slice<RegionsState>('regions').spaces);
  const regions = spaces.flatMap((s) => treeToArray(s.tree));
  expect(activeObjects(machine, 'vm_area_struct'), `${what}: vm_area_struct active objects`).toBe(regions.length);
  expect(activeObjects(machine, 'mm_struct'), `${what}: mm_struct active objects`).toBe(spaces.length);
  // Each region and each mm its own live object.
  const objects = [...regions.map((r) => r.object), ...spaces.map((s) => s.object)];
  expect(objects.every((o) => o > 0), `${what}: every descriptor comes from the slab`).toBe(true);
  expect(new Set(objects).size, `${what}: no descriptor shared`).toBe(objects.length);
}

function run(ops: readonly Op[]): Machine {
  const machine = createMachine({ subsystems: SUBSYSTEMS });
  const alive: number[] = [];
  const pick = (n: number): number | undefined => (alive.length ? alive[n % alive.length] : undefined);
  for (const o of ops) {
    const what = JSON.stringify(o);
    if (o.op === 'spawn') {
      const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: `p${alive.length}`, personality: 'posix' } }).reply as { pid: number };
      machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
      machine.call('load_program', [pid, '/bin/prog', PROGRAM_BASE, 3 * P, P, P]);
      alive.push(pid);
    } else {
      const pid = pick(o.who);
      if (pid === undefined) continue;
      const at = WINDOW + ('page' in o ? o.page : 0) * P;
      switch (o.op) {
        case 'exit':
          machine.dispatch({ type: REGIONS_REQUESTS.destroyAddressSpace, payload: { pid } });
          machine.dispatch({ type: 'kernel/exit', payload: { pid, exit: 0 } });
          alive.splice(alive.indexOf(pid), 1);
          break;
        case 'mmap':
          machine.call('do_mmap', [pid, at, o.pages * P, o.prot, (o.shared ? 0x01 : 0x02) | (o.file ? 0 : 0x20) | (o.fixed ? 0x10 : 0), o.file ? 3 : -1, 0, ...(o.file ? ['/lib/f.so'] : [])]);
          break;
        case 'munmap':
          machine.call('do_munmap', [pid, at, o.pages * P]);
          break;
        case 'mprotect':
          machine.call('do_mprotect', [pid, at, o.pages * P, o.prot]);
          break;
        case 'brk': {
          const current = machine.call('do_brk', [pid, 0]).value as number;
          machine.call('do_brk', [pid, current + o.pages * P]);
          break;
        }
        case 'touch':
          machine.call('anon_vma_prepare', [pid, at]);
          break;
      }
    }
    check(machine, what);
  }
  return machine;
}

describe('regions on a machine with the slab allocator (fast-check, fixed seed)', () => {
  it('slabinfo counts one vm_area_struct per region alive and one mm_struct per address space; the run replays', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 30, size: 'max' }), (ops) => {
        const machine = run(ops);
        // Every input went through: a descriptor allocation never failed and rolled one back.
        expect([...machine.timeline.failures().values()].map((e) => e.message)).toEqual([]);
        expect(verifyReplay(exportLog(machine), SUBSYSTEMS).ok).toBe(true);
        // evolve alone, over the regions events of the run, rebuilds the same slice.
        let state = regionsSubsystem.initialState(machine.config as RegionsConfig);
        for (const e of machine.timeline.events()) if (e.type.startsWith('regions/')) state = produce(state, (draft) => regionsSubsystem.evolve(draft, e));
        expect(state).toEqual(machine.slice('regions'));
      }),
      { numRuns: 25, seed: 0x51ab },
    );
  });

  it('a split needs a second vm_area_struct and a merge frees one (mprotect in the middle, then back)', () => {
    const machine = run([{ op: 'spawn' }]);
    const pid = 1;
    const base = activeObjects(machine, 'vm_area_struct');
    const a = machine.call('do_mmap', [pid, 0, 3 * P, 3, 0x22]).value as number;
    expect(activeObjects(machine, 'vm_area_struct')).toBe(base + 1);
    machine.call('do_mprotect', [pid, a + P, P, 1]);
    expect(activeObjects(machine, 'vm_area_struct')).toBe(base + 3);
    const split = machine.query<RegionData[]>(REGIONS_REQUESTS.regions, { pid }).filter((r) => r.start >= a && r.end <= a + 3 * P);
    expect(new Set(split.map((r) => r.object)).size).toBe(3);
    machine.call('do_mprotect', [pid, a + P, P, 3]);
    expect(activeObjects(machine, 'vm_area_struct')).toBe(base + 1);
    machine.dispatch({ type: REGIONS_REQUESTS.destroyAddressSpace, payload: { pid } });
    expect([activeObjects(machine, 'vm_area_struct'), activeObjects(machine, 'mm_struct')]).toEqual([0, 0]);
  });
});
