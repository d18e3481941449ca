/**
 * Speed of the region model (issue 7), in an x86-64 address space holding 100,000 regions:
 *
 * - find-region lookups/s (treeLookup, Linux vma_lookup) at seeded random addresses, half of them
 *   in a region and half in a hole (target ≥ 5 M/s); and find_vma (treeFindAbove: the region at or
 *   above the address, found by rank) at the same addresses, for comparison;
 * - mmap + munmap pairs/s with the model API (target ≥ 500 K/s): 100,000 one-page read-only
 *   regions with a one-page hole above each, packed just below mmap_base, and one three-page hole
 *   halfway down; a two-page read-write anonymous mmap without a hint can only go in that hole, so
 *   the top-down search descends the tree to it (a linear walk would pass 50,000 regions), and the
 *   munmap that follows removes it again (different protections: nothing merges);
 * - the same pair in spaces of 30, 1,000 and 10,000 regions laid out alike, to show how it scales;
 * - for comparison, the same pair through a machine (bus, immer, events), with 10,000 regions.
 *
 * The machine is shared, so each rate also comes per CPU-second of this process (details), which
 * the other processes' load disturbs less than the wall-clock figure.
 */
import { defineSuite, opsPerSecond } from '@vmlab/bench';
import { SeededRandom, createMachine, seedRandom } from '@vmlab/kernel';
import { createAddressSpace, type AddressSpace } from './addressSpace.js';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PAGE_SIZE, PROT_READ, PROT_WRITE } from './constants.js';
import { layoutFor } from './layouts.js';
import { mmap } from './mmap.js';
import { munmap } from './munmap.js';
import { treeFindAbove, treeLookup, type RegionTree } from './regionTree.js';
import type { Region } from './region.js';
import { regionsSubsystem } from './server.js';

const REGIONS = 100_000;
/** vm.max_map_count raised above the default 65,530, as `sysctl vm.max_map_count` would. */
const MAX_MAP_COUNT = 1 << 20;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

/** Where region `i` (counted downwards from mmap_base) starts: one page mapped, one free above it, three free above region `count / 2`. */
function regionStart(mmapBase: number, count: number, i: number): number {
  const extra = i >= count / 2 ? 2 * PAGE_SIZE : 0;
  return mmapBase - (i + 1) * 2 * PAGE_SIZE - extra;
}

/** An address space with `count` one-page read-only regions packed below mmap_base (see the file comment). */
function populatedSpace(count: number): AddressSpace {
  let space = createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64', { maxMapCount: MAX_MAP_COUNT }) });
  for (let i = 0; i < count; i++) {
    const r = mmap(space, { addr: regionStart(space.mmapBase, count, i), length: PAGE_SIZE, prot: PROT_READ, flags: ANON | MAP_FIXED });
    if (r.error) throw new Error(`populating: ${r.error}`);
    space = r.space;
  }
  if (space.mapCount !== count) throw new Error(`populating: ${space.mapCount} regions`);
  return space;
}

/** Operations per CPU-second (user + system time of this process) of `count` operations done by `batch`. */
function perCpuSecond(batch: (n: number) => void, count: number): number {
  const before = process.cpuUsage();
  batch(count);
  const used = process.cpuUsage(before);
  return (count * 1e6) / (used.user + used.system);
}

let shared: AddressSpace | undefined;
const sharedSpace = () => (shared ??= populatedSpace(REGIONS));

function lookupsPerSecond(lookup: (tree: RegionTree, address: number) => Region | undefined = treeLookup): { rate: number; cpuRate: number; hits: number } {
  const space = sharedSpace();
  const random = new SeededRandom(seedRandom(7));
  const low = regionStart(space.mmapBase, REGIONS, REGIONS - 1);
  const span = space.mmapBase - low;
  const addresses = new Float64Array(1 << 16);
  for (let i = 0; i < addresses.length; i++) addresses[i] = low + Math.floor(random.next() * span);
  const mask = addresses.length - 1;
  let hits = 0;
  const batch = (n: number): void => {
    for (let i = 0; i < n; i++) if (lookup(space.tree, addresses[i & mask]!) !== undefined) hits++;
  };
  const rate = opsPerSecond(batch);
  const cpuRate = perCpuSecond(batch, 4_000_000);
  let sampleHits = 0;
  for (let i = 0; i < addresses.length; i++) if (lookup(space.tree, addresses[i]!) !== undefined) sampleHits++;
  if (hits === 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return { rate, cpuRate, hits: sampleHits / addresses.length };
}

function pairsPerSecond(count = REGIONS): { rate: number; cpuRate: number; address: number } {
  const space = count === REGIONS ? sharedSpace() : populatedSpace(count);
  const args = { addr: 0, length: 2 * PAGE_SIZE, prot: PROT_READ | PROT_WRITE, flags: ANON };
  const first = mmap(space, args);
  const expected = regionStart(space.mmapBase, count, count / 2 - 1) - 2 * PAGE_SIZE;
  if (first.value !== expected) throw new Error(`the pair's mmap went to ${first.value.toString(16)}, not the hole at ${expected.toString(16)}`);
  let failures = 0;
  const batch = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const mapped = mmap(space, args);
      if (munmap(mapped.space, mapped.value, args.length).space.mapCount !== count) failures++;
    }
  };
  const rate = opsPerSecond(batch);
  const cpuRate = perCpuSecond(batch, 500_000);
  if (failures) throw new Error(`${failures} pairs did not restore the space`);
  return { rate, cpuRate, address: first.value };
}

function machinePairsPerSecond(count: number): { rate: number; cpuRate: number } {
  const machine = createMachine({ subsystems: [regionsSubsystem], config: { maxMapCount: MAX_MAP_COUNT } });
  const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: 'bench', personality: 'posix' } }).reply as { pid: number };
  const mmapBase = layoutFor('linux-x86_64').mmapBase;
  for (let i = 0; i < count; i++) {
    const r = machine.call('do_mmap', [pid, regionStart(mmapBase, count, i), PAGE_SIZE, PROT_READ, ANON | MAP_FIXED]);
    if (r.error) throw new Error(`populating the machine: ${r.error}`);
  }
  const batch = (n: number): void => {
    for (let i = 0; i < n; i++) {
      const address = machine.call('do_mmap', [pid, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, ANON]).value!;
      machine.call('do_munmap', [pid, address, 2 * PAGE_SIZE]);
    }
  };
  return { rate: opsPerSecond(batch, { minTimeMs: 300, samples: 1 }), cpuRate: perCpuSecond(batch, 2000) };
}

/** The smaller spaces the pair also runs in: a small process, then larger ones laid out alike. */
const SCALING: readonly (readonly [number, string])[] = [
  [30, '30 regions (a small process; how the pair scales)'],
  [1000, '1,000 regions (how the pair scales)'],
  [10000, '10,000 regions (how the pair scales)'],
];

export default defineSuite('@vmlab/vm-regions', [
  {
    name: 'find-region lookups/s, 100,000 regions, random addresses',
    unit: 'lookups/s',
    target: { atLeast: 5_000_000 },
    run() {
      const { rate, cpuRate, hits } = lookupsPerSecond();
      return { value: rate, details: { 'per CPU-second': cpuRate, 'tree height': sharedSpace().tree.height, 'share in a region': hits } };
    },
  },
  {
    name: 'find_vma lookups/s (by rank), 100,000 regions, random addresses',
    unit: 'lookups/s',
    run() {
      const { rate, cpuRate, hits } = lookupsPerSecond(treeFindAbove);
      return { value: rate, details: { 'per CPU-second': cpuRate, 'share found': hits } };
    },
  },
  {
    name: 'mmap+munmap pairs/s, model API, 100,000 regions (placed by a tree descent)',
    unit: 'pairs/s',
    target: { atLeast: 500_000 },
    run() {
      const { rate, cpuRate, address } = pairsPerSecond();
      return { value: rate, details: { 'per CPU-second': cpuRate, 'mapped at': '0x' + address.toString(16) } };
    },
  },
  ...SCALING.map(([count, label]) => ({
    name: `mmap+munmap pairs/s, model API, ${label}`,
    unit: 'pairs/s',
    run() {
      const { rate, cpuRate } = pairsPerSecond(count);
      return { value: rate, details: { 'per CPU-second': cpuRate } };
    },
  })),
  {
    name: 'mmap+munmap pairs/s through a machine (do_mmap, do_munmap), 10,000 regions',
    unit: 'pairs/s',
    run() {
      const { rate, cpuRate } = machinePairsPerSecond(10_000);
      return { value: rate, details: { 'per CPU-second': cpuRate } };
    },
  },
]);
