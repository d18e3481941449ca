/**
 * phys's evolve: applies one of its events to the slice (an immer recipe). Chunked tables are
 * written through writable versions (`writableMemory`, `writableChunks`), never the committed ones.
 */
import { writableChunks, type EventEnvelope } from '@vmlab/kernel';
import { takeFreeBlock } from './buddy.js';
import { occupyPartition, fixedFree } from './partitions/fixedPartitions.js';
import { compact, placeAllocation, variableFree } from './partitions/variablePartitions.js';
import { markAllocated, ownerFlags, ownerIndex, releasePages, reserveRange, setPageFlags } from './physicalMemory.js';
import {
  PHYS_EVENTS,
  type CreateMapRequest,
  type CreatePoolRequest,
  type PagesAllocatedEvent,
  type PagesFreedEvent,
  type PartitionFreeRequest,
  type RmfreeRequest,
} from './protocol.js';
import { createResourceMap, rmalloc, rmfree } from './resourceMap.js';
import { buildPool } from './decide.js';
import { writableMemory, type PhysDraft, type Pool } from './state.js';
import { zoneOfPfn } from './zone.js';

/** Applies one phys event to the draft slice. */
export function evolvePhys(draft: PhysDraft, e: EventEnvelope): void {
  switch (e.type) {
    case PHYS_EVENTS.pagesAllocated: {
      const p = e.payload as PagesAllocatedEvent;
      const memory = writableMemory(draft);
      takeFreeBlock(memory.buddy, zoneOfPfn(memory.layout.zones, p.pfn), p.pfn, p.order);
      const owner = ownerIndex(memory.owners, p.owner ?? undefined);
      markAllocated(memory, p.pfn, p.order, owner, ownerFlags(memory, owner), p.gfp);
      return;
    }
    case PHYS_EVENTS.pagesFreed: {
      const p = e.payload as PagesFreedEvent;
      releasePages(writableMemory(draft), p.pfn, p.order);
      return;
    }
    case PHYS_EVENTS.pageRefChanged: {
      const p = e.payload as { pfn: number; refcount: number };
      writableMemory(draft).buddy.frames.refcount.set(p.pfn, p.refcount);
      return;
    }
    case PHYS_EVENTS.pageFlagsChanged: {
      const p = e.payload as { pfn: number; count: number; set: number; clear: number };
      setPageFlags(writableMemory(draft), p.pfn, p.count, p.set, p.clear);
      return;
    }
    case PHYS_EVENTS.rangeReserved: {
      const p = e.payload as { pfn: number; count: number; owner: string };
      const problem = reserveRange(writableMemory(draft), p.pfn, p.count, p.owner);
      if (problem) throw new Error(`range-reserved event does not apply: ${problem}`);
      return;
    }
    case PHYS_EVENTS.poolCreated: {
      const p = e.payload as CreatePoolRequest;
      (draft.pools as Record<string, Pool>)[p.pool] = buildPool(p);
      return;
    }
    case PHYS_EVENTS.partitionAllocated: {
      const p = e.payload as { pool: string; name: string; address: number; size: number };
      const pool = draft.pools[p.pool]!;
      if (pool.kind === 'fixed') {
        occupyPartition(pool, pool.partitions.findIndex((x) => x.start === p.address), p.name, p.size);
      } else {
        if (pool.bitmap) writableChunks(pool, 'bitmap');
        placeAllocation(pool as never, p.name, p.address, p.size);
      }
      draft.allocationsMade += 1;
      return;
    }
    case PHYS_EVENTS.partitionFreed: {
      const p = e.payload as PartitionFreeRequest;
      const pool = draft.pools[p.pool]!;
      if (pool.kind === 'fixed') fixedFree(pool, p.address);
      else {
        if (pool.bitmap) writableChunks(pool, 'bitmap');
        variableFree(pool as never, p.address);
      }
      return;
    }
    case PHYS_EVENTS.poolCompacted: {
      const pool = draft.pools[(e.payload as { pool: string }).pool]!;
      if (pool.kind === 'variable') {
        if (pool.bitmap) writableChunks(pool, 'bitmap');
        compact(pool as never);
      }
      return;
    }
    case PHYS_EVENTS.mapCreated: {
      const p = e.payload as CreateMapRequest;
      draft.maps[p.map] = createResourceMap(p.base, p.units, p.slots);
      return;
    }
    case PHYS_EVENTS.rmAllocated: {
      const p = e.payload as { map: string; units: number; address: number };
      const address = rmalloc(draft.maps[p.map]!, p.units);
      if (address !== p.address) throw new Error(`rm-allocated event does not apply: rmalloc gave ${address}, recorded ${p.address}`);
      return;
    }
    case PHYS_EVENTS.rmFreed: {
      const p = e.payload as RmfreeRequest;
      rmfree(draft.maps[p.map]!, p.units, p.address);
      return;
    }
    // block-split and buddies-merged describe what pages-allocated and pages-freed do.
  }
}
