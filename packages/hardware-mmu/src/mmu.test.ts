import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE, FAULT_BOUNDS, FAULT_NOT_PRESENT, FAULT_PROTECTION, NO_FAULT } from './fault.js';
import { createMmu, topDownFrameAllocator } from './mmu.js';
import { PTE_GLOBAL, PTE_NX, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { Tlb } from './tlb.js';

describe('the MMU with a TLB', () => {
  it('counts hits and misses: three reads of one page and one of another → 2 hits, 2 misses, 2 walks', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x1000, 10, PTE_USER | PTE_WRITE);
    mmu.map(0x2000, 11, PTE_USER | PTE_WRITE);
    for (const va of [0x1000, 0x1008, 0x2000, 0x1ff8]) mmu.translate(va);
    expect(mmu.stats).toEqual({ walks: 2, faults: 0, tlbHits: 2, tlbMisses: 2 });
  });

  it('flushes on a switch except global pages, and never mixes address spaces', () => {
    const mmu = createMmu({ format: 'i386', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.createAddressSpace(2);
    mmu.map(0x1000, 10, PTE_USER, 1);
    mmu.map(0x1000, 20, PTE_USER, 2);
    mmu.map(0xc0000000, 0, PTE_GLOBAL | PTE_WRITE, 1);
    mmu.map(0xc0000000, 0, PTE_GLOBAL | PTE_WRITE, 2);
    mmu.switchAddressSpace(1);
    mmu.userMode = false;
    expect(mmu.translate(0x1000)).toBe(0xa000);
    expect(mmu.translate(0xc0000010)).toBe(0x10);
    mmu.switchAddressSpace(2);
    expect(mmu.tlb!.size).toBe(1); // only the global kernel page survived
    expect(mmu.translate(0x1000)).toBe(0x14000);
    expect(mmu.translate(0xc0000010)).toBe(0x10);
    expect(mmu.stats.tlbHits).toBe(1);
  });

  it('a stale TLB entry is dropped by unmap (flush_tlb_page) and the next access faults', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x5000, 3, PTE_USER);
    expect(mmu.translate(0x5000)).toBe(0x3000);
    expect(mmu.unmap(0x5000)).toBe(true);
    expect(mmu.translate(0x5000)).toBe(-1);
    expect(mmu.lastFault).toBe(FAULT_NOT_PRESENT);
  });

  it('re-walks a cached read-only translation on a write and raises a protection fault', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x5000, 3, PTE_USER);
    mmu.translate(0x5000, ACCESS_READ);
    expect(mmu.translate(0x5000, ACCESS_WRITE)).toBe(-1);
    expect(mmu.lastFault).toBe(FAULT_PROTECTION);
    expect(mmu.tlb!.size).toBe(0); // the fault dropped the entry
  });

  it('in physical addressing mode translates nothing and checks RAM bounds', () => {
    const mmu = createMmu({ format: 'i386', ramBytes: 64 * 1024 });
    mmu.physicalMode = true;
    expect(mmu.translate(0xfff0)).toBe(0xfff0);
    expect(mmu.translate(0x10000)).toBe(-1);
    expect(mmu.lastFault).toBe(FAULT_BOUNDS);
  });

  it('reads and writes through the tables', () => {
    const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024 });
    mmu.createAddressSpace(1);
    mmu.switchAddressSpace(1);
    mmu.map(0x400000, 9, PTE_USER | PTE_WRITE);
    expect(mmu.write(0x400ff0, 0xdeadbeef, 4)).toEqual({});
    expect(mmu.read(0x400ff0, 4)).toEqual({ value: 0xdeadbeef });
    expect(mmu.read(0x400ff0, 1)).toEqual({ value: 0xef });
    expect(mmu.read(0x900000)).toMatchObject({ fault: { kind: 'not-present' } });
  });

  it('hands table frames out from the top of RAM by default', () => {
    const next = topDownFrameAllocator(16 * 4096, 4096, 14);
    expect([next(), next(), next()]).toEqual([15, 14, -1]);
    const mmu = createMmu({ format: 'i386', ramBytes: 1024 * 1024 });
    expect(mmu.createAddressSpace(1)).toBe(1024 * 1024 - 4096);
  });
});

describe('translation agrees with a reference map of page → (frame, rights)', () => {
  const pages = 24;
  const op = fc.oneof(
    fc.record({ kind: fc.constant('map' as const), page: fc.integer({ min: 0, max: pages - 1 }), pfn: fc.integer({ min: 1, max: 200 }), write: fc.boolean(), user: fc.boolean(), nx: fc.boolean() }),
    fc.record({ kind: fc.constant('unmap' as const), page: fc.integer({ min: 0, max: pages - 1 }) }),
    fc.record({ kind: fc.constant('protect' as const), page: fc.integer({ min: 0, max: pages - 1 }), write: fc.boolean(), user: fc.boolean(), nx: fc.boolean() }),
    fc.record({ kind: fc.constant('access' as const), page: fc.integer({ min: 0, max: pages - 1 }), access: fc.constantFrom(ACCESS_READ, ACCESS_WRITE, ACCESS_EXEC), user: fc.boolean() }),
  );

  for (const format of ['i386', 'x86-64', 'alpha', 'tiny'] as const) {
    it(`for ${format}, through a small TLB`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
          const mmu = createMmu({ format, ramBytes: format === 'tiny' ? 4096 : 4 * 1024 * 1024, tlb: { entries: 4, ways: 2 } });
          const pageSize = mmu.format.pageSize;
          // Spread the pages over several tables: page i at i * 37 pages (tiny: i * 3 pages).
          const vaOf = (page: number): number => page * pageSize * (format === 'tiny' ? 3 : 37);
          mmu.createAddressSpace(1);
          mmu.switchAddressSpace(1);
          const reference = new Map<number, { pfn: number; write: boolean; user: boolean; nx: boolean }>();
          const hasRights = format !== 'tiny';
          for (const o of ops) {
            if (o.kind === 'map') {
              const pfn = format === 'tiny' ? o.pfn % 64 : o.pfn;
              mmu.map(vaOf(o.page), pfn, (o.write ? PTE_WRITE : 0) | (o.user ? PTE_USER : 0) | (o.nx ? PTE_NX : 0));
              reference.set(o.page, { pfn, write: o.write, user: o.user, nx: o.nx });
            } else if (o.kind === 'unmap') {
              expect(mmu.unmap(vaOf(o.page))).toBe(reference.delete(o.page));
            } else if (o.kind === 'protect') {
              const old = reference.get(o.page);
              expect(mmu.protect(vaOf(o.page), (o.write ? PTE_WRITE : 0) | (o.user ? PTE_USER : 0) | (o.nx ? PTE_NX : 0))).toBe(old !== undefined);
              if (old) reference.set(o.page, { pfn: old.pfn, write: o.write, user: o.user, nx: o.nx });
            } else {
              mmu.userMode = o.user;
              const va = vaOf(o.page) + 5;
              const got = mmu.translate(va, o.access);
              const want = reference.get(o.page);
              let fault = NO_FAULT;
              if (!want) fault = FAULT_NOT_PRESENT;
              else if (hasRights && o.user && !want.user) fault = 3;
              else if (hasRights && o.access === ACCESS_WRITE && !want.write) fault = FAULT_PROTECTION;
              else if (o.access === ACCESS_EXEC && want.nx && (format === 'x86-64' || format === 'alpha')) fault = FAULT_PROTECTION;
              expect(mmu.lastFault).toBe(fault);
              expect(got).toBe(fault === NO_FAULT ? want!.pfn * pageSize + 5 : -1);
            }
          }
        }),
      );
    });
  }
});

describe('the cache of recent pages in front of the TLB', () => {
  it('leaves hits, misses and LRU choices exactly as a bare TLB would count them', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ page: fc.integer({ min: 0, max: 11 }), write: fc.boolean() }), { maxLength: 300 }), (accesses) => {
        const mmu = createMmu({ format: 'x86-64', ramBytes: 1024 * 1024, tlb: { entries: 4, ways: 2 } });
        mmu.createAddressSpace(1);
        mmu.switchAddressSpace(1);
        for (let page = 0; page < 12; page++) mmu.map(page * 4096, 10 + page, PTE_USER | PTE_WRITE);
        const bare = new Tlb({ entries: 4, ways: 2 });
        for (const { page, write } of accesses) {
          expect(mmu.translate(page * 4096 + 1, write ? ACCESS_WRITE : ACCESS_READ)).toBe((10 + page) * 4096 + 1);
          // The bare TLB: a miss fills. (A write through a clean entry makes the MMU walk again and
          // refill the same slot, which ages it exactly as the hit does.)
          if (bare.lookup(page, 1) < 0) bare.fill(page, 1, 10 + page, 0);
          expect([mmu.tlb!.hits, mmu.tlb!.misses]).toEqual([bare.hits, bare.misses]);
          for (let p = 0; p < 12; p++) expect(mmu.tlb!.probe(p, 1) >= 0).toBe(bare.probe(p, 1) >= 0);
        }
      }),
    );
  });
});
