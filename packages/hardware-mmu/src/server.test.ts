import { describe, expect, it } from 'vitest';
import { createMachine, defineSubsystem, event, type Machine } from '@vmlab/kernel';
import type { MmuState } from './mmuState.js';
import { PTE_USER, PTE_WRITE } from './pteFlags.js';
import { readPhysical } from './ram.js';
import { mmuSubsystem } from './server.js';

function spawn(machine: Machine, name: string, asid: number): number {
  const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name, personality: 'posix' } }).reply as { pid: number };
  machine.dispatch({ type: 'kernel/assign-address-space', payload: { pid, addressSpace: asid } });
  return pid;
}

function alphaMachine(extra: Parameters<typeof createMachine>[0]['subsystems'] = []): { machine: Machine; pid: number } {
  const machine = createMachine({ subsystems: [mmuSubsystem, ...extra], config: { profile: 'alpha', ram: 1024 * 1024 }, freeze: true });
  const pid = spawn(machine, 'shell', 1);
  expect(machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } }).reply).toEqual({ root: 1024 * 1024 - 8192 });
  return { machine, pid };
}

describe('mmu server', () => {
  it('maps, translates (the seed example 0x2194 → 0x8194) and accesses memory through the bus', () => {
    const { machine, pid } = alphaMachine();
    expect(machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_WRITE | PTE_USER } }).reply).toEqual({ value: 0 });
    expect(machine.call('translate', [pid, 0x2194]).value).toBe(0x8194);
    expect(machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2194, kind: 'write', size: 2, value: 0xbeef } }).reply).toEqual({});
    expect(readPhysical(machine.slice<MmuState>('mmu').ram, 0x8194, 2)).toBe(0xbeef);
    expect(machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2195, kind: 'read', size: 1 } }).reply).toEqual({ value: 0xbe });
    const tlb = machine.slice<MmuState>('mmu').tlb;
    // translate: miss + fill; write: hit on a clean entry → walk to set dirty; read: hit.
    expect([tlb.hits, tlb.misses]).toEqual([2, 1]);
    expect(machine.call('pte_flags', [pid, 0x2000]).value).toBe(0x67); // P W U A D
  });

  it('records the hardware steps as events', () => {
    const { machine, pid } = alphaMachine();
    const mapped = machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_USER } });
    // Two new tables (levels 1 and 2), each allocated, zeroed and linked, then the leaf entry.
    expect(mapped.events.map((e) => e.type)).toEqual(['mmu/table-allocated', 'mmu/pte-set', 'mmu/table-allocated', 'mmu/pte-set', 'mmu/pte-set']);
    expect(mapped.events.map((e) => (e.payload as { reason?: string }).reason).filter(Boolean)).toEqual(['table', 'table', 'map']);
    const read = machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2000, kind: 'read', size: 1 } });
    expect(read.events.map((e) => e.type)).toEqual(['mmu/address-space-switched', 'mmu/tlb-missed', 'mmu/pte-set', 'mmu/pte-set', 'mmu/pte-set', 'mmu/tlb-filled']);
    const write = machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2000, kind: 'write', size: 1, value: 1 } });
    expect(write.reply).toMatchObject({ fault: { kind: 'protection', address: 0x2000, access: 'write', user: true, errorCode: 7 } });
    expect(write.events.map((e) => e.type)).toEqual(['mmu/tlb-hit', 'mmu/tlb-flushed', 'mmu/fault-raised']);
    expect(machine.call('translate', [pid, 0x6000]).error).toBe('EFAULT');
  });

  it('renders the page table and the TLB', () => {
    const { machine, pid } = alphaMachine();
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_WRITE | PTE_USER } });
    machine.call('translate', [pid, 0x2194]);
    // Alpha addresses have 43 bits: 11 hex digits. Tables from the top of RAM: root frame 127 (0xfe000), then 126, 125;
    // the leaf entry is entry 1 of frame 125: 0xfa008, holding V|URE|UWE|ACCESSED = 0x42201 and PFN 4 in the high word.
    expect(machine.render('pagetable', { pid }).text).toBe(
      'pagetable of shell (pid 1): address space 1, format alpha, root 0xfe000, 1 mapping\n' +
        '0x00000002000 -> 0x08000   8K pfn 4 P W U A (pte 0x0000000400042201 at 0xfa008)\n',
    );
    expect(machine.render('tlb').text).toBe(
      'tlb: 64 entries, fully associative, LRU; current address space 1\n' + 'hits 0 misses 1 hit rate 0.0%; 1 valid\n' + '  [  0] asid 1 0x00000002000 -> pfn 4 P W U A\n',
    );
  });

  it('takes table frames from phys/alloc-pages when a phys-allocator serves it', () => {
    const requests: unknown[] = [];
    const frames = defineSubsystem<{ next: number }>({
      id: 'frames',
      requests: { 'phys/alloc-pages': 1 },
      events: { 'frames/given': 1 },
      initialState: () => ({ next: 100 }),
      decide(request, state) {
        requests.push(request.payload);
        return { reply: { pfn: state.next }, events: [event('frames/given', {})] };
      },
      evolve(draft) {
        draft.next++;
      },
    });
    const machine = createMachine({ subsystems: [mmuSubsystem, frames], config: { profile: 'linux-i386', ram: 4 * 1024 * 1024 } });
    // Frame 100: the kernel's table (its direct map of 4 MiB is one PSE entry); 101: the process's root; 102: the page table of 0x8048000.
    expect(machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } }).reply).toEqual({ root: 101 * 4096 });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x8048000, pfn: 7, flags: PTE_USER } });
    expect(requests).toEqual(Array.from({ length: 3 }, () => ({ gfp: 0xcc0, order: 0, owner: 'pagetable' })));
    expect(machine.dispatch({ type: 'mmu/lookup', payload: { asid: 1, va: 0x8048000 } }).reply).toEqual({ pfn: 7, flags: 0x5, level: 1, entryAddress: 102 * 4096 + 0x48 * 4 });
  });

  it('hands faults to the pager and retries the access once it has mapped the page', () => {
    const pager = defineSubsystem<null>({
      id: 'pager',
      requests: { 'pager/handle-fault': 1 },
      events: {},
      initialState: () => null,
      decide(request, _state, ctx) {
        const fault = request.payload as { asid: number; address: number; kind: string };
        if (fault.kind !== 'not-present') return { reply: { resolved: false, signal: 'SIGSEGV' } };
        // Demand-zero paging of the faulting page into frame 9.
        ctx.request('mmu/map', { asid: fault.asid, va: fault.address, pfn: 9, flags: PTE_WRITE | PTE_USER });
        return { reply: { resolved: true } };
      },
      evolve() {},
    });
    const { machine, pid } = alphaMachine([pager]);
    const write = machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x4010, kind: 'write', size: 1, value: 42 } });
    expect(write.reply).toEqual({});
    expect(write.events.filter((e) => e.type === 'mmu/fault-raised')).toHaveLength(1);
    expect(readPhysical(machine.slice<MmuState>('mmu').ram, 9 * 8192 + 0x10, 1)).toBe(42);
    // A protection fault the pager does not resolve comes back with the signal it named.
    machine.dispatch({ type: 'mmu/protect', payload: { asid: 1, va: 0x4000, flags: PTE_USER } });
    const denied = machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x4010, kind: 'write', size: 1, value: 1 } });
    expect(denied.reply).toMatchObject({ fault: { kind: 'protection', signal: 'SIGSEGV' } });
  });

  it('keeps a committed state unchanged by later inputs (RAM and TLB)', () => {
    const { machine, pid } = alphaMachine();
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_WRITE | PTE_USER } });
    machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2000, kind: 'write', size: 1, value: 1 } });
    const before = machine.slice<MmuState>('mmu');
    const hits = before.tlb.hits;
    machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x2000, kind: 'write', size: 1, value: 2 } });
    machine.dispatch({ type: 'mmu/write-physical', payload: { address: 0x10, size: 4, value: 0xffffffff } });
    expect(readPhysical(before.ram, 0x8000, 1)).toBe(1);
    expect(readPhysical(before.ram, 0x10, 4)).toBe(0);
    expect(before.tlb.hits).toBe(hits);
    expect(readPhysical(machine.slice<MmuState>('mmu').ram, 0x8000, 1)).toBe(2);
  });

  it('splits an access that straddles a page boundary over both frames', () => {
    const { machine, pid } = alphaMachine();
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_WRITE | PTE_USER } });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x4000, pfn: 2, flags: PTE_WRITE | PTE_USER } });
    machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x3ffe, kind: 'write', size: 4, value: 0x11223344 } });
    const ram = machine.slice<MmuState>('mmu').ram;
    expect([readPhysical(ram, 0x9ffe, 2), readPhysical(ram, 0x4000, 2)]).toEqual([0x3344, 0x1122]);
    expect(machine.dispatch({ type: 'mmu/access', payload: { pid, address: 0x3ffe, kind: 'read', size: 4 } }).reply).toEqual({ value: 0x11223344 });
  });
});

describe('mmu server: address-space life and TLB requests', () => {
  it('frees table frames on destroy and reuses them for the next address space', () => {
    const { machine } = alphaMachine();
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_USER } });
    const destroyed = machine.dispatch({ type: 'mmu/destroy-address-space', payload: { asid: 1 } });
    // Root frame 127, then 126 and 125 for the two lower tables (8 KiB frames from the top of 1 MiB).
    expect(destroyed.events[0]!.payload).toEqual({ asid: 1, frames: [127, 126, 125], own: [127, 126, 125] });
    expect(machine.slice<MmuState>('mmu').spaces[1]).toBeUndefined();
    // The own allocator hands the freed frames out again, last freed first.
    expect(machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 2 } }).reply).toEqual({ root: 125 * 8192 });
    expect(machine.dispatch({ type: 'mmu/destroy-address-space', payload: { asid: 9 } }).reply).toEqual({ value: -1, error: 'EINVAL' });
  });

  it("frees only the space's own tables on destroy, never the kernel's that its top table shares (linux-x86_64)", () => {
    const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile: 'linux-x86_64', ram: 8 * 1024 * 1024 } });
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } });
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 2 } });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x1000, pfn: 9, flags: PTE_WRITE } });
    const state = machine.slice<MmuState>('mmu');
    const own = state.spaces[1]!.tables.map((t) => t.pfn);
    const destroyed = machine.dispatch({ type: 'mmu/destroy-address-space', payload: { asid: 1 } });
    expect((destroyed.events[0]!.payload as { frames: number[] }).frames).toEqual(own);
    expect(own).toHaveLength(4); // the root and three tables down to 0x1000
    // The kernel's direct map still translates in the other space.
    expect(machine.dispatch({ type: 'mmu/translate', payload: { asid: 2, va: 0x888000001000 } }).reply).toEqual({ physical: 0x1000 });
  });

  it('drops a destroyed space\'s entries from a tagged TLB, so a new space with the same id does not hit them', () => {
    const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile: 'alpha', ram: 1024 * 1024, tlb: { entries: 8, asids: true } } });
    for (const asid of [1, 2]) machine.dispatch({ type: 'mmu/create-address-space', payload: { asid } });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x2000, pfn: 4, flags: PTE_USER } });
    machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0x2000, kind: 'read', size: 1 } });
    machine.dispatch({ type: 'mmu/switch-address-space', payload: { asid: 2 } });
    const destroyed = machine.dispatch({ type: 'mmu/destroy-address-space', payload: { asid: 1 } });
    expect(destroyed.events.filter((e) => e.type === 'mmu/tlb-flushed').map((e) => e.payload)).toEqual([{ scope: 'page', vpn: 1, asid: 1 }]);
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } });
    expect(machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0x2000, kind: 'read', size: 1, mode: 'user' } }).reply).toMatchObject({ fault: { kind: 'not-present' } });
  });

  it('keeps the global direct-map entries over a switch and drops them on a full flush (linux-i386)', () => {
    const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile: 'linux-i386', ram: 8 * 1024 * 1024 } });
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } });
    machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 2 } });
    machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: 0x1000, pfn: 9, flags: PTE_WRITE } });
    machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0x1000, kind: 'read', size: 1 } });
    machine.dispatch({ type: 'mmu/access', payload: { asid: 1, address: 0xc0000000, kind: 'read', size: 1 } });
    expect(machine.slice<MmuState>('mmu').tlb.size).toBe(2);
    expect(machine.dispatch({ type: 'mmu/switch-address-space', payload: { asid: 2 } }).reply).toEqual({ dropped: 1 });
    const tlb = machine.slice<MmuState>('mmu').tlb;
    expect(tlb.probe(0xc0000, 2)).toBeGreaterThanOrEqual(0);
    expect(machine.call('tlb_flush', []).value).toBe(1);
    expect(machine.slice<MmuState>('mmu').tlb.size).toBe(0);
  });
});
