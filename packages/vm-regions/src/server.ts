/**
 * The regions server: binds the model to bus messages. Each request runs a model operation on the
 * process's address space; the operation's edits become the events, and `evolve` applies the same
 * edits, so state changes only by events. vm_area_struct and mm_struct descriptors come from the
 * slab's caches when a slab server is on the bus; the page-table root from hardware-mmu when one is,
 * and then the page tables follow the regions: a range an operation unmaps is zapped, a range whose
 * protection changes is re-protected, and an exiting task's address space is torn down.
 */
import type { DecideContext, EmittedEvent, EventEnvelope, Request, Task } from '@vmlab/kernel';
import { defineSubsystem, event } from '@vmlab/kernel';
import type { AllocReply, CacheAllocRequest, CacheFreeRequest } from '@vmlab/slab/protocol';
import type { CreateAddressSpaceReply as MmuCreateReply, CreateAddressSpaceRequest as MmuCreateRequest } from '@vmlab/hardware-mmu/protocol';
import { isDraft, original, type Draft } from 'immer';
import { applyEdit, createAddressSpace, type AddressSpace, type Edit } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { regionsDiffView } from './diffView.js';
import { brk } from './brk.js';
import { REGIONS_CALLS } from './calls.js';
import { REGIONS_CONSTANTS } from './constants.js';
import type { OperationResult } from './editor.js';
import { mmap } from './mmap.js';
import { mprotect } from './mprotect.js';
import { ulong } from './region.js';
import { munmap } from './munmap.js';
import { loadProgram } from './program.js';
import {
  REGIONS_EVENTS,
  REGIONS_REQUESTS,
  type AddressRequest,
  type AddressSpaceCreatedEvent,
  type AddressSpaceSummary,
  type BrkRequest,
  type LoadProgramRequest,
  type MmapRequest,
  type MprotectRequest,
  type MunmapRequest,
  type PidRequest,
  type ValueReply,
} from './protocol.js';
import { freezeTree, treeFindAbove, treeToArray } from './regionTree.js';
import { syncPageTables, tearDownPageTables } from './pageTableSync.js';
import { expandStack, setupStack } from './stack.js';
import { mapVdso } from './vdso.js';
import { REGIONS_CONFIG_FIELDS, initialRegionsState, type RegionsConfig, type RegionsState } from './state.js';
import { REGIONS_VIEWS } from './views/index.js';

const EDIT_EVENTS: Readonly<Record<Edit['kind'], string>> = {
  mapped: REGIONS_EVENTS.regionMapped,
  unmapped: REGIONS_EVENTS.regionUnmapped,
  split: REGIONS_EVENTS.regionSplit,
  merged: REGIONS_EVENTS.regionsMerged,
  changed: REGIONS_EVENTS.regionProtectionChanged,
  resized: REGIONS_EVENTS.regionResized,
  'anon-vma-assigned': REGIONS_EVENTS.anonVmaAssigned,
  'bounds-set': REGIONS_EVENTS.boundsSet,
};
const EVENT_EDITS = new Map(Object.entries(EDIT_EVENTS).map(([kind, type]) => [type, kind as Edit['kind']]));

/** Region events carry the address space and the edit's fields. */
type EditEvent = Edit & { readonly addressSpace: number };

const SLAB_ALLOC = 'slab/cache-alloc';
const SLAB_FREE = 'slab/cache-free';

function slabAlloc(ctx: DecideContext, cache: string): number {
  if (!ctx.serves(SLAB_ALLOC)) return 0;
  const reply = ctx.request<AllocReply>(SLAB_ALLOC, { cache } satisfies CacheAllocRequest);
  // Out of kernel memory for a descriptor: the whole input is rolled back (no partial mapping).
  if (!reply.address) throw new Error(`kmem_cache_alloc(${cache}) failed: ${reply.error ?? 'ENOMEM'}`);
  return reply.address;
}

function slabFree(ctx: DecideContext, cache: string, address: number): void {
  if (address && ctx.serves(SLAB_FREE)) ctx.request(SLAB_FREE, { cache, address } satisfies CacheFreeRequest);
}

/**
 * Gives every region an edit creates a vm_area_struct and frees those of regions an edit removes
 * (vm_area_alloc / vm_area_free), walking the edits over a scratch copy of the address space.
 */
function withDescriptors(ctx: DecideContext, before: AddressSpace, edits: readonly Edit[]): Edit[] {
  let scratch = before;
  const out: Edit[] = [];
  for (let edit of edits) {
    switch (edit.kind) {
      case 'mapped':
        edit = { ...edit, region: { ...edit.region, object: slabAlloc(ctx, 'vm_area_struct') } };
        break;
      case 'split':
        edit = { ...edit, object: slabAlloc(ctx, 'vm_area_struct') };
        break;
      case 'unmapped':
        slabFree(ctx, 'vm_area_struct', treeFindAbove(scratch.tree, edit.start)!.object);
        break;
      case 'merged':
        slabFree(ctx, 'vm_area_struct', treeFindAbove(scratch.tree, edit.at)!.object);
        break;
      default:
        break;
    }
    scratch = applyEdit(scratch, edit);
    out.push(edit);
  }
  return out;
}

function editEvents(id: number, edits: readonly Edit[]): EmittedEvent[] {
  return edits.map((e) => event(EDIT_EVENTS[e.kind], { addressSpace: id, ...e }));
}

/** The address space of `pid`, creating one (with its stack) on first use; null when there is no such task or it has exited (ESRCH). */
function spaceOf(state: RegionsState, ctx: DecideContext, pid: number): { space: AddressSpace; events: EmittedEvent[] } | null {
  const task = ctx.request<Task | null>('kernel/task', { pid });
  // An exited task has no mm (exit_mm set tsk->mm to NULL); find_get_task_by_vpid finds no live task.
  if (!task || task.state === 'exited') return null;
  if (task.addressSpace !== null && state.spaces[task.addressSpace]) return { space: state.spaces[task.addressSpace]!, events: [] };
  return createFor(state, ctx, pid);
}

/** mm_alloc + setup_arg_pages + map_vdso for `pid`: a new address space with its [stack] and vDSO, recorded in the task table. */
function createFor(state: RegionsState, ctx: DecideContext, pid: number): { space: AddressSpace; events: EmittedEvent[] } {
  const id = state.nextId;
  let pgd = 0;
  if (ctx.serves('mmu/create-address-space')) {
    const reply = ctx.request<MmuCreateReply>('mmu/create-address-space', { asid: id } satisfies MmuCreateRequest);
    if (reply.root < 0) throw new Error(`mmu/create-address-space failed: ${reply.error ?? 'ENOMEM'}`);
    pgd = reply.root;
  }
  const object = slabAlloc(ctx, 'mm_struct');
  const empty = createAddressSpace({ id, layout: state.layout, pgd, object });
  // fs/exec.c: setup_arg_pages, then (after the program, which load-program maps later)
  // arch_setup_additional_pages: the vDSO.
  const stack = setupStack(empty);
  const vdso = empty.layout.vdso ? mapVdso(stack.space) : undefined;
  if (vdso?.error) throw new Error(`mapping the vDSO failed: ${vdso.error}`);
  const edits = withDescriptors(ctx, empty, [...stack.edits, ...(vdso?.edits ?? [])]);
  ctx.request('kernel/assign-address-space', { pid, addressSpace: id });
  let space = empty;
  for (const e of edits) space = applyEdit(space, e);
  const created: AddressSpaceCreatedEvent = { pid, addressSpace: id, pgd, object };
  return { space, events: [event(REGIONS_EVENTS.addressSpaceCreated, created), ...editEvents(id, edits)] };
}

function summary(space: AddressSpace): AddressSpaceSummary {
  const { id, pgd, mapCount, totalVm, lockedVm, rss, users, mmapBase, startCode, endCode, startData, endData, startBrk, brk: b, startStack } = space;
  return { id, pgd, mapCount, totalVm, lockedVm, rss, users, mmapBase, startCode, endCode, startData, endData, startBrk, brk: b, startStack };
}

/** Runs `operation` on the address space of `pid` and turns its result into a reply and events. */
function operate(state: RegionsState, ctx: DecideContext, pid: number, operation: (space: AddressSpace) => OperationResult) {
  const found = spaceOf(state, ctx, pid);
  if (!found) return { reply: { value: -1, error: 'ESRCH' } satisfies ValueReply };
  const result = operation(found.space);
  const edits = withDescriptors(ctx, found.space, result.edits);
  syncPageTables(ctx, found.space, result.space, result.edits);
  const reply: ValueReply = result.error ? { value: result.value, error: result.error } : { value: result.value };
  return { reply, events: [...found.events, ...editEvents(found.space.id, edits)] };
}

function inodeFor(state: RegionsState, path: string): { inode: number; events: EmittedEvent[] } {
  const known = state.inodes[path];
  if (known !== undefined) return { inode: known, events: [] };
  return { inode: state.nextInode, events: [event(REGIONS_EVENTS.inodeAssigned, { path, inode: state.nextInode })] };
}

function decide(request: Request, state: RegionsState, ctx: DecideContext) {
  switch (request.type) {
    case REGIONS_REQUESTS.createAddressSpace: {
      const { pid } = request.payload as PidRequest;
      // A dead task gets no new mm (as for a pid with no task, the kernel refuses the assignment).
      if (ctx.request<Task | null>('kernel/task', { pid })?.state === 'exited') throw new RangeError(`task ${pid} has exited`);
      const created = createFor(state, ctx, pid);
      return { reply: { addressSpace: created.space.id }, events: created.events };
    }
    case REGIONS_REQUESTS.destroyAddressSpace: {
      const { pid } = request.payload as PidRequest;
      const task = ctx.request<Task | null>('kernel/task', { pid });
      const space = task?.addressSpace != null && task.state !== 'exited' ? state.spaces[task.addressSpace] : undefined;
      if (!space) return { reply: { value: -1, error: 'ESRCH' } };
      // exit_mmap: the page tables go (zapped, then freed), every region goes, then the mm_struct.
      tearDownPageTables(ctx, space);
      const edits: Edit[] = treeToArray(space.tree).map((r) => ({ kind: 'unmapped', start: r.start, end: r.end }));
      const freed = withDescriptors(ctx, space, edits);
      slabFree(ctx, 'mm_struct', space.object);
      return { reply: { value: 0 }, events: [...editEvents(space.id, freed), event(REGIONS_EVENTS.addressSpaceDestroyed, { addressSpace: space.id })] };
    }
    case REGIONS_REQUESTS.mmap: {
      const p = request.payload as MmapRequest;
      const fd = p.fd ?? -1;
      if (fd >= 0 && !p.path) return { reply: { value: -1, error: 'EBADF' } };
      const file = fd >= 0 && p.path ? inodeFor(state, p.path) : undefined;
      const shmem = fd < 0 && p.flags & 0x01 ? state.nextInode : undefined;
      const done = operate(state, ctx, p.pid, (space) =>
        mmap(space, {
          addr: p.addr,
          length: p.length,
          prot: p.prot,
          flags: p.flags,
          offset: p.offset ?? 0,
          ...(file ? { file: { path: p.path!, dev: '08:01', inode: file.inode } } : {}),
          ...(shmem === undefined ? {} : { shmemInode: shmem }),
        }),
      );
      // A failed mmap names no inode (a failed call changes nothing).
      const extra = done.reply.error ? [] : file ? file.events : shmem !== undefined ? [event(REGIONS_EVENTS.inodeAssigned, { path: '', inode: shmem })] : [];
      return { reply: done.reply, events: [...extra, ...(done.events ?? [])] };
    }
    case REGIONS_REQUESTS.munmap: {
      const p = request.payload as MunmapRequest;
      return operate(state, ctx, p.pid, (space) => munmap(space, p.addr, p.length));
    }
    case REGIONS_REQUESTS.mprotect: {
      const p = request.payload as MprotectRequest;
      return operate(state, ctx, p.pid, (space) => mprotect(space, p.addr, p.length, p.prot));
    }
    case REGIONS_REQUESTS.brk: {
      const p = request.payload as BrkRequest;
      return operate(state, ctx, p.pid, (space) => brk(space, p.brk));
    }
    case REGIONS_REQUESTS.expandStack: {
      const p = request.payload as AddressRequest;
      return operate(state, ctx, p.pid, (space) => expandStack(space, p.address));
    }
    case REGIONS_REQUESTS.prepareAnon: {
      const p = request.payload as AddressRequest;
      return operate(state, ctx, p.pid, (space) => anonVmaPrepare(space, p.address));
    }
    case REGIONS_REQUESTS.loadProgram: {
      const p = request.payload as LoadProgramRequest;
      const file = inodeFor(state, p.path);
      const done = operate(state, ctx, p.pid, (space) => loadProgram(space, { path: p.path, dev: '08:01', inode: file.inode, base: p.base, text: p.text, data: p.data, bss: p.bss }));
      return { reply: done.reply, events: [...(done.reply.error ? [] : file.events), ...(done.events ?? [])] };
    }
    case REGIONS_REQUESTS.find: {
      const p = request.payload as AddressRequest;
      const space = lookupSpace(state, ctx, p.pid);
      // find_vma takes an unsigned long: a negative address is huge (region.ts ulong).
      return { reply: space ? (treeFindAbove(space.tree, ulong(p.address)) ?? null) : null };
    }
    case REGIONS_REQUESTS.addressSpace: {
      const p = request.payload as { pid?: number; addressSpace?: number };
      const space = p.addressSpace !== undefined ? state.spaces[p.addressSpace] : lookupSpace(state, ctx, p.pid ?? 0);
      return { reply: space ? summary(space) : null };
    }
    case REGIONS_REQUESTS.regions: {
      const p = request.payload as PidRequest;
      const space = lookupSpace(state, ctx, p.pid);
      return { reply: space ? treeToArray(space.tree) : [] };
    }
    default:
      throw new Error(`regions cannot handle ${request.type}`);
  }
}

/** The address space of `pid` without creating one (read-only paths). */
function lookupSpace(state: RegionsState, ctx: DecideContext, pid: number): AddressSpace | undefined {
  const task = ctx.request<Task | null>('kernel/task', { pid });
  return task?.addressSpace != null ? state.spaces[task.addressSpace] : undefined;
}

function plain<T>(value: T): T {
  return isDraft(value) ? (original(value as Draft<T>) as T) : value;
}

/** `space` with its tree frozen, as it goes into the slice (see freezeTree: immer then leaves the tree alone). */
function stored(space: AddressSpace): AddressSpace {
  freezeTree(space.tree);
  return space;
}

function evolve(draft: Draft<RegionsState>, e: EventEnvelope): void {
  switch (e.type) {
    case REGIONS_EVENTS.addressSpaceCreated: {
      const { addressSpace: id, pgd, object } = e.payload as AddressSpaceCreatedEvent;
      draft.spaces[id] = stored(createAddressSpace({ id, layout: isDraft(draft.layout) ? original(draft.layout)! : draft.layout, pgd, object })) as Draft<AddressSpace>;
      draft.nextId = Math.max(draft.nextId, id + 1);
      return;
    }
    case REGIONS_EVENTS.inodeAssigned: {
      const { path, inode } = e.payload as { path: string; inode: number };
      if (path) draft.inodes[path] = inode;
      draft.nextInode = Math.max(draft.nextInode, inode + 1);
      return;
    }
    case REGIONS_EVENTS.addressSpaceDestroyed:
      delete draft.spaces[(e.payload as { addressSpace: number }).addressSpace];
      return;
    default: {
      const kind = EVENT_EDITS.get(e.type);
      if (!kind) return;
      const payload = e.payload as EditEvent;
      const space = plain(draft.spaces[payload.addressSpace]) as AddressSpace | undefined;
      if (!space) throw new Error(`no address space ${payload.addressSpace}`);
      draft.spaces[payload.addressSpace] = stored(applyEdit(space, payload)) as Draft<AddressSpace>;
    }
  }
}

/** The regions subsystem. */
export const regionsSubsystem = defineSubsystem<RegionsState, RegionsConfig>({
  id: 'regions',
  diffView: regionsDiffView,
  requests: Object.fromEntries(Object.values(REGIONS_REQUESTS).map((t) => [t, 1])),
  events: { ...Object.fromEntries(Object.values(REGIONS_EVENTS).map((t) => [t, 1])), [REGIONS_EVENTS.addressSpaceCreated]: 2 },
  upcasters: [
    {
      // Version 1 carried the whole new (empty) address space; version 2 only the facts it came from.
      type: REGIONS_EVENTS.addressSpaceCreated,
      from: 1,
      upcast: (payload) => {
        const { pid, space } = payload as { pid: number; space: { id: number; pgd: number; object: number } };
        return { pid, addressSpace: space.id, pgd: space.pgd, object: space.object } satisfies AddressSpaceCreatedEvent;
      },
    },
  ],
  initialState: initialRegionsState,
  decide,
  evolve,
  calls: REGIONS_CALLS,
  views: REGIONS_VIEWS,
  constants: REGIONS_CONSTANTS,
  configFields: REGIONS_CONFIG_FIELDS,
});

