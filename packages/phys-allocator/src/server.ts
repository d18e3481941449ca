/**
 * The phys server: binds the physical-memory model to bus messages (decider in decide.ts, evolve
 * in evolve.ts), and registers its scenario calls, views and constants.
 */
import { defineSubsystem } from '@vmlab/kernel';
import { PHYS_CALLS, PHYS_CONSTANTS } from './calls.js';
import { decidePhys } from './decide.js';
import { evolvePhys } from './evolve.js';
import { PHYS_EVENTS, PHYS_REQUESTS } from './protocol.js';
import { initialPhysState, type PhysConfig, type PhysState } from './state.js';
import { formatBuddyinfo, zoneFreeBlocks } from './views/buddyinfo.js';
import { formatFrames, frameRuns } from './views/frames.js';
import { formatPagetypeinfo, pageblockOrder, pageTypeRows } from './views/pagetypeinfo.js';
import { formatPool, formatResourceMap, poolSegments } from './views/pools.js';
import { formatZoneinfo, zoneFigures } from './views/zoneinfo.js';

/** Every request and event type at schema version 1. */
const versionOne = (types: Record<string, string>) => Object.fromEntries(Object.values(types).map((type) => [type, 1]));

/** The phys subsystem. */
export const physSubsystem = defineSubsystem<PhysState, PhysConfig>({
  id: 'phys',
  requests: versionOne(PHYS_REQUESTS),
  events: versionOne(PHYS_EVENTS),
  initialState: initialPhysState,
  decide: (request, state) => decidePhys(request, state),
  evolve: evolvePhys,
  calls: PHYS_CALLS,
  constants: PHYS_CONSTANTS,
  configFields: [{ name: 'phys', kind: 'any', summary: 'the allocator: { maxOrder (MAX_ORDER), minFreeKbytes (vm.min_free_kbytes), reservedLowBytes, reservations }' }],
  views: [
    {
      name: 'buddyinfo',
      summary: 'Free blocks per zone and order, exactly as /proc/buddyinfo.',
      scope: 'machine',
      render: ({ state }) => {
        const rows = zoneFreeBlocks(state.memory);
        return { text: formatBuddyinfo(rows), json: rows.map((r) => ({ zone: r.zone, counts: [...r.counts] })) };
      },
    },
    {
      name: 'pagetypeinfo',
      summary: 'Free blocks per zone and order in /proc/pagetypeinfo layout (one "(any)" type: migrate types are not modelled).',
      scope: 'machine',
      render: ({ state }) => {
        const rows = pageTypeRows(state.memory);
        const pageblock = pageblockOrder(state.memory.layout.maxOrder);
        return {
          text: formatPagetypeinfo(pageblock, state.memory.layout.maxOrder + 1, rows),
          json: { pageblockOrder: pageblock, rows: rows.map((r) => ({ zone: r.zone, type: r.type, counts: [...r.counts] })) },
        };
      },
    },
    {
      name: 'zoneinfo',
      summary: 'Per zone: free pages, min/low/high watermarks, spanned/present/managed, protection (a /proc/zoneinfo subset).',
      scope: 'machine',
      render: ({ state }) => {
        const zones = zoneFigures(state.memory);
        return { text: formatZoneinfo(zones), json: zones.map((z) => ({ ...z, protection: [...z.protection] })) };
      },
    },
    {
      name: 'frames',
      summary: 'Who holds each frame: runs of free / allocated / reserved frames with their owner (and a character map on small machines).',
      scope: 'machine',
      render: ({ state }) => {
        const runs = frameRuns(state.memory);
        return { text: formatFrames(state.memory, runs), json: runs.map((r) => ({ ...r })) };
      },
    },
    {
      name: 'partitions',
      summary: 'Each partition pool: allocations and holes by address, with internal and external fragmentation.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.pools).map(([name, pool]) => formatPool(name, pool)).join(''),
        json: Object.fromEntries(Object.entries(state.pools).map(([name, pool]) => [name, poolSegments(pool).map((s) => ({ ...s }))])),
      }),
    },
    {
      name: 'rmap',
      summary: 'Each UNIX resource map: its free (address, units) entries.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.maps).map(([name, map]) => formatResourceMap(name, map)).join(''),
        json: Object.fromEntries(Object.entries(state.maps).map(([name, map]) => [name, map.entries.map((e) => ({ ...e }))])),
      }),
    },
  ],
});
