/**
 * `mmu/unmap-range` and `mmu/protect-range`: what they change, what they cost (only what is
 * mapped), the TLB entries they drop, large pages split when a range covers them in part, the
 * errors, and a run replaying to the same states.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, exportLog, verifyReplay, type Machine } from '@vmlab/kernel';
import type { MmuState } from './mmuState.js';
import { PTE_NX, PTE_PRESENT, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { mmuSubsystem } from './server.js';

const RIGHTS = PTE_PRESENT | PTE_WRITE | PTE_NX;

function machineWith(profile: string, ram = 4 * 1024 * 1024): { machine: Machine; pid: number } {
  const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile, ram }, freeze: true });
  const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number };
  machine.dispatch({ type: 'kernel/assign-address-space', payload: { pid, addressSpace: 1 } });
  machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } });
  return { machine, pid };
}

function map(machine: Machine, va: number, pfn: number, flags = PTE_USER | PTE_WRITE, level?: number): void {
  expect(machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va, pfn, flags, ...(level === undefined ? {} : { level }) } }).reply).toEqual({ value: 0 });
}

function access(machine: Machine, pid: number, address: number, kind: 'read' | 'write', value?: number): { value?: number; fault?: { kind: string; errorCode: number } } {
  return machine.dispatch({ type: 'mmu/access', payload: { pid, address, kind, size: 1, ...(value === undefined ? {} : { value }) } }).reply as never;
}

describe('mmu/unmap-range', () => {
  it('clears the mapped pages of the range, reports their frames, and drops their TLB entries', () => {
    const { machine, pid } = machineWith('linux-x86_64');
    map(machine, 0x400000, 10);
    map(machine, 0x401000, 11);
    map(machine, 0x403000, 12);
    map(machine, 0x7f0000000000, 13);
    expect(access(machine, pid, 0x401000, 'write', 5)).toEqual({});
    expect(machine.slice<MmuState>('mmu').tlb.size).toBe(1);
    const out = machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x400000, end: 0x404000 } });
    expect(out.reply).toEqual({ value: 0, entries: 3, pages: 3, frames: [10, 11, 12] });
    expect(out.events.map((e) => [e.type, (e.payload as { reason?: string }).reason])).toEqual([
      ['mmu/pte-set', 'unmap'],
      ['mmu/pte-set', 'unmap'],
      ['mmu/pte-set', 'unmap'],
      ['mmu/tlb-flushed', undefined],
    ]);
    expect(out.events[3]!.payload).toEqual({ scope: 'page', vpn: 0x401, asid: 1 });
    expect(machine.slice<MmuState>('mmu').tlb.size).toBe(0);
    expect(access(machine, pid, 0x401000, 'read').fault).toMatchObject({ kind: 'not-present', errorCode: 4 });
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x7f0000000000 } }).reply).toMatchObject({ pfn: 13 });
  });

  it('costs what is mapped: the whole user half of x86-64 with two pages mapped is two entry writes', () => {
    const { machine } = machineWith('linux-x86_64');
    map(machine, 0x1000, 3);
    map(machine, 0x7ffffffff000, 4);
    const out = machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0, end: 0x800000000000 } });
    expect(out.reply).toEqual({ value: 0, entries: 2, pages: 2, frames: [3, 4] });
    expect(out.events).toHaveLength(2);
    // Nothing left: a second pass changes nothing.
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0, end: 0x800000000000 } }).reply).toEqual({ value: 0, entries: 0, pages: 0, frames: [] });
  });

  it('clears a large page the range covers whole, and splits one it covers in part (__split_huge_pmd)', () => {
    const { machine, pid } = machineWith('linux-x86_64', 16 * 1024 * 1024);
    map(machine, 0x200000, 512, PTE_USER | PTE_WRITE, 2); // a 2 MiB page: frames 512-1023
    map(machine, 0x600000, 2048, PTE_USER | PTE_WRITE, 2);
    // An empty range inside a large page touches nothing (no split).
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x201000, end: 0x201000 } }).events).toEqual([]);
    const whole = machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x600000, end: 0x800000 } });
    expect(whole.reply).toEqual({ value: 0, entries: 1, pages: 512, frames: [2048] });
    expect(access(machine, pid, 0x205000, 'write', 7)).toEqual({});
    const part = machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x201000, end: 0x203000 } });
    expect(part.reply).toEqual({ value: 0, entries: 2, pages: 2, frames: [513, 514] });
    const reasons = part.events.filter((e) => e.type === 'mmu/pte-set').map((e) => (e.payload as { reason: string }).reason);
    expect(part.events[0]!.type).toBe('mmu/table-allocated');
    expect(reasons).toEqual(['table', ...Array.from({ length: 512 }, () => 'split'), 'unmap', 'unmap']);
    expect(access(machine, pid, 0x202000, 'read').fault).toMatchObject({ kind: 'not-present' });
    // The rest of the large page maps the same frames, with its data.
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x205000 } }).reply).toMatchObject({ pfn: 517, level: 3 });
    expect(access(machine, pid, 0x205000, 'read')).toEqual({ value: 7 });
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x200000 } }).reply).toMatchObject({ pfn: 512, level: 3 });
  });

  it('refuses an unknown space, a misaligned or reversed range, and the kernel half of a process (EINVAL)', () => {
    const { machine } = machineWith('linux-i386');
    const fail = { value: -1, error: 'EINVAL', entries: 0, pages: 0, frames: [] };
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 9, start: 0, end: 0x1000 } }).reply).toEqual(fail);
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x10, end: 0x1000 } }).reply).toEqual(fail);
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x2000, end: 0x1000 } }).reply).toEqual(fail);
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0xbffff000, end: 0xc0001000 } }).reply).toEqual(fail);
    expect(machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0, end: 0xc0001000, flags: 0 } }).reply).toEqual({ value: -1, error: 'EINVAL', entries: 0 });
    // The kernel's direct map is still there, and an empty range is fine.
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0xc0000000 } }).reply).toMatchObject({ pfn: 0 });
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x1000, end: 0x1000 } }).reply).toEqual({ value: 0, entries: 0, pages: 0, frames: [] });
  });
});

describe('mmu/protect-range', () => {
  it('rewrites the masked rights of present pages, keeping the frame, user, accessed and dirty', () => {
    const { machine, pid } = machineWith('linux-x86_64');
    map(machine, 0x400000, 10);
    map(machine, 0x401000, 11, PTE_USER);
    expect(access(machine, pid, 0x400000, 'write', 42)).toEqual({});
    const out = machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x500000, flags: PTE_PRESENT | PTE_NX, mask: RIGHTS } });
    expect(out.reply).toEqual({ value: 0, entries: 2 });
    expect(out.events.map((e) => e.type)).toEqual(['mmu/pte-set', 'mmu/pte-set', 'mmu/tlb-flushed']);
    expect(machine.call('pte_flags', [pid, 0x400000]).value).toBe(PTE_PRESENT | PTE_USER | 0x20 | 0x40 | PTE_NX);
    expect(access(machine, pid, 0x400000, 'write', 1).fault).toMatchObject({ kind: 'protection', errorCode: 7 });
    expect(access(machine, pid, 0x400000, 'read')).toEqual({ value: 42 });
    // Entries that already have the rights are not rewritten.
    expect(machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x402000, flags: PTE_PRESENT | PTE_NX, mask: RIGHTS } }).events).toEqual([]);
  });

  it('makes PROT_NONE entries without PTE_PRESENT (the frame kept) and brings them back', () => {
    const { machine, pid } = machineWith('linux-x86_64');
    map(machine, 0x400000, 10);
    expect(access(machine, pid, 0x400010, 'write', 9)).toEqual({});
    expect(machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x401000, flags: PTE_NX, mask: RIGHTS } }).reply).toEqual({ value: 0, entries: 1 });
    expect(access(machine, pid, 0x400010, 'read').fault).toMatchObject({ kind: 'not-present', errorCode: 4 });
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x400000 } }).reply).toBeNull();
    expect(machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x401000, flags: PTE_PRESENT | PTE_WRITE, mask: RIGHTS } }).reply).toEqual({ value: 0, entries: 1 });
    expect(access(machine, pid, 0x400010, 'read')).toEqual({ value: 9 });
    // An unmap clears a PROT_NONE entry too.
    machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x401000, flags: 0, mask: RIGHTS } });
    expect(machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x400000, end: 0x401000 } }).reply).toMatchObject({ entries: 1, frames: [10] });
    machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x400000, end: 0x401000, flags: PTE_PRESENT, mask: RIGHTS } });
    expect(access(machine, pid, 0x400010, 'read').fault).toMatchObject({ kind: 'not-present' });
  });

  it('drops no TLB entry of the current space for an edit of another, untagged space', () => {
    const { machine, pid } = machineWith('alpha', 1024 * 1024);
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 2 } });
    map(machine, 0x2000, 4);
    machine.dispatch({ type: 'mmu/map', payload: { asid: 2, va: 0x2000, pfn: 5, flags: PTE_USER } });
    expect(access(machine, pid, 0x2000, 'read')).toEqual({ value: 0 });
    const out = machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 2, start: 0, end: 0x10000 } });
    expect(out.events.map((e) => e.type)).toEqual(['mmu/pte-set']);
    expect(machine.slice<MmuState>('mmu').tlb.size).toBe(1);
  });
});

describe('range requests replay', () => {
  it('a run of range requests re-executes to the same states and events (verifyReplay)', () => {
    const { machine, pid } = machineWith('linux-x86_64', 16 * 1024 * 1024);
    map(machine, 0x200000, 512, PTE_USER | PTE_WRITE, 2);
    map(machine, 0x400000, 10);
    access(machine, pid, 0x400000, 'write', 3);
    access(machine, pid, 0x210000, 'write', 4);
    machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x0, end: 0x401000, flags: PTE_PRESENT, mask: RIGHTS } });
    machine.dispatch({ type: 'mmu/unmap-range', payload: { asid: 1, start: 0x210000, end: 0x212000 } });
    machine.dispatch({ type: 'mmu/protect-range', payload: { asid: 1, start: 0x300000, end: 0x400000, flags: 0, mask: RIGHTS } });
    access(machine, pid, 0x211000, 'read');
    const report = verifyReplay(exportLog(machine), [mmuSubsystem]);
    expect(report.ok, JSON.stringify(report)).toBe(true);
  });
});
