/**
 * phys's scenario calls (caller `kernel`), e.g. `kernel: alloc_pages(GFP_KERNEL, 2) -> p`, and the
 * constants scenarios may name (GFP_KERNEL, __GFP_DMA, PG_slab, …).
 */
import type { CallResult, CallSpec, CallValue } from '@vmlab/kernel';
import { GFP, PAGE_FLAGS, PHYS_REQUESTS, type AllocPagesReply, type CompactReply, type PageRefReply, type PartitionAllocReply, type ReserveRangeReply, type RmallocReply } from './protocol.js';

const kernelOnly = ['kernel'];

/** A reply `{ error }` or null as a call result: 0 on success, -1 with the error otherwise. */
function statusResult(reply: unknown): CallResult {
  const error = (reply as { error?: string } | null)?.error;
  return error ? { value: -1, error } : { value: 0 };
}

/** Reads a partition list: `"4"` (four equal partitions), `"64,64,128,256"`, or a number. */
export function parsePartitions(size: number, partitions: CallValue | undefined): number[] {
  const text = String(partitions ?? '1').trim();
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1) throw new RangeError('at least one partition');
    return Array.from({ length: count }, () => Math.floor(size / count));
  }
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`bad partition size ${part}`);
    return value;
  });
}

/** The calls phys registers. */
export const PHYS_CALLS: readonly CallSpec[] = [
  {
    name: 'alloc_pages',
    summary: 'alloc_pages(gfp, order): 2^order contiguous frames; returns the first pfn, or 0 (NULL) with ENOMEM.',
    params: [{ name: 'gfp', type: 'flags' }, { name: 'order', type: 'int' }, { name: 'owner', type: 'string', optional: true }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.allocPages,
    toPayload: (a) => ({ gfp: Number(a.gfp), order: Number(a.order), ...(a.owner === undefined ? {} : { owner: String(a.owner) }) }),
    toResult: (reply) => {
      const r = reply as AllocPagesReply;
      return r.pfn < 0 ? { value: 0, error: r.error ?? 'ENOMEM' } : { value: r.pfn };
    },
  },
  {
    name: 'alloc_page',
    summary: 'alloc_page(gfp): one frame; returns its pfn, or 0 (NULL) with ENOMEM.',
    params: [{ name: 'gfp', type: 'flags' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.allocPages,
    toPayload: (a) => ({ gfp: Number(a.gfp), order: 0 }),
    toResult: (reply) => {
      const r = reply as AllocPagesReply;
      return r.pfn < 0 ? { value: 0, error: r.error ?? 'ENOMEM' } : { value: r.pfn };
    },
  },
  {
    name: 'free_pages',
    summary: 'free_pages(pfn, order): drops a reference; the block returns to the buddy allocator on the last one.',
    params: [{ name: 'pfn', type: 'int' }, { name: 'order', type: 'int' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.freePages,
    toPayload: (a) => ({ pfn: Number(a.pfn), order: Number(a.order) }),
    toResult: () => ({ value: null }),
  },
  {
    name: 'get_page',
    summary: 'get_page(pfn): takes a reference on an allocated block; returns the new count.',
    params: [{ name: 'pfn', type: 'int' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.getPage,
    toPayload: (a) => ({ pfn: Number(a.pfn) }),
    toResult: (reply) => ({ value: (reply as PageRefReply).refcount }),
  },
  {
    name: 'put_page',
    summary: 'put_page(pfn): drops a reference, freeing the block on the last; returns the count left.',
    params: [{ name: 'pfn', type: 'int' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.putPage,
    toPayload: (a) => ({ pfn: Number(a.pfn) }),
    toResult: (reply) => ({ value: (reply as PageRefReply).refcount }),
  },
  {
    name: 'reserve_range',
    summary: 'reserve_range(pfn, count[, "owner"]): reserves free frames for a driver; returns pfn, or -1 with EBUSY / EINVAL.',
    params: [{ name: 'pfn', type: 'int' }, { name: 'count', type: 'int' }, { name: 'owner', type: 'string', optional: true }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.reserveRange,
    toPayload: (a) => ({ pfn: Number(a.pfn), count: Number(a.count), owner: a.owner === undefined ? 'driver' : String(a.owner) }),
    toResult: (reply) => {
      const r = reply as ReserveRangeReply;
      return r.error ? { value: -1, error: r.error } : { value: r.pfn };
    },
  },
  {
    name: 'pool_create_fixed',
    summary: 'pool_create_fixed("pool", size, "partitions"): fixed partitions, "4" equal ones or sizes "64,64,128,256".',
    params: [{ name: 'pool', type: 'string' }, { name: 'size', type: 'size' }, { name: 'partitions', type: 'string' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.createPool,
    toPayload: (a) => ({ pool: String(a.pool), kind: 'fixed', size: Number(a.size), partitions: parsePartitions(Number(a.size), a.partitions) }),
    toResult: statusResult,
  },
  {
    name: 'pool_create_variable',
    summary: 'pool_create_variable("pool", size, "first"|"next"|"best"|"worst"[, "list"|"bitmap"[, unit]]): variable partitions.',
    params: [
      { name: 'pool', type: 'string' },
      { name: 'size', type: 'size' },
      { name: 'fit', type: 'string' },
      { name: 'tracking', type: 'string', optional: true },
      { name: 'unit', type: 'int', optional: true },
    ],
    callers: kernelOnly,
    request: PHYS_REQUESTS.createPool,
    toPayload: (a) => {
      const fit = String(a.fit);
      if (!['first', 'next', 'best', 'worst'].includes(fit)) throw new RangeError(`fit must be first, next, best or worst, not ${fit}`);
      const tracking = a.tracking === undefined ? 'list' : String(a.tracking);
      if (tracking !== 'list' && tracking !== 'bitmap') throw new RangeError(`tracking must be list or bitmap, not ${tracking}`);
      return { pool: String(a.pool), kind: 'variable', size: Number(a.size), fit, tracking, ...(a.unit === undefined ? {} : { unit: Number(a.unit) }) };
    },
    toResult: statusResult,
  },
  {
    name: 'partition_alloc',
    summary: 'partition_alloc("pool", size[, "name"]): returns the start address in the pool, or -1 with ENOMEM.',
    params: [{ name: 'pool', type: 'string' }, { name: 'size', type: 'size' }, { name: 'name', type: 'string', optional: true }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.partitionAlloc,
    toPayload: (a) => ({ pool: String(a.pool), size: Number(a.size), ...(a.name === undefined ? {} : { name: String(a.name) }) }),
    toResult: (reply) => {
      const r = reply as PartitionAllocReply;
      return r.error ? { value: -1, error: r.error } : { value: r.address };
    },
  },
  {
    name: 'partition_free',
    summary: 'partition_free("pool", address): frees the allocation starting there (coalescing holes); 0, or -1 with EINVAL.',
    params: [{ name: 'pool', type: 'string' }, { name: 'address', type: 'address' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.partitionFree,
    toPayload: (a) => ({ pool: String(a.pool), address: Number(a.address) }),
    toResult: statusResult,
  },
  {
    name: 'compact',
    summary: 'compact("pool"): slides every allocation down; returns the bytes moved (the moves are in the event).',
    params: [{ name: 'pool', type: 'string' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.compact,
    toPayload: (a) => ({ pool: String(a.pool) }),
    toResult: (reply) => {
      const r = reply as CompactReply & { error?: string };
      return r.error ? { value: -1, error: r.error } : { value: r.bytesMoved };
    },
  },
  {
    name: 'rmap_create',
    summary: 'rmap_create("map", base, units[, slots]): a UNIX resource map with one free entry (base ≥ 1).',
    params: [{ name: 'map', type: 'string' }, { name: 'base', type: 'int' }, { name: 'units', type: 'int' }, { name: 'slots', type: 'int', optional: true }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.createMap,
    toPayload: (a) => ({ map: String(a.map), base: Number(a.base), units: Number(a.units), ...(a.slots === undefined ? {} : { slots: Number(a.slots) }) }),
    toResult: statusResult,
  },
  {
    name: 'rmalloc',
    summary: 'rmalloc("map", units): first fit; returns the address, or 0 with ENOMEM.',
    params: [{ name: 'map', type: 'string' }, { name: 'units', type: 'int' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.rmalloc,
    toPayload: (a) => ({ map: String(a.map), units: Number(a.units) }),
    toResult: (reply) => {
      const r = reply as RmallocReply;
      return r.error ? { value: 0, error: r.error } : { value: r.address };
    },
  },
  {
    name: 'rmfree',
    summary: 'rmfree("map", units, address): gives units back, merging with neighbouring entries.',
    params: [{ name: 'map', type: 'string' }, { name: 'units', type: 'int' }, { name: 'address', type: 'int' }],
    callers: kernelOnly,
    request: PHYS_REQUESTS.rmfree,
    toPayload: (a) => ({ map: String(a.map), units: Number(a.units), address: Number(a.address) }),
    toResult: statusResult,
  },
];

/** Scenario constants: the GFP flags by their Linux names, and the page flags as PG_<name>. */
export const PHYS_CONSTANTS: Readonly<Record<string, number>> = {
  ...GFP,
  ...Object.fromEntries(Object.entries(PAGE_FLAGS).map(([name, bit]) => [`PG_${name}`, bit])),
};
