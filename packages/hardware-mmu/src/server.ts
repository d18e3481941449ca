/**
 * The mmu server: binds the model to bus messages (a decider), and registers its scenario calls,
 * views and constants. The work is in decideTables.ts (page-table edits), decideAccess.ts
 * (translations and accesses) and mmuState.ts (the slice and `evolve`).
 */
import { defineSubsystem, event, type DecideContext, type Decision } from '@vmlab/kernel';
import { MMU_CALLS } from './calls.js';
import { decideAccess, decideTranslate, resolveTarget } from './decideAccess.js';
import { decideCreateAddressSpace, decideDestroyAddressSpace, decidePageEdit, decideProtectRange, decideUnmapRange } from './decideTables.js';
import { evolveMmu, initialMmuState, type MmuState } from './mmuState.js';
import { lookupEntry } from './pageTable.js';
import { compileFormat } from './pageTableFormat.js';
import {
  MMU_EVENTS,
  MMU_REQUESTS,
  type AccessRequest,
  type FlushRequest,
  type LookupReply,
  type MmuInfo,
  type PageRequest,
  type ProtectRangeRequest,
  type RangeRequest,
  type ReadPhysicalRequest,
  type TranslateRequest,
  type WritePhysicalRequest,
} from './protocol.js';
import { PTE_CONSTANTS } from './pteFlags.js';
import { readPhysical, type AccessSize } from './ram.js';
import { pagetableView } from './views/pagetable.js';
import { tlbView } from './views/tlb.js';

function decideFlush(state: MmuState, p: FlushRequest & { pid?: number }, ctx: DecideContext): Decision {
  if (p.va === undefined) {
    const dropped = state.tlb.clone().flushAll(false);
    return { reply: { dropped }, events: [event(MMU_EVENTS.tlbFlushed, { scope: 'all' })] };
  }
  const asid = p.asid ?? (p.pid !== undefined ? resolveTarget({ pid: p.pid }, (t, q) => ctx.request(t, q)).asid : state.current) ?? 0;
  const vpn = Math.floor(p.va / state.compiledFormat.compiled.pageSize);
  const dropped = state.tlb.clone().flushPage(vpn, asid);
  return { reply: { dropped }, events: [event(MMU_EVENTS.tlbFlushed, { scope: 'page', vpn, asid })] };
}

function decideLookup(state: MmuState, p: { asid?: number; pid?: number; va: number }, ctx: DecideContext): Decision {
  const { asid } = resolveTarget(p, (t, q) => ctx.request(t, q));
  const space = asid === null ? undefined : state.spaces[asid];
  if (!space) return { reply: null };
  const entry = lookupEntry(state.ram, state.compiledFormat.compiled, space.root, p.va);
  const reply: LookupReply | null = entry ? { pfn: entry.pfn, flags: entry.flags, level: entry.level, entryAddress: entry.address } : null;
  return { reply };
}

/** The mmu subsystem. */
export const mmuSubsystem = defineSubsystem<MmuState>({
  id: 'mmu',
  requests: Object.fromEntries(Object.values(MMU_REQUESTS).map((type) => [type, 1])),
  events: Object.fromEntries(Object.values(MMU_EVENTS).map((type) => [type, 1])),
  initialState: (config) => initialMmuState(config),
  decide(request, state, ctx): Decision {
    switch (request.type) {
      case MMU_REQUESTS.createAddressSpace:
        return decideCreateAddressSpace(state, (request.payload as { asid: number }).asid, ctx);
      case MMU_REQUESTS.destroyAddressSpace:
        return decideDestroyAddressSpace(state, (request.payload as { asid: number }).asid, ctx);
      case MMU_REQUESTS.map:
        return decidePageEdit(state, 'map', request.payload as PageRequest, ctx);
      case MMU_REQUESTS.unmap:
        return decidePageEdit(state, 'unmap', request.payload as PageRequest, ctx);
      case MMU_REQUESTS.protect:
        return decidePageEdit(state, 'protect', request.payload as PageRequest, ctx);
      case MMU_REQUESTS.unmapRange:
        return decideUnmapRange(state, request.payload as RangeRequest, ctx);
      case MMU_REQUESTS.protectRange:
        return decideProtectRange(state, request.payload as ProtectRangeRequest, ctx);
      case MMU_REQUESTS.translate:
        return decideTranslate(state, request.payload as TranslateRequest, ctx);
      case MMU_REQUESTS.lookup:
        return decideLookup(state, request.payload as { asid?: number; pid?: number; va: number }, ctx);
      case MMU_REQUESTS.switchAddressSpace: {
        const { asid } = request.payload as { asid: number };
        if (!state.spaces[asid]) throw new RangeError(`no address space ${asid}`);
        if (asid === state.current) return { reply: { dropped: 0 } };
        const dropped = state.tlb.clone().switchAddressSpace();
        return { reply: { dropped }, events: [event(MMU_EVENTS.addressSpaceSwitched, { asid, dropped })] };
      }
      case MMU_REQUESTS.flush:
        return decideFlush(state, request.payload as FlushRequest, ctx);
      case MMU_REQUESTS.access:
        return decideAccess(state, request.payload as AccessRequest, ctx);
      case MMU_REQUESTS.readPhysical: {
        const p = request.payload as ReadPhysicalRequest;
        return { reply: { value: readPhysical(state.ram, p.address, p.size as AccessSize) } };
      }
      case MMU_REQUESTS.writePhysical: {
        const p = request.payload as WritePhysicalRequest;
        readPhysical(state.ram, p.address, p.size as AccessSize); // range check before the event
        return { reply: null, events: [event(MMU_EVENTS.memoryWritten, { address: p.address, size: p.size, value: p.value })] };
      }
      case MMU_REQUESTS.info: {
        const f = state.compiledFormat.compiled;
        const info: MmuInfo = {
          profile: state.profile,
          format: f.format.name,
          pageSize: f.pageSize,
          vaBits: f.vaBits,
          ramBytes: state.ram.length,
          pageOffset: state.pageOffset,
          current: state.current,
        };
        return { reply: info };
      }
      default:
        throw new Error(`mmu cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    evolveMmu(draft as unknown as Parameters<typeof evolveMmu>[0], e.type, e.payload);
  },
  calls: MMU_CALLS,
  views: [pagetableView, tlbView],
  constants: PTE_CONSTANTS,
  configFields: [{ name: 'pageTableFormat', kind: 'any', summary: "the page-table format: a built-in format's name (i386, x86-64, alpha, tiny) or a format object, instead of the profile's" }],
});
