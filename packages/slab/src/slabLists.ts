/**
 * The three slab lists of a cache (slabs_full, slabs_partial, slabs_free), doubly linked through
 * the slabs' `prev`/`next` frames like Linux's list_head: O(1) add at either end and delete.
 */
import { getSlab } from './slabTable.js';
import type { Cache, Slab, SlabState } from './state.js';

/** Unlinks `slab` from the list it is on (list_del). */
export function listDel(state: SlabState, cache: Cache, slab: Slab): void {
  const list = cache.lists[slab.list]!;
  if (slab.prev >= 0) getSlab(state, slab.prev)!.next = slab.next;
  else list.head = slab.next;
  if (slab.next >= 0) getSlab(state, slab.next)!.prev = slab.prev;
  else list.tail = slab.prev;
  list.length--;
  slab.prev = -1;
  slab.next = -1;
}

/** Puts `slab` first on list `which` (list_add). */
export function listAdd(state: SlabState, cache: Cache, slab: Slab, which: number): void {
  const list = cache.lists[which]!;
  slab.list = which;
  slab.prev = -1;
  slab.next = list.head;
  if (list.head >= 0) getSlab(state, list.head)!.prev = slab.pfn;
  else list.tail = slab.pfn;
  list.head = slab.pfn;
  list.length++;
}

/** Puts `slab` last on list `which` (list_add_tail). */
export function listAddTail(state: SlabState, cache: Cache, slab: Slab, which: number): void {
  const list = cache.lists[which]!;
  slab.list = which;
  slab.next = -1;
  slab.prev = list.tail;
  if (list.tail >= 0) getSlab(state, list.tail)!.next = slab.pfn;
  else list.head = slab.pfn;
  list.tail = slab.pfn;
  list.length++;
}

/** The first frames of the slabs on list `which`, head first. */
export function listFrames(state: SlabState, cache: Cache, which: number): number[] {
  const out: number[] = [];
  for (let pfn = cache.lists[which]!.head; pfn >= 0; pfn = getSlab(state, pfn)!.next) out.push(pfn);
  return out;
}
