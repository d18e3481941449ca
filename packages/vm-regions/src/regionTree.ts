/**
 * The region index: a persistent B+ tree of regions sorted by address (Linux keeps a maple tree,
 * lib/maple_tree.c). Leaves hold up to FANOUT regions; inner nodes hold, per child, the end of its
 * last region and its region count, so lookups by address and by rank are O(log n) and allocate
 * nothing. Updates copy only the path from the root to the changed leaf (structural sharing), so
 * every version stays valid: the tree can live in immer state as plain arrays and objects.
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
  /** For each child, the end of its last region. */
  readonly ends: readonly number[];
  /** For each child, how many regions it holds. */
  readonly sizes: readonly number[];
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
    for (let i = 0; i < level.length; i += per) {
      const children = level.slice(i, i + per);
      next.push({ children, ends: children.map(nodeEnd), sizes: children.map(nodeSize) });
    }
    level = next;
    height++;
  }
  return { root: level[0]!, height, size: regions.length };
}

function isLeaf(node: RegionNode): node is RegionLeaf {
  return (node as RegionLeaf).regions !== undefined;
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

/** The tree with `region` inserted at rank `rank` (the caller keeps the order). */
export function treeInsertAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  const parts = insertInto(tree.root, rank, region);
  if (parts.length === 1) return { root: parts[0]!, height: tree.height, size: tree.size + 1 };
  const root: RegionInner = { children: parts, ends: parts.map(nodeEnd), sizes: parts.map(nodeSize) };
  return { root, height: tree.height + 1, size: tree.size + 1 };
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
  const children = node.children.slice();
  const ends = node.ends.slice();
  const sizes = node.sizes.slice();
  children.splice(i, 1, ...parts);
  ends.splice(i, 1, ...parts.map(nodeEnd));
  sizes.splice(i, 1, ...parts.map(nodeSize));
  if (children.length <= TREE_FANOUT) return [{ children, ends, sizes }];
  const half = children.length >> 1;
  return [
    { children: children.slice(0, half), ends: ends.slice(0, half), sizes: sizes.slice(0, half) },
    { children: children.slice(half), ends: ends.slice(half), sizes: sizes.slice(half) },
  ];
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
  const children = node.children.slice();
  const ends = node.ends.slice();
  const sizes = node.sizes.slice();
  const childSize = nodeSize(child);
  if (childSize === 0) {
    children.splice(i, 1);
    ends.splice(i, 1);
    sizes.splice(i, 1);
    return { children, ends, sizes };
  }
  children[i] = child;
  ends[i] = nodeEnd(child);
  sizes[i] = childSize;
  // Rebalance: merge an underfull child with a neighbour when both fit in one node.
  const j = i + 1 < children.length ? i + 1 : i - 1;
  if (j >= 0 && isSmall(child) && fanoutOf(children[j]!) + fanoutOf(child) <= TREE_FANOUT) {
    const [a, b] = j > i ? [i, j] : [j, i];
    const merged = concatNodes(children[a]!, children[b]!);
    children.splice(a, 2, merged);
    ends.splice(a, 2, nodeEnd(merged));
    sizes.splice(a, 2, nodeSize(merged));
  }
  return { children, ends, sizes };
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
  return { children: [...x.children, ...y.children], ends: [...x.ends, ...y.ends], sizes: [...x.sizes, ...y.sizes] };
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
  const child = replaceIn(node.children[i]!, r, region);
  const children = node.children.slice();
  const ends = node.ends.slice();
  children[i] = child;
  ends[i] = nodeEnd(child);
  return { children, ends, sizes: node.sizes };
}

/** Checks the tree's structure (sorted, non-overlapping, counts and ends right); throws on a fault. */
export function checkTree(tree: RegionTree): void {
  let previousEnd = -1;
  let count = 0;
  const walk = (node: RegionNode, depth: number): void => {
    if (isLeaf(node)) {
      if (depth !== tree.height) throw new Error(`leaf at depth ${depth} in a tree of height ${tree.height}`);
      for (const r of node.regions) {
        if (!(r.start < r.end)) throw new Error(`empty region ${r.start}-${r.end}`);
        if (r.start < previousEnd) throw new Error(`region ${r.start.toString(16)} overlaps or is out of order`);
        previousEnd = r.end;
        count++;
      }
      return;
    }
    node.children.forEach((c, i) => {
      if (nodeEnd(c) !== node.ends[i]) throw new Error('stale end in an inner node');
      if (nodeSize(c) !== node.sizes[i]) throw new Error('stale size in an inner node');
      walk(c, depth + 1);
    });
  };
  walk(tree.root, 1);
  if (count !== tree.size) throw new Error(`size ${tree.size} but ${count} regions`);
}
