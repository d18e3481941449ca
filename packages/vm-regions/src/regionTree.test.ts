/**
 * The region tree (a persistent B+ tree with per-child gap summaries): unit tests with hand-worked
 * numbers, then fast-check properties against a sorted array of regions. The free-area search
 * built on it is checked in freeArea.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, VM_READ } from './constants.js';
import type { Region } from './region.js';
import {
  TREE_FANOUT,
  checkTree,
  emptyTree,
  treeAt,
  treeFindAbove,
  treeFromSorted,
  treeHighestGap,
  treeInsertAt,
  treeLookup,
  treeLowestGap,
  treeRankAbove,
  treeRemoveAt,
  treeReplaceAt,
  treeToArray,
  type RegionInner,
  type RegionTree,
} from './regionTree.js';

const P = PAGE_SIZE;

/** An anonymous region over pages [startPage, endPage). */
function region(startPage: number, endPage: number, flags = VM_READ): Region {
  return { start: startPage * P, end: endPage * P, flags, pgoff: startPage, file: null, dev: '00:00', inode: 0, special: null, anonVma: 0, object: 0 };
}

/** `count` regions of one page with one free page between them: pages 0, 2, 4, … */
function everyOtherPage(count: number): Region[] {
  return Array.from({ length: count }, (_, i) => region(2 * i, 2 * i + 1));
}

/** Builds the tree by inserting at the end, one region at a time. */
function insertAll(regions: readonly Region[]): RegionTree {
  let tree = emptyTree();
  for (const r of regions) tree = treeInsertAt(tree, tree.size, r);
  return tree;
}

/** Throws with `message` unless `ok` (plain checks: expect() per element would be slow in properties). */
function assert(ok: boolean, message: () => string): void {
  if (!ok) throw new Error(message());
}

// ---- oracles -----------------------------------------------------------------------------------

/** find_vma on a sorted array, by a linear scan. */
function findAboveOracle(regions: readonly Region[], address: number): number {
  const i = regions.findIndex((r) => r.end > address);
  return i < 0 ? regions.length : i;
}

/** Gap `r`'s part inside [low, high): r - 1's end (or 0) to r's start (or +∞). */
function clippedGap(regions: readonly Region[], r: number, low: number, high: number): number {
  const bottom = r > 0 ? regions[r - 1]!.end : 0;
  const top = r < regions.length ? regions[r]!.start : Infinity;
  return Math.min(top, high) - Math.max(bottom, low);
}

function highestGapOracle(regions: readonly Region[], low: number, high: number, length: number): number {
  for (let r = regions.length; r >= 0; r--) if (clippedGap(regions, r, low, high) >= length) return r;
  return -1;
}

function lowestGapOracle(regions: readonly Region[], low: number, high: number, length: number): number {
  for (let r = 0; r <= regions.length; r++) if (clippedGap(regions, r, low, high) >= length) return r;
  return -1;
}

// ---- unit tests --------------------------------------------------------------------------------

describe('region tree: structure', () => {
  it('the empty tree holds nothing and has one gap, from 0 up', () => {
    const tree = emptyTree();
    checkTree(tree);
    expect(tree.size).toBe(0);
    expect(treeLookup(tree, 0x1000)).toBeUndefined();
    expect(treeFindAbove(tree, 0)).toBeUndefined();
    expect(treeRankAbove(tree, 0x1000)).toBe(0);
    expect(treeAt(tree, 0)).toBeUndefined();
    expect(treeHighestGap(tree, 0x1000, 0x9000, 0x8000)).toBe(0);
    expect(treeHighestGap(tree, 0x1000, 0x9000, 0x8001)).toBe(-1);
    expect(treeLowestGap(tree, 0x1000, 0x9000, 0x8000)).toBe(0);
  });

  it('treeFromSorted packs leaves 3/4 full: 1,000 regions → 42 leaves, 2 inner nodes, height 3', () => {
    const regions = everyOtherPage(1000);
    const tree = treeFromSorted(regions);
    checkTree(tree);
    expect(tree.size).toBe(1000);
    expect(tree.height).toBe(3);
    const root = tree.root as RegionInner;
    expect(root.children.length).toBe(2);
    expect(root.children.map((c) => c.size)).toEqual([24 * 24, 1000 - 24 * 24]);
    expect(root.size).toBe(1000);
    expect(root.starts).toEqual([0, 24 * 24 * 2 * P]);
    expect(root.ends).toEqual([(24 * 24 * 2 - 1) * P, 1999 * P]);
    expect(root.children.map((c) => c.gap)).toEqual([P, P]);
    // Its gaps: each child's largest and the one between them, all one page.
    expect([root.gap, root.gap2]).toEqual([P, P]);
    expect(treeToArray(tree)).toEqual(regions);
  });

  it('keeps the largest gap exact without a rescan when a region fills the largest hole and goes again', () => {
    // 1,000 one-page regions a page apart, and a three-page hole above region 499 (pages 998-1001).
    const regions = everyOtherPage(1000).map((r, i) => (i < 500 ? r : region(r.start / P + 2, r.end / P + 2)));
    const tree = treeFromSorted(regions);
    expect(tree.root.gap).toBe(3 * P);
    const filled = treeInsertAt(tree, 500, region(999, 1001));
    checkTree(filled);
    // The new largest came from the second largest each node kept: still known, one page.
    expect([filled.root.gap, filled.root.gap2]).toEqual([P, P]);
    const emptied = treeRemoveAt(filled, 500);
    checkTree(emptied);
    expect([emptied.root.gap, emptied.root.gap2]).toEqual([3 * P, P]);
  });

  it('lookup, findAbove, rankAbove and at agree on a 1,000-region tree', () => {
    const regions = everyOtherPage(1000);
    const tree = treeFromSorted(regions);
    expect(treeLookup(tree, 0)).toBe(regions[0]);
    expect(treeLookup(tree, 2 * 700 * P + 123)).toBe(regions[700]);
    expect(treeLookup(tree, (2 * 700 + 1) * P)).toBeUndefined(); // the free page after region 700
    expect(treeFindAbove(tree, (2 * 700 + 1) * P)).toBe(regions[701]);
    expect(treeRankAbove(tree, (2 * 700 + 1) * P)).toBe(701);
    expect(treeRankAbove(tree, 1999 * P)).toBe(1000);
    expect(treeFindAbove(tree, 1999 * P)).toBeUndefined();
    for (const rank of [0, 23, 24, 575, 576, 999]) expect(treeAt(tree, rank)).toBe(regions[rank]);
    expect(treeAt(tree, 1000)).toBeUndefined();
    expect(treeAt(tree, -1)).toBeUndefined();
  });

  it('inserting at the end splits full leaves and grows the tree: 2,000 regions → height 3', () => {
    const regions = everyOtherPage(2000);
    const tree = insertAll(regions);
    checkTree(tree);
    expect(tree.height).toBe(3);
    expect(treeToArray(tree)).toEqual(regions);
  });

  it('mappings made in address order leave nodes 3/4 full, not half full (the split favours the side that keeps growing)', () => {
    const regions = everyOtherPage(1000);
    let descending = emptyTree();
    for (let i = regions.length - 1; i >= 0; i--) descending = treeInsertAt(descending, 0, regions[i]!);
    const ascending = insertAll(regions);
    for (const tree of [descending, ascending]) {
      checkTree(tree);
      expect(treeToArray(tree)).toEqual(regions);
      const root = tree.root as RegionInner;
      const leaves = root.children.reduce((n, c) => n + (c as RegionInner).children.length, 0);
      expect(leaves).toBeLessThanOrEqual(Math.ceil(1000 / 24) + 1); // 24 = 3/4 of TREE_FANOUT
    }
  });

  it('treeFromSorted with 2 entries a node builds a deep tree from few regions', () => {
    const regions = everyOtherPage(100);
    const tree = treeFromSorted(regions, 2);
    checkTree(tree);
    expect(tree.height).toBe(7); // 50 leaves, then 25, 13, 7, 4, 2 and 1 inner nodes
    expect(() => treeFromSorted(regions, 1)).toThrow(RangeError);
  });

  it('removing every region, from the front, collapses the tree to an empty leaf', () => {
    let tree = treeFromSorted(everyOtherPage(1000));
    for (let n = 999; n >= 0; n--) {
      tree = treeRemoveAt(tree, 0);
      if (n % 97 === 0) checkTree(tree);
    }
    expect(tree).toEqual(emptyTree());
    expect(() => treeRemoveAt(tree, 0)).toThrow(RangeError);
  });

  it('removing from the middle merges underfull leaves and keeps every summary right', () => {
    const regions = everyOtherPage(500);
    let tree = treeFromSorted(regions);
    const kept = regions.slice();
    for (let i = 0; i < 400; i++) {
      const rank = (i * 37) % kept.length;
      tree = treeRemoveAt(tree, rank);
      kept.splice(rank, 1);
      checkTree(tree);
    }
    expect(treeToArray(tree)).toEqual(kept);
  });

  it('replace keeps the order and updates the gap summaries', () => {
    const regions = everyOtherPage(100); // every gap is one page
    const tree = treeReplaceAt(treeFromSorted(regions), 50, region(99, 100)); // region 50 moves from page 100 down to 99
    checkTree(tree);
    expect(treeAt(tree, 50)!.start).toBe(99 * P);
    // Region 50 now touches region 49, and the gap above it is two pages long, the only such gap.
    expect(treeHighestGap(tree, 0, 1000 * P, 2 * P)).toBe(100);
    expect(treeHighestGap(tree, 0, 199 * P, 2 * P)).toBe(51);
    expect(treeLowestGap(tree, 0, 199 * P, 2 * P)).toBe(51);
    expect(() => treeReplaceAt(tree, 100, region(500, 501))).toThrow(RangeError);
  });

  it('is persistent: an update leaves the old version intact and shares the untouched leaves', () => {
    const regions = everyOtherPage(1000);
    const before = treeFromSorted(regions);
    const after = treeInsertAt(before, 1000, region(5000, 5001));
    checkTree(before);
    expect(treeToArray(before)).toEqual(regions);
    expect(after.size).toBe(1001);
    const leaf = (t: RegionTree, child: number, grandchild: number) => ((t.root as RegionInner).children[child] as RegionInner).children[grandchild];
    expect(leaf(after, 0, 0)).toBe(leaf(before, 0, 0)); // the first leaf is shared
    expect(leaf(after, 1, 0)).toBe(leaf(before, 1, 0));
    expect(after.root).not.toBe(before.root); // the path to the last leaf was copied
  });

  it('checkTree finds a stale gap summary', () => {
    const tree = treeFromSorted(everyOtherPage(100));
    const root = tree.root as RegionInner;
    expect(() => checkTree({ ...tree, root: { ...root, gap: root.gap + P } })).toThrow('stale gap');
    expect(() => checkTree({ ...tree, root: { ...root, gap2: root.gap2 + P } })).toThrow('stale second gap');
    expect(() => checkTree({ ...tree, root: { ...root, gap2: -1 } })).not.toThrow(); // not known: allowed
    expect(() => checkTree({ ...tree, root: { ...root, size: root.size + 1 } })).toThrow('stale size');
    expect(() => checkTree({ ...tree, size: 99 })).toThrow('size 99 but 100 regions');
  });
});

describe('region tree: gap search (mas_empty_area_rev / mas_empty_area)', () => {
  // Pages: [1, 2) [5, 6) [6, 8) [16, 17): gaps 0:[0,1) 1:[2,5) 2:[6,6) 3:[8,16) 4:[17,∞).
  const tree = treeFromSorted([region(1, 2), region(5, 6), region(6, 8), region(16, 17)]);

  it('finds the highest gap that fits inside the window', () => {
    expect(treeHighestGap(tree, 0, 1 << 30, 3 * P)).toBe(4);
    expect(treeHighestGap(tree, 0, 16 * P, 4 * P)).toBe(3);
    expect(treeHighestGap(tree, 0, 16 * P, 9 * P)).toBe(-1);
    expect(treeHighestGap(tree, 0, 12 * P, 4 * P)).toBe(3); // [8, 12) is the part inside
    expect(treeHighestGap(tree, 0, 11 * P, 4 * P)).toBe(-1);
    expect(treeHighestGap(tree, 0, 11 * P, 3 * P)).toBe(3);
    expect(treeHighestGap(tree, 0, 8 * P, 3 * P)).toBe(1);
    expect(treeHighestGap(tree, 0, 8 * P, P)).toBe(1);
    expect(treeHighestGap(tree, 0, 2 * P, P)).toBe(0);
  });

  it('finds the lowest gap that fits inside the window', () => {
    expect(treeLowestGap(tree, 0, 1 << 30, P)).toBe(0);
    expect(treeLowestGap(tree, P, 1 << 30, P)).toBe(1);
    expect(treeLowestGap(tree, 3 * P, 1 << 30, 2 * P)).toBe(1); // [3, 5)
    expect(treeLowestGap(tree, 3 * P + 1, 1 << 30, 2 * P)).toBe(3);
    expect(treeLowestGap(tree, 0, 1 << 30, 9 * P)).toBe(4);
    expect(treeLowestGap(tree, 0, 17 * P, 9 * P)).toBe(-1);
  });
});

// ---- properties --------------------------------------------------------------------------------

/** A base tree of 0 – 1,500 regions (up to height 3), pages 0, 3, 6, … one or two pages long. */
function baseRegions(count: number): Region[] {
  return Array.from({ length: count }, (_, i) => region(3 * i, 3 * i + 1 + (i % 2)));
}

/** Entries a node for `treeFromSorted`: mostly small, so that few regions make deep trees. */
const perArb = fc.oneof(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 2, max: TREE_FANOUT }));

type Op = readonly ['insert' | 'remove' | 'removeRun' | 'replace', number, number, number];

const opArb: fc.Arbitrary<Op> = fc.tuple(fc.constantFrom('insert', 'remove', 'removeRun', 'replace'), fc.nat(), fc.nat(), fc.nat());

/** Applies `op` to the tree and to the array oracle alike (ops that do not fit are skipped). */
function applyOp(tree: RegionTree, regions: Region[], [kind, x, y, z]: Op, span: number): RegionTree {
  switch (kind) {
    case 'insert': {
      const start = x % span;
      const r = region(start, start + 1 + (y % 8));
      const rank = findAboveOracle(regions, r.start);
      if (rank < regions.length && regions[rank]!.start < r.end) return tree;
      regions.splice(rank, 0, r);
      return treeInsertAt(tree, rank, r);
    }
    case 'remove': {
      if (regions.length === 0) return tree;
      const rank = x % regions.length;
      regions.splice(rank, 1);
      return treeRemoveAt(tree, rank);
    }
    case 'removeRun': {
      if (regions.length === 0) return tree;
      const rank = x % regions.length;
      const count = Math.min(1 + (y % 200), regions.length - rank);
      regions.splice(rank, count);
      for (let i = 0; i < count; i++) tree = treeRemoveAt(tree, rank);
      return tree;
    }
    case 'replace': {
      if (regions.length === 0) return tree;
      const rank = x % regions.length;
      const old = regions[rank]!;
      const floor = rank > 0 ? regions[rank - 1]!.end / P : 0;
      const ceiling = rank + 1 < regions.length ? regions[rank + 1]!.start / P : old.end / P + 10;
      const startPage = floor + (y % (ceiling - floor));
      const endPage = startPage + 1 + (z % (ceiling - startPage));
      const r = region(startPage, endPage, old.flags);
      regions[rank] = r;
      return treeReplaceAt(tree, rank, r);
    }
  }
}

/** The tree holds exactly `regions`, by identity, and every query agrees with the oracle at a few points. */
function agrees(tree: RegionTree, regions: readonly Region[], probes: readonly number[]): void {
  checkTree(tree);
  const all = treeToArray(tree);
  assert(all.length === regions.length && all.every((r, i) => r === regions[i]), () => 'the tree does not hold the oracle regions');
  for (const probe of probes) {
    const address = probe * 0x800; // half pages: inside, at and between regions
    const rank = findAboveOracle(regions, address);
    assert(treeRankAbove(tree, address) === rank, () => `treeRankAbove(${address.toString(16)})`);
    assert(treeFindAbove(tree, address) === regions[rank], () => `treeFindAbove(${address.toString(16)})`);
    const hit = regions[rank] && regions[rank]!.start <= address ? regions[rank] : undefined;
    assert(treeLookup(tree, address) === hit, () => `treeLookup(${address.toString(16)})`);
    assert(treeAt(tree, probe % (regions.length + 1)) === regions[probe % (regions.length + 1)], () => `treeAt(${probe})`);
  }
}

describe('region tree: properties against a sorted array', () => {
  it('any sequence of inserts, removes and replaces keeps the tree equal to the array, every version intact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), perArb, fc.array(opArb, { maxLength: 40 }), fc.array(fc.nat({ max: 12_000 }), { minLength: 8, maxLength: 8 }), (count, per, ops, probes) => {
        const regions = baseRegions(count);
        let tree = treeFromSorted(regions, per);
        const versions: [RegionTree, Region[]][] = [[tree, regions.slice()]];
        for (const op of ops) {
          tree = applyOp(tree, regions, op, 6000);
          agrees(tree, regions, probes);
          versions.push([tree, regions.slice()]);
        }
        for (const [t, rs] of versions) agrees(t, rs, probes);
      }),
      { numRuns: 60 },
    );
  });

  it('the highest and lowest gap searches find the gap a scan of every gap finds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1500 }),
        perArb,
        fc.array(opArb, { maxLength: 20 }),
        fc.array(fc.tuple(fc.nat({ max: 6000 }), fc.nat({ max: 6000 }), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 10 }),
        (count, per, ops, queries) => {
          const regions = baseRegions(count);
          let tree = treeFromSorted(regions, per);
          for (const op of ops) tree = applyOp(tree, regions, op, 6000);
          for (const [a, b, pages] of queries) {
            const low = Math.min(a, b) * P;
            const high = Math.max(a, b) * P + (a % 3) * 0x800;
            const length = pages * P;
            assert(treeHighestGap(tree, low, high, length) === highestGapOracle(regions, low, high, length), () => `highest gap in [${low}, ${high}) of ${length}`);
            assert(treeLowestGap(tree, low, high, length) === lowestGapOracle(regions, low, high, length), () => `lowest gap in [${low}, ${high}) of ${length}`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it(`keeps leaves within ${TREE_FANOUT} regions however the inserts fall`, () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3000 }), { maxLength: 400 }), (starts) => {
        const regions: Region[] = [];
        let tree = emptyTree();
        for (const s of starts) tree = applyOp(tree, regions, ['insert', s, 0, 0], 3000);
        checkTree(tree);
      }),
    );
  });
});

