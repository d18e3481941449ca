/**
 * The region index: a persistent B+ tree of regions sorted by address (Linux keeps a maple tree,
 * lib/maple_tree.c).
 *
 * - A leaf holds up to TREE_FANOUT regions and, side by side in one array of numbers, their bounds
 *   (as a maple node keeps its pivots apart from its slots): a search inside a leaf reads that one
 *   array and touches no region object.
 * - An inner node holds, per child, the start of its first region and the end of its last (a maple
 *   node's pivots), so descents by address read one array a level.
 * - Every node knows its own size, its largest gap (ma_max_gap; a maple_arange_64 node keeps its
 *   children's in a gap array) and its second largest, so both follow an update without a rescan.
 *   They are kept in the node itself, not in arrays of its parent: an update copies, at each level
 *   of its path, the children array and the node, and nothing else unless a child's first start or
 *   last end moved. Copying is most of an update's cost (each array costs its allocation and the
 *   cache lines it writes): with the counts and gaps arrays gone from inner nodes, an mmap+munmap
 *   pair in 100,000 regions allocates 5.2 KB instead of 7.3 KB and runs ~1.3 × as fast.
 *
 * So lookups by address are O(log n) and allocate nothing, and so is the search for the highest or
 * lowest gap of a given length (mas_empty_area_rev / mas_empty_area); lookups by rank are O(log n)
 * too, reading the sizes of the children they pass. Updates copy only the path from the root to
 * the changed leaf (structural sharing), so every version stays valid: the tree lives in immer
 * state as plain arrays and objects.
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
  /** The largest of the leaf's other gaps (see `gap2` of RegionInner). */
  readonly gap2: number;
  /** Its number of regions (`regions.length`, kept beside `gap` so that a parent reads one object). */
  readonly size: number;
}

/** An inner node. */
export interface RegionInner {
  /** For each child, the start of its first region. */
  readonly starts: readonly number[];
  /** For each child, the end of its last region. */
  readonly ends: readonly number[];
  /** The children (all leaves or all inner nodes). */
  readonly children: readonly RegionNode[];
  /** The largest gap between two consecutive regions under the node (ma_max_gap). */
  readonly gap: number;
  /**
   * The largest of the gaps the node summarises once one occurrence of `gap` is left out (its
   * children's largest gaps and the gaps between its children; 0 when there is no other), or -1
   * when an update left it unknown. It lets `gap` follow a shrinking largest gap without a rescan.
   */
  readonly gap2: number;
  /** How many regions it holds. */
  readonly size: number;
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
  return treeOf(leaf([], [], 0, 0), 1, 0);
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
function leaf(regions: readonly Region[], bounds: readonly number[], gap: number, gap2: number): RegionLeaf {
  return { regions, bounds, gap, gap2, size: regions.length };
}

/** An inner node (every inner node is made here, so that all have one shape). */
function inner(
  children: readonly RegionNode[],
  starts: readonly number[],
  ends: readonly number[],
  size: number,
  gap: number,
  gap2: number,
): RegionInner {
  return { children, starts, ends, gap, gap2, size };
}

/** A leaf whose gaps are found by a scan. */
function scannedLeaf(regions: readonly Region[], bounds: readonly number[]): RegionLeaf {
  scanBounds(bounds);
  return leaf(regions, bounds, largest, second);
}

/** An inner node whose largest gaps are found by a scan. */
function scannedInner(
  children: readonly RegionNode[],
  starts: readonly number[],
  ends: readonly number[],
): RegionInner {
  scanSummary(children, starts, ends);
  let size = 0;
  for (const c of children) size += c.size;
  return inner(children, starts, ends, size, largest, second);
}

function leafOf(regions: Region[]): RegionLeaf {
  const bounds: number[] = [];
  for (const r of regions) bounds.push(r.start, r.end);
  return scannedLeaf(regions, bounds);
}

/** An inner node over `children`, every summary computed. */
function innerOf(children: RegionNode[]): RegionInner {
  const starts = children.map(nodeStart);
  const ends = children.map(nodeEnd);
  return scannedInner(children, starts, ends);
}

function nodeStart(node: RegionNode): number {
  if (isLeaf(node)) return node.bounds[0] ?? 0;
  return node.starts[0] ?? 0;
}

function nodeEnd(node: RegionNode): number {
  if (isLeaf(node)) return node.bounds[node.bounds.length - 1] ?? 0;
  return node.ends[node.ends.length - 1] ?? 0;
}

/** The largest gap between two consecutive regions of `node` (maple tree: ma_max_gap). */
function nodeGap(node: RegionNode): number {
  return node.gap;
}

/*
 * A node's largest gap is kept up to date without a rescan when it can be (mas_update_gap rescans a
 * maple node instead). After a change the gaps that changed are known, so the largest follows from
 * the old largest, the old second largest and the new values — unless the largest shrank below a
 * second largest that is not known, which leaves a rescan. Each node keeps both (gap, gap2); the
 * adjustments and the scans work on the two variables below, so that they allocate nothing.
 *
 * In an mmap+munmap pair the hole mapped into is the largest gap on its whole path: with only the
 * largest kept, every level rescanned its node on the mmap, reading every child (now that the
 * children's gaps are kept in the children).
 */
let largest = 0;
let second = 0;

/** Starts adjusting the gaps of a node whose largest and second largest gaps are `gap` and `gap2`. */
function track(gap: number, gap2: number): void {
  largest = gap;
  second = gap2;
}

/**
 * One of the tracked node's gaps went from `before` to `after` (-Infinity for a gap that appears or
 * goes). Returns false when the new largest gap is not known without a rescan.
 */
function changed(before: number, after: number): boolean {
  if (before === after) return true;
  if (before === largest) {
    // The largest (or one of equal largest ones) changed: the others' largest is `second`.
    if (second < 0) return false;
    if (after >= second) {
      largest = after;
    } else {
      largest = second;
      second = -1;
    }
  } else if (after >= largest) {
    second = largest;
    largest = after;
  } else if (second >= 0 && before >= second) {
    // before === second: one of the second largest changed.
    second = after >= second ? after : -1;
  } else if (after > second && second >= 0) {
    second = after;
  }
  return true;
}

/** Records one more value in a scan. */
function scanned(g: number): void {
  if (g > largest) {
    second = largest;
    largest = g;
  } else if (g > second) {
    second = g;
  }
}

/** Scans a leaf's bounds for its largest and second largest gaps (into `largest`, `second`). */
function scanBounds(bounds: readonly number[]): void {
  largest = 0;
  second = 0;
  for (let i = 2; i < bounds.length; i += 2) scanned(bounds[i]! - bounds[i - 1]!);
}

/** Scans an inner node's summaries for its largest and second largest gaps (into `largest`, `second`). */
function scanSummary(children: readonly RegionNode[], starts: readonly number[], ends: readonly number[]): void {
  largest = 0;
  second = 0;
  const n = children.length;
  for (let i = 0; i < n; i++) {
    scanned(children[i]!.gap);
    if (i > 0) scanned(starts[i]! - ends[i - 1]!);
  }
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
  // The gaps that may have changed: inside child i, and between it and its neighbours.
  track(node.gap, node.gap2);
  let known = changed(node.children[i]!.gap, gap);
  if (known && i > 0) known = changed(node.starts[i]! - node.ends[i - 1]!, start - node.ends[i - 1]!);
  if (known && i + 1 < node.starts.length) known = changed(node.starts[i + 1]! - node.ends[i]!, node.starts[i + 1]! - end);
  const children = node.children.with(i, child);
  return known ? inner(children, starts, ends, node.size + sizeDelta, largest, second) : scannedInner(children, starts, ends);
}

/** The leaf of `regions` and `bounds`: `old` with `region` put in at `j`. */
function leafAfterInsert(old: RegionLeaf, j: number, region: Region, regions: readonly Region[], bounds: readonly number[]): RegionLeaf {
  const b = old.bounds;
  const n = b.length >> 1;
  track(old.gap, old.gap2);
  let known = true;
  if (j === 0) {
    if (n > 0) known = changed(-Infinity, b[0]! - region.end); // a gap appears above the new first region
  } else if (j === n) {
    known = changed(-Infinity, region.start - b[2 * n - 1]!); // and below a new last one
  } else {
    // The gap the region went into became two smaller ones.
    known = changed(b[2 * j]! - b[2 * j - 1]!, region.start - b[2 * j - 1]!) && changed(-Infinity, b[2 * j]! - region.end);
  }
  return known ? leaf(regions, bounds, largest, second) : scannedLeaf(regions, bounds);
}

/** The leaf of `regions` and `bounds`: `old` without its region `j`. */
function leafAfterRemove(old: RegionLeaf, j: number, regions: readonly Region[], bounds: readonly number[]): RegionLeaf {
  const b = old.bounds;
  const n = b.length >> 1;
  track(old.gap, old.gap2);
  let known: boolean;
  if (j === 0) known = n === 1 || changed(b[2]! - b[1]!, -Infinity);
  else if (j === n - 1) known = changed(b[2 * j]! - b[2 * j - 1]!, -Infinity);
  // The gaps below and above it became one, larger than either.
  else known = changed(b[2 * j]! - b[2 * j - 1]!, b[2 * j + 2]! - b[2 * j - 1]!) && changed(b[2 * j + 2]! - b[2 * j + 1]!, -Infinity);
  return known ? leaf(regions, bounds, largest, second) : scannedLeaf(regions, bounds);
}

/** The leaf of `regions` and `bounds`: `old` with its region `j` given new bounds. */
function leafAfterReplace(old: RegionLeaf, j: number, regions: readonly Region[], bounds: readonly number[]): RegionLeaf {
  const b = old.bounds;
  const n = b.length >> 1;
  track(old.gap, old.gap2);
  let known = true;
  if (j > 0) known = changed(b[2 * j]! - b[2 * j - 1]!, bounds[2 * j]! - bounds[2 * j - 1]!);
  if (known && j + 1 < n) known = changed(b[2 * j + 2]! - b[2 * j + 1]!, bounds[2 * j + 2]! - bounds[2 * j + 1]!);
  return known ? leaf(regions, bounds, largest, second) : scannedLeaf(regions, bounds);
}

/** `node` with `remove` children from `at` on replaced by `parts` (splits, merges and removals). */
function spliceInner(node: RegionInner, at: number, remove: number, parts: readonly RegionNode[]): RegionInner {
  const starts = node.starts.toSpliced(at, remove, ...parts.map(nodeStart));
  const ends = node.ends.toSpliced(at, remove, ...parts.map(nodeEnd));
  return scannedInner(node.children.toSpliced(at, remove, ...parts), starts, ends);
}

/** Children `from` to `to` (exclusive) of `node`, with their summaries, as a node of their own. */
function sliceInner(node: RegionInner, from: number, to: number): RegionInner {
  const starts = node.starts.slice(from, to);
  const ends = node.ends.slice(from, to);
  return scannedInner(node.children.slice(from, to), starts, ends);
}

/*
 * Ranks come from the sizes of the children a descent passes, read from whichever end of the node
 * is nearer (half a node's children at most).
 */

/** How many regions the children of `node` before child `i` hold. */
function sizeBefore(node: RegionInner, i: number): number {
  const children = node.children;
  let total = 0;
  if (2 * i <= children.length) {
    for (let k = 0; k < i; k++) total += children[k]!.size;
    return total;
  }
  for (let k = i; k < children.length; k++) total += children[k]!.size;
  return node.size - total;
}

/** Set by `childAt`: the rank its caller asked for, counted from the first region of the child it returned. */
let rankInChild = 0;

/** The child of an inner node holding rank `rank` (the last when none does); sets `rankInChild`. */
function childAt(node: RegionInner, rank: number): number {
  const children = node.children;
  const last = children.length - 1;
  if (2 * rank < node.size) {
    let r = rank;
    let i = 0;
    for (; i < last; i++) {
      const size = children[i]!.size;
      if (r < size) break;
      r -= size;
    }
    rankInChild = r;
    return i;
  }
  // From the last child down: `start` is the rank of child i's first region.
  let start = node.size;
  let i = last;
  for (; i > 0; i--) {
    start -= children[i]!.size;
    if (rank >= start) break;
  }
  rankInChild = i > 0 ? rank - start : rank;
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
let fingerLeaf: RegionLeaf = leaf([], [], 0, 0);
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
    rank += sizeBefore(inner, i);
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
    node = inner.children[childAt(inner, r)]!;
    r = rankInChild;
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
  if (partInside(nodeEnd(root), Infinity, low, high) >= length) return tree.size;
  touchedLeaf = undefined;
  const found = highestIn(root, 0, low, high, length);
  if (found >= 0) {
    updated(tree, found);
    return found;
  }
  return partInside(0, nodeStart(root), low, high) >= length ? 0 : -1;
}

/** The length of the part of [bottom, top) inside [low, high) (negative when there is none). */
function partInside(bottom: number, top: number, low: number, high: number): number {
  return Math.min(top, high) - Math.max(bottom, low);
}

/** A gap search found gap `j` of `leaf` (whose first region has rank `base`): the finger goes there; its rank. */
function foundIn(leaf: RegionLeaf, base: number, j: number): number {
  touchedLeaf = leaf;
  touchedAt = j;
  return base + j;
}

function highestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const bounds = node.bounds;
    for (let j = (bounds.length >> 1) - 1; j >= 1; j--) {
      const top = bounds[2 * j]!;
      if (top <= low) return -1;
      const bottom = bounds[2 * j - 1]!;
      // The whole gap first: its part inside [low, high) is no longer.
      if (top - bottom >= length && partInside(bottom, top, low, high) >= length) return foundIn(node, base, j);
    }
    return -1;
  }
  const { children, starts, ends } = node;
  // From the last child down: the gap above child i (between it and child i + 1, whose first
  // region's rank is `top` — the node's last rank + 1 less the regions of the children passed;
  // `above` is child i + 1's start, already checked to be above `low`), then the gaps inside child i.
  const last = children.length - 1;
  let above = 0;
  let top = base + node.size;
  for (let i = last; i >= 0; i--) {
    const end = ends[i]!;
    if (i < last && above - end >= length && partInside(end, above, low, high) >= length) return top;
    const start = starts[i]!;
    const child = children[i]!;
    top -= child.size;
    if (child.gap >= length && partInside(start, end, low, high) >= length) {
      const found = highestIn(child, top, low, high, length);
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
  if (partInside(0, nodeStart(root), low, high) >= length) return 0;
  touchedLeaf = undefined;
  const found = lowestIn(root, 0, low, high, length);
  if (found >= 0) {
    updated(tree, found);
    return found;
  }
  return partInside(nodeEnd(root), Infinity, low, high) >= length ? tree.size : -1;
}

function lowestIn(node: RegionNode, base: number, low: number, high: number, length: number): number {
  if (isLeaf(node)) {
    const bounds = node.bounds;
    for (let j = 1; 2 * j < bounds.length; j++) {
      const bottom = bounds[2 * j - 1]!;
      if (bottom >= high) return -1;
      const top = bounds[2 * j]!;
      if (top - bottom >= length && partInside(bottom, top, low, high) >= length) return foundIn(node, base, j);
    }
    return -1;
  }
  const { children, starts, ends } = node;
  let rank = base; // the rank of child i's first region
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!;
    if (child.gap >= length && partInside(starts[i]!, ends[i]!, low, high) >= length) {
      const found = lowestIn(child, rank, low, high, length);
      if (found >= 0) return found;
    }
    rank += child.size;
    if (i + 1 < children.length) {
      const bottom = ends[i]!;
      if (bottom >= high) return -1;
      const top = starts[i + 1]!;
      if (top - bottom >= length && partInside(bottom, top, low, high) >= length) return rank;
    }
  }
  return -1;
}

/** The tree with `region` inserted at rank `rank` (the caller keeps the order). */
export function treeInsertAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank > tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  touchedLeaf = undefined;
  const parts = insertInto(tree.root, region);
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

/*
 * Updates find their leaf by address (the new region's start, the start of the region removed or
 * replaced), through each node's `ends`, so they read no child but the one on their path; the rank
 * the caller gave, less the region's place in its leaf, is the rank of the leaf's first region,
 * which the finger keeps.
 */

function insertInto(node: RegionNode, region: Region): RegionNode[] {
  if (isLeaf(node)) {
    const j = leafRankAbove(node.bounds, region.start);
    const regions = node.regions.toSpliced(j, 0, region);
    const bounds = node.bounds.toSpliced(2 * j, 0, region.start, region.end);
    if (regions.length <= TREE_FANOUT) {
      touchedLeaf = leafAfterInsert(node, j, region, regions, bounds);
      touchedAt = j;
      return [touchedLeaf];
    }
    touchedLeaf = undefined;
    const cut = splitPoint(regions.length, j);
    const low = bounds.slice(0, 2 * cut);
    const high = bounds.slice(2 * cut);
    return [scannedLeaf(regions.slice(0, cut), low), scannedLeaf(regions.slice(cut), high)];
  }
  // The child to insert into: the first that ends above the region (so an insert between two
  // children goes at the start of the upper one), or the last.
  const i = firstEndAbove(node.ends, region.start);
  const parts = insertInto(node.children[i]!, region);
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
  let root = removeFrom(tree.root, treeAt(tree, rank)!.start);
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

/** `node` without the region starting at `start`. */
function removeFrom(node: RegionNode, start: number): RegionNode {
  if (isLeaf(node)) {
    const j = leafRankAbove(node.bounds, start);
    const bounds = node.bounds.toSpliced(2 * j, 2);
    touchedLeaf = leafAfterRemove(node, j, node.regions.toSpliced(j, 1), bounds);
    touchedAt = j;
    return touchedLeaf;
  }
  const i = firstEndAbove(node.ends, start);
  const child = removeFrom(node.children[i]!, start);
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
    return scannedLeaf(a.regions.concat(b.regions), bounds);
  }
  const x = a as RegionInner;
  const y = b as RegionInner;
  const starts = x.starts.concat(y.starts);
  const ends = x.ends.concat(y.ends);
  return scannedInner(x.children.concat(y.children), starts, ends);
}

/** The tree with the region of rank `rank` replaced by `region` (same place in the order). */
export function treeReplaceAt(tree: RegionTree, rank: number, region: Region): RegionTree {
  if (rank < 0 || rank >= tree.size) throw new RangeError(`rank ${rank} outside a tree of ${tree.size}`);
  touchedLeaf = undefined;
  return updated(treeOf(replaceIn(tree.root, treeAt(tree, rank)!.start, region), tree.height, tree.size), rank);
}

/** `node` with the region starting at `start` replaced by `region`. */
function replaceIn(node: RegionNode, start: number, region: Region): RegionNode {
  if (isLeaf(node)) {
    const j = leafRankAbove(node.bounds, start);
    const bounds = node.bounds.toSpliced(2 * j, 2, region.start, region.end);
    touchedLeaf = leafAfterReplace(node, j, node.regions.with(j, region), bounds);
    touchedAt = j;
    return touchedLeaf;
  }
  const i = firstEndAbove(node.ends, start);
  return withChild(node, i, replaceIn(node.children[i]!, start, region), 0);
}

/** Checks the tree's structure (sorted, non-overlapping, every summary right, balanced); throws on a fault. */
export function checkTree(tree: RegionTree): void {
  let previousEnd = -1;
  /** Checks `node` and returns how many regions it holds. */
  const walk = (node: RegionNode, depth: number): number => {
    if (isLeaf(node)) {
      if (depth !== tree.height) throw new Error(`leaf at depth ${depth} in a tree of height ${tree.height}`);
      if (node.regions.length > TREE_FANOUT) throw new Error(`leaf of ${node.regions.length} regions`);
      if (node.regions.length === 0 && tree.size > 0) throw new Error('empty leaf in a non-empty tree');
      scanBounds(node.bounds);
      if (node.gap !== largest) throw new Error('stale gap in a leaf');
      if (node.gap2 !== -1 && node.gap2 !== second) throw new Error('stale second gap in a leaf');
      if (node.bounds.length !== 2 * node.regions.length || node.regions.some((r, i) => node.bounds[2 * i] !== r.start || node.bounds[2 * i + 1] !== r.end)) {
        throw new Error('stale bounds in a leaf');
      }
      for (const r of node.regions) {
        if (!(r.start < r.end)) throw new Error(`empty region ${r.start}-${r.end}`);
        if (r.start < previousEnd) throw new Error(`region ${r.start.toString(16)} overlaps or is out of order`);
        previousEnd = r.end;
      }
      if (node.size !== node.regions.length) throw new Error('stale size in a leaf');
      return node.size;
    }
    const { children, starts, ends } = node;
    if (children.length === 0 || children.length > TREE_FANOUT) throw new Error(`inner node of ${children.length} children`);
    if (starts.length !== children.length || ends.length !== children.length) {
      throw new Error('summary arrays of the wrong length in an inner node');
    }
    scanSummary(children, starts, ends);
    if (node.gap !== largest) throw new Error('stale gap in an inner node');
    if (node.gap2 !== -1 && node.gap2 !== second) throw new Error('stale second gap in an inner node');
    let total = 0;
    children.forEach((c, i) => {
      if (nodeStart(c) !== starts[i]) throw new Error('stale start in an inner node');
      if (nodeEnd(c) !== ends[i]) throw new Error('stale end in an inner node');
      total += walk(c, depth + 1);
    });
    if (node.size !== total) throw new Error('stale size in an inner node');
    return total;
  };
  const count = walk(tree.root, 1);
  if (count !== tree.size) throw new Error(`size ${tree.size} but ${count} regions`);
}
