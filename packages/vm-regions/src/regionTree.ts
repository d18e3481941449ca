/**
 * The region index: a persistent B+ tree of regions sorted by address (Linux keeps a maple tree,
 * lib/maple_tree.c).
 *
 * - A leaf holds up to TREE_FANOUT regions and, side by side in one array of numbers, their bounds
 *   (as a maple node keeps its pivots apart from its slots): a search inside a leaf reads that one
 *   array and touches no region object.
 * - An inner node holds, per child, the start of its first region, the end of its last, the running
 *   count of regions up to it and the largest gap inside it (a maple_arange_64 node's gap array).
 * - Every node also knows its own largest gap (ma_max_gap), kept without a rescan when it can be.
 *
 * So lookups by address and by rank are O(log n) and allocate nothing, and so is the search for
 * the highest or lowest gap of a given length (mas_empty_area_rev / mas_empty_area). Updates copy
 * only the path from the root to the changed leaf (structural sharing), so every version stays
 * valid: the tree lives in immer state as plain arrays and objects.
 *
 * Gaps are numbered by the rank of the region above them: gap r is the free range between region
 * r - 1 (or address 0) and region r (or no end at all when r = size). A node's largest gap counts
 * only gaps between its own regions, so each gap belongs to exactly one node — the lowest node
 * holding both neighbours — and an update never has to touch a second path.
 */
import type { Region } from './region.js';

/** Maximum entries per node. */
export const TREE_FANOUT = 32;

/** How full `treeFromSorted` packs nodes, and how full a node split off by sequential inserts stays. */
const FILL = (TREE_FANOUT * 3) >> 2;

/** A leaf: regions in address order. */
export interface RegionLeaf {
  /** The regions, sorted, non-overlapping. */
  readonly regions: readonly Region[];
  /** regions[i].start at 2i and regions[i].end at 2i + 1. */
  readonly bounds: readonly number[];
  /** The largest gap between two consecutive regions of the leaf (0 when there is none). */
  readonly gap: number;
}

/** An inner node. */
export interface RegionInner {
  /** For each child, the start of its first region. */
  readonly starts: readonly number[];
  /** For each child, the end of its last region. */
  readonly ends: readonly number[];
  /** For each child, how many regions it and the children before it hold (running totals, so rank searches bisect). */
  readonly counts: readonly number[];
  /** For each child, the largest gap between two consecutive regions inside it (0 when there is none). */
  readonly gaps: readonly number[];
  /** The children (all leaves or all inner nodes). */
  readonly children: readonly RegionNode[];
  /** The largest gap between two consecutive regions under the node (ma_max_gap). */
  readonly gap: number;
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

/** A tree object (not frozen: see `freezeTree`). */
function treeOf(root: RegionNode, height: number, size: number): RegionTree {
  return { root, height, size };
}

/**
 * `tree`, frozen, for storing in immer state. Nothing ever changes a tree, and the freeze tells
 * immer so: when a new address space is stored in a draft, immer's finalize walks every unfrozen
 * object it holds looking for drafts (immer handleValue), which would visit all n regions on every
 * update made through a machine. Only the server freezes (once per stored version): a freeze on
 * every update made through the model API cost 5 % of an mmap+munmap pair.
 */
export function freezeTree(tree: RegionTree): RegionTree {
  return Object.freeze(tree);
}

/** The empty tree. */
export function emptyTree(): RegionTree {
  return treeOf(leaf([], [], 0), 1, 0);
}

/**
 * A tree holding `regions` (which must be sorted and non-overlapping), built bottom-up with `per`
 * entries a node (3/4 of TREE_FANOUT; tests pass small numbers to get deep trees from few regions).
 */
export function treeFromSorted(regions: readonly Region[], per = FILL): RegionTree {
  if (!(per >= 2 && per <= TREE_FANOUT)) throw new RangeError(`${per} entries a node`);
  if (regions.length === 0) return emptyTree();
  let level: RegionNode[] = [];
  for (let i = 0; i < regions.length; i += per) level.push(leafOf(regions.slice(i, i + per)));
  let height = 1;
  while (level.length > 1) {
    const next: RegionNode[] = [];
    for (let i = 0; i < level.length; i += per) next.push(innerOf(level.slice(i, i + per)));
    level = next;
    height++;
  }
  return treeOf(level[0]!, height, regions.length);
}

function isLeaf(node: RegionNode): node is RegionLeaf {
  return (node as RegionLeaf).regions !== undefined;
}

/** A leaf (every leaf is made here, so that all have one shape). */
function leaf(regions: readonly Region[], bounds: readonly number[], gap: number): RegionLeaf {
  return { regions, bounds, gap };
}

/** An inner node (every inner node is made here, so that all have one shape). */
function inner(
  children: readonly RegionNode[],
  starts: readonly number[],
  ends: readonly number[],
  counts: readonly number[],
  gaps: readonly number[],
  gap: number,
): RegionInner {
  return { children, starts, ends, counts, gaps, gap };
}

function leafOf(regions: Region[]): RegionLeaf {
  const bounds: number[] = [];
  for (const r of regions) bounds.push(r.start, r.end);
  return leaf(regions, bounds, boundsGap(bounds));
}

/** An inner node over `children`, every summary computed. */
function innerOf(children: RegionNode[]): RegionInner {
  const counts: number[] = [];
  let total = 0;
  for (const c of children) counts.push((total += nodeSize(c)));
  const starts = children.map(nodeStart);
  const ends = children.map(nodeEnd);
  const gaps = children.map(nodeGap);
  return inner(children, starts, ends, counts, gaps, summaryGap(starts, ends, gaps));
}

function nodeStart(node: RegionNode): number {
  if (isLeaf(node)) return node.bounds[0] ?? 0;
  return node.starts[0] ?? 0;
}

function nodeEnd(node: RegionNode): number {
  if (isLeaf(node)) return node.bounds[node.bounds.length - 1] ?? 0;
  return node.ends[node.ends.length - 1] ?? 0;
}

function nodeSize(node: RegionNode): number {
  if (isLeaf(node)) return node.regions.length;
  return node.counts[node.counts.length - 1] ?? 0;
}

/** The largest gap between two consecutive regions of `node` (maple tree: ma_max_gap). */
function nodeGap(node: RegionNode): number {
  return node.gap;
}

/** The largest gap between consecutive bounds pairs (a leaf's gap, computed afresh). */
function boundsGap(bounds: readonly number[]): number {
  let gap = 0;
  for (let i = 2; i < bounds.length; i += 2) {
    const g = bounds[i]! - bounds[i - 1]!;
    if (g > gap) gap = g;
  }
  return gap;
}

/** The largest gap inside or between the children an inner node summarises (its gap, computed afresh). */
function summaryGap(starts: readonly number[], ends: readonly number[], gaps: readonly number[]): number {
  const n = gaps.length;
  if (n === 0) return 0;
  let gap = gaps[0]!;
  let below = ends[0]!;
  for (let i = 1; i < n; i++) {
    const inside = gaps[i]!;
    if (inside > gap) gap = inside;
    const between = starts[i]! - below;
    if (between > gap) gap = between;
    below = ends[i]!;
  }
  return gap;
}

/*
 * A node's largest gap is kept up to date without a rescan when it can be: after a change, the
 * gaps that changed are known; if none that shrank or vanished was the largest, the new largest is
 * the old one or one of the new values. Otherwise the node is scanned (mas_update_gap does the same
 * walk up the maple tree).
 */

/** The new largest gap when one gap went from `before` to `after` (-Infinity: gone), or -1 when a rescan is needed. */
function adjustGap(largest: number, before: number, after: number): number {
  if (before === largest && !(after >= before)) return -1;
  return after > largest ? after : largest;
}

/**
 * `node` with child `i` replaced by `child`, which holds `sizeDelta` more regions than the old one.
 * The hot path of every update: summary arrays whose entry does not change are shared, not copied.
 */
function withChild(node: RegionInner, i: number, child: RegionNode, sizeDelta: number): RegionInner {
  const start = nodeStart(child);
  const end = nodeEnd(child);
  const gap = child.gap;
  const starts = node.starts[i] === start ? node.starts : node.starts.with(i, start);
  const ends = node.ends[i] === end ? node.ends : node.ends.with(i, end);
  const gaps = node.gaps[i] === gap ? node.gaps : node.gaps.with(i, gap);
  // The gaps that may have changed: inside child i, and between it and its neighbours.
  let largest = adjustGap(node.gap, node.gaps[i]!, gap);
  if (largest >= 0 && i > 0) largest = adjustGap(largest, node.starts[i]! - node.ends[i - 1]!, start - node.ends[i - 1]!);
  if (largest >= 0 && i + 1 < node.starts.length) largest = adjustGap(largest, node.starts[i + 1]! - node.ends[i]!, node.starts[i + 1]! - end);
  if (largest < 0) largest = summaryGap(starts, ends, gaps);
  const counts = sizeDelta === 0 ? node.counts : addFrom(node.counts, i, sizeDelta);
  return inner(node.children.with(i, child), starts, ends, counts, gaps, largest);
}

/** A leaf's largest gap after `region` went in at `j` (`bounds` are the new bounds). */
function leafGapAfterInsert(old: RegionLeaf, j: number, region: Region, bounds: readonly number[]): number {
  const b = old.bounds;
  const n = b.length >> 1;
  if (n === 0) return 0;
  if (j === 0) return Math.max(old.gap, b[0]! - region.end); // a gap appears above the new first region
  if (j === n) return Math.max(old.gap, region.start - b[2 * n - 1]!); // and below a new last one
  // The gap the region went into became two smaller ones.
  return b[2 * j]! - b[2 * j - 1]! < old.gap ? old.gap : boundsGap(bounds);
}

/** A leaf's largest gap after its region `j` went (`bounds` are the new bounds). */
function leafGapAfterRemove(old: RegionLeaf, j: number, bounds: readonly number[]): number {
  const b = old.bounds;
  const n = b.length >> 1;
  if (n <= 2) return boundsGap(bounds);
  if (j === 0) return adjustOrScan(old.gap, b[2]! - b[1]!, -Infinity, bounds);
  if (j === n - 1) return adjustOrScan(old.gap, b[2 * j]! - b[2 * j - 1]!, -Infinity, bounds);
  // The gaps below and above it became one, larger than either.
  return Math.max(old.gap, b[2 * j + 2]! - b[2 * j - 1]!);
}

/** A leaf's largest gap after its region `j` got new bounds (`bounds` are the new bounds). */
function leafGapAfterReplace(old: RegionLeaf, j: number, bounds: readonly number[]): number {
  const b = old.bounds;
  const n = b.length >> 1;
  let largest = old.gap;
  if (j > 0) largest = adjustGap(largest, b[2 * j]! - b[2 * j - 1]!, bounds[2 * j]! - bounds[2 * j - 1]!);
  if (largest >= 0 && j + 1 < n) largest = adjustGap(largest, b[2 * j + 2]! - b[2 * j + 1]!, bounds[2 * j + 2]! - bounds[2 * j + 1]!);
  return largest >= 0 ? largest : boundsGap(bounds);
}

function adjustOrScan(largest: number, before: number, after: number, bounds: readonly number[]): number {
  const adjusted = adjustGap(largest, before, after);
  return adjusted >= 0 ? adjusted : boundsGap(bounds);
}

/** `node` with `remove` children from `at` on replaced by `parts` (splits, merges and removals). */
function spliceInner(node: RegionInner, at: number, remove: number, parts: readonly RegionNode[]): RegionInner {
  const starts = node.starts.toSpliced(at, remove, ...parts.map(nodeStart));
  const ends = node.ends.toSpliced(at, remove, ...parts.map(nodeEnd));
  const gaps = node.gaps.toSpliced(at, remove, ...parts.map(nodeGap));
  return inner(node.children.toSpliced(at, remove, ...parts), starts, ends, spliceCounts(node.counts, at, remove, parts), gaps, summaryGap(starts, ends, gaps));
}

/** Children `from` to `to` (exclusive) of `node`, with their summaries, as a node of their own. */
function sliceInner(node: RegionInner, from: number, to: number): RegionInner {
  const starts = node.starts.slice(from, to);
  const ends = node.ends.slice(from, to);
  const gaps = node.gaps.slice(from, to);
  const counts = from === 0 ? node.counts.slice(0, to) : addFrom(node.counts.slice(from, to), 0, -node.counts[from - 1]!);
  return inner(node.children.slice(from, to), starts, ends, counts, gaps, summaryGap(starts, ends, gaps));
}

/** `counts` with `delta` added from index `from` on (a copy). */
function addFrom(counts: readonly number[], from: number, delta: number): number[] {
  const out = counts.slice();
  for (let j = from; j < out.length; j++) out[j]! += delta;
  return out;
}

/** The running totals after `remove` children from `at` on are replaced by `parts`. */
function spliceCounts(counts: readonly number[], at: number, remove: number, parts: readonly RegionNode[]): number[] {
  const before = at > 0 ? counts[at - 1]! : 0;
  const through = at + remove > 0 ? counts[at + remove - 1]! : 0;
  const out = counts.slice(0, at);
  let total = before;
  for (const p of parts) out.push((total += nodeSize(p)));
  for (let j = at + remove; j < counts.length; j++) out.push(counts[j]! - through + total);
  return out;
}

/** The child of an inner node holding rank `rank`: the first whose running total is above it, or the last. */
function childAt(counts: readonly number[], rank: number): number {
  const last = counts.length - 1;
  let i = 0;
  while (i < last && counts[i]! <= rank) i++;
  return i;
}

/*
 * Searches within a node scan linearly: nodes hold at most TREE_FANOUT (32) entries, and a scan's
 * one hard-to-predict branch (the exit) beats a binary search's five on this machine — lookups
 * with 100,000 regions went from 4.2 M to 5.0 M per CPU-second (median of 8 alternating runs; a
 * branchless binary search had been slower still). The maple tree scans its pivots the same way
 * (lib/maple_tree.c mtree_lookup_walk: a loop over the pivots until one is at or above the index).
 */

/** The index of the first region of a leaf whose end is above `address` (its region count when none). */
function leafRankAbove(bounds: readonly number[], address: number): number {
  const n = bounds.length;
  let i = 1;
  while (i < n && bounds[i]! <= address) i += 2;
  return i >> 1;
}

/** The index of the first child of an inner node whose last end is above `address`, when the last child's is. */
function firstEndAbove(ends: readonly number[], address: number): number {
  const last = ends.length - 1;
  let i = 0;
  while (i < last && ends[i]! <= address) i++;
  return i;
}

/*
 * The finger: the leaf the last lookup or update reached, the tree it belongs to and the rank of
 * its first region (the maple tree keeps the same in its ma_state between calls). An operation
 * looks up a region, then its neighbours, then edits next to it, and each new tree starts from the
 * leaf its update just copied, so most lookups of an mmap or munmap end inside the finger's leaf
 * and need no descent. Trees never change, so a finger for the same tree object is always right;
 * it holds on to one tree at most. Setting it allocates nothing.
 */
let fingerTree: RegionTree | undefined;
let fingerLeaf: RegionLeaf = leaf([], [], 0);
let fingerBase = 0;

/** The leaf an update just made, and the rank inside it of the region it touched (unset when the leaf was split, merged or dropped). */
let touchedLeaf: RegionLeaf | undefined;
let touchedAt = 0;

/** The tree an update made from `rank`'s leaf: the finger moves to the new leaf when that survived. */
function updated(tree: RegionTree, rank: number): RegionTree {
  if (touchedLeaf !== undefined && touchedLeaf.regions.length > 0) setFinger(tree, touchedLeaf, rank - touchedAt);
  touchedLeaf = undefined;
  return tree;
}

function setFinger(tree: RegionTree, leaf: RegionLeaf, base: number): void {
  fingerTree = tree;
  fingerLeaf = leaf;
  fingerBase = base;
}

/**
 * The rank of the first region whose end is above `address` when the finger answers it (the
 * address lies at or above the end of the finger leaf's first region and below the end of its
 * last, so the answer is inside the leaf and comes after its first region), else -1.
 */
function fingerRankAbove(tree: RegionTree, address: number): number {
  if (tree !== fingerTree) return -1;
  const bounds = fingerLeaf.bounds;
  if (!(address >= bounds[1]! && address < bounds[bounds.length - 1]!)) return -1;
  return fingerBase + leafRankAbove(bounds, address);
}

/** The leaf holding the first region whose end is above `address`, or undefined when none does. */
function leafAbove(tree: RegionTree, address: number): RegionLeaf | undefined {
  let node = tree.root;
  let level = tree.height;
  if (level === 1) return node as RegionLeaf;
  // Only the root can lie wholly below `address`: the child chosen at each level ends above it.
  const ends = (node as RegionInner).ends;
  if (ends[ends.length - 1]! <= address) return undefined;
  for (; level > 1; level--) {
    const inner = node as RegionInner;
    node = inner.children[firstEndAbove(inner.ends, address)]!;
  }
  return node as RegionLeaf;
}

/**
 * The rank of the first region whose end is above `address` (Linux find_vma: the region
 * containing `address`, or else the next one above it); `tree.size` when there is none.
 */
export function treeRankAbove(tree: RegionTree, address: number): number {
  const near = fingerRankAbove(tree, address);
  if (near >= 0) return near;
  let node = tree.root;
  let rank = 0;
  let level = tree.height;
  if (level > 1) {
    // Only the root can lie wholly below `address` (as in leafAbove).
    const ends = (node as RegionInner).ends;
    if (ends[ends.length - 1]! <= address) return tree.size;
  }
  for (; level > 1; level--) {
    const inner = node as RegionInner;
    const i = firstEndAbove(inner.ends, address);
    if (i > 0) rank += inner.counts[i - 1]!;
    node = inner.children[i]!;
  }
  const leaf = node as RegionLeaf;
  if (leaf.regions.length > 0) setFinger(tree, leaf, rank);
  return rank + leafRankAbove(leaf.bounds, address);
}

/** The first region whose end is above `address` (Linux find_vma), or undefined. Allocates nothing. */
export function treeFindAbove(tree: RegionTree, address: number): Region | undefined {
  return treeAt(tree, treeRankAbove(tree, address));
}

/** The region containing `address`, or undefined (Linux vma_lookup). Allocates nothing and reads no region. */
export function treeLookup(tree: RegionTree, address: number): Region | undefined {
  const leaf = leafAbove(tree, address);
  if (leaf === undefined) return undefined;
  // The regions array is read only for a hit: a lookup that lands in a hole touches no more memory.
  const bounds = leaf.bounds;
  const i = leafRankAbove(bounds, address);
  return 2 * i < bounds.length && bounds[2 * i]! <= address ? leaf.regions[i] : undefined;
}

/** The region of rank `rank` (0-based, in address order), or undefined. */
export function treeAt(tree: RegionTree, rank: number): Region | undefined {
  if (rank < 0 || rank >= tree.size) return undefined;
  if (tree === fingerTree) {
    const j = rank - fingerBase;
    if (j >= 0 && j < fingerLeaf.regions.length) return fingerLeaf.regions[j];
  }
  let node = tree.root;
  let r = rank;
  for (let level = tree.height; level > 1; level--) {
    const inner = node as RegionInner;
    const i = childAt(inner.counts, r);
    if (i > 0) r -= inner.counts[i - 1]!;
    node = inner.children[i]!;
  }
  const leaf = node as RegionLeaf;
  setFinger(tree, leaf, rank - r);
  return leaf.regions[r];
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
  touchedLeaf = undefined;
  const found = highestIn(root, 0, low, high, length);
  if (found >= 0) {
    updated(tree, found);
    return found;
  }
  return Math.min(nodeStart(root), high) - Math.max(0, low) >= length ? 0 : -1;
}

function highestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const bounds = node.bounds;
    for (let j = (bounds.length >> 1) - 1; j >= 1; j--) {
      const top = bounds[2 * j]!;
      if (top <= low) return -1;
      const bottom = bounds[2 * j - 1]!;
      // The whole gap first: its part inside [low, high) is no longer.
      if (top - bottom >= length && Math.min(top, high) - Math.max(bottom, low) >= length) {
        touchedLeaf = node;
        touchedAt = j;
        return base + j;
      }
    }
    return -1;
  }
  const { children, starts, ends, counts, gaps } = node;
  // From the last child down: the gap above child i (between it and child i + 1, whose first
  // region's rank is base + counts[i]; `above` is child i + 1's start, already checked to be
  // above `low`), then the gaps inside child i.
  const last = children.length - 1;
  let above = 0;
  for (let i = last; i >= 0; i--) {
    const end = ends[i]!;
    if (i < last && above - end >= length && Math.min(above, high) - Math.max(end, low) >= length) return base + counts[i]!;
    const start = starts[i]!;
    if (gaps[i]! >= length && Math.min(end, high) - Math.max(start, low) >= length) {
      const found = highestIn(children[i]!, i > 0 ? base + counts[i - 1]! : base, low, high, length);
      if (found >= 0) return found;
    }
    if (start <= low) return -1;
    above = start;
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
  touchedLeaf = undefined;
  const found = lowestIn(root, 0, low, high, length);
  if (found >= 0) {
    updated(tree, found);
    return found;
  }
  return high - Math.max(nodeEnd(root), low) >= length ? tree.size : -1;
}

function lowestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const bounds = node.bounds;
    for (let j = 1; 2 * j < bounds.length; j++) {
      const bottom = bounds[2 * j - 1]!;
      if (bottom >= high) return -1;
      const top = bounds[2 * j]!;
      if (top - bottom >= length && Math.min(top, high) - Math.max(bottom, low) >= length) {
        touchedLeaf = node;
        touchedAt = j;
        return base + j;
      }
    }
    return -1;
  }
  const { children, starts, ends, counts, gaps } = node;
  for (let i = 0; i < children.length; i++) {
    if (gaps[i]! >= length && Math.min(ends[i]!, high) - Math.max(starts[i]!, low) >= length) {
      const found = lowestIn(children[i]!, i > 0 ? base + counts[i - 1]! : base, low, high, length);
      if (found >= 0) return found;
    }
    const rank = base + counts[i]!;
    if (i + 1 < children.length) {
      const bottom = ends[i]!;
      if (bottom >= high) return -1;
      const top = starts[i + 1]!;
      if (top - bottom >= length && Math.min(top, high) - Math.max(bottom, low) >= length) return rank;
    }
  }
  return -1;
}

/** The tree with `region` inserted at rank `rank` (the caller keeps the order). */
export function treeInsertAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank > tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  touchedLeaf = undefined;
  const parts = insertInto(tree.root, rank, region);
  if (parts.length === 1) return updated(treeOf(parts[0]!, tree.height, tree.size + 1), rank);
  return updated(treeOf(innerOf(parts), tree.height + 1, tree.size + 1), rank);
}

/**
 * Where an overfull node of `count` entries splits when entry `at` was just added: in the middle,
 * but an entry added at either end leaves the node away from it 3/4 full, so that mappings made in
 * address order (top-down mmap, a growing heap) leave nodes 3/4 full rather than half full.
 */
function splitPoint(count: number, at: number): number {
  if (at === count - 1) return FILL;
  if (at === 0) return count - FILL;
  return count >> 1;
}

function insertInto(node: RegionNode, rank: number, region: Region): RegionNode[] {
  if (isLeaf(node)) {
    const regions = node.regions.toSpliced(rank, 0, region);
    const bounds = node.bounds.toSpliced(2 * rank, 0, region.start, region.end);
    if (regions.length <= TREE_FANOUT) {
      touchedLeaf = leaf(regions, bounds, leafGapAfterInsert(node, rank, region, bounds));
      touchedAt = rank;
      return [touchedLeaf];
    }
    touchedLeaf = undefined;
    const cut = splitPoint(regions.length, rank);
    const low = bounds.slice(0, 2 * cut);
    const high = bounds.slice(2 * cut);
    return [leaf(regions.slice(0, cut), low, boundsGap(low)), leaf(regions.slice(cut), high, boundsGap(high))];
  }
  // The child to insert into: the first whose running total reaches `rank` (so an insert between
  // two children goes at the end of the lower one), or the last.
  const counts = node.counts;
  let i = childAt(counts, rank);
  if (i > 0 && counts[i - 1] === rank) i--;
  const r = i > 0 ? rank - counts[i - 1]! : rank;
  const parts = insertInto(node.children[i]!, r, region);
  if (parts.length === 1) return [withChild(node, i, parts[0]!, 1)];
  const next = spliceInner(node, i, 1, parts);
  if (next.children.length <= TREE_FANOUT) return [next];
  const cut = splitPoint(next.children.length, i === 0 ? 0 : i + 1);
  return [sliceInner(next, 0, cut), sliceInner(next, cut, next.children.length)];
}

/** The tree with the region of rank `rank` removed. */
export function treeRemoveAt(tree: RegionTree, rank: number): RegionTree {
  if (rank < 0 || rank >= tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  touchedLeaf = undefined;
  let root = removeFrom(tree.root, rank);
  let height = tree.height;
  while (!isLeaf(root) && root.children.length === 1) {
    root = root.children[0]!;
    height--;
  }
  if (!isLeaf(root) && root.children.length === 0) {
    touchedLeaf = undefined;
    return emptyTree();
  }
  return updated(treeOf(root, height, tree.size - 1), rank);
}

function removeFrom(node: RegionNode, rank: number): RegionNode {
  if (isLeaf(node)) {
    const bounds = node.bounds.toSpliced(2 * rank, 2);
    touchedLeaf = leaf(node.regions.toSpliced(rank, 1), bounds, leafGapAfterRemove(node, rank, bounds));
    touchedAt = rank;
    return touchedLeaf;
  }
  const i = childAt(node.counts, rank);
  const r = i > 0 ? rank - node.counts[i - 1]! : rank;
  const child = removeFrom(node.children[i]!, r);
  if (fanoutOf(child) === 0) {
    touchedLeaf = undefined;
    return spliceInner(node, i, 1, []);
  }
  // Rebalance: merge an underfull child with a neighbour when both fit in one node.
  const j = i + 1 < node.children.length ? i + 1 : i - 1;
  if (j >= 0 && isSmall(child) && fanoutOf(node.children[j]!) + fanoutOf(child) <= TREE_FANOUT) {
    if (isLeaf(child)) touchedLeaf = undefined;
    const merged = j > i ? concatNodes(child, node.children[j]!) : concatNodes(node.children[j]!, child);
    return spliceInner(node, Math.min(i, j), 2, [merged]);
  }
  return withChild(node, i, child, -1);
}

function fanoutOf(node: RegionNode): number {
  return isLeaf(node) ? node.regions.length : node.children.length;
}

function isSmall(node: RegionNode): boolean {
  return fanoutOf(node) < TREE_FANOUT >> 2;
}

function concatNodes(a: RegionNode, b: RegionNode): RegionNode {
  if (isLeaf(a) && isLeaf(b)) {
    const bounds = a.bounds.concat(b.bounds);
    return leaf(a.regions.concat(b.regions), bounds, boundsGap(bounds));
  }
  const x = a as RegionInner;
  const y = b as RegionInner;
  const starts = x.starts.concat(y.starts);
  const ends = x.ends.concat(y.ends);
  const gaps = x.gaps.concat(y.gaps);
  return inner(x.children.concat(y.children), starts, ends, x.counts.concat(addFrom(y.counts, 0, nodeSize(x))), gaps, summaryGap(starts, ends, gaps));
}

/** The tree with the region of rank `rank` replaced by `region` (same place in the order). */
export function treeReplaceAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank >= tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  touchedLeaf = undefined;
  return updated(treeOf(replaceIn(tree.root, rank, region), tree.height, tree.size), rank);
}

function replaceIn(node: RegionNode, rank: number, region: Region): RegionNode {
  if (isLeaf(node)) {
    const bounds = node.bounds.toSpliced(2 * rank, 2, region.start, region.end);
    touchedLeaf = leaf(node.regions.with(rank, region), bounds, leafGapAfterReplace(node, rank, bounds));
    touchedAt = rank;
    return touchedLeaf;
  }
  const i = childAt(node.counts, rank);
  const r = i > 0 ? rank - node.counts[i - 1]! : rank;
  return withChild(node, i, replaceIn(node.children[i]!, r, region), 0);
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
      if (node.gap !== boundsGap(node.bounds)) throw new Error('stale gap in a leaf');
      if (node.bounds.length !== 2 * node.regions.length || node.regions.some((r, i) => node.bounds[2 * i] !== r.start || node.bounds[2 * i + 1] !== r.end)) {
        throw new Error('stale bounds in a leaf');
      }
      for (const r of node.regions) {
        if (!(r.start < r.end)) throw new Error(`empty region ${r.start}-${r.end}`);
        if (r.start < previousEnd) throw new Error(`region ${r.start.toString(16)} overlaps or is out of order`);
        previousEnd = r.end;
        count++;
      }
      return;
    }
    const { children, starts, ends, counts, gaps } = node;
    if (children.length === 0 || children.length > TREE_FANOUT) throw new Error(`inner node of ${children.length} children`);
    if (starts.length !== children.length || ends.length !== children.length || counts.length !== children.length || gaps.length !== children.length) {
      throw new Error('summary arrays of the wrong length in an inner node');
    }
    if (node.gap !== summaryGap(starts, ends, gaps)) throw new Error('stale gap in an inner node');
    let total = 0;
    children.forEach((c, i) => {
      if (nodeStart(c) !== starts[i]) throw new Error('stale start in an inner node');
      if (nodeEnd(c) !== ends[i]) throw new Error('stale end in an inner node');
      total += nodeSize(c);
      if (counts[i] !== total) throw new Error('stale count in an inner node');
      if (nodeGap(c) !== gaps[i]) throw new Error('stale gap in an inner node');
      walk(c, depth + 1);
    });
  };
  walk(tree.root, 1);
  if (count !== tree.size) throw new Error(`size ${tree.size} but ${count} regions`);
}
