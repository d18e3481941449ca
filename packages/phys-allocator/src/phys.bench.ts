/**
 * phys-allocator's benchmarks (issue 5):
 * - order-0 alloc+free pairs per second on the model API (target ≥ 10 M/s), in steady state
 *   (a working set of 4096 pages turning over, so the order-0 list is fed by frees) and in the
 *   worst case (one page taken from and returned to an empty 1 GiB machine: 10 splits and
 *   10 merges per pair);
 * - mixed orders 0…4 with a working set of 1024 blocks;
 * - first fit against best fit on a variable-partition heap of 10 K blocks (half of them freed);
 * - bytes per frame of the frame descriptors on a 16 M-frame (64 GiB) machine;
 * - order-0 alloc+free pairs through a machine (two inputs per pair, the timeline's defaults).
 * Sequences come from a fixed linear congruential generator, so every run does the same work.
 */
import { defineSuite, opsPerSecond } from '@vmlab/bench';
import { createMachine, type ChunkedArray, type NumericTypedArray } from '@vmlab/kernel';
import { BYTES_PER_FRAME, FRAME_COLUMNS, type Column, type Storage } from './frameTable.js';
import { createVariablePool, variableAlloc, variableFree, type VariablePool } from './partitions/variablePartitions.js';
import { allocPages, createPhysicalMemory, freePages } from './physicalMemory.js';
import { GFP, PHYS_REQUESTS } from './protocol.js';
import { physSubsystem } from './server.js';

const GiB = 1024 * 1024 * 1024;

/** A fixed pseudo-random sequence (Numerical Recipes LCG), for repeatable workloads. */
function sequence(length: number, bound: number, seed = 2026): Int32Array {
  const values = new Int32Array(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state % bound;
  }
  return values;
}

function steadyOrderZeroPairs(storage: Storage): number {
  const memory = createPhysicalMemory({ profile: 'linux-x86_64', ram: 1 * GiB, storage });
  const ring = new Int32Array(4096);
  for (let i = 0; i < ring.length; i++) ring[i] = allocPages(memory, GFP.GFP_KERNEL, 0);
  let slot = 0;
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) {
      freePages(memory, ring[slot]!, 0);
      ring[slot] = allocPages(memory, GFP.GFP_KERNEL, 0);
      slot = (slot + 1) & 4095;
    }
  });
}

function machineOrderZeroPairs(): number {
  const machine = createMachine({ subsystems: [physSubsystem], config: { profile: 'linux-x86_64', ram: 1 * GiB } });
  const alloc = { type: PHYS_REQUESTS.allocPages, payload: { gfp: GFP.GFP_KERNEL, order: 0 } };
  const ring = new Int32Array(4096);
  for (let i = 0; i < ring.length; i++) ring[i] = (machine.dispatch(alloc).reply as { pfn: number }).pfn;
  let slot = 0;
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) {
      machine.dispatch({ type: PHYS_REQUESTS.freePages, payload: { pfn: ring[slot]!, order: 0 } });
      ring[slot] = (machine.dispatch(alloc).reply as { pfn: number }).pfn;
      slot = (slot + 1) & 4095;
    }
  });
}

function worstCaseOrderZeroPairs(storage: Storage): number {
  const memory = createPhysicalMemory({ profile: 'linux-x86_64', ram: 1 * GiB, storage });
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) freePages(memory, allocPages(memory, GFP.GFP_KERNEL, 0), 0);
  });
}

function mixedOrderPairs(storage: Storage): number {
  const memory = createPhysicalMemory({ profile: 'linux-x86_64', ram: 1 * GiB, storage });
  const orders = sequence(1 << 16, 5);
  const ringPfn = new Int32Array(1024);
  const ringOrder = new Int32Array(1024);
  for (let i = 0; i < 1024; i++) {
    ringOrder[i] = orders[i]!;
    ringPfn[i] = allocPages(memory, GFP.GFP_KERNEL, orders[i]!);
  }
  let slot = 0;
  let cursor = 0;
  return opsPerSecond((n) => {
    for (let i = 0; i < n; i++) {
      freePages(memory, ringPfn[slot]!, ringOrder[slot]!);
      const order = orders[cursor]!;
      cursor = (cursor + 1) & 0xffff;
      ringOrder[slot] = order;
      ringPfn[slot] = allocPages(memory, GFP.GFP_KERNEL, order);
      slot = (slot + 1) & 1023;
    }
  });
}

/** A 16 MiB heap holding 10 K blocks of 64…1087 bytes, every other one freed: ~5 K holes. */
function fragmentedHeap(fit: 'first' | 'best', tracking: 'list' | 'bitmap' = 'list'): VariablePool {
  const pool = createVariablePool(16 * 1024 * 1024, { fit, tracking, unit: 64 });
  const sizes = sequence(10_000, 1024);
  const starts: number[] = [];
  for (let i = 0; i < 10_000; i++) starts.push(variableAlloc(pool, `b${i}`, 64 + sizes[i]!));
  for (let i = 0; i < 10_000; i += 2) variableFree(pool, starts[i]!);
  return pool;
}

function heapPairs(fit: 'first' | 'best', tracking: 'list' | 'bitmap' = 'list'): number {
  const pool = fragmentedHeap(fit, tracking);
  const sizes = sequence(1 << 16, 1024, 7);
  let cursor = 0;
  return opsPerSecond(
    (n) => {
      for (let i = 0; i < n; i++) {
        const start = variableAlloc(pool, 'x', 64 + sizes[cursor]!);
        cursor = (cursor + 1) & 0xffff;
        if (start >= 0) variableFree(pool, start);
      }
    },
    { minTimeMs: 300 },
  );
}

/** Bytes held by a ChunkedArray's distinct chunks (the shared never-written chunk counted once). */
function chunkBytes(column: Column): number {
  const array = column as ChunkedArray<NumericTypedArray>;
  const seen = new Set<unknown>();
  let bytes = 0;
  for (let c = 0; c < array.chunkCount; c++) {
    const chunk = array.chunk(c);
    if (seen.has(chunk)) continue;
    seen.add(chunk);
    bytes += chunk.byteLength;
  }
  return bytes;
}

function bytesPerFrame(): { value: number; details: Record<string, number> } {
  const memory = createPhysicalMemory({ profile: 'linux-x86_64', ram: 64 * GiB, storage: 'chunked' });
  const frames = memory.layout.frameCount;
  const tableBytes = () =>
    FRAME_COLUMNS.reduce((sum, name) => sum + chunkBytes(memory.buddy.frames[name]), 0) + chunkBytes(memory.buddy.bitmap);
  const booted = tableBytes() / frames;
  // Touch every frame's descriptor: allocate everything in blocks of order 9.
  let blocks = 0;
  while (allocPages(memory, GFP.GFP_HIGHUSER | GFP.__GFP_HIGH, 9) >= 0) blocks++;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    value: round(tableBytes() / frames),
    details: { frames, 'column bytes': BYTES_PER_FRAME, 'after boot B/frame': round(booted), 'order-9 blocks': blocks },
  };
}

export default defineSuite('@vmlab/phys-allocator', [
  {
    name: 'order-0 alloc+free pairs, steady state, flat storage (4096-page working set, 1 GiB)',
    unit: 'pairs/s',
    target: { atLeast: 10_000_000 },
    run: () => ({ value: steadyOrderZeroPairs('flat') }),
  },
  {
    name: 'order-0 alloc+free pairs, steady state, chunked storage (as in a machine state)',
    unit: 'pairs/s',
    run: () => ({ value: steadyOrderZeroPairs('chunked') }),
  },
  {
    name: 'order-0 alloc+free pairs through a machine (two inputs each, chunked state, timeline defaults)',
    unit: 'pairs/s',
    run: () => ({ value: machineOrderZeroPairs() }),
  },
  {
    name: 'order-0 alloc+free pairs, worst case, flat (10 splits + 10 merges each)',
    unit: 'pairs/s',
    run: () => ({ value: worstCaseOrderZeroPairs('flat') }),
  },
  {
    name: 'mixed orders 0…4 alloc+free pairs, flat (1024-block working set)',
    unit: 'pairs/s',
    run: () => ({ value: mixedOrderPairs('flat') }),
  },
  {
    name: 'mixed orders 0…4 alloc+free pairs, chunked',
    unit: 'pairs/s',
    run: () => ({ value: mixedOrderPairs('chunked') }),
  },
  {
    name: 'first fit alloc+free on a 10 K-block heap (~5 K holes)',
    unit: 'pairs/s',
    run: () => ({ value: heapPairs('first') }),
  },
  {
    name: 'best fit alloc+free on a 10 K-block heap (~5 K holes)',
    unit: 'pairs/s',
    run: () => ({ value: heapPairs('best') }),
  },
  {
    name: 'first fit alloc+free on the same heap tracked by a bitmap of 64-byte units',
    unit: 'pairs/s',
    run: () => ({ value: heapPairs('first', 'bitmap') }),
  },
  {
    name: 'frame descriptors, 16 M frames (64 GiB) fully touched, chunked',
    unit: 'bytes/frame',
    target: { atMost: 16 },
    run: bytesPerFrame,
  },
]);
