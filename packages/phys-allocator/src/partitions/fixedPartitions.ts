/**
 * Fixed partitions (Stallings, "Operating Systems", §7.2; Tanenbaum, "Modern Operating Systems",
 * §4.1 "multiprogramming with fixed partitions"): memory is cut once into partitions of equal or
 * unequal sizes; each holds at most one allocation, which goes to the smallest free partition it
 * fits in. Whatever the allocation leaves unused inside its partition is internal fragmentation.
 */

/** One fixed partition. */
export interface FixedPartition {
  /** First byte. */
  readonly start: number;
  /** Bytes. */
  readonly size: number;
  /** The allocation holding it, or null. */
  holder: string | null;
  /** Bytes the holder asked for. */
  used: number;
}

/** A pool of fixed partitions. */
export interface FixedPool {
  /** Discriminant. */
  readonly kind: 'fixed';
  /** Bytes in the pool. */
  readonly size: number;
  /** The partitions, by address. */
  readonly partitions: FixedPartition[];
}

/** Cuts `size` bytes into partitions of the given sizes (lowest first); throws when they do not fit. */
export function createFixedPool(size: number, partitionSizes: readonly number[]): FixedPool {
  if (partitionSizes.length === 0 || partitionSizes.some((s) => !Number.isSafeInteger(s) || s <= 0)) throw new RangeError('partition sizes must be positive integers');
  const total = partitionSizes.reduce((a, b) => a + b, 0);
  if (total > size) throw new RangeError(`partitions total ${total} bytes, more than the pool's ${size}`);
  let start = 0;
  const partitions = partitionSizes.map((partitionSize) => {
    const partition = { start, size: partitionSize, holder: null, used: 0 };
    start += partitionSize;
    return partition;
  });
  return { kind: 'fixed', size, partitions };
}

/** `count` equal partitions of `size / count` bytes (the remainder unused). */
export function equalPartitions(size: number, count: number): number[] {
  return Array.from({ length: count }, () => Math.floor(size / count));
}

/** The partition the allocation would get: the smallest free one that fits (lowest on ties), or -1. Read-only. */
export function choosePartition(pool: FixedPool, size: number): number {
  let chosen = -1;
  pool.partitions.forEach((partition, index) => {
    if (partition.holder !== null || partition.size < size) return;
    if (chosen < 0 || partition.size < pool.partitions[chosen]!.size) chosen = index;
  });
  return chosen;
}

/** Puts allocation `name` of `size` bytes in partition `index`. */
export function occupyPartition(pool: FixedPool, index: number, name: string, size: number): number {
  const partition = pool.partitions[index]!;
  partition.holder = name;
  partition.used = size;
  return partition.start;
}

/** Allocates `size` bytes; returns the partition's start, or -1 when no free partition is big enough. */
export function fixedAlloc(pool: FixedPool, name: string, size: number): number {
  const index = choosePartition(pool, size);
  return index < 0 ? -1 : occupyPartition(pool, index, name, size);
}

/** Frees the partition starting at `address`; returns false when no allocation starts there. */
export function fixedFree(pool: FixedPool, address: number): boolean {
  const partition = pool.partitions.find((p) => p.start === address && p.holder !== null);
  if (!partition) return false;
  partition.holder = null;
  partition.used = 0;
  return true;
}

/** Bytes wasted inside occupied partitions (internal fragmentation). */
export function internalFragmentation(pool: FixedPool): number {
  return pool.partitions.reduce((sum, p) => (p.holder === null ? sum : sum + p.size - p.used), 0);
}
