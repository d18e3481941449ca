/**
 * The scenario calls regions registers, under Linux's kernel-internal names (mm/mmap.c do_mmap,
 * do_munmap; mm/mprotect.c; mm/mmap.c brk; find_vma; expand_stack; mm/rmap.c anon_vma_prepare),
 * for the kernel caller. The POSIX personality will offer mmap/munmap/mprotect/brk on top.
 */
import type { CallResult, CallSpec } from '@vmlab/kernel';
import { REGIONS_REQUESTS, type RegionData, type ValueReply } from './protocol.js';

const valueResult = (reply: unknown): CallResult => {
  const r = reply as ValueReply;
  return r.error ? { value: r.value, error: r.error } : { value: r.value };
};

const pid = { name: 'pid', type: 'int' } as const;

/** The calls, in the registry's format. */
export const REGIONS_CALLS: readonly CallSpec[] = [
  {
    name: 'do_mmap',
    summary: 'Maps a region into process pid (mm/mmap.c do_mmap): returns its address or -1 with errno.',
    params: [
      pid,
      { name: 'addr', type: 'address' },
      { name: 'length', type: 'size' },
      { name: 'prot', type: 'flags' },
      { name: 'flags', type: 'flags' },
      { name: 'fd', type: 'int', optional: true },
      { name: 'offset', type: 'size', optional: true },
      { name: 'path', type: 'string', optional: true },
    ],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.mmap,
    toPayload: (a) => ({
      pid: a.pid,
      addr: a.addr,
      length: a.length,
      prot: a.prot,
      flags: a.flags,
      fd: a.fd ?? -1,
      offset: a.offset ?? 0,
      ...(a.path === undefined ? {} : { path: a.path }),
    }),
    toResult: valueResult,
  },
  {
    name: 'do_munmap',
    summary: 'Unmaps [addr, addr+length) in process pid, splitting regions at the ends.',
    params: [pid, { name: 'addr', type: 'address' }, { name: 'length', type: 'size' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.munmap,
    toResult: valueResult,
  },
  {
    name: 'do_mprotect',
    summary: 'Changes the protection of [addr, addr+length) in process pid (mm/mprotect.c).',
    params: [pid, { name: 'addr', type: 'address' }, { name: 'length', type: 'size' }, { name: 'prot', type: 'flags' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.mprotect,
    toResult: valueResult,
  },
  {
    name: 'do_brk',
    summary: "Moves process pid's program break; returns the new break, or the old one when refused.",
    params: [pid, { name: 'brk', type: 'address' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.brk,
    toResult: valueResult,
  },
  {
    name: 'find_vma',
    summary: 'The start of the first region of pid ending above addr (0 when none).',
    params: [pid, { name: 'address', type: 'address' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.find,
    toResult: (reply) => ({ value: reply ? (reply as RegionData).start : 0 }),
  },
  {
    name: 'expand_stack',
    summary: 'Grows the grows-down region above addr down to addr (a fault below the stack).',
    params: [pid, { name: 'address', type: 'address' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.expandStack,
    toResult: valueResult,
  },
  {
    name: 'anon_vma_prepare',
    summary: 'Gives the region containing addr its anon_vma, as its first anonymous fault does.',
    params: [pid, { name: 'address', type: 'address' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.prepareAnon,
    toResult: valueResult,
  },
  {
    name: 'load_program',
    summary: 'Maps a program (text r-x, data rw-, bss) at base and sets start_brk after its bss.',
    params: [pid, { name: 'path', type: 'string' }, { name: 'base', type: 'address' }, { name: 'text', type: 'size' }, { name: 'data', type: 'size' }, { name: 'bss', type: 'size' }],
    callers: ['kernel'],
    request: REGIONS_REQUESTS.loadProgram,
    toResult: valueResult,
  },
];
