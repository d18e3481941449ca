import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PTE_GLOBAL } from './pteFlags.js';
import { Tlb } from './tlb.js';

/** Looks each page up in address space `asid`, filling on a miss (frame = page + 100), as the MMU does. */
function run(tlb: Tlb, pages: readonly number[], asid = 1): void {
  for (const vpn of pages) if (tlb.lookup(vpn, asid) < 0) tlb.fill(vpn, asid, vpn + 100, 0);
}

describe('TLB hits and misses for known sequences', () => {
  it('fully associative LRU, 4 entries: 1 2 3 4 1 5 2 → 1 hit, 6 misses (5 evicts 2, then 2 evicts 3)', () => {
    const tlb = new Tlb({ entries: 4 });
    run(tlb, [1, 2, 3, 4, 1, 5, 2]);
    expect([tlb.hits, tlb.misses]).toEqual([1, 6]);
    expect(tlb.probe(3, 1)).toBe(-1);
    expect(tlb.probe(1, 1)).toBeGreaterThanOrEqual(0);
  });

  it('FIFO, 4 entries: the same sequence → 2 hits, 5 misses (5 evicts 1, the oldest fill; 2 still hits)', () => {
    const tlb = new Tlb({ entries: 4, replacement: 'fifo' });
    run(tlb, [1, 2, 3, 4, 1, 5, 2]);
    expect([tlb.hits, tlb.misses]).toEqual([2, 5]);
    expect(tlb.probe(1, 1)).toBe(-1);
  });

  it('2-way set associative, 4 entries: pages 0, 2, 4 conflict in set 0 while page 1 stays in set 1', () => {
    const tlb = new Tlb({ entries: 4, ways: 2 });
    run(tlb, [1, 0, 2, 4, 0, 1]);
    // 1 miss, 0 miss, 2 miss, 4 miss (evicts 0, the LRU of set 0), 0 miss (evicts 2), 1 hit.
    expect([tlb.hits, tlb.misses]).toEqual([1, 5]);
    expect(tlb.probe(2, 1)).toBe(-1);
    expect(tlb.probe(4, 1)).toBeGreaterThanOrEqual(0);
  });

  it('random replacement is deterministic for a seed and only evicts within the set', () => {
    const outcome = (seed: number): number[] => {
      const tlb = new Tlb({ entries: 4, ways: 4, replacement: 'random', seed });
      run(tlb, [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4]);
      return [tlb.hits, tlb.misses, ...[1, 2, 3, 4, 5, 6, 7, 8].map((p) => (tlb.probe(p, 1) >= 0 ? 1 : 0))];
    };
    expect(outcome(7)).toEqual(outcome(7));
    const [hits, misses, ...present] = outcome(7);
    expect(hits! + misses!).toBe(12);
    expect(present.reduce((a, b) => a + b, 0)).toBe(4); // a full 4-entry TLB
    // 32-bit xorshift from seed 1: 1 → 270369 (Marsaglia's step 13, 17, 5).
    const tlb = new Tlb({ entries: 4, replacement: 'random' });
    tlb.fill(1, 1, 1, 0);
    expect(tlb.randomState).toBe(270369);
  });

  it('returns the cached frame and flags', () => {
    const tlb = new Tlb();
    tlb.fill(0x7ffff, 1, 0x1234, 0x67);
    const slot = tlb.lookup(0x7ffff, 1);
    expect([tlb.pfn[slot], tlb.flags[slot]]).toEqual([0x1234, 0x67]);
  });
});

describe('TLB flush rules (Intel SDM Vol. 3A §4.10.4)', () => {
  it('keeps global entries over an address-space switch and drops the others', () => {
    const tlb = new Tlb();
    tlb.fill(1, 1, 101, 0);
    tlb.fill(0xc0000, 1, 0, PTE_GLOBAL);
    expect(tlb.switchAddressSpace()).toBe(1);
    expect(tlb.probe(1, 2)).toBe(-1);
    expect(tlb.probe(0xc0000, 2)).toBeGreaterThanOrEqual(0);
  });

  it('INVLPG drops a global entry too; a full flush drops everything', () => {
    const tlb = new Tlb();
    tlb.fill(0xc0000, 1, 0, PTE_GLOBAL);
    tlb.fill(0xc0001, 1, 1, PTE_GLOBAL);
    tlb.fill(5, 1, 105, 0);
    expect(tlb.flushPage(0xc0000, 1)).toBe(1);
    expect(tlb.size).toBe(2);
    expect(tlb.flushAll()).toBe(2);
    expect(tlb.size).toBe(0);
  });

  it('with ASIDs a switch flushes nothing, and each space sees only its own entries', () => {
    const tlb = new Tlb({ asids: true });
    tlb.fill(7, 1, 101, 0);
    tlb.fill(7, 2, 202, 0);
    expect(tlb.switchAddressSpace()).toBe(0);
    expect(tlb.pfn[tlb.lookup(7, 1)]).toBe(101);
    expect(tlb.pfn[tlb.lookup(7, 2)]).toBe(202);
    expect(tlb.lookup(7, 3)).toBe(-1);
    expect(tlb.flushPage(7, 2)).toBe(1);
    expect(tlb.pfn[tlb.lookup(7, 1)]).toBe(101);
  });

  it('rejects a geometry whose ways do not divide the entries', () => {
    expect(() => new Tlb({ entries: 6, ways: 4 })).toThrow(RangeError);
    expect(() => new Tlb({ entries: 12, ways: 4 })).toThrow(/power of two/);
  });
});

describe('TLB index', () => {
  it('agrees with a plain map over random fills, lookups and flushes', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), vpn: fc.integer({ min: 0, max: 40 }), big: fc.boolean() }),
      fc.record({ kind: fc.constant('flush' as const), vpn: fc.integer({ min: 0, max: 40 }), big: fc.boolean() }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const tlb = new Tlb({ entries: 8 });
        const reference = new Map<number, number>(); // vpn → pfn of the entries still cached
        let frame = 0;
        for (const { kind, vpn: small, big } of ops) {
          const vpn = big ? small + 2 ** 35 : small; // x86-64 page numbers above 2^32 too
          if (kind === 'fill') {
            const victim = tlb.probe(vpn, 1) >= 0 ? -1 : tlb.victim(vpn);
            if (victim >= 0 && tlb.valid[victim] === 1) reference.delete(tlb.vpn[victim]!);
            tlb.fill(vpn, 1, ++frame, 0);
            reference.set(vpn, frame);
          } else {
            tlb.flushPage(vpn, 1);
            reference.delete(vpn);
          }
          expect(tlb.size).toBe(reference.size);
          for (const [page, pfn] of reference) expect(tlb.pfn[tlb.probe(page, 1)]).toBe(pfn);
        }
      }),
    );
  });
});

describe('editable copies for immutable states', () => {
  it('reuses its copy within one kernel transaction, copies again in the next, and always copies outside a machine', async () => {
    const { EditSession } = await import('@vmlab/kernel');
    const committed = new Tlb({ entries: 4 });
    const session = new EditSession();
    const [first, again] = session.run(() => {
      const copy = committed.editableCopy();
      copy.misses++;
      return [copy, copy.editableCopy()];
    });
    expect(again).toBe(first);
    expect(first).not.toBe(committed);
    expect(committed.misses).toBe(0);
    const next = session.run(() => first.editableCopy());
    expect(next).not.toBe(first);
    const outside = committed.editableCopy();
    expect(outside).not.toBe(committed);
    expect(outside.editableCopy()).not.toBe(outside);
  });
});
