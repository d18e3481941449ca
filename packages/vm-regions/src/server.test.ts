/**
 * The regions server on the bus: every request it serves, its reply, its errno (checked against
 * what Linux 6.18 returns: fixtures/linux/errno-probe.txt and maxmapcount-probe.txt, made by the C
 * files beside them), the events each emits with their payloads, and that the events alone rebuild
 * the state (evolve) as re-executing the inputs does (verifyReplay).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMachine, exportLog, verifyReplay, type AnySubsystem, type EventEnvelope, type Machine, type Task } from '@vmlab/kernel';
import { mmuSubsystem } from '@vmlab/hardware-mmu';
import { physSubsystem } from '@vmlab/phys-allocator';
import { slabSubsystem } from '@vmlab/slab';
import { produce } from 'immer';
import { describe, expect, it } from 'vitest';
import { createAddressSpace, type AddressSpace } from './addressSpace.js';
import { REGIONS_CALLS } from './calls.js';
import { REGIONS_EVENTS, REGIONS_REQUESTS, type AddressSpaceSummary, type RegionData, type ValueReply } from './protocol.js';
import { regionsSubsystem } from './server.js';
import type { RegionsConfig, RegionsState } from './state.js';

const P = 4096;
/** x86-64 without randomisation: TASK_SIZE - 128 MiB (the minimum gap), as setarch -R shows it. */
const MMAP_BASE = 0x7ffff7fff000;
/** Where the vDSO's 8 pages end and mappings start, below mmap_base: [vvar] 4 pages, [vvar_vclock] 2, [vdso] 2 (vdso.ts). */
const VDSO_START = MMAP_BASE - 8 * P;
/** STACK_TOP = TASK_SIZE_LOW = 2^47 - 4096; the stack is one argument page plus 128 KiB (setup_arg_pages). */
const STACK_TOP = 0x7ffffffff000;
const STACK_START = 0x7ffffffde000;
const RW = 3;
const PRIVATE_ANON = 0x22;
const SHARED_ANON = 0x21;
const MAP_FIXED = 0x10;
const MAP_FIXED_NOREPLACE = 0x100000;
// vm_flags: VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC|VM_ACCOUNT, the stack adding VM_GROWSDOWN.
const ANON_RW = 0x1 | 0x2 | 0x10 | 0x20 | 0x40 | 0x100000;
const STACK = ANON_RW | 0x100;

function machineWith(config: RegionsConfig = {}): Machine {
  return createMachine({ subsystems: [regionsSubsystem], config, freeze: true });
}

function spawn(machine: Machine, name = 'p'): number {
  return (machine.dispatch({ type: 'kernel/spawn', payload: { name, personality: 'posix' } }).reply as { pid: number }).pid;
}

/** A process with an address space (created explicitly) in a fresh machine. */
function withProcess(config: RegionsConfig = {}): { machine: Machine; pid: number } {
  const machine = machineWith(config);
  const pid = spawn(machine);
  machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
  return { machine, pid };
}

/** The regions events of an input (the kernel's own, like address-space-assigned, left out). */
const events = (outcome: { events: readonly EventEnvelope[] }): [string, unknown][] => outcome.events.filter((e) => e.type.startsWith('regions/')).map((e) => [e.type, e.payload]);
const regions = (machine: Machine, pid: number): RegionData[] => machine.query<RegionData[]>(REGIONS_REQUESTS.regions, { pid });
const anon = (start: number, end: number, flags = ANON_RW): RegionData => ({ start, end, flags, pgoff: start / P, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 });

/** The regions slice rebuilt from the run's events alone, through `evolve`. */
function evolvedFromEvents(machine: Machine): RegionsState {
  let state = regionsSubsystem.initialState(machine.config as RegionsConfig);
  for (const e of machine.timeline.events()) if (e.type.startsWith('regions/')) state = produce(state, (draft) => regionsSubsystem.evolve(draft, e));
  return state;
}

describe('regions server: registration', () => {
  it('serves every request of REGIONS_REQUESTS and declares every event of REGIONS_EVENTS', () => {
    expect(Object.keys(regionsSubsystem.requests).sort()).toEqual(Object.values(REGIONS_REQUESTS).sort());
    expect(Object.keys(regionsSubsystem.events).sort()).toEqual(Object.values(REGIONS_EVENTS).sort());
    const machine = machineWith();
    for (const call of REGIONS_CALLS) expect(machine.registry.call(call.name, 'kernel'), call.name).toBeDefined();
    expect(REGIONS_CALLS.map((c) => c.name)).toEqual(['do_mmap', 'do_munmap', 'do_mprotect', 'do_brk', 'find_vma', 'expand_stack', 'anon_vma_prepare', 'load_program']);
  });
});

describe('regions server: requests, replies and events (linux-x86_64, no slab, no MMU)', () => {
  it('create-address-space: a new mm with its [stack], assigned in the task table', () => {
    const machine = machineWith();
    const pid = spawn(machine);
    const outcome = machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
    expect(outcome.reply).toEqual({ addressSpace: 1 });
    expect(events(outcome).map(([type]) => type)).toEqual([
      REGIONS_EVENTS.addressSpaceCreated,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.anonVmaAssigned,
      REGIONS_EVENTS.boundsSet,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.regionMapped,
    ]);
    expect(outcome.events.map((e) => e.type)).toContain('kernel/address-space-assigned');
    const created = outcome.events.find((e) => e.type === REGIONS_EVENTS.addressSpaceCreated)!;
    // Only the facts of mm_alloc: the space is rebuilt from them and the machine's layout.
    expect([created.v, created.payload]).toEqual([2, { pid, addressSpace: 1, pgd: 0, object: 0 }]);
    expect(events(outcome).slice(1)).toEqual([
      [REGIONS_EVENTS.regionMapped, { addressSpace: 1, kind: 'mapped', region: anon(STACK_START, STACK_TOP, STACK) }],
      // exec writes the arguments onto the stack (copy_strings): it has its anon_vma from the start.
      [REGIONS_EVENTS.anonVmaAssigned, { addressSpace: 1, kind: 'anon-vma-assigned', start: STACK_START, anonVma: 1 }],
      [REGIONS_EVENTS.boundsSet, { addressSpace: 1, kind: 'bounds-set', bounds: { startStack: STACK_TOP - P } }],
      // The vDSO (map_vdso): right below mmap_base, as a static program's maps show it under setarch -R.
      ...[
        ['[vvar]', VDSO_START, 4, 0x4044411],
        ['[vvar_vclock]', VDSO_START + 4 * P, 2, 0x4044411],
        ['[vdso]', VDSO_START + 6 * P, 2, 0x40075],
      ].map(([special, start, pages, flags]) => [
        REGIONS_EVENTS.regionMapped,
        { addressSpace: 1, kind: 'mapped', region: { start, end: (start as number) + (pages as number) * P, flags, pgoff: 0, file: null, dev: '00:00', inode: 0, special, anonVma: 0, object: 0 } },
      ]),
    ]);
    expect(machine.query<Task>('kernel/task', { pid }).addressSpace).toBe(1);
    // total_vm: the stack's 33 pages and the vDSO's 8.
    expect(machine.query<AddressSpaceSummary>(REGIONS_REQUESTS.addressSpace, { pid })).toMatchObject({ id: 1, mapCount: 4, totalVm: 41, mmapBase: MMAP_BASE, startStack: STACK_TOP - P });
    // A second process gets the next id.
    const other = spawn(machine);
    expect(machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid: other } }).reply).toEqual({ addressSpace: 2 });
  });

  it('mmap: top-down below mmap_base; a neighbour with the same attributes is merged (regions-merged)', () => {
    const { machine, pid } = withProcess();
    const first = machine.call('do_mmap', [pid, 0, 3 * P, RW, PRIVATE_ANON]);
    expect(first.value).toBe(VDSO_START - 3 * P);
    expect(events(first.outcome)).toEqual([[REGIONS_EVENTS.regionMapped, { addressSpace: 1, kind: 'mapped', region: anon(VDSO_START - 3 * P, VDSO_START) }]]);
    const second = machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON]);
    expect(second.value).toBe(VDSO_START - 4 * P);
    expect(events(second.outcome)).toEqual([
      [REGIONS_EVENTS.regionMapped, { addressSpace: 1, kind: 'mapped', region: anon(VDSO_START - 4 * P, VDSO_START - 3 * P) }],
      [REGIONS_EVENTS.regionsMerged, { addressSpace: 1, kind: 'merged', start: VDSO_START - 4 * P, at: VDSO_START - 3 * P, end: VDSO_START }],
    ]);
    expect(regions(machine, pid).map((r) => [r.start, r.end])).toEqual([
      [VDSO_START - 4 * P, VDSO_START], // not merged with [vvar] either: special mappings never merge (VM_SPECIAL)
      [VDSO_START, VDSO_START + 4 * P],
      [VDSO_START + 4 * P, VDSO_START + 6 * P],
      [VDSO_START + 6 * P, MMAP_BASE],
      [STACK_START, STACK_TOP],
    ]);
  });

  it('the slice keeps each address space with its region tree frozen, so immer never walks the regions (freeze: false too)', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem], freeze: false });
    const pid = spawn(machine);
    machine.call('do_mmap', [pid, 0, 3 * P, RW, PRIVATE_ANON]);
    const slice = (machine.state as unknown as { regions: RegionsState }).regions;
    const space = Object.values(slice.spaces)[0]!;
    expect(space.mapCount).toBe(5); // the stack, the vDSO's three and the mapping
    expect(Object.isFrozen(space.tree)).toBe(true);
  });

  it('mmap of a file: the path gets an inode (inode-assigned) once; the region carries path, device, inode and offset', () => {
    const { machine, pid } = withProcess();
    const mapped = machine.call('do_mmap', [pid, 0, 2 * P, 1, 0x02, 3, 4 * P, '/data/f']);
    expect(mapped.value).toBe(VDSO_START - 2 * P);
    expect(events(mapped.outcome)).toEqual([
      [REGIONS_EVENTS.inodeAssigned, { path: '/data/f', inode: 2 }],
      [
        REGIONS_EVENTS.regionMapped,
        { addressSpace: 1, kind: 'mapped', region: { start: VDSO_START - 2 * P, end: VDSO_START, flags: 0x71, pgoff: 4, file: '/data/f', dev: '08:01', inode: 2, special: null, anonVma: 0, object: 0 } },
      ],
    ]);
    // Mapping the same path again reuses its inode (no second inode-assigned).
    const again = machine.call('do_mmap', [pid, 0, P, 1, 0x02, 3, 0, '/data/f']);
    expect(again.outcome.events.map((e) => e.type)).toEqual([REGIONS_EVENTS.regionMapped]);
    // A shared anonymous mapping is a shmem object of its own: /dev/zero (deleted) with a fresh inode.
    const shm = machine.call('do_mmap', [pid, 0, P, RW, SHARED_ANON]);
    expect(events(shm.outcome)[0]).toEqual([REGIONS_EVENTS.inodeAssigned, { path: '', inode: 3 }]);
    expect(regions(machine, pid).find((r) => r.start === shm.value)).toMatchObject({ file: '/dev/zero (deleted)', dev: '00:01', inode: 3, pgoff: 0, flags: 0xfb });
    // fd >= 0 with no path to name the file: EBADF, nothing emitted.
    const bad = machine.call('do_mmap', [pid, 0, P, 1, 0x02, 3]);
    expect([bad.value, bad.error, bad.outcome.events]).toEqual([-1, 'EBADF', []]);
  });

  it('mmap with MAP_LOCKED or MAP_POPULATE of private writable memory write-faults it: anon-vma-assigned in the same input', () => {
    const { machine, pid } = withProcess();
    const locked = machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON | 0x2000]);
    expect(events(locked.outcome).map(([type]) => type)).toEqual([REGIONS_EVENTS.regionMapped, REGIONS_EVENTS.anonVmaAssigned]);
    expect(events(locked.outcome)[1]![1]).toEqual({ addressSpace: 1, kind: 'anon-vma-assigned', start: locked.value, anonVma: 2 });
    const populated = machine.call('do_mmap', [pid, 0x10000000, P, RW, PRIVATE_ANON | MAP_FIXED | 0x8000]);
    expect(events(populated.outcome).map(([type]) => type)).toEqual([REGIONS_EVENTS.regionMapped, REGIONS_EVENTS.anonVmaAssigned]);
    // Read faults map the zero page: no anon_vma; MAP_NONBLOCK turns MAP_POPULATE off; shared memory never COWs.
    for (const [prot, flags] of [
      [1, PRIVATE_ANON | 0x2000],
      [RW, PRIVATE_ANON | 0x8000 | 0x10000],
      [RW, SHARED_ANON | 0x2000],
    ]) {
      const r = machine.call('do_mmap', [pid, 0, P, prot!, flags!]);
      expect(events(r.outcome).map(([type]) => type)).not.toContain(REGIONS_EVENTS.anonVmaAssigned);
    }
  });

  it('munmap in the middle of a region: region-split twice, then region-unmapped', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0, 4 * P, RW, PRIVATE_ANON]).value as number;
    const cut = machine.call('do_munmap', [pid, a + P, 2 * P]);
    expect(cut.value).toBe(0);
    expect(events(cut.outcome)).toEqual([
      [REGIONS_EVENTS.regionSplit, { addressSpace: 1, kind: 'split', start: a, at: a + P, object: 0 }],
      [REGIONS_EVENTS.regionSplit, { addressSpace: 1, kind: 'split', start: a + P, at: a + 3 * P, object: 0 }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: a + P, end: a + 3 * P }],
    ]);
    // The upper part keeps its page offset: vm_pgoff advanced by the split (__split_vma).
    expect(regions(machine, pid).slice(0, 2)).toEqual([anon(a, a + P), anon(a + 3 * P, a + 4 * P)]);
    // Unmapping a hole succeeds and emits nothing (munmap(2)).
    const hole = machine.call('do_munmap', [pid, a + P, P]);
    expect([hole.value, hole.error, hole.outcome.events]).toEqual([0, undefined, []]);
  });

  it('mprotect in the middle splits and changes; mprotect back merges the three again', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0, 3 * P, RW, PRIVATE_ANON]).value as number;
    const ro = machine.call('do_mprotect', [pid, a + P, P, 1]);
    expect(ro.value).toBe(0);
    // PROT_READ on an unfaulted anonymous region gives its charge back (VM_ACCOUNT cleared, mprotect_fixup).
    expect(events(ro.outcome)).toEqual([
      [REGIONS_EVENTS.regionSplit, { addressSpace: 1, kind: 'split', start: a, at: a + P, object: 0 }],
      [REGIONS_EVENTS.regionSplit, { addressSpace: 1, kind: 'split', start: a + P, at: a + 2 * P, object: 0 }],
      [REGIONS_EVENTS.regionProtectionChanged, { addressSpace: 1, kind: 'changed', start: a + P, flags: 0x71 }],
    ]);
    const rw = machine.call('do_mprotect', [pid, a + P, P, RW]);
    expect(events(rw.outcome)).toEqual([
      [REGIONS_EVENTS.regionProtectionChanged, { addressSpace: 1, kind: 'changed', start: a + P, flags: ANON_RW }],
      [REGIONS_EVENTS.regionsMerged, { addressSpace: 1, kind: 'merged', start: a, at: a + P, end: a + 2 * P }],
      [REGIONS_EVENTS.regionsMerged, { addressSpace: 1, kind: 'merged', start: a, at: a + 2 * P, end: a + 3 * P }],
    ]);
    expect(regions(machine, pid)[0]).toEqual(anon(a, a + 3 * P));
  });

  it('mprotect over a hole changes the regions before it and fails with ENOMEM (do_mprotect_pkey)', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0x10000000, 2 * P, RW, PRIVATE_ANON | MAP_FIXED]).value as number;
    const r = machine.call('do_mprotect', [pid, a, 4 * P, 1]);
    expect([r.value, r.error]).toEqual([-1, 'ENOMEM']);
    expect(events(r.outcome)).toEqual([[REGIONS_EVENTS.regionProtectionChanged, { addressSpace: 1, kind: 'changed', start: a, flags: 0x71 }]]);
  });

  it('load-program, then brk: a new [heap] region, then expanded in place, then shrunk; a refused brk returns the old break', () => {
    const { machine, pid } = withProcess();
    const base = 0x555555554000;
    const load = machine.call('load_program', [pid, '/bin/prog', base, 2 * P, P, P]);
    expect(load.value).toBe(base);
    expect(load.outcome.events.map((e) => e.type)).toEqual([
      REGIONS_EVENTS.inodeAssigned,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.boundsSet,
    ]);
    const startBrk = base + 4 * P;
    expect(machine.query<AddressSpaceSummary>(REGIONS_REQUESTS.addressSpace, { pid })).toMatchObject({ startCode: base, endCode: base + 2 * P, startBrk, brk: startBrk });
    // brk(0) asks for the current break: below start_brk, refused, nothing emitted.
    const query = machine.call('do_brk', [pid, 0]);
    expect([query.value, query.error, query.outcome.events]).toEqual([startBrk, undefined, []]);
    const up = machine.call('do_brk', [pid, startBrk + 100]);
    expect(up.value).toBe(startBrk + 100);
    expect(events(up.outcome)).toEqual([
      [REGIONS_EVENTS.regionMapped, { addressSpace: 1, kind: 'mapped', region: anon(startBrk, startBrk + P) }],
      [REGIONS_EVENTS.boundsSet, { addressSpace: 1, kind: 'bounds-set', bounds: { brk: startBrk + 100 } }],
    ]);
    const more = machine.call('do_brk', [pid, startBrk + 3 * P]);
    expect(events(more.outcome)).toEqual([
      [REGIONS_EVENTS.regionResized, { addressSpace: 1, kind: 'resized', start: startBrk, newStart: startBrk, newEnd: startBrk + 3 * P }],
      [REGIONS_EVENTS.boundsSet, { addressSpace: 1, kind: 'bounds-set', bounds: { brk: startBrk + 3 * P } }],
    ]);
    const down = machine.call('do_brk', [pid, startBrk + P]);
    expect(events(down.outcome)).toEqual([
      [REGIONS_EVENTS.boundsSet, { addressSpace: 1, kind: 'bounds-set', bounds: { brk: startBrk + P } }],
      [REGIONS_EVENTS.regionSplit, { addressSpace: 1, kind: 'split', start: startBrk, at: startBrk + P, object: 0 }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: startBrk + P, end: startBrk + 3 * P }],
    ]);
    // A mapping a page above the break blocks growth into it: brk returns the old break.
    machine.call('do_mmap', [pid, startBrk + 3 * P, P, RW, PRIVATE_ANON | MAP_FIXED]);
    const blocked = machine.call('do_brk', [pid, startBrk + 3 * P]);
    expect([blocked.value, blocked.error, blocked.outcome.events]).toEqual([startBrk + P, undefined, []]);
    expect(machine.render('maps', { pid }).text).toContain(' [heap]\n');
  });

  it('load-program refuses an unaligned base (EINVAL), a range beyond TASK_SIZE (ENOMEM) and a range already mapped (EEXIST, as binfmt_elf gets from MAP_FIXED_NOREPLACE), changing nothing', () => {
    const { machine, pid } = withProcess();
    expect(machine.call('load_program', [pid, '/bin/a', 0x400000, 2 * P, P, 0]).value).toBe(0x400000);
    const before = machine.hash();
    for (const [base, error] of [
      [0x400000 + 12, 'EINVAL'],
      [0x400000 + P, 'EEXIST'],
      [0x400000 - P, 'EEXIST'],
      [-8 * P, 'ENOMEM'], // a huge unsigned long: beyond TASK_SIZE
      [0x7ffffffff000 - P, 'ENOMEM'], // its text would end beyond TASK_SIZE
    ] as const) {
      const r = machine.call('load_program', [pid, '/bin/b', base, 2 * P, 0, 0]);
      expect([r.value, r.error, r.outcome.events], `${base.toString(16)}`).toEqual([-1, error, []]);
    }
    expect(machine.hash()).toBe(before);
  });

  it('find: the first region ending above the address, or null; read-only', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]).value as number;
    const before = machine.position;
    expect(machine.query(REGIONS_REQUESTS.find, { pid, address: a + P })).toEqual(anon(a, a + 2 * P));
    expect(machine.query(REGIONS_REQUESTS.find, { pid, address: a - 5 * P })).toEqual(anon(a, a + 2 * P));
    expect(machine.query(REGIONS_REQUESTS.find, { pid, address: STACK_TOP })).toBeNull();
    expect(machine.call('find_vma', [pid, a + 2 * P]).value).toBe(VDSO_START); // [vvar]
    expect(machine.call('find_vma', [pid, MMAP_BASE]).value).toBe(STACK_START);
    expect(machine.call('find_vma', [pid, STACK_TOP]).value).toBe(0);
    expect(machine.call('find_vma', [pid, -5]).value).toBe(0); // an unsigned long: huge, above every region
    const outcome = machine.dispatch({ type: REGIONS_REQUESTS.find, payload: { pid, address: a } });
    expect(outcome.events).toEqual([]);
    expect(machine.position).toBe(before + 5);
  });

  it('expand-stack: a fault below [stack] grows it (region-resized); beyond RLIMIT_STACK it is ENOMEM; below a plain region EFAULT', () => {
    const { machine, pid } = withProcess();
    const grow = machine.call('expand_stack', [pid, STACK_START - 10 * P + 8]);
    expect(grow.value).toBe(0);
    expect(events(grow.outcome)).toEqual([[REGIONS_EVENTS.regionResized, { addressSpace: 1, kind: 'resized', start: STACK_START, newStart: STACK_START - 10 * P, newEnd: STACK_TOP }]]);
    // Inside the stack already: nothing to do.
    expect(machine.call('expand_stack', [pid, STACK_START]).outcome.events).toEqual([]);
    // RLIMIT_STACK (8 MiB): acct_stack_growth refuses a stack larger than the limit.
    const tooBig = machine.call('expand_stack', [pid, STACK_TOP - 8 * 1024 * 1024 - P]);
    expect([tooBig.value, tooBig.error, tooBig.outcome.events]).toEqual([-1, 'ENOMEM', []]);
    expect(machine.call('expand_stack', [pid, STACK_TOP - 8 * 1024 * 1024]).value).toBe(0);
    const a = machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON]).value as number;
    expect(machine.call('expand_stack', [pid, a - P])).toMatchObject({ value: -1, error: 'EFAULT' });
    // A MAP_GROWSDOWN region never faulted: expand_downwards gives it an anon_vma before it checks
    // RLIMIT_STACK, so even a refused growth emits anon-vma-assigned.
    const g = machine.call('do_mmap', [pid, 0x40000000, P, RW, PRIVATE_ANON | MAP_FIXED | 0x100]).value as number;
    const refused = machine.call('expand_stack', [pid, g - 9 * 1024 * 1024]);
    expect([refused.value, refused.error]).toEqual([-1, 'ENOMEM']);
    expect(events(refused.outcome)).toEqual([[REGIONS_EVENTS.anonVmaAssigned, { addressSpace: 1, kind: 'anon-vma-assigned', start: g, anonVma: 2 }]]);
  });

  it('prepare-anon: the first fault gives a region an anon_vma (anon-vma-assigned); a compatible neighbour shares it', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]).value as number;
    // anon_vma 1 is the stack's.
    const first = machine.call('anon_vma_prepare', [pid, a + 5]);
    expect(first.value).toBe(2);
    expect(events(first.outcome)).toEqual([[REGIONS_EVENTS.anonVmaAssigned, { addressSpace: 1, kind: 'anon-vma-assigned', start: a, anonVma: 2 }]]);
    // A second fault in the same region changes nothing.
    expect(machine.call('anon_vma_prepare', [pid, a + P]).outcome.events).toEqual([]);
    // An rwx neighbour below: not mergeable (VM_EXEC differs), but anon_vma_compatible ignores the
    // access bits, so its first fault reuses anon_vma 2 (find_mergeable_anon_vma).
    const b = machine.call('do_mmap', [pid, 0, P, 7, PRIVATE_ANON]).value as number;
    expect(b).toBe(a - P);
    expect(machine.call('anon_vma_prepare', [pid, b]).value).toBe(2);
    // A read-only one further down is not compatible: VM_ACCOUNT differs too (only writable private memory is charged).
    const c = machine.call('do_mmap', [pid, 0, P, 1, PRIVATE_ANON]).value as number;
    expect(c).toBe(a - 2 * P);
    expect(machine.call('anon_vma_prepare', [pid, c]).value).toBe(3);
    // A hole: EFAULT.
    expect(machine.call('anon_vma_prepare', [pid, 0x10000000])).toMatchObject({ value: -1, error: 'EFAULT' });
  });

  it('address-space and regions: the summary and the regions of a process; null and [] for one without', () => {
    const { machine, pid } = withProcess();
    machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON | 0x2000]); // MAP_LOCKED
    expect(machine.query<AddressSpaceSummary>(REGIONS_REQUESTS.addressSpace, { pid })).toEqual({
      id: 1,
      pgd: 0,
      mapCount: 5,
      totalVm: 43,
      lockedVm: 2,
      rss: 0,
      users: 1,
      mmapBase: MMAP_BASE,
      startCode: 0,
      endCode: 0,
      startData: 0,
      endData: 0,
      startBrk: 0x555555554000,
      brk: 0x555555554000,
      startStack: STACK_TOP - P,
    });
    expect(machine.query(REGIONS_REQUESTS.addressSpace, { addressSpace: 1 })).toMatchObject({ id: 1 });
    const lonely = spawn(machine);
    expect(machine.query(REGIONS_REQUESTS.addressSpace, { pid: lonely })).toBeNull();
    expect(machine.query(REGIONS_REQUESTS.regions, { pid: lonely })).toEqual([]);
    expect(machine.query(REGIONS_REQUESTS.find, { pid: lonely, address: 0 })).toBeNull();
  });

  it('the first mmap of a process without an address space creates one (with its stack) in the same input', () => {
    const machine = machineWith();
    const pid = spawn(machine);
    const r = machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON]);
    expect(r.value).toBe(VDSO_START - P);
    expect(events(r.outcome).map(([type]) => type)).toEqual([
      REGIONS_EVENTS.addressSpaceCreated,
      REGIONS_EVENTS.regionMapped,
      REGIONS_EVENTS.anonVmaAssigned,
      REGIONS_EVENTS.boundsSet,
      ...Array(3).fill(REGIONS_EVENTS.regionMapped), // the vDSO
      REGIONS_EVENTS.regionMapped,
    ]);
  });

  it('destroy-address-space: every region unmapped, then address-space-destroyed; ESRCH after', () => {
    const { machine, pid } = withProcess();
    const a = machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON]).value as number;
    const destroyed = machine.dispatch({ type: REGIONS_REQUESTS.destroyAddressSpace, payload: { pid } });
    expect(destroyed.reply).toEqual({ value: 0 });
    expect(events(destroyed)).toEqual([
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: a, end: a + P }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: VDSO_START, end: VDSO_START + 4 * P }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: VDSO_START + 4 * P, end: VDSO_START + 6 * P }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: VDSO_START + 6 * P, end: MMAP_BASE }],
      [REGIONS_EVENTS.regionUnmapped, { addressSpace: 1, kind: 'unmapped', start: STACK_START, end: STACK_TOP }],
      [REGIONS_EVENTS.addressSpaceDestroyed, { addressSpace: 1 }],
    ]);
    expect(machine.slice<RegionsState>('regions').spaces).toEqual({});
    expect(machine.dispatch({ type: REGIONS_REQUESTS.destroyAddressSpace, payload: { pid } }).reply).toEqual({ value: -1, error: 'ESRCH' });
  });

  it('a pid with no task: ESRCH from every call, nothing emitted', () => {
    const machine = machineWith();
    for (const [name, args] of [
      ['do_mmap', [42, 0, P, RW, PRIVATE_ANON]],
      ['do_munmap', [42, 0x10000000, P]],
      ['do_mprotect', [42, 0x10000000, P, 1]],
      ['do_brk', [42, 0]],
      ['expand_stack', [42, 0x10000000]],
      ['anon_vma_prepare', [42, 0x10000000]],
      ['load_program', [42, '/bin/x', 0x400000, P, 0, 0]],
    ] as const) {
      const r = machine.call(name, [...args]);
      expect([r.value, r.error, r.outcome.events], name).toEqual([-1, 'ESRCH', []]);
    }
    expect(machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid: 42 } }).error).toBeDefined();
  });
});

/** `what = result errno [map_count]` lines of a probe's output. */
function probe(name: string): { what: string; value: number; errno: number; count: number }[] {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/linux/${name}`, import.meta.url)), 'utf8');
  return text
    .trim()
    .split('\n')
    .filter((line) => line.includes(' = '))
    .map((line) => {
      const [what, rest] = line.split(' = ');
      const [value, errno, count] = rest!.split(' ');
      return { what: what!, value: value === 'ffffffffffffffff' ? -1 : parseInt(value!, 16), errno: Number(errno), count: Number(count ?? 0) };
    });
}

const ERRNO_NAMES: Readonly<Record<number, string>> = { 12: 'ENOMEM', 17: 'EEXIST', 22: 'EINVAL' };

describe('errno as Linux 6.18 returns it (fixtures/linux/errno-probe.c)', () => {
  it('every probe line gives the same errno (and the same address where the address is fixed)', () => {
    const { machine, pid } = withProcess();
    const fixed = 0x10000000;
    const calls: Record<string, [string, (number | string)[]]> = {
      'mmap unaligned noreplace': ['do_mmap', [pid, fixed + 1, P, RW, PRIVATE_ANON | MAP_FIXED_NOREPLACE]],
      'mmap shared_validate anon': ['do_mmap', [pid, 0, P, RW, 0x03 | 0x20]],
      'mmap shared anon growsdown': ['do_mmap', [pid, 0, P, RW, SHARED_ANON | 0x100]],
      'mmap private anon growsdown': ['do_mmap', [pid, 0, P, RW, PRIVATE_ANON | 0x100]],
      'mmap len 0': ['do_mmap', [pid, 0, 0, RW, PRIVATE_ANON]],
      'mmap offset unaligned': ['do_mmap', [pid, 0, P, RW, PRIVATE_ANON, -1, 100]],
      'mmap no type': ['do_mmap', [pid, 0, P, RW, 0x20]],
      'mmap huge': ['do_mmap', [pid, 0, 2 ** 47, RW, PRIVATE_ANON]],
      'mmap len -1': ['do_mmap', [pid, 0, 2 ** 64 - 1, RW, PRIVATE_ANON]],
      'mmap fixed unaligned': ['do_mmap', [pid, fixed + 1, P, RW, PRIVATE_ANON | MAP_FIXED]],
      'mmap fixed 0x10000000': ['do_mmap', [pid, fixed, 4 * P, RW, PRIVATE_ANON | MAP_FIXED]],
      'mmap noreplace overlap': ['do_mmap', [pid, fixed + 2 * P, 4 * P, RW, PRIVATE_ANON | MAP_FIXED_NOREPLACE]],
      'mmap noreplace 0x10004000': ['do_mmap', [pid, fixed + 4 * P, P, RW, PRIVATE_ANON | MAP_FIXED_NOREPLACE]],
      'mmap fixed beyond task': ['do_mmap', [pid, 0x7ffffffff000, 2 * P, RW, PRIVATE_ANON | MAP_FIXED]],
      'mmap prot 0x10': ['do_mmap', [pid, 0, P, 0x13, PRIVATE_ANON]],
      'munmap len 0': ['do_munmap', [pid, fixed, 0]],
      'munmap unaligned': ['do_munmap', [pid, fixed + 1, P]],
      'munmap beyond task': ['do_munmap', [pid, 0x7ffffffff000, 2 * P]],
      'munmap hole': ['do_munmap', [pid, 0x20000000, P]],
      'mprotect len 0': ['do_mprotect', [pid, fixed, 0, 1]],
      'mprotect len 0 hole': ['do_mprotect', [pid, 0x20000000, 0, 1]],
      'mprotect unaligned': ['do_mprotect', [pid, fixed + 1, P, 1]],
      'mprotect hole': ['do_mprotect', [pid, 0x20000000, P, 1]],
      'mprotect bad prot': ['do_mprotect', [pid, fixed, P, 0x10]],
      'mprotect growsdown on plain': ['do_mprotect', [pid, fixed + P, P, 1 | 0x01000000]],
      'mprotect growsup': ['do_mprotect', [pid, fixed + P, P, 1 | 0x02000000]],
      'mprotect both grows': ['do_mprotect', [pid, fixed + P, P, 1 | 0x03000000]],
      'mprotect into hole': ['do_mprotect', [pid, fixed, 8 * P, 1]],
      'mprotect len huge': ['do_mprotect', [pid, fixed, 2 ** 64 - 4096, 1]],
    };
    const lines = probe('errno-probe.txt').filter((l) => !l.what.startsWith('brk'));
    expect(lines.map((l) => l.what).sort()).toEqual(Object.keys(calls).sort());
    for (const line of lines) {
      const [name, args] = calls[line.what]!;
      const before = machine.hash();
      const r = machine.call(name, args);
      expect(r.error ?? 'OK', line.what).toBe(line.errno ? ERRNO_NAMES[line.errno] : 'OK');
      if (line.errno) expect(r.value, line.what).toBe(-1);
      // Only an mprotect stopped by a hole keeps what it changed before it.
      if (line.errno && line.what !== 'mprotect into hole') expect(machine.hash(), `${line.what} changed nothing`).toBe(before);
      if (!line.errno && line.what.includes('0x1000')) expect(r.value, line.what).toBe(line.value);
    }
  });
});

describe('brk shrinking over a hole (fixtures/linux/brk-probe.c)', () => {
  it('is refused when no region is left in [new break, old break), and allowed when one is', () => {
    const lines = readFileSync(fileURLToPath(new URL('./fixtures/linux/brk-probe.txt', import.meta.url)), 'utf8').trim().split('\n');
    const { machine, pid } = withProcess();
    const b = machine.call('load_program', [pid, '/bin/p', 0x400000, P, 0, 0]).value === 0x400000 ? 0x401000 : 0;
    // The probe starts at a break b (hex in its first line); the model's is 0x401000: compare offsets from b.
    const linuxB = parseInt(/^up (\w+) ->/.exec(lines[0]!)![1]!, 16);
    const rel = (line: number, re: RegExp): number => parseInt(re.exec(lines[line]!)![1]!, 16) - linuxB;
    expect(machine.call('do_brk', [pid, b + 3 * P]).value).toBe(b + rel(0, /-> (\w+)/));
    expect(machine.call('do_munmap', [pid, b, 3 * P]).value).toBe(0);
    expect(machine.call('do_brk', [pid, b + P]).value, lines[2]).toBe(b + rel(2, /= (\w+)/));
    expect(machine.call('do_brk', [pid, 0]).value, lines[3]).toBe(b + rel(3, /now (\w+)/));
    const c = b + rel(3, /now (\w+)/);
    expect(machine.call('do_brk', [pid, c + 4 * P]).value, lines[4]).toBe(b + rel(4, /up2 (\w+)/));
    machine.call('do_munmap', [pid, c + 2 * P, 2 * P]);
    expect(machine.call('do_brk', [pid, c + P]).value, lines[6]).toBe(b + rel(6, /= (\w+)/));
  });
});

describe('vm.max_map_count (fixtures/linux/maxmapcount-probe.c, scaled from 65530 to 20)', () => {
  it('each operation that adds a region fails or succeeds as on Linux, at the same distance from the limit', () => {
    const max = 20;
    const { machine, pid } = withProcess({ maxMapCount: max });
    const base = 0x100000000;
    const count = (): number => machine.query<AddressSpaceSummary>(REGIONS_REQUESTS.addressSpace, { pid }).mapCount;
    // A program with a two-page heap (the probe's static binary has one from libc's start-up).
    machine.call('load_program', [pid, '/bin/probe', 0x400000, P, P, P]);
    const b0 = (machine.query<AddressSpaceSummary>(REGIONS_REQUESTS.addressSpace, { pid })).brk;
    machine.call('do_brk', [pid, b0 + 2 * P]);
    const b = b0 + 2 * P;
    machine.call('do_mmap', [pid, base - 4 * P, 3 * P, 1, PRIVATE_ANON | MAP_FIXED]);
    let i = 0;
    for (; i < 100; i++) if (machine.call('do_mmap', [pid, base + i * P, P, i % 2 ? 1 : 0, PRIVATE_ANON | MAP_FIXED_NOREPLACE]).error) break;
    const steps: Record<string, () => ValueReply> = {
      'filled: last mmap': () => ({ value: -1, error: 'ENOMEM' }),
      'mmap elsewhere': () => machine.call('do_mmap', [pid, 0, P, 1, PRIVATE_ANON]) as ValueReply,
      'mmap fixed over one region exactly': () => machine.call('do_mmap', [pid, base, P, 1, PRIVATE_ANON | MAP_FIXED]) as ValueReply,
      'mprotect middle of 3-page region': () => machine.call('do_mprotect', [pid, base - 3 * P, P, 0]) as ValueReply,
      'mprotect first page of 3-page region': () => machine.call('do_mprotect', [pid, base - 4 * P, P, 0]) as ValueReply,
      'munmap middle of 3-page region': () => machine.call('do_munmap', [pid, base - 3 * P, P]) as ValueReply,
      'munmap last page of 3-page region': () => machine.call('do_munmap', [pid, base - 2 * P, P]) as ValueReply,
      'mprotect page 1 to PROT_NONE (merges both sides)': () => machine.call('do_mprotect', [pid, base + P, P, 0]) as ValueReply,
      'mmap elsewhere after the merge': () => machine.call('do_mmap', [pid, 0, P, 1, PRIVATE_ANON]) as ValueReply,
      'mprotect page 3 to PROT_NONE (merges both sides)': () => machine.call('do_mprotect', [pid, base + 3 * P, P, 0]) as ValueReply,
      "mprotect the heap's top page read-only": () => machine.call('do_mprotect', [pid, b - P, P, 1]) as ValueReply,
      'mmap elsewhere PROT_NONE': () => machine.call('do_mmap', [pid, 0, P, 0, PRIVATE_ANON]) as ValueReply,
      'brk +1 page (new region needed)': () => machine.call('do_brk', [pid, b + P]) as ValueReply,
      'brk +1 more page (expands)': () => machine.call('do_brk', [pid, b + 2 * P]) as ValueReply,
      'brk +1 more page after mprotect': () => {
        machine.call('do_mprotect', [pid, b + P, P, 1]);
        return machine.call('do_brk', [pid, b + 3 * P]) as ValueReply;
      },
      'mprotect page 5 to PROT_NONE (merges both sides)': () => machine.call('do_mprotect', [pid, base + 5 * P, P, 0]) as ValueReply,
      'mprotect page 7 to PROT_NONE (merges both sides)': () => machine.call('do_mprotect', [pid, base + 7 * P, P, 0]) as ValueReply,
      'mmap a 3-page region': () => machine.call('do_mmap', [pid, base - 8 * P, 3 * P, RW, PRIVATE_ANON | MAP_FIXED]) as ValueReply,
      'mmap one more page elsewhere': () => machine.call('do_mmap', [pid, base - 20 * P, P, 1, PRIVATE_ANON | MAP_FIXED]) as ValueReply,
      // One below the limit: the first split fits, the second fails, and the first stays (split_vma).
      'mprotect middle of it': () => machine.call('do_mprotect', [pid, base - 7 * P, P, 1]) as ValueReply,
    };
    const lines = probe('maxmapcount-probe.txt');
    expect(lines.map((l) => l.what)).toEqual(Object.keys(steps));
    const linuxMax = 65530;
    let brk = b;
    for (const line of lines) {
      const r = steps[line.what]!();
      if (line.what.startsWith('brk')) {
        // brk reports failure by returning the old break; the probe printed the break it got back.
        const requested = line.what.includes('more page after') ? b + 3 * P : line.what.includes('more') ? b + 2 * P : b + P;
        const linuxRefused = line.what === 'brk +1 page (new region needed)' ? false : true;
        expect(r.value, line.what).toBe(linuxRefused ? brk : requested);
        if (!linuxRefused) brk = requested;
      } else expect(r.error ?? 'OK', line.what).toBe(line.errno ? ERRNO_NAMES[line.errno] : 'OK');
      expect(count() - max, `${line.what}: map_count relative to the limit`).toBe(line.count - linuxMax);
    }
    const text = readFileSync(fileURLToPath(new URL('./fixtures/linux/maxmapcount-probe.txt', import.meta.url)), 'utf8');
    const after = text.slice(text.indexOf('# the 3-page region afterwards\n') + '# the 3-page region afterwards\n'.length);
    expect(machine.render('maps', { pid }).text.split('\n').filter((l) => /^ffff[89a]000-/.test(l)).join('\n') + '\n').toBe(after);
  });
});

describe('replay: the events rebuild the state', () => {
  it('evolve over the run log gives the same slice, and verifyReplay re-executes the inputs to the same states', () => {
    const { machine, pid } = withProcess();
    const other = spawn(machine);
    machine.call('load_program', [pid, '/bin/prog', 0x555555554000, 3 * P, P, 2 * P]);
    machine.call('do_brk', [pid, 0x555555554000 + 8 * P]);
    const a = machine.call('do_mmap', [pid, 0, 6 * P, RW, PRIVATE_ANON]).value as number;
    machine.call('do_mprotect', [pid, a + P, 2 * P, 1]);
    machine.call('anon_vma_prepare', [pid, a]);
    machine.call('do_munmap', [pid, a + 2 * P, 3 * P]);
    machine.call('do_mmap', [pid, 0, P, RW, SHARED_ANON]);
    machine.call('do_mmap', [pid, 0, 2 * P, 1, 0x02, 3, P, '/lib/libc.so']);
    machine.call('expand_stack', [pid, STACK_START - 3 * P]);
    machine.call('do_mmap', [other, 0, P, RW, PRIVATE_ANON]);
    machine.call('do_brk', [pid, 0x555555554000 + 6 * P]);
    machine.call('do_mprotect', [pid, 0x20000000, P, 1]); // fails: ENOMEM
    machine.dispatch({ type: REGIONS_REQUESTS.destroyAddressSpace, payload: { pid: other } });
    expect(evolvedFromEvents(machine)).toEqual(machine.slice('regions'));
    expect(verifyReplay(exportLog(machine), [regionsSubsystem]).ok).toBe(true);
  });

  it('a log of version 1 (address-space-created carried the whole empty space) verifies through the upcaster', () => {
    const { machine, pid } = withProcess();
    machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]);
    const log = exportLog(machine);
    const layout = machine.slice<RegionsState>('regions').layout;
    const v1 = {
      ...log,
      fingerprint: { ...log.fingerprint, [REGIONS_EVENTS.addressSpaceCreated]: 1 },
      events: log.events!.map((e) => {
        if (e.type !== REGIONS_EVENTS.addressSpaceCreated) return e;
        const { pid: owner, addressSpace: id, pgd, object } = e.payload as { pid: number; addressSpace: number; pgd: number; object: number };
        return { ...e, v: 1, payload: { pid: owner, space: createAddressSpace({ id, layout, pgd, object }) } };
      }),
    };
    expect(v1.events.some((e) => e.v === 1)).toBe(true);
    expect(verifyReplay(v1, [regionsSubsystem]).ok).toBe(true);
  });

  it('evolve is not a no-op: dropping one event changes the rebuilt state', () => {
    const { machine, pid } = withProcess();
    machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]);
    machine.call('do_mprotect', [pid, MMAP_BASE - P, P, 1]);
    let state = regionsSubsystem.initialState({});
    const all = machine.timeline.events().filter((e) => e.type.startsWith('regions/'));
    for (const e of all.filter((x) => x.type !== REGIONS_EVENTS.regionProtectionChanged)) state = produce(state, (d) => regionsSubsystem.evolve(d, e));
    expect(state).not.toEqual(machine.slice('regions'));
  });
});

describe('rollback: a request that cannot get its kernel memory changes nothing', () => {
  /** The tiny profile (64 KiB of RAM): page tables and slabs run out after a few dozen processes or a few hundred regions. */
  const tiny = (): Machine =>
    createMachine({ subsystems: [mmuSubsystem, physSubsystem, slabSubsystem, regionsSubsystem] as AnySubsystem[], config: { profile: 'tiny' }, freeze: true });

  it('create-address-space when hardware-mmu has no frame for a page table: the input fails and is rolled back', () => {
    const machine = tiny();
    for (let i = 0; i < 200; i++) {
      const pid = spawn(machine);
      const before = machine.hash();
      const outcome = machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
      if (!outcome.error) continue;
      expect(outcome.error.message).toContain('mmu/create-address-space failed');
      expect(machine.hash()).toBe(before);
      expect(machine.query<Task>('kernel/task', { pid }).addressSpace).toBeNull();
      expect(Object.keys(machine.slice<RegionsState>('regions').spaces).length).toBe(i);
      return;
    }
    throw new Error('page tables never ran out');
  });

  it('mmap when the vm_area_struct cache cannot grow: no region, no event, no slab object kept (the whole input rolled back)', () => {
    const machine = tiny();
    const pid = spawn(machine);
    machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
    for (let i = 0; i < 5000; i++) {
      const before = machine.hash();
      const r = machine.call('do_mmap', [pid, 0x1000000 + 2 * i * P, P, i % 2 ? 1 : 3, PRIVATE_ANON | MAP_FIXED]);
      if (!r.outcome.error) continue;
      expect(r.outcome.error.message).toContain('kmem_cache_alloc(vm_area_struct) failed');
      expect(machine.hash()).toBe(before);
      expect(regions(machine, pid).length).toBe(i + 1); // the stack and the i mappings before
      expect(verifyReplay(exportLog(machine), [mmuSubsystem, physSubsystem, slabSubsystem, regionsSubsystem] as AnySubsystem[]).ok).toBe(true);
      return;
    }
    throw new Error('the slab never ran out');
  });
});
