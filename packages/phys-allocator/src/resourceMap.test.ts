import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResourceMap, freeUnits, rmalloc, rmfree } from './resourceMap.js';

describe('UNIX resource map (Bach §9.1.1, a swap map worked by hand)', () => {
  it('allocates first fit from the low end and merges on free', () => {
    const map = createResourceMap(1, 10000);
    expect(rmalloc(map, 100)).toBe(1);
    expect(rmalloc(map, 50)).toBe(101);
    expect(rmalloc(map, 100)).toBe(151);
    expect(map.entries).toEqual([{ address: 251, units: 9750 }]);
    rmfree(map, 50, 101);
    expect(map.entries).toEqual([{ address: 101, units: 50 }, { address: 251, units: 9750 }]);
    // 200 units: the first entry is too small, so they come from the second.
    expect(rmalloc(map, 200)).toBe(251);
    expect(map.entries).toEqual([{ address: 101, units: 50 }, { address: 451, units: 9550 }]);
    rmfree(map, 100, 1); // merges with the entry above (101)
    expect(map.entries).toEqual([{ address: 1, units: 150 }, { address: 451, units: 9550 }]);
    rmfree(map, 100, 151); // joins 1…150 below, not 451 above (251…450 still in use)
    expect(map.entries).toEqual([{ address: 1, units: 250 }, { address: 451, units: 9550 }]);
    rmfree(map, 200, 251); // fills the gap: one entry again
    expect(map.entries).toEqual([{ address: 1, units: 10000 }]);
  });

  it('returns 0 when no entry is big enough', () => {
    const map = createResourceMap(1, 10);
    expect(rmalloc(map, 11)).toBe(0);
    expect(rmalloc(map, 10)).toBe(1);
    expect(rmalloc(map, 1)).toBe(0);
  });

  it('loses units freed when the map is full (rmap ovflo) and refuses double frees', () => {
    const map = createResourceMap(1, 10, 2);
    [1, 2, 3, 4, 5].forEach((n) => expect(rmalloc(map, 1)).toBe(n));
    rmfree(map, 1, 1); // entries: (1,1) (6,5)
    rmfree(map, 1, 3); // no slot for (3,1)
    expect(map.lost).toBe(1);
    expect(freeUnits(map)).toBe(6);
    expect(() => rmfree(map, 1, 1)).toThrow(/bad rmfree/);
  });

  it('property: free units + held units = total, entries sorted, never adjacent', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.constant(-1)), { maxLength: 80 }), fc.nat(), (steps, seed) => {
        const map = createResourceMap(1, 200);
        const held: Array<[number, number]> = [];
        let pick = seed;
        for (const s of steps) {
          if (s > 0) {
            const address = rmalloc(map, s);
            if (address) held.push([address, s]);
          } else if (held.length) {
            const [address, units] = held.splice(pick++ % held.length, 1)[0]!;
            rmfree(map, units, address);
          }
          expect(freeUnits(map) + held.reduce((sum, [, u]) => sum + u, 0)).toBe(200);
          for (let i = 1; i < map.entries.length; i++) expect(map.entries[i - 1]!.address + map.entries[i - 1]!.units).toBeLessThan(map.entries[i]!.address);
        }
      }),
    );
  });
});
