import { describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { physToVirt, virtToPhys } from './directMap.js';
import { createMmu } from './mmu.js';
import type { MmuState } from './mmuState.js';
import { PTE_GLOBAL, PTE_LARGE, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { readPhysical } from './ram.js';
import { mmuSubsystem } from './server.js';

describe('the kernel direct map', () => {
  it('i386: 64 MiB at 0xC0000000 is 16 PSE pages of 4 MiB in directory entries 0x300-0x30f', () => {
    const mmu = createMmu({ format: 'i386', ramBytes: 64 * 1024 * 1024 });
    mmu.createAddressSpace(0);
    mmu.switchAddressSpace(0);
    expect(mmu.mapDirectMap(0xc0000000)).toBeNull();
    // PDE 0x300 + 3 maps physical 12 MiB: 0x00c00000 | G 0x100 | PS 0x80 | RW 2 | P 1 = 0x00c00183.
    expect(readPhysical(mmu.ram, mmu.root + (0x300 + 3) * 4, 4)).toBe(0x00c00183);
    expect(readPhysical(mmu.ram, mmu.root + 0x310 * 4, 4)).toBe(0);
    mmu.userMode = false;
    expect(mmu.translate(physToVirt(0xc0000000, 0x123456))).toBe(0x123456);
    expect(virtToPhys(0xc0000000, 0xc3ffffff)).toBe(0x3ffffff);
    mmu.userMode = true;
    expect(mmu.translateAccess(0xc0001000, 'read')).toMatchObject({ fault: { kind: 'privilege' } });
    expect(mmu.lookup(0xc0400000)!.flags & (PTE_GLOBAL | PTE_LARGE | PTE_USER)).toBe(PTE_GLOBAL | PTE_LARGE);
  });

  it('every process shares the kernel half on the bus (linux-i386)', () => {
    const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile: 'linux-i386', ram: 8 * 1024 * 1024 } });
    // No phys-allocator: tables come from the top of RAM (frame 2047 down). The kernel space is created first.
    expect(machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } }).reply).toEqual({ root: 2046 * 4096 });
    const mmu = machine.slice<MmuState>('mmu');
    expect(mmu.spaces[0]!.root).toBe(2047 * 4096);
    // PDE 0x301 (physical 4 MiB) in both tables.
    expect(readPhysical(mmu.ram, 2047 * 4096 + 0x301 * 4, 4)).toBe(0x00400183);
    expect(readPhysical(mmu.ram, 2046 * 4096 + 0x301 * 4, 4)).toBe(0x00400183);
    machine.dispatch({ type: 'mmu/write-physical', payload: { address: 0x1234, size: 4, value: 0xcafe } });
    expect(machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0xc0001234, kind: 'read', size: 4 } }).reply).toEqual({ value: 0xcafe });
    expect(machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0xc0001234, kind: 'read', size: 4, mode: 'user' } }).reply).toMatchObject({ fault: { kind: 'privilege' } });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x8048000, pfn: 5, flags: PTE_USER | PTE_WRITE } });
    // The process's own mapping does not leak into the kernel's table.
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 0, va: 0x8048000 } }).reply).toBeNull();
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x8048000 } }).reply).toMatchObject({ pfn: 5 });
  });
});
