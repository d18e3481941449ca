/**
 * The region index: a persistent B+ tree of regions sorted by address (Linux keeps a maple tree,
 * lib/maple_tree.c). Leaves hold up to TREE_FANOUT regions; inner nodes hold, per child, the start
 * of its first region, the end of its last, its region count and the largest free gap between two
 * of its consecutive regions. So lookups by address and by rank are O(log n) and allocate nothing,
 * and so is the search for the highest or lowest gap of a given length (the maple tree keeps the
 * same per-slot gap for mas_empty_area / mas_empty_area_rev). Updates copy only the path from the
 * root to the changed leaf (structural sharing), so every version stays valid: the tree can live
 * in immer state as plain arrays and objects.
 *
 * Gaps are numbered by the rank of the region above them: gap r is the free range between region
 * r - 1 (or address 0) and region r (or no end at all when r = size). A node's largest gap counts
 * only gaps between its own regions, so each gap belongs to exactly one node — the lowest node
 * holding both neighbours — and an update never has to touch a second path.
 */
import type { Region } from './region.js';

/** Maximum entries per node. */
export const TREE_FANOUT = 32;

/** A leaf: regions in address order. */
export interface RegionLeaf {
  /** The regions, sorted, non-overlapping. */
  readonly regions: readonly Region[];
}

/** An inner node. */
export interface RegionInner {
  /** For each child, the start of its first region. */
  readonly starts: readonly number[];
  /** For each child, the end of its last region. */
  readonly ends: readonly number[];
  /** For each child, how many regions it holds. */
  readonly sizes: readonly number[];
  /** For each child, the largest gap between two consecutive regions inside it (0 when there is none). */
  readonly gaps: readonly number[];
  /** The children (all leaves or all inner nodes). */
  readonly children: readonly RegionNode[];
}

/** A node of the tree. */
export type RegionNode = RegionLeaf | RegionInner;

/** A region tree: its root, height (1 = a single leaf) and size. */
export interface RegionTree {
  /** The root node. */
  readonly root: RegionNode;
  /** Levels: 1 when the root is a leaf. */
  readonly height: number;
  /** Number of regions. */
  readonly size: number;
}

/** The empty tree. */
export function emptyTree(): RegionTree {
  return { root: { regions: [] }, height: 1, size: 0 };
}

/** A tree holding `regions` (which must be sorted and non-overlapping), built bottom-up. */
export function treeFromSorted(regions: readonly Region[]): RegionTree {
  if (regions.length === 0) return emptyTree();
  const per = (TREE_FANOUT * 3) >> 2;
  let level: RegionNode[] = [];
  for (let i = 0; i < regions.length; i += per) level.push({ regions: regions.slice(i, i + per) });
  let height = 1;
  while (level.length > 1) {
    const next: RegionNode[] = [];
    for (let i = 0; i < level.length; i += per) next.push(innerOf(level.slice(i, i + per)));
    level = next;
    height++;
  }
  return { root: level[0]!, height, size: regions.length };
}

function isLeaf(node: RegionNode): node is RegionLeaf {
  return (node as RegionLeaf).regions !== undefined;
}

/** An inner node over `children`, every summary computed. */
function innerOf(children: RegionNode[]): RegionInner {
  return { children, starts: children.map(nodeStart), ends: children.map(nodeEnd), sizes: children.map(nodeSize), gaps: children.map(nodeGap) };
}

function nodeStart(node: RegionNode): number {
  if (isLeaf(node)) return node.regions.length ? node.regions[0]!.start : 0;
  return node.starts[0] ?? 0;
}

function nodeEnd(node: RegionNode): number {
  if (isLeaf(node)) return node.regions.length ? node.regions[node.regions.length - 1]!.end : 0;
  return node.ends[node.ends.length - 1] ?? 0;
}

function nodeSize(node: RegionNode): number {
  if (isLeaf(node)) return node.regions.length;
  let n = 0;
  for (const s of node.sizes) n += s;
  return n;
}

/** The largest gap between two consecutive regions of `node` (maple tree: ma_max_gap). */
function nodeGap(node: RegionNode): number {
  let gap = 0;
  if (isLeaf(node)) {
    const regions = node.regions;
    for (let i = 1; i < regions.length; i++) gap = Math.max(gap, regions[i]!.start - regions[i - 1]!.end);
    return gap;
  }
  const { starts, ends, gaps } = node;
  for (let i = 0; i < gaps.length; i++) {
    gap = Math.max(gap, gaps[i]!);
    if (i > 0) gap = Math.max(gap, starts[i]! - ends[i - 1]!);
  }
  return gap;
}

/**
 * `node` with `remove` children from `at` on replaced by `parts`, the summaries of the others
 * shared by value (copied arrays, the same child objects).
 */
function spliceInner(node: RegionInner, at: number, remove: number, parts: readonly RegionNode[]): RegionInner {
  const children = node.children.slice();
  const starts = node.starts.slice();
  const ends = node.ends.slice();
  const sizes = node.sizes.slice();
  const gaps = node.gaps.slice();
  if (remove === 1 && parts.length === 1) {
    const part = parts[0]!;
    children[at] = part;
    starts[at] = nodeStart(part);
    ends[at] = nodeEnd(part);
    sizes[at] = nodeSize(part);
    gaps[at] = nodeGap(part);
  } else {
    children.splice(at, remove, ...parts);
    starts.splice(at, remove, ...parts.map(nodeStart));
    ends.splice(at, remove, ...parts.map(nodeEnd));
    sizes.splice(at, remove, ...parts.map(nodeSize));
    gaps.splice(at, remove, ...parts.map(nodeGap));
  }
  return { children, starts, ends, sizes, gaps };
}

/** Children `from` to `to` (exclusive) of `node`, with their summaries, as a node of their own. */
function sliceInner(node: RegionInner, from: number, to: number): RegionInner {
  return {
    children: node.children.slice(from, to),
    starts: node.starts.slice(from, to),
    ends: node.ends.slice(from, to),
    sizes: node.sizes.slice(from, to),
    gaps: node.gaps.slice(from, to),
  };
}

/**
 * The rank of the first region whose end is above `address` (Linux find_vma: the region
 * containing `address`, or else the next one above it); `tree.size` when there is none.
 */
export function treeRankAbove(tree: RegionTree, address: number): number {
  let node = tree.root;
  let rank = 0;
  while (!isLeaf(node)) {
    const ends = node.ends;
    let lo = 0;
    let hi = ends.length - 1;
    if (ends[hi]! <= address) return tree.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > address) hi = mid;
      else lo = mid + 1;
    }
    for (let i = 0; i < lo; i++) rank += node.sizes[i]!;
    node = node.children[lo]!;
  }
  const regions = node.regions;
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (regions[mid]!.end > address) hi = mid;
    else lo = mid + 1;
  }
  return rank + lo;
}

/** The first region whose end is above `address` (Linux find_vma), or undefined. Allocates nothing. */
export function treeFindAbove(tree: RegionTree, address: number): Region | undefined {
  let node = tree.root;
  while (!isLeaf(node)) {
    const ends = node.ends;
    let lo = 0;
    let hi = ends.length - 1;
    if (ends[hi]! <= address) return undefined;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > address) hi = mid;
      else lo = mid + 1;
    }
    node = node.children[lo]!;
  }
  const regions = node.regions;
  let lo = 0;
  let hi = regions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (regions[mid]!.end > address) hi = mid;
    else lo = mid + 1;
  }
  return regions[lo];
}

/** The region containing `address`, or undefined (Linux vma_lookup). Allocates nothing. */
export function treeLookup(tree: RegionTree, address: number): Region | undefined {
  const region = treeFindAbove(tree, address);
  return region !== undefined && region.start <= address ? region : undefined;
}

/** The region of rank `rank` (0-based, in address order), or undefined. */
export function treeAt(tree: RegionTree, rank: number): Region | undefined {
  if (rank < 0 || rank >= tree.size) return undefined;
  let node = tree.root;
  let r = rank;
  while (!isLeaf(node)) {
    let i = 0;
    while (r >= node.sizes[i]!) r -= node.sizes[i++]!;
    node = node.children[i]!;
  }
  return node.regions[r];
}

/** Every region in address order (a new array). */
export function treeToArray(tree: RegionTree): Region[] {
  const out: Region[] = [];
  const walk = (node: RegionNode): void => {
    if (isLeaf(node)) for (const r of node.regions) out.push(r);
    else for (const c of node.children) walk(c);
  };
  walk(tree.root);
  return out;
}

/** Calls `visit` for every region in address order. */
export function treeForEach(tree: RegionTree, visit: (region: Region) => void): void {
  const walk = (node: RegionNode): void => {
    if (isLeaf(node)) for (const r of node.regions) visit(r);
    else for (const c of node.children) walk(c);
  };
  walk(tree.root);
}

/*
 * The gap search. Gap r (0 ≤ r ≤ size) is [region r-1's end or 0, region r's start or +∞); its
 * part inside [low, high) is what counts. Like mas_empty_area_rev / mas_empty_area (lib/maple_tree.c),
 * the descent skips every child whose largest gap is shorter than the length asked for, and a child
 * lying wholly inside [low, high) whose largest gap is long enough always holds an answer; only the
 * two children cut by low or high can be entered in vain, so the search visits O(height) nodes.
 * The length must be positive.
 */

/**
 * The highest gap whose part inside [low, high) is at least `length` long (mas_empty_area_rev):
 * its rank — the rank of the region just above it, `tree.size` for the gap above the last region —
 * or -1 when there is none. Allocates nothing.
 */
export function treeHighestGap(tree: RegionTree, low: number, high: number, length: number): number {
  const root = tree.root;
  if (tree.size === 0) return high - Math.max(0, low) >= length ? 0 : -1;
  if (high - Math.max(nodeEnd(root), low) >= length) return tree.size;
  const found = highestIn(root, 0, low, high, length);
  if (found >= 0) return found;
  return Math.min(nodeStart(root), high) - Math.max(0, low) >= length ? 0 : -1;
}

function highestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const regions = node.regions;
    for (let j = regions.length - 1; j >= 1; j--) {
      const top = regions[j]!.start;
      if (top <= low) return -1;
      if (Math.min(top, high) - Math.max(regions[j - 1]!.end, low) >= length) return base + j;
    }
    return -1;
  }
  const { children, starts, ends, sizes, gaps } = node;
  let rankEnd = base;
  for (let i = 0; i < sizes.length; i++) rankEnd += sizes[i]!;
  for (let i = children.length - 1; i >= 0; i--) {
    const childBase = rankEnd - sizes[i]!;
    if (i + 1 < children.length) {
      // The gap between child i and child i + 1: its rank is that of child i + 1's first region.
      const top = starts[i + 1]!;
      if (top <= low) return -1;
      if (Math.min(top, high) - Math.max(ends[i]!, low) >= length) return rankEnd;
    }
    if (gaps[i]! >= length && Math.min(ends[i]!, high) - Math.max(starts[i]!, low) >= length) {
      const found = highestIn(children[i]!, childBase, low, high, length);
      if (found >= 0) return found;
    }
    rankEnd = childBase;
  }
  return -1;
}

/**
 * The lowest gap whose part inside [low, high) is at least `length` long (mas_empty_area): its
 * rank, as for `treeHighestGap`, or -1 when there is none. Allocates nothing.
 */
export function treeLowestGap(tree: RegionTree, low: number, high: number, length: number): number {
  const root = tree.root;
  if (tree.size === 0) return high - Math.max(0, low) >= length ? 0 : -1;
  if (Math.min(nodeStart(root), high) - Math.max(0, low) >= length) return 0;
  const found = lowestIn(root, 0, low, high, length);
  if (found >= 0) return found;
  return high - Math.max(nodeEnd(root), low) >= length ? tree.size : -1;
}

function lowestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const regions = node.regions;
    for (let j = 1; j < regions.length; j++) {
      const bottom = regions[j - 1]!.end;
      if (bottom >= high) return -1;
      if (Math.min(regions[j]!.start, high) - Math.max(bottom, low) >= length) return base + j;
    }
    return -1;
  }
  const { children, starts, ends, sizes, gaps } = node;
  let rank = base;
  for (let i = 0; i < children.length; i++) {
    if (gaps[i]! >= length && Math.min(ends[i]!, high) - Math.max(starts[i]!, low) >= length) {
      const found = lowestIn(children[i]!, rank, low, high, length);
      if (found >= 0) return found;
    }
    rank += sizes[i]!;
    if (i + 1 < children.length) {
      const bottom = ends[i]!;
      if (bottom >= high) return -1;
      if (Math.min(starts[i + 1]!, high) - Math.max(bottom, low) >= length) return rank;
    }
  }
  return -1;
}

/** The tree with `region` inserted at rank `rank` (the caller keeps the order). */
export function treeInsertAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank > tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  const parts = insertInto(tree.root, rank, region);
  if (parts.length === 1) return { root: parts[0]!, height: tree.height, size: tree.size + 1 };
  return { root: innerOf(parts), height: tree.height + 1, size: tree.size + 1 };
}

function insertInto(node: RegionNode, rank: number, region: Region): RegionNode[] {
  if (isLeaf(node)) {
    const regions = node.regions.slice();
    regions.splice(rank, 0, region);
    if (regions.length <= TREE_FANOUT) return [{ regions }];
    const half = regions.length >> 1;
    return [{ regions: regions.slice(0, half) }, { regions: regions.slice(half) }];
  }
  let i = 0;
  let r = rank;
  const last = node.sizes.length - 1;
  while (i < last && r > node.sizes[i]!) r -= node.sizes[i++]!;
  const parts = insertInto(node.children[i]!, r, region);
  const next = spliceInner(node, i, 1, parts);
  if (next.children.length <= TREE_FANOUT) return [next];
  const half = next.children.length >> 1;
  return [sliceInner(next, 0, half), sliceInner(next, half, next.children.length)];
}

/** The tree with the region of rank `rank` removed. */
export function treeRemoveAt(tree: RegionTree, rank: number): RegionTree {
  if (rank < 0 || rank >= tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  let root = removeFrom(tree.root, rank);
  let height = tree.height;
  while (!isLeaf(root) && root.children.length === 1) {
    root = root.children[0]!;
    height--;
  }
  if (!isLeaf(root) && root.children.length === 0) return emptyTree();
  return { root, height, size: tree.size - 1 };
}

function removeFrom(node: RegionNode, rank: number): RegionNode {
  if (isLeaf(node)) {
    const regions = node.regions.slice();
    regions.splice(rank, 1);
    return { regions };
  }
  let i = 0;
  let r = rank;
  while (r >= node.sizes[i]!) r -= node.sizes[i++]!;
  const child = removeFrom(node.children[i]!, r);
  if (fanoutOf(child) === 0) return spliceInner(node, i, 1, []);
  // Rebalance: merge an underfull child with a neighbour when both fit in one node.
  const j = i + 1 < node.children.length ? i + 1 : i - 1;
  if (j >= 0 && isSmall(child) && fanoutOf(node.children[j]!) + fanoutOf(child) <= TREE_FANOUT) {
    const merged = j > i ? concatNodes(child, node.children[j]!) : concatNodes(node.children[j]!, child);
    return spliceInner(node, Math.min(i, j), 2, [merged]);
  }
  return spliceInner(node, i, 1, [child]);
}

function fanoutOf(node: RegionNode): number {
  return isLeaf(node) ? node.regions.length : node.children.length;
}

function isSmall(node: RegionNode): boolean {
  return fanoutOf(node) < TREE_FANOUT >> 2;
}

function concatNodes(a: RegionNode, b: RegionNode): RegionNode {
  if (isLeaf(a) && isLeaf(b)) return { regions: [...a.regions, ...b.regions] };
  const x = a as RegionInner;
  const y = b as RegionInner;
  return {
    children: [...x.children, ...y.children],
    starts: [...x.starts, ...y.starts],
    ends: [...x.ends, ...y.ends],
    sizes: [...x.sizes, ...y.sizes],
    gaps: [...x.gaps, ...y.gaps],
  };
}

/** The tree with the region of rank `rank` replaced by `region` (same place in the order). */
export function treeReplaceAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank >= tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  return { root: replaceIn(tree.root, rank, region), height: tree.height, size: tree.size };
}

function replaceIn(node: RegionNode, rank: number, region: Region): RegionNode {
  if (isLeaf(node)) {
    const regions = node.regions.slice();
    regions[rank] = region;
    return { regions };
  }
  let i = 0;
  let r = rank;
  while (r >= node.sizes[i]!) r -= node.sizes[i++]!;
  return spliceInner(node, i, 1, [replaceIn(node.children[i]!, r, region)]);
}

/** Checks the tree's structure (sorted, non-overlapping, every summary right, balanced); throws on a fault. */
export function checkTree(tree: RegionTree): void {
  let previousEnd = -1;
  let count = 0;
  const walk = (node: RegionNode, depth: number): void => {
    if (isLeaf(node)) {
      if (depth !== tree.height) throw new Error(`leaf at depth ${depth} in a tree of height ${tree.height}`);
      if (node.regions.length > TREE_FANOUT) throw new Error(`leaf of ${node.regions.length} regions`);
      if (node.regions.length === 0 && tree.size > 0) throw new Error('empty leaf in a non-empty tree');
      for (const r of node.regions) {
        if (!(r.start < r.end)) throw new Error(`empty region ${r.start}-${r.end}`);
        if (r.start < previousEnd) throw new Error(`region ${r.start.toString(16)} overlaps or is out of order`);
        previousEnd = r.end;
        count++;
      }
      return;
    }
    const { children, starts, ends, sizes, gaps } = node;
    if (children.length === 0 || children.length > TREE_FANOUT) throw new Error(`inner node of ${children.length} children`);
    if (starts.length !== children.length || ends.length !== children.length || sizes.length !== children.length || gaps.length !== children.length) {
      throw new Error('summary arrays of the wrong length in an inner node');
    }
    children.forEach((c, i) => {
      if (nodeStart(c) !== starts[i]) throw new Error('stale start in an inner node');
      if (nodeEnd(c) !== ends[i]) throw new Error('stale end in an inner node');
      if (nodeSize(c) !== sizes[i]) throw new Error('stale size in an inner node');
      if (nodeGap(c) !== gaps[i]) throw new Error('stale gap in an inner node');
      walk(c, depth + 1);
    });
  };
  walk(tree.root, 1);
  if (count !== tree.size) throw new Error(`size ${tree.size} but ${count} regions`);
}
