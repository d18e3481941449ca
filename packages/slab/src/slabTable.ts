/**
 * The slab table (slabs by first frame) and the page → slab map (the page descriptor's slab
 * pointer, page_set_slab), each cut into buckets of 256 frames so that changing one slab inside
 * an immer draft copies one bucket, not a table as large as memory.
 */
import type { Slab, SlabState } from './state.js';

const BUCKET_SHIFT = 8;
const IN_BUCKET = 0xff; // keys within a bucket are 0…255: small indices V8 keeps in fast elements

/** The slab whose first frame is `pfn`, or undefined. */
export function getSlab(state: SlabState, pfn: number): Slab | undefined {
  const bucket = state.slabs[pfn >>> BUCKET_SHIFT];
  return bucket === undefined ? undefined : bucket[pfn & IN_BUCKET];
}

/** Adds `slab` under its first frame. */
export function putSlab(state: SlabState, slab: Slab): void {
  const key = slab.pfn >>> BUCKET_SHIFT;
  const bucket = state.slabs[key] ?? (state.slabs[key] = {});
  bucket[slab.pfn & IN_BUCKET] = slab;
}

/** Removes the slab whose first frame is `pfn`. */
export function removeSlab(state: SlabState, pfn: number): void {
  delete state.slabs[pfn >>> BUCKET_SHIFT]![pfn & IN_BUCKET];
}

/** Every slab, by ascending first frame within a bucket. */
export function allSlabs(state: SlabState): Slab[] {
  return Object.values(state.slabs).flatMap((bucket) => Object.values(bucket));
}

/** The first frame of the slab holding frame `pfn`, or undefined. */
export function pageSlab(state: SlabState, pfn: number): number | undefined {
  const bucket = state.pageSlab[pfn >>> BUCKET_SHIFT];
  return bucket === undefined ? undefined : bucket[pfn & IN_BUCKET];
}

/** Points frames [pfn, pfn + count) at the slab starting at `head`. */
export function setPageSlab(state: SlabState, pfn: number, count: number, head: number): void {
  for (let p = pfn; p < pfn + count; p++) {
    const key = p >>> BUCKET_SHIFT;
    const bucket = state.pageSlab[key] ?? (state.pageSlab[key] = {});
    bucket[p & IN_BUCKET] = head;
  }
}

/** Forgets frames [pfn, pfn + count). */
export function clearPageSlab(state: SlabState, pfn: number, count: number): void {
  for (let p = pfn; p < pfn + count; p++) delete state.pageSlab[p >>> BUCKET_SHIFT]![p & IN_BUCKET];
}
