/**
 * phys's decider: answers each request from the current state with a reply and the events that
 * record what happened. Read-only: every placement is computed here, and `evolve` applies it.
 */
import { event, type Decision, type EmittedEvent, type Request } from '@vmlab/kernel';
import { plannedMerges } from './buddy.js';
import { flagNames } from './frameTable.js';
import { choosePartition, createFixedPool, equalPartitions } from './partitions/fixedPartitions.js';
import { createVariablePool, findPlacement, occupiedSize, plannedCompaction } from './partitions/variablePartitions.js';
import {
  checkAllocatedBlock,
  countFrames,
  findBlockForAllocation,
  pageFlagsProblem,
  reservationProblem,
  type PhysicalMemory,
} from './physicalMemory.js';
import {
  PAGE_FLAGS,
  PHYS_EVENTS,
  PHYS_REQUESTS,
  type AllocPagesReply,
  type AllocPagesRequest,
  type BlockSplitEvent,
  type BuddiesMergedEvent,
  type CompactRequest,
  type CountFramesRequest,
  type CreateMapRequest,
  type CreatePoolRequest,
  type FrameInfo,
  type FrameInfoRequest,
  type FreePagesRequest,
  type MemoryDescription,
  type PageRefRequest,
  type PagesAllocatedEvent,
  type PagesFreedEvent,
  type PartitionAllocRequest,
  type PartitionFreeRequest,
  type ReserveRangeRequest,
  type RmallocRequest,
  type RmfreeRequest,
  type SetPageFlagsRequest,
} from './protocol.js';
import { createResourceMap, rmallocPlacement, rmfree } from './resourceMap.js';
import type { PhysState } from './state.js';
import { zoneOfPfn } from './zone.js';

/** Answers one phys request. */
export function decidePhys(request: Request, state: PhysState): Decision {
  const memory = state.memory;
  switch (request.type) {
    case PHYS_REQUESTS.allocPages: {
      const p = request.payload as AllocPagesRequest;
      const head = findBlockForAllocation(memory, p.gfp, p.order);
      if (head < 0) return { reply: { pfn: -1, error: 'ENOMEM' } satisfies AllocPagesReply };
      const zone = memory.layout.zones[zoneOfPfn(memory.layout.zones, head)]!.name;
      const events: EmittedEvent[] = [];
      for (let order = memory.buddy.frames.order.get(head); order > p.order; order--) {
        events.push(event(PHYS_EVENTS.blockSplit, { zone, pfn: head, order, freedHalf: head + 2 ** (order - 1) } satisfies BlockSplitEvent));
      }
      events.push(event(PHYS_EVENTS.pagesAllocated, { pfn: head, order: p.order, zone, gfp: p.gfp, owner: p.owner ?? null } satisfies PagesAllocatedEvent));
      return { reply: { pfn: head } satisfies AllocPagesReply, events };
    }
    case PHYS_REQUESTS.freePages: {
      const p = request.payload as FreePagesRequest;
      return { reply: null, events: dropReference(memory, p.pfn, p.order) };
    }
    case PHYS_REQUESTS.getPage: {
      const { pfn } = request.payload as PageRefRequest;
      checkAllocatedBlock(memory, pfn, memory.buddy.frames.order.get(pfn));
      const refcount = memory.buddy.frames.refcount.get(pfn) + 1;
      return { reply: { refcount }, events: [event(PHYS_EVENTS.pageRefChanged, { pfn, refcount })] };
    }
    case PHYS_REQUESTS.putPage: {
      const { pfn } = request.payload as PageRefRequest;
      const order = memory.buddy.frames.order.get(pfn);
      const events = dropReference(memory, pfn, order);
      return { reply: { refcount: memory.buddy.frames.refcount.get(pfn) - 1 }, events };
    }
    case PHYS_REQUESTS.setPageFlags: {
      const p = request.payload as SetPageFlagsRequest;
      const count = p.count ?? 1;
      const problem = pageFlagsProblem(memory, p.pfn, count);
      if (problem) throw new RangeError(problem);
      return { reply: null, events: [event(PHYS_EVENTS.pageFlagsChanged, { pfn: p.pfn, count, set: p.set ?? 0, clear: p.clear ?? 0 })] };
    }
    case PHYS_REQUESTS.reserveRange: {
      const p = request.payload as ReserveRangeRequest;
      const problem = reservationProblem(memory, p.pfn, p.count);
      if (problem) return { reply: { pfn: -1, error: problem } };
      return { reply: { pfn: p.pfn }, events: [event(PHYS_EVENTS.rangeReserved, { pfn: p.pfn, count: p.count, owner: p.owner ?? 'driver' })] };
    }
    case PHYS_REQUESTS.frameInfo:
      return { reply: frameInfo(memory, (request.payload as FrameInfoRequest).pfn) };
    case PHYS_REQUESTS.countFrames: {
      const p = request.payload as CountFramesRequest;
      return { reply: { count: countFrames(memory, p.flags ?? 0, p.owner) } };
    }
    case PHYS_REQUESTS.describeMemory:
      return { reply: describeMemory(memory) };
    case PHYS_REQUESTS.createPool: {
      const p = request.payload as CreatePoolRequest;
      if (state.pools[p.pool]) return { reply: { error: 'EEXIST' } };
      buildPool(p); // throws on bad parameters, before any event
      return { reply: null, events: [event(PHYS_EVENTS.poolCreated, p)] };
    }
    case PHYS_REQUESTS.partitionAlloc: {
      const p = request.payload as PartitionAllocRequest;
      const pool = state.pools[p.pool];
      if (!pool || !Number.isSafeInteger(p.size) || p.size <= 0) return { reply: { address: -1, error: 'EINVAL' } };
      const name = p.name ?? `#${state.allocationsMade + 1}`;
      let address: number;
      if (pool.kind === 'fixed') {
        const index = choosePartition(pool, p.size);
        address = index < 0 ? -1 : pool.partitions[index]!.start;
      } else {
        address = findPlacement(pool, occupiedSize(pool, p.size));
      }
      if (address < 0) return { reply: { address: -1, error: 'ENOMEM' } };
      return { reply: { address }, events: [event(PHYS_EVENTS.partitionAllocated, { pool: p.pool, name, address, size: p.size })] };
    }
    case PHYS_REQUESTS.partitionFree: {
      const p = request.payload as PartitionFreeRequest;
      const pool = state.pools[p.pool];
      const held = pool && (pool.kind === 'fixed' ? pool.partitions.some((x) => x.start === p.address && x.holder !== null) : pool.allocations.some((a) => a.start === p.address));
      if (!held) return { reply: { error: 'EINVAL' } };
      return { reply: null, events: [event(PHYS_EVENTS.partitionFreed, p)] };
    }
    case PHYS_REQUESTS.compact: {
      const p = request.payload as CompactRequest;
      const pool = state.pools[p.pool];
      if (!pool || pool.kind !== 'variable') return { reply: { moves: [], bytesMoved: 0, error: 'EINVAL' } };
      const moves = plannedCompaction(pool);
      const bytesMoved = moves.reduce((sum, m) => sum + m.size, 0);
      return { reply: { moves, bytesMoved }, events: [event(PHYS_EVENTS.poolCompacted, { pool: p.pool, moves, bytesMoved })] };
    }
    case PHYS_REQUESTS.createMap: {
      const p = request.payload as CreateMapRequest;
      if (state.maps[p.map]) return { reply: { error: 'EEXIST' } };
      createResourceMap(p.base, p.units, p.slots); // validates
      return { reply: null, events: [event(PHYS_EVENTS.mapCreated, p)] };
    }
    case PHYS_REQUESTS.rmalloc: {
      const p = request.payload as RmallocRequest;
      const map = state.maps[p.map];
      const address = map && Number.isSafeInteger(p.units) && p.units > 0 ? rmallocPlacement(map, p.units) : 0;
      if (address === 0) return { reply: { address: 0, error: 'ENOMEM' } };
      return { reply: { address }, events: [event(PHYS_EVENTS.rmAllocated, { map: p.map, units: p.units, address })] };
    }
    case PHYS_REQUESTS.rmfree: {
      const p = request.payload as RmfreeRequest;
      const map = state.maps[p.map];
      if (!map) return { reply: { error: 'EINVAL' } };
      rmfree(structuredClone(map), p.units, p.address); // throws "bad rmfree" before any event
      return { reply: null, events: [event(PHYS_EVENTS.rmFreed, p)] };
    }
    default:
      throw new Error(`phys cannot handle ${request.type}`);
  }
}

/** The events of dropping one reference on the block at `pfn`: a refcount change, or merges and the free. */
function dropReference(memory: PhysicalMemory, pfn: number, order: number): EmittedEvent[] {
  checkAllocatedBlock(memory, pfn, order);
  const refcount = memory.buddy.frames.refcount.get(pfn) - 1;
  if (refcount > 0) return [event(PHYS_EVENTS.pageRefChanged, { pfn, refcount })];
  const zone = memory.layout.zones[zoneOfPfn(memory.layout.zones, pfn)]!.name;
  return [
    event(PHYS_EVENTS.pagesFreed, { pfn, order, zone } satisfies PagesFreedEvent),
    ...plannedMerges(memory.buddy, pfn, order).map(([head, merged]) => event(PHYS_EVENTS.buddiesMerged, { zone, pfn: head, order: merged } satisfies BuddiesMergedEvent)),
  ];
}

/** Builds a pool from its creation request (throws on bad parameters). */
export function buildPool(p: CreatePoolRequest) {
  if (p.kind === 'fixed') return createFixedPool(p.size, p.partitions ?? equalPartitions(p.size, 1));
  return createVariablePool(p.size, { fit: p.fit, tracking: p.tracking, unit: p.unit, storage: 'chunked' });
}

/** One frame's descriptor as `phys/frame-info` reports it. */
export function frameInfo(memory: PhysicalMemory, pfn: number): FrameInfo {
  if (!Number.isInteger(pfn) || pfn < 0 || pfn >= memory.layout.frameCount) throw new RangeError(`pfn ${pfn} outside 0…${memory.layout.frameCount - 1}`);
  const { frames } = memory.buddy;
  const owner = frames.owner.get(pfn);
  return {
    pfn,
    refcount: frames.refcount.get(pfn),
    flags: frames.flags.get(pfn),
    flagNames: flagNames(frames.flags.get(pfn)),
    order: frames.refcount.get(pfn) > 0 || frames.flags.get(pfn) & PAGE_FLAGS.buddy ? frames.order.get(pfn) : 0,
    zone: memory.layout.zones[zoneOfPfn(memory.layout.zones, pfn)]!.name,
    owner: owner === 0 ? null : memory.owners[owner]!,
    free: owner === 0,
  };
}

/** The machine's memory as `phys/describe-memory` reports it. */
export function describeMemory(memory: PhysicalMemory): MemoryDescription {
  return {
    pageSize: memory.layout.pageSize,
    frames: memory.layout.frameCount,
    maxOrder: memory.layout.maxOrder,
    zones: memory.layout.zones.map((zone, z) => ({
      name: zone.name,
      startPfn: zone.startPfn,
      spanned: zone.spanned,
      managed: zone.managed,
      free: memory.buddy.zoneFreePages.get(z),
      ...zone.watermarks,
    })),
  };
}
