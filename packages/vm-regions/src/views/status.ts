/**
 * The Vm* lines of /proc/PID/status (fs/proc/task_mmu.c task_mem): `Name:\t%8lu kB`. VmExe is the
 * text segment (end_code − start_code, capped by exec_vm) and VmLib the rest of exec_vm. Counters
 * of resident pages (VmHWM, VmRSS, Rss*, VmPTE, VmSwap) are 0 until a pager and an MMU report them.
 */
import { PAGE_SIZE } from '../constants.js';
import type { AddressSpace } from '../addressSpace.js';
import { pageAlign, pageDown } from '../region.js';

/** The status counters in kB, in Linux's order. */
export function statusFields(space: AddressSpace): [string, number][] {
  const kb = (pages: number): number => (pages * PAGE_SIZE) / 1024;
  const hiwater = Math.max(space.hiwaterVm, space.totalVm);
  const execBytes = space.execVm * PAGE_SIZE;
  const text = Math.min(pageAlign(space.endCode) - pageDown(space.startCode), execBytes);
  const lib = execBytes - text;
  return [
    ['VmPeak', kb(hiwater)],
    ['VmSize', kb(space.totalVm)],
    ['VmLck', kb(space.lockedVm)],
    ['VmPin', 0],
    ['VmHWM', kb(space.rss)],
    ['VmRSS', kb(space.rss)],
    ['RssAnon', 0],
    ['RssFile', 0],
    ['RssShmem', 0],
    ['VmData', kb(space.dataVm)],
    ['VmStk', kb(space.stackVm)],
    ['VmExe', text / 1024],
    ['VmLib', lib / 1024],
    ['VmPTE', 0],
    ['VmSwap', 0],
    ['HugetlbPages', 0],
  ];
}

/** The Vm* block of /proc/PID/status, byte for byte. */
export function renderStatus(space: AddressSpace): string {
  return statusFields(space)
    .map(([name, value]) => `${name}:\t${String(value).padStart(8, ' ')} kB\n`)
    .join('');
}
