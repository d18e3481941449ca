/**
 * The views regions renders: maps, smaps and status, for one process. The process's address
 * space comes from the kernel's task table (`kernel/task`).
 */
import type { Json, Task, ViewContext, ViewSpec } from '@vmlab/kernel';
import type { AddressSpace } from '../addressSpace.js';
import type { RegionsState } from '../state.js';
import { mapsJson, renderMaps } from './maps.js';
import { renderSmaps, smapsJson } from './smaps.js';
import { renderStatus, statusFields } from './status.js';

function spaceFor(ctx: ViewContext<RegionsState>): AddressSpace | undefined {
  const task = ctx.query<Task | null>('kernel/task', { pid: ctx.pid });
  return task?.addressSpace != null ? ctx.state.spaces[task.addressSpace] : undefined;
}

/** maps, smaps and status. */
export const REGIONS_VIEWS: readonly ViewSpec<RegionsState>[] = [
  {
    name: 'maps',
    summary: "The process's regions as /proc/PID/maps prints them (json: addresses and offsets as hex strings).",
    scope: 'process',
    render(ctx) {
      const space = spaceFor(ctx);
      if (!space) return { text: '', json: [] };
      return { text: renderMaps(space), json: mapsJson(space) as unknown as Json };
    },
  },
  {
    name: 'smaps',
    summary: "The process's regions with their counters, as /proc/PID/smaps prints them (json: maps' fields, every counter in kB, VmFlags as a list).",
    scope: 'process',
    render(ctx) {
      const space = spaceFor(ctx);
      if (!space) return { text: '', json: [] };
      return { text: renderSmaps(space), json: smapsJson(space) as unknown as Json };
    },
  },
  {
    name: 'status',
    summary: 'The Vm* lines of /proc/PID/status (VmPeak, VmSize, VmData, VmStk, VmExe …).',
    scope: 'process',
    render(ctx) {
      const space = spaceFor(ctx);
      if (!space) return { text: '', json: {} };
      return { text: renderStatus(space), json: Object.fromEntries(statusFields(space)) };
    },
  },
];
