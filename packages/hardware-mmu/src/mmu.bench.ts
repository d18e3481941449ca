/**
 * Translation speed of the model on real addresses: the first 4 M accesses of the `xz` trace
 * (`/work/shared/data/traces/xz.bin.zst`, valgrind lackey; bits 2–49 of each little-endian u64
 * are the address, bits 0–1 the kind), with every touched page mapped first in an x86-64 4-level
 * address space.
 *
 * - TLB hits: a 1,024-entry TLB holds all of the trace's pages, so after the first pass every
 *   access is a hit (target ≥ 50 M/s);
 * - a 4-level walk on every access: no TLB (target ≥ 10 M/s);
 * - the default 64-entry fully associative LRU TLB, with its real hit rate;
 * - the same accesses as `mmu/access` inputs through a machine (the bus path scenarios and
 *   recorded traces take: a transaction, events and the timeline per access).
 */
import { execSync } from 'node:child_process';
import { defineSuite, opsPerSecond } from '@vmlab/bench';
import { createMachine } from '@vmlab/kernel';
import { mmuSubsystem } from './server.js';
import { ACCESS_READ, ACCESS_WRITE } from './fault.js';
import { createMmu, type Mmu } from './mmu.js';
import { PTE_USER, PTE_WRITE } from './pteFlags.js';
import type { TlbConfig } from './tlb.js';

const TRACE = '/work/shared/data/traces/xz.bin.zst';
const ACCESSES = 4_000_000;

interface Trace {
  readonly addresses: Float64Array;
  readonly kinds: Uint8Array;
}

let loaded: Trace | undefined;

function loadTrace(): Trace {
  if (loaded) return loaded;
  const bytes = execSync(`zstd -dc ${TRACE} | head -c ${ACCESSES * 8}`, { maxBuffer: ACCESSES * 8 + 1024 });
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.length / 8) * 2);
  const count = words.length / 2;
  const addresses = new Float64Array(count);
  const kinds = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const lo = words[2 * i]!;
    const hi = words[2 * i + 1]!;
    addresses[i] = (lo >>> 2) + (hi & 0x3ffff) * 0x4000_0000;
    kinds[i] = (lo & 3) === 1 ? ACCESS_WRITE : ACCESS_READ;
  }
  loaded = { addresses, kinds };
  return loaded;
}

function mappedMmu(tlb: TlbConfig | null): Mmu {
  const { addresses } = loadTrace();
  const mmu = createMmu({ format: 'x86-64', ramBytes: 64 * 1024 * 1024, tlb });
  mmu.createAddressSpace(1);
  mmu.switchAddressSpace(1);
  const mapped = new Set<number>();
  let nextFrame = 256;
  for (let i = 0; i < addresses.length; i++) {
    const page = Math.floor(addresses[i]! / 4096);
    if (mapped.has(page)) continue;
    mapped.add(page);
    if (mmu.map(page * 4096, nextFrame++, PTE_WRITE | PTE_USER) !== null) throw new Error('mapping the trace failed');
  }
  return mmu;
}

function translationsPerSecond(mmu: Mmu): number {
  const { addresses, kinds } = loadTrace();
  const total = addresses.length;
  let position = 0;
  let sink = 0;
  const rate = opsPerSecond((n) => {
    // Locals in the loop, closure variables written once per batch.
    let at = position;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      sum += mmu.translate(addresses[at]!, kinds[at]!);
      if (++at === total) at = 0;
    }
    position = at;
    sink += sum;
  });
  if (sink < 0 && mmu.faults > 0) throw new Error(`the trace faulted ${mmu.faults} times`);
  return rate;
}

export default defineSuite('@vmlab/hardware-mmu', [
  {
    name: 'translations on TLB hits (xz trace, 1,024-entry TLB)',
    unit: 'translations/s',
    target: { atLeast: 50_000_000 },
    run() {
      const mmu = mappedMmu({ entries: 1024 });
      const rate = translationsPerSecond(mmu);
      const { tlbHits, tlbMisses, faults } = mmu.stats;
      return { value: rate, details: { 'hit rate %': (100 * tlbHits) / (tlbHits + tlbMisses), faults } };
    },
  },
  {
    name: 'translations with a 4-level walk on every access (xz trace, no TLB)',
    unit: 'translations/s',
    target: { atLeast: 10_000_000 },
    run() {
      const mmu = mappedMmu(null);
      const rate = translationsPerSecond(mmu);
      return { value: rate, details: { walks: mmu.walks, faults: mmu.faults } };
    },
  },
  {
    name: 'translations with the default TLB (xz trace, 64 entries, fully associative LRU)',
    unit: 'translations/s',
    run() {
      const mmu = mappedMmu({});
      const rate = translationsPerSecond(mmu);
      const { tlbHits, tlbMisses } = mmu.stats;
      return { value: rate, details: { 'hit rate %': (100 * tlbHits) / (tlbHits + tlbMisses) } };
    },
  },
  {
    name: 'mmu/access inputs through a machine (xz trace, x86-64, timeline on)',
    unit: 'inputs/s',
    run() {
      const { addresses, kinds } = loadTrace();
      const machine = createMachine({ subsystems: [mmuSubsystem], config: { profile: 'linux-x86_64' } });
      const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: 'xz', personality: 'posix' } }).reply as { pid: number };
      machine.dispatch({ type: 'kernel/assign-address-space', payload: { pid, addressSpace: 1 } });
      machine.dispatch({ type: 'mmu/create-address-space', payload: { asid: 1 } });
      const count = 200_000;
      const mapped = new Set<number>();
      for (let i = 0; i < count; i++) {
        const page = Math.floor(addresses[i]! / 4096);
        if (mapped.has(page)) continue;
        mapped.add(page);
        machine.dispatch({ type: 'mmu/map', payload: { asid: 1, va: page * 4096, pfn: 256 + mapped.size, flags: PTE_WRITE | PTE_USER } });
      }
      let at = 0;
      const rate = opsPerSecond(
        (n) => {
          for (let i = 0; i < n; i++) {
            const write = kinds[at] === ACCESS_WRITE;
            machine.dispatch({ type: 'mmu/access', payload: { pid, address: addresses[at]!, kind: write ? 'write' : 'read', size: 1, ...(write ? { value: i & 0xff } : {}) } });
            if (++at === count) at = 0;
          }
        },
        { samples: 1 },
      );
      return { value: rate, details: { events: machine.timeline.eventCount } };
    },
  },
]);
