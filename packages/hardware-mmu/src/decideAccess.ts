/**
 * Translations and memory accesses on the bus: the same steps as the model's `Mmu.translate`
 * (TLB lookup, walk, rights check, accessed/dirty bits, TLB fill), computed from the committed
 * state without changing it and written down as events (`mmu/tlb-hit`, `mmu/pte-set`,
 * `mmu/tlb-filled`, `mmu/fault-raised` …) for `evolve` to apply.
 */
import { event, type DecideContext, type EmittedEvent } from '@vmlab/kernel';
import { ACCESS_WRITE, FAULT_BOUNDS, FAULT_NOT_PRESENT, NO_FAULT, accessCode, faultKindOf, makeFault } from './fault.js';
import type { MmuState } from './mmuState.js';
import { compileFormat, FLAG_INDEX_DIRTY } from './pageTableFormat.js';
import {
  MMU_EVENTS,
  type AccessReply,
  type AccessRequest,
  type MmuAccessKind,
  type MmuFault,
  type MmuMode,
  type PagerFaultReply,
  type PagerFaultRequest,
  type TranslateReply,
} from './protocol.js';
import { PTE_DIRTY } from './pteFlags.js';
import { readPhysical, type AccessSize } from './ram.js';
import type { Tlb } from './tlb.js';
import { accessFault, flagsAfterAccess, forEachAccessedDirtyUpdate, walk, walkFault, WalkResult } from './walk.js';

/** The pager's fault-handling request type (served by a higher layer, named only to hand faults up). */
export const PAGER_HANDLE_FAULT = 'pager/handle-fault';

/** How many times an access is retried after the pager says it resolved the fault. */
const MAX_RETRIES = 3;

/** The address space an access is made in, resolved from `asid` or from the task table. */
export interface AccessTarget {
  /** The address space, or null when the process has none. */
  readonly asid: number | null;
  /** The process, when known. */
  readonly pid?: number;
  /** The mode. */
  readonly mode: MmuMode;
}

/** Resolves `{ asid }` or `{ pid }` (via `kernel/task`) and the mode (user for a process, kernel for an address space). */
export function resolveTarget(payload: { asid?: number; pid?: number; mode?: MmuMode }, ask: (type: string, payload: unknown) => unknown): AccessTarget {
  if (payload.asid !== undefined) return { asid: payload.asid, mode: payload.mode ?? 'kernel', ...(payload.pid === undefined ? {} : { pid: payload.pid }) };
  if (payload.pid === undefined) throw new RangeError('an access needs a pid or an asid');
  const task = ask('kernel/task', { pid: payload.pid }) as { addressSpace: number | null } | null;
  if (!task) throw new RangeError(`no process ${payload.pid}`);
  return { asid: task.addressSpace, pid: payload.pid, mode: payload.mode ?? 'user' };
}

/** One translation's outcome inside a decision. */
type Outcome = { physical: number; fault?: undefined } | { physical?: undefined; fault: MmuFault };

/**
 * Translates `va` in `target` against `state`, pushing the events that record what the hardware
 * did. When `keepInStep` is set, `tlb` is a private copy updated along with the events (so that
 * several translations in one decision see each other's fills); otherwise it is only read.
 */
export function translateOnce(
  state: MmuState,
  tlb: Tlb,
  target: AccessTarget,
  va: number,
  kind: MmuAccessKind,
  events: EmittedEvent[],
  keepInStep = true,
): Outcome {
  const access = accessCode(kind);
  const user = target.mode === 'user';
  const fail = (code: number): Outcome => {
    const fault = makeFault(faultKindOf(code)!, va, kind, user);
    events.push(event(MMU_EVENTS.faultRaised, { ...fault, asid: target.asid ?? -1, ...(target.pid === undefined ? {} : { pid: target.pid }) }));
    return { fault };
  };
  if (target.mode === 'physical') return va >= 0 && va < state.ram.length ? { physical: va } : fail(FAULT_BOUNDS);
  const space = target.asid === null ? undefined : state.spaces[target.asid];
  if (!space || target.asid === null) return fail(FAULT_NOT_PRESENT);
  const asid = target.asid;
  const f = state.compiledFormat.compiled;
  const vpn = Math.floor(va / f.pageSize);
  const offset = va - vpn * f.pageSize;
  const write = access === ACCESS_WRITE;
  const slot = tlb.probe(vpn, asid);
  if (slot >= 0) {
    if (keepInStep) tlb.touch(slot);
    events.push(event(MMU_EVENTS.tlbHit, { slot }));
    const flags = tlb.flags[slot]!;
    const hasDirty = (f.flagLo[FLAG_INDEX_DIRTY]! | f.flagHi[FLAG_INDEX_DIRTY]!) !== 0;
    if (accessFault(flags, access, user) === NO_FAULT && !(write && hasDirty && (flags & PTE_DIRTY) === 0)) {
      return { physical: tlb.pfn[slot]! * f.pageSize + offset };
    }
  } else {
    if (keepInStep) tlb.misses++;
    events.push(event(MMU_EVENTS.tlbMissed, { vpn, asid }));
  }
  const result = new WalkResult(f.levels);
  walk(state.ram, f, space.root, va, result);
  const code = walkFault(result, access, user);
  if (code !== NO_FAULT) {
    if (slot >= 0) {
      if (keepInStep) tlb.invalidate(slot);
      events.push(event(MMU_EVENTS.tlbFlushed, { scope: 'page', vpn, asid }));
    }
    return fail(code);
  }
  forEachAccessedDirtyUpdate(f, result, write, (level, address, lo, hi) => {
    events.push(event(MMU_EVENTS.pteSet, { asid, address, level, lo, hi, reason: 'accessed-dirty' }));
  });
  const fillSlot = slot >= 0 ? slot : tlb.victim(vpn);
  const flags = flagsAfterAccess(f, result.flags, write);
  if (keepInStep) tlb.fillAt(fillSlot, vpn, asid, result.pfn, flags);
  events.push(event(MMU_EVENTS.tlbFilled, { slot: fillSlot, vpn, asid, pfn: result.pfn, flags }));
  return { physical: result.pfn * f.pageSize + offset };
}

/** Loads CR3 for `asid` if it is not current, recording the switch (and the flush it implies). */
export function switchIfNeeded(state: MmuState, tlb: Tlb, asid: number | null, events: EmittedEvent[]): void {
  if (asid === null || asid === state.current || !state.spaces[asid]) return;
  const dropped = tlb.switchAddressSpace();
  events.push(event(MMU_EVENTS.addressSpaceSwitched, { asid, dropped }));
}

/** Hands a fault to the pager when one serves faults; its answer, or null when nobody serves faults. */
function handToPager(ctx: DecideContext, fault: MmuFault, target: AccessTarget): PagerFaultReply | null {
  if (!ctx.serves(PAGER_HANDLE_FAULT)) return null;
  const request: PagerFaultRequest = { ...fault, asid: target.asid ?? -1, ...(target.pid === undefined ? {} : { pid: target.pid }) };
  return ctx.request<PagerFaultReply | null>(PAGER_HANDLE_FAULT, request);
}

/** Decides `mmu/translate`. */
export function decideTranslate(
  state: MmuState,
  payload: { asid?: number; pid?: number; va: number; kind?: MmuAccessKind; mode?: MmuMode },
  ctx: DecideContext,
): { reply: TranslateReply; events: EmittedEvent[] } {
  const target = resolveTarget(payload, (type, p) => ctx.request(type, p));
  const events: EmittedEvent[] = [];
  const switching = target.mode !== 'physical' && target.asid !== null && target.asid !== state.current && state.spaces[target.asid] !== undefined;
  const tlb = switching ? state.tlb.clone() : state.tlb;
  if (switching) switchIfNeeded(state, tlb, target.asid, events);
  const outcome = translateOnce(state, tlb, target, payload.va, payload.kind ?? 'read', events, switching);
  return { reply: outcome.fault ? { fault: outcome.fault } : { physical: outcome.physical }, events };
}

/**
 * Decides `mmu/access`: translates every page the access touches (an access that straddles a
 * page boundary is split, as the hardware splits it), then reads or writes the bytes. A fault
 * goes to the pager when one serves `pager/handle-fault`; if it resolves it, the access is made
 * again as a new request (so it sees the pager's changes); otherwise the reply carries the fault.
 */
export function decideAccess(state: MmuState, payload: AccessRequest, ctx: DecideContext): { reply: AccessReply; events: EmittedEvent[] } {
  const size = payload.size as AccessSize;
  if (![1, 2, 4, 8].includes(size)) throw new RangeError(`access size must be 1, 2, 4 or 8, got ${payload.size}`);
  if (payload.kind === 'write' && payload.value === undefined) throw new RangeError('a write needs a value');
  const target = resolveTarget(payload, (type, p) => ctx.request(type, p));
  const events: EmittedEvent[] = [];
  const pageSize = state.compiledFormat.compiled.pageSize;
  // The TLB is copied only when this decision must see its own changes: after a switch, or
  // between the two translations of an access that straddles a page boundary.
  const switching = target.mode !== 'physical' && target.asid !== null && target.asid !== state.current && state.spaces[target.asid] !== undefined;
  const straddles = target.mode !== 'physical' && (payload.address % pageSize) + size > pageSize;
  const keepInStep = switching || straddles;
  const tlb = keepInStep ? state.tlb.clone() : state.tlb;
  if (switching) switchIfNeeded(state, tlb, target.asid, events);
  const first = translateOnce(state, tlb, target, payload.address, payload.kind, events, keepInStep);
  let fault = first.fault;
  const physical: number[] = [];
  if (!fault) {
    const startOffset = payload.address % pageSize;
    if (target.mode === 'physical' || startOffset + size <= pageSize) {
      for (let i = 0; i < size; i++) physical.push(first.physical! + i);
    } else {
      for (let i = 0; i < size && !fault; i++) {
        const va = payload.address + i;
        if (i > 0 && va % pageSize === 0) {
          const next = translateOnce(state, tlb, target, va, payload.kind, events);
          if (next.fault) fault = next.fault;
          else physical.push(next.physical);
        } else {
          physical.push(i === 0 ? first.physical! : physical[i - 1]! + 1);
        }
      }
    }
  }
  if (fault) {
    const pager = (payload.retry ?? 0) < MAX_RETRIES ? handToPager(ctx, fault, target) : null;
    if (pager?.resolved === true) {
      // The pager changed the tables through requests; this decision's `state` predates them, so
      // the access is made again as a fresh request. Of this attempt only the fault is recorded:
      // its TLB and accessed-bit events were computed from the older state and would be applied
      // after the retry's (the kernel applies a decision's events when it returns).
      // The pager and the retry re-entered this server; the fault count the kept event bumps does
      // not depend on what they changed, which ctx.state() acknowledges (the kernel refuses a
      // decision that returns after a re-entrant change without reading its slice again).
      const again = ctx.request<AccessReply>('mmu/access', { ...payload, retry: (payload.retry ?? 0) + 1 });
      ctx.state();
      return { reply: again, events: events.filter((e) => e.type === MMU_EVENTS.faultRaised) };
    }
    // Unresolved: the reply carries the fault, with the signal or exception the pager named.
    return { reply: { fault: pager?.signal ? { ...fault, signal: pager.signal } : fault }, events };
  }
  if (payload.kind === 'write') {
    const value = payload.value!;
    const contiguous = physical.every((address, i) => address === physical[0]! + i);
    if (contiguous) {
      events.push(event(MMU_EVENTS.memoryWritten, { address: physical[0]!, size, value }));
    } else {
      // Little-endian bytes of the value, each to its own page's frame.
      let rest = BigInt.asUintN(64, BigInt(value));
      for (const address of physical) {
        events.push(event(MMU_EVENTS.memoryWritten, { address, size: 1, value: Number(rest & 0xffn) }));
        rest >>= 8n;
      }
    }
    return { reply: {}, events };
  }
  const contiguous = physical.every((address, i) => address === physical[0]! + i);
  if (contiguous) return { reply: { value: readPhysical(state.ram, physical[0]!, size) }, events };
  let value = 0;
  for (let i = physical.length - 1; i >= 0; i--) value = value * 256 + readPhysical(state.ram, physical[i]!, 1);
  return { reply: { value }, events };
}
