/**
 * The scenario calls the MMU offers to the kernel caller (`kernel: translate(shell, 0x1000)`),
 * for translation checks and for peeking at entries and physical memory while teaching.
 */
import type { CallResult, CallSpec } from '@vmlab/kernel';
import { MMU_REQUESTS, type AccessReply, type LookupReply, type PageReply, type TranslateReply } from './protocol.js';

const pidParam = { name: 'pid', type: 'int' } as const;
const addressParam = { name: 'address', type: 'address' } as const;

function faultResult(reply: { fault?: unknown }): CallResult | null {
  return reply.fault ? { value: -1, error: 'EFAULT' } : null;
}

/** Scenario calls of the mmu subsystem. */
export const MMU_CALLS: readonly CallSpec[] = [
  {
    name: 'translate',
    summary: 'Translates a user read of ADDR in process PID as the hardware does; the physical address, or -1 EFAULT on a fault.',
    params: [pidParam, addressParam, { name: 'kind', type: 'string', optional: true }],
    callers: ['kernel'],
    request: MMU_REQUESTS.translate,
    toPayload: (args) => ({ pid: args.pid, va: args.address, kind: args.kind ?? 'read' }),
    toResult: (reply) => faultResult(reply as TranslateReply) ?? { value: (reply as TranslateReply).physical! },
  },
  {
    name: 'pte_flags',
    summary: 'The portable flags (PTE_PRESENT|PTE_WRITE|…) of the entry mapping ADDR in process PID, or -1 ENOENT.',
    params: [pidParam, addressParam],
    callers: ['kernel'],
    request: MMU_REQUESTS.lookup,
    toPayload: (args) => ({ pid: args.pid, va: args.address }),
    toResult: (reply) => (reply ? { value: (reply as LookupReply).flags } : { value: -1, error: 'ENOENT' }),
  },
  {
    name: 'pte_frame',
    summary: 'The frame number mapped at ADDR in process PID, or -1 ENOENT.',
    params: [pidParam, addressParam],
    callers: ['kernel'],
    request: MMU_REQUESTS.lookup,
    toPayload: (args) => ({ pid: args.pid, va: args.address }),
    toResult: (reply) => (reply ? { value: (reply as LookupReply).pfn } : { value: -1, error: 'ENOENT' }),
  },
  {
    name: 'tlb_flush',
    summary: 'Flushes the whole TLB (global entries too); returns how many entries were dropped.',
    params: [],
    callers: ['kernel'],
    request: MMU_REQUESTS.flush,
    toPayload: () => ({}),
    toResult: (reply) => ({ value: (reply as { dropped: number }).dropped }),
  },
  {
    name: 'tlb_flush_page',
    summary: 'INVLPG: drops ADDR\'s page of process PID from the TLB; returns how many entries were dropped.',
    params: [pidParam, addressParam],
    callers: ['kernel'],
    request: MMU_REQUESTS.flush,
    toPayload: (args) => ({ pid: args.pid, va: args.address }),
    toResult: (reply) => ({ value: (reply as { dropped: number }).dropped }),
  },
  {
    name: 'read_phys',
    summary: 'Reads SIZE (1, 2, 4, 8; default 1) bytes of physical memory at ADDR.',
    params: [addressParam, { name: 'size', type: 'int', optional: true }],
    callers: ['kernel'],
    request: MMU_REQUESTS.readPhysical,
    toPayload: (args) => ({ address: args.address, size: args.size ?? 1 }),
    toResult: (reply) => ({ value: (reply as AccessReply).value! }),
  },
  {
    name: 'write_phys',
    summary: 'Writes VALUE as SIZE (default 1) bytes of physical memory at ADDR.',
    params: [addressParam, { name: 'value', type: 'int' }, { name: 'size', type: 'int', optional: true }],
    callers: ['kernel'],
    request: MMU_REQUESTS.writePhysical,
    toPayload: (args) => ({ address: args.address, value: args.value, size: args.size ?? 1 }),
    toResult: () => ({ value: 0 }),
  },
  {
    name: 'map_page',
    summary: 'Maps the page at ADDR of address space ASID to frame PFN with portable FLAGS (a raw hardware mapping).',
    params: [{ name: 'asid', type: 'int' }, addressParam, { name: 'pfn', type: 'int' }, { name: 'flags', type: 'flags', optional: true }],
    callers: ['kernel'],
    request: MMU_REQUESTS.map,
    toPayload: (args) => ({ asid: args.asid, va: args.address, pfn: args.pfn, flags: args.flags ?? 0 }),
    toResult: (reply) => reply as PageReply,
  },
];
