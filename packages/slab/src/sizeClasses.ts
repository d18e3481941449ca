/**
 * The general caches' sizes behind kmalloc: powers of two from 32 bytes to 128 KiB, named
 * `size-N` and `size-N(DMA)` as in Linux 2.6 include/linux/kmalloc_sizes.h and mm/slab.c
 * (Gorman §8.4, "Sizes Cache").
 */

/** The general cache sizes, smallest first. */
export const KMALLOC_SIZES: readonly number[] = [32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072];

/** The largest kmalloc size (KMALLOC_MAX_SIZE of 2.6 with 4 KiB pages). */
export const KMALLOC_MAX_SIZE = 131072;

/** Index of the smallest general cache holding `size` bytes (kmem_find_general_cachep), or -1 when none does. */
export function kmallocIndex(size: number): number {
  if (size <= 32) return size >= 0 ? 0 : -1;
  if (size > KMALLOC_MAX_SIZE) return -1;
  return 32 - Math.clz32(size - 1) - 5;
}

/** The name of general cache `index`: `size-N`, or `size-N(DMA)`. */
export function generalCacheName(index: number, dma: boolean): string {
  return `size-${KMALLOC_SIZES[index]}${dma ? '(DMA)' : ''}`;
}
