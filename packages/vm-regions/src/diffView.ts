/**
 * The regions slice as people compare two points of a run (`vmlab diff`): per address space its
 * counters and bounds, and its regions as /proc/PID/maps lines keyed by their range — so an mmap
 * reads as a line added, a split as one line removed and two added, an mprotect as a line whose
 * permissions changed — instead of the paths of the region tree that holds them.
 */
import type { AddressSpace } from './addressSpace.js';
import { mapsOffset, permissionString } from './region.js';
import { treeForEach } from './regionTree.js';
import type { RegionsState } from './state.js';
import { mapsName, regionName } from './views/maps.js';

/** An address space as `diff` shows it. */
export interface AddressSpaceDiffView {
  /** mm->map_count, total_vm … hiwater_vm (pages), rss, users: as the address space keeps them. */
  readonly counters: Readonly<Record<string, number>>;
  /** mmap_base, start_code … start_stack and the page-table root, as hex (`0x7ffff7fff000`). */
  readonly bounds: Readonly<Record<string, string>>;
  /**
   * One entry per region, keyed `start-end` in hex as maps prints the range: the rest of its maps
   * line (permissions, offset, device, inode, name), then `anon_vma N` once it has one.
   */
  readonly maps: Readonly<Record<string, string>>;
}

/** The regions slice as `diff` shows it. */
export interface RegionsDiffView {
  /** Address spaces by id. */
  readonly spaces: Readonly<Record<string, AddressSpaceDiffView>>;
  /** The next address-space id. */
  readonly nextId: number;
  /** Inode numbers given to mapped paths. */
  readonly inodes: Readonly<Record<string, number>>;
}

const COUNTERS = ['mapCount', 'totalVm', 'lockedVm', 'execVm', 'stackVm', 'dataVm', 'hiwaterVm', 'rss', 'users'] as const;
const BOUNDS = ['pgd', 'mmapBase', 'startCode', 'endCode', 'startData', 'endData', 'startBrk', 'brk', 'startStack'] as const;

/** Views already made: an address space unchanged between the two points gives the same object, which the diff skips. */
const made = new WeakMap<AddressSpace, AddressSpaceDiffView>();

function hex(n: number): string {
  return '0x' + n.toString(16);
}

/** One address space as `diff` shows it. */
export function addressSpaceDiffView(space: AddressSpace): AddressSpaceDiffView {
  const known = made.get(space);
  if (known) return known;
  const counters: Record<string, number> = {};
  for (const key of COUNTERS) counters[key] = space[key];
  const bounds: Record<string, string> = {};
  for (const key of BOUNDS) bounds[key] = hex(space[key]);
  const maps: Record<string, string> = {};
  treeForEach(space.tree, (r) => {
    const line = `${permissionString(r.flags)} ${mapsOffset(r).toString(16).padStart(8, '0')} ${r.dev} ${r.inode} ${mapsName(regionName(space, r))}`.trimEnd();
    maps[`${r.start.toString(16)}-${r.end.toString(16)}`] = r.anonVma ? `${line} anon_vma ${r.anonVma}` : line;
  });
  const view = { counters, bounds, maps };
  made.set(space, view);
  return view;
}

/** The regions slice as `diff` shows it (the subsystem's `diffView`). */
export function regionsDiffView(state: RegionsState): RegionsDiffView {
  const spaces: Record<string, AddressSpaceDiffView> = {};
  for (const [id, space] of Object.entries(state.spaces)) spaces[id] = addressSpaceDiffView(space);
  return { spaces, nextId: state.nextId, inodes: state.inodes };
}
