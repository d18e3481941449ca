/**
 * The page tables follow the regions (vm-regions with hardware-mmu, phys-allocator and slab on the
 * bus): munmap, MAP_FIXED over a mapping and a brk shrink zap the PTEs of what they unmap (mm/vma.c
 * vms_complete_munmap_vmas → unmap_region → unmap_vmas), mprotect rewrites their rights (mm/mprotect.c
 * change_protection), and a task's exit takes its whole address space down (exit_mmap): regions,
 * page tables, vm_area_structs and the mm_struct. The run replays (verifyReplay). Without an MMU on
 * the bus the regions work as before.
 */
import { createMachine, exportLog, verifyReplay, type AnySubsystem, type Machine } from '@vmlab/kernel';
import { mmuSubsystem, type MmuState } from '@vmlab/hardware-mmu';
import { physSubsystem } from '@vmlab/phys-allocator';
import { slabSubsystem } from '@vmlab/slab';
import { describe, expect, it } from 'vitest';
import { REGIONS_REQUESTS, type RegionData } from './protocol.js';
import { regionsSubsystem } from './server.js';
import type { RegionsState } from './state.js';

const P = 4096;
const SUBSYSTEMS: readonly AnySubsystem[] = [mmuSubsystem as AnySubsystem, physSubsystem as AnySubsystem, slabSubsystem as AnySubsystem, regionsSubsystem as AnySubsystem];
const PROT_NONE = 0;
const PROT_READ = 1;
const RW = 3;
const PRIVATE_ANON = 0x22;
const MAP_FIXED = 0x10;
// Portable PTE flags (hardware-mmu pteFlags.ts).
const PTE_PRESENT = 0x1;
const PTE_WRITE = 0x2;
const PTE_USER = 0x4;
const PTE_ACCESSED = 0x20;
const PTE_DIRTY = 0x40;
const PTE_NX = 0x200;

function machineWith(profile = 'linux-x86_64'): Machine {
  return createMachine({ subsystems: SUBSYSTEMS, config: { profile, ram: 16 * 1024 * 1024 }, freeze: true });
}

function spawn(machine: Machine, name: string): number {
  return (machine.dispatch({ type: 'kernel/spawn', payload: { name, personality: 'posix' } }).reply as { pid: number }).pid;
}

/** The address-space id of a process (the mmu's asid). */
function asidOf(machine: Machine, pid: number): number {
  return (machine.query<{ addressSpace: number }>('kernel/task', { pid })).addressSpace;
}

/** A frame from phys-allocator mapped at `va` of `pid`, as a pager or the scenario's map_page would. */
function mapFrame(machine: Machine, pid: number, va: number): number {
  const pfn = machine.call('alloc_pages', [0xcc0, 0]).value as number;
  expect(machine.call('map_page', [asidOf(machine, pid), va, pfn, PTE_PRESENT | PTE_WRITE | PTE_USER]).value).toBe(0);
  return pfn;
}

/** A process with a two-page read-write anonymous mapping, both pages mapped to frames: its pid and the mapping's address. */
function processWithTwoMappedPages(machine: Machine): { pid: number; buf: number } {
  const pid = spawn(machine, 'p');
  const buf = machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]).value as number;
  mapFrame(machine, pid, buf);
  mapFrame(machine, pid, buf + P);
  return { pid, buf };
}

function access(machine: Machine, pid: number, address: number, kind: 'read' | 'write', value?: number): { value?: number; fault?: { kind: string } } {
  const outcome = machine.dispatch({ type: 'mmu/access', payload: { pid, address, kind, size: 1, ...(value === undefined ? {} : { value }) } });
  expect(outcome.error).toBeUndefined();
  return outcome.reply as never;
}

/** The active_objs column of a cache's line in /proc/slabinfo. */
function activeObjects(machine: Machine, cache: string): number {
  const line = machine.render('slabinfo').text.split('\n').find((l) => l.startsWith(cache + ' '))!;
  return Number(line.trim().split(/\s+/)[1]);
}

describe('the page tables follow the regions', () => {
  it('munmap zaps the PTEs of what it unmaps: a later access faults; the frame is still allocated, with its data', () => {
    const machine = machineWith();
    const pid = spawn(machine, 'p');
    const buf = machine.call('do_mmap', [pid, 0, 4 * P, RW, PRIVATE_ANON]).value as number;
    const frames = [0, 1, 2].map((i) => mapFrame(machine, pid, buf + i * P));
    expect(access(machine, pid, buf + P + 8, 'write', 42)).toEqual({});
    const out = machine.dispatch({ type: REGIONS_REQUESTS.munmap, payload: { pid, addr: buf + P, length: 2 * P } });
    expect(out.reply).toEqual({ value: 0 });
    // One range request for the range, one entry write per mapped page, and the TLB entry dropped.
    expect(out.events.filter((e) => e.type === 'mmu/pte-set').map((e) => (e.payload as { reason: string }).reason)).toEqual(['unmap', 'unmap']);
    expect(out.events.filter((e) => e.type === 'mmu/tlb-flushed')).toHaveLength(1);
    expect(access(machine, pid, buf + P + 8, 'read').fault).toMatchObject({ kind: 'not-present' });
    expect(access(machine, pid, buf + 2 * P, 'read').fault).toMatchObject({ kind: 'not-present' });
    expect(access(machine, pid, buf, 'read')).toEqual({ value: 0 });
    expect(machine.call('read_phys', [frames[1]! * P + 8, 1]).value).toBe(42);
  });

  it('munmap of the whole user half with three pages mapped costs three entry writes', () => {
    const machine = machineWith();
    const pid = spawn(machine, 'p');
    const buf = machine.call('do_mmap', [pid, 0x10000000, 2 * P, RW, PRIVATE_ANON | MAP_FIXED]).value as number;
    mapFrame(machine, pid, buf);
    mapFrame(machine, pid, buf + P);
    mapFrame(machine, pid, 0x7ffffffff000 - P); // in [stack]
    const out = machine.dispatch({ type: REGIONS_REQUESTS.munmap, payload: { pid, addr: 0x1000, length: 0x7ffffffff000 - 0x1000 } });
    expect(out.reply).toEqual({ value: 0 });
    expect(out.events.filter((e) => e.type.startsWith('mmu/'))).toHaveLength(3);
  });

  it('one mmu request per run of adjacent regions: munmap and mprotect over 40 regions ask once', () => {
    const machine = machineWith();
    const pid = spawn(machine, 'p');
    // 40 adjacent regions that do not merge (alternating protections).
    for (let i = 0; i < 40; i++) machine.call('do_mmap', [pid, 0x10000000 + i * P, P, i % 2 ? PROT_READ : RW, PRIVATE_ANON | MAP_FIXED]);
    mapFrame(machine, pid, 0x10000000 + 3 * P);
    const mmuRequests = (): { type: string; payload: unknown }[] => machine.timeline.requestsOf(machine.timeline.length - 1).filter((r) => r.type.startsWith('mmu/'));
    machine.call('do_mprotect', [pid, 0x10000000, 40 * P, PROT_READ]);
    expect(mmuRequests()).toEqual([{ id: expect.any(Number), parent: 0, server: 'mmu', type: 'mmu/protect-range', payload: { asid: 1, start: 0x10000000, end: 0x10000000 + 40 * P, flags: PTE_PRESENT | PTE_NX, mask: PTE_PRESENT | PTE_WRITE | PTE_NX } }]);
    machine.call('do_mprotect', [pid, 0x10000000 + 10 * P, 20 * P, RW]);
    machine.call('do_munmap', [pid, 0x10000000, 40 * P]);
    expect(mmuRequests().map((r) => [r.type, r.payload])).toEqual([['mmu/unmap-range', { asid: 1, start: 0x10000000, end: 0x10000000 + 40 * P }]]);
  });

  it('mprotect(PROT_READ) makes a write fault and keeps reads; back to PROT_READ|PROT_WRITE, writes work again', () => {
    const machine = machineWith();
    const { pid, buf } = processWithTwoMappedPages(machine);
    expect(access(machine, pid, buf, 'write', 7)).toEqual({});
    expect(machine.call('do_mprotect', [pid, buf, P, PROT_READ]).value).toBe(0);
    // change_protection: W cleared, NX set (no VM_EXEC); the frame, U, A and D kept.
    expect(machine.call('pte_flags', [pid, buf]).value).toBe(PTE_PRESENT | PTE_USER | PTE_ACCESSED | PTE_DIRTY | PTE_NX);
    expect(access(machine, pid, buf, 'write', 8).fault).toMatchObject({ kind: 'protection' });
    expect(access(machine, pid, buf, 'read')).toEqual({ value: 7 });
    expect(access(machine, pid, buf + P, 'write', 1)).toEqual({});
    expect(machine.call('do_mprotect', [pid, buf, P, RW]).value).toBe(0);
    expect(access(machine, pid, buf, 'write', 9)).toEqual({});
    // PROT_NONE: the entry stops being present but keeps its frame; PROT_READ brings the data back.
    expect(machine.call('do_mprotect', [pid, buf, 2 * P, PROT_NONE]).value).toBe(0);
    expect(access(machine, pid, buf, 'read').fault).toMatchObject({ kind: 'not-present' });
    expect(machine.call('do_mprotect', [pid, buf, 2 * P, PROT_READ]).value).toBe(0);
    expect(access(machine, pid, buf, 'read')).toEqual({ value: 9 });
    expect(access(machine, pid, buf + P, 'read')).toEqual({ value: 1 });
  });

  it('MAP_FIXED over a mapping and a brk shrink zap the PTEs they replace or give up', () => {
    const machine = machineWith();
    const { pid, buf } = processWithTwoMappedPages(machine);
    expect(machine.call('do_mmap', [pid, buf + P, P, RW, PRIVATE_ANON | MAP_FIXED]).value).toBe(buf + P);
    expect(access(machine, pid, buf + P, 'read').fault).toMatchObject({ kind: 'not-present' });
    expect(access(machine, pid, buf, 'read')).toEqual({ value: 0 });
    machine.call('load_program', [pid, '/bin/prog', 0x555555554000, 3 * P, P, P]);
    const heap = machine.call('do_brk', [pid, 0]).value as number;
    expect(machine.call('do_brk', [pid, heap + 3 * P]).value).toBe(heap + 3 * P);
    mapFrame(machine, pid, heap);
    mapFrame(machine, pid, heap + 2 * P);
    expect(machine.call('do_brk', [pid, heap + P]).value).toBe(heap + P);
    expect(access(machine, pid, heap + 2 * P, 'read').fault).toMatchObject({ kind: 'not-present' });
    expect(access(machine, pid, heap, 'read')).toEqual({ value: 0 });
  });

  it("an exited task's address space goes: regions, page tables, vm_area_structs and mm_struct; later calls get ESRCH", () => {
    const machine = machineWith();
    const p = spawn(machine, 'p');
    const q = spawn(machine, 'q');
    const a = machine.call('do_mmap', [p, 0, 4 * P, RW, PRIVATE_ANON]).value as number;
    machine.call('do_mprotect', [p, a + P, P, PROT_READ]);
    machine.call('do_mmap', [q, 0, P, RW, PRIVATE_ANON]);
    mapFrame(machine, p, a);
    const asid = asidOf(machine, p);
    // p: [stack], the vDSO's three and three regions of the split mapping; q: [stack], the vDSO's three and one region.
    expect([activeObjects(machine, 'vm_area_struct'), activeObjects(machine, 'mm_struct')]).toEqual([12, 2]);
    const exit = machine.dispatch({ type: 'kernel/exit', payload: { pid: p, exit: 'SIGSEGV' } });
    expect(exit.error).toBeUndefined();
    expect(exit.events.map((e) => e.type)).toContain('mmu/address-space-destroyed');
    expect(exit.events[exit.events.length - 1]!.type).toBe('kernel/task-exited');
    expect(machine.slice<RegionsState>('regions').spaces[asid]).toBeUndefined();
    expect(machine.slice<MmuState>('mmu').spaces[asid]).toBeUndefined();
    expect(machine.query<RegionData[]>(REGIONS_REQUESTS.regions, { pid: p })).toEqual([]);
    expect([activeObjects(machine, 'vm_area_struct'), activeObjects(machine, 'mm_struct')]).toEqual([5, 1]);
    // A dead task has no mm: every call is ESRCH, and nothing is created for it.
    expect(machine.call('do_mmap', [p, 0, P, RW, PRIVATE_ANON])).toMatchObject({ value: -1, error: 'ESRCH' });
    expect(machine.call('do_munmap', [p, a, P])).toMatchObject({ value: -1, error: 'ESRCH' });
    expect(machine.call('do_mprotect', [p, a, P, RW])).toMatchObject({ value: -1, error: 'ESRCH' });
    expect(machine.call('do_brk', [p, 0])).toMatchObject({ value: -1, error: 'ESRCH' });
    expect(machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid: p } }).error?.message).toMatch(/task 1 has exited/);
    expect(Object.keys(machine.slice<RegionsState>('regions').spaces)).toEqual([String(asidOf(machine, q))]);
    // q lives on, its tables intact.
    expect(machine.call('do_mmap', [q, 0, P, RW, PRIVATE_ANON]).error).toBeUndefined();
  });

  it('a task sharing its address space with a running one leaves it up at exit (mmput drops mm_users)', () => {
    const machine = machineWith();
    const p = spawn(machine, 'p');
    const t = spawn(machine, 't');
    machine.call('do_mmap', [p, 0, P, RW, PRIVATE_ANON]);
    machine.dispatch({ type: 'kernel/assign-address-space', payload: { pid: t, addressSpace: asidOf(machine, p) } });
    machine.dispatch({ type: 'kernel/exit', payload: { pid: t, exit: 0 } });
    expect(machine.query<RegionData[]>(REGIONS_REQUESTS.regions, { pid: p })).toHaveLength(5); // [stack], the vDSO's three, the mapping
    machine.dispatch({ type: 'kernel/exit', payload: { pid: p, exit: 0 } });
    expect(machine.slice<RegionsState>('regions').spaces).toEqual({});
  });

  it('the whole run replays to the same states and events (verifyReplay)', () => {
    const machine = machineWith('linux-i386');
    const p = spawn(machine, 'p');
    const q = spawn(machine, 'q');
    const buf = machine.call('do_mmap', [p, 0, 4 * P, RW, PRIVATE_ANON]).value as number;
    for (let i = 0; i < 4; i++) mapFrame(machine, p, buf + i * P);
    access(machine, p, buf, 'write', 1);
    machine.call('do_mprotect', [p, buf, 2 * P, PROT_READ]);
    access(machine, p, buf, 'write', 2);
    machine.call('do_munmap', [p, buf + P, 2 * P]);
    machine.call('do_mmap', [p, buf + 3 * P, P, RW, PRIVATE_ANON | MAP_FIXED]);
    machine.call('do_mmap', [q, 0, P, RW, PRIVATE_ANON]);
    machine.dispatch({ type: 'kernel/exit', payload: { pid: p, exit: 'SIGSEGV' } });
    machine.call('do_mmap', [p, 0, P, RW, PRIVATE_ANON]);
    expect([...machine.timeline.failures().values()]).toEqual([]);
    const report = verifyReplay(exportLog(machine), SUBSYSTEMS);
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });

  it('without an MMU on the bus the operations work as before', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem], freeze: true });
    const pid = spawn(machine, 'p');
    const buf = machine.call('do_mmap', [pid, 0, 2 * P, RW, PRIVATE_ANON]).value as number;
    expect(machine.call('do_mprotect', [pid, buf, P, PROT_READ]).value).toBe(0);
    expect(machine.call('do_munmap', [pid, buf, 2 * P]).value).toBe(0);
    machine.dispatch({ type: 'kernel/exit', payload: { pid, exit: 0 } });
    expect(machine.slice<RegionsState>('regions').spaces).toEqual({});
    expect(machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON])).toMatchObject({ value: -1, error: 'ESRCH' });
  });
});
