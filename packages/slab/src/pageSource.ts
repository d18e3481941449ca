/**
 * Where the slab allocator gets page frames, and how vmalloc maps them: injected, so the model
 * runs alone (with {@link createPagePool}) or in a machine (phys-allocator and hardware-mmu over
 * the bus).
 */

/** A source of contiguous page frames (the buddy allocator's alloc_pages / __free_pages). */
export interface PageSource {
  /** 2^order contiguous frames; the first frame, or -1 when none are free (ENOMEM). */
  allocPages(order: number, gfp: number): number;
  /** Gives back a block that allocPages returned. */
  freePages(pfn: number, order: number): void;
}

/** The kernel page table, as vmalloc uses it (map_vm_area / unmap_vm_area). */
export interface KernelMapper {
  /** Maps the page at kernel address `va` to frame `pfn`, read-write, kernel only. */
  map(va: number, pfn: number): void;
  /** Removes the mapping of the page at `va`. */
  unmap(va: number): void;
}

/** A page pool over frames [first, first + count): naturally aligned blocks, first fit. */
export interface PagePool extends PageSource {
  /** Frames currently handed out. */
  readonly used: number;
  /** True when frame `pfn` is handed out. */
  isUsed(pfn: number): boolean;
}

/**
 * A small page source for using the model alone: frames [first, first + count), a block of
 * 2^order frames starts at a multiple of 2^order (as buddy blocks do) and is found first fit.
 */
export function createPagePool(first: number, count: number): PagePool {
  const used = new Uint8Array(count);
  let inUse = 0;
  return {
    get used() {
      return inUse;
    },
    isUsed: (pfn) => pfn >= first && pfn < first + count && used[pfn - first] === 1,
    allocPages(order) {
      const size = 2 ** order;
      const start = Math.ceil(first / size) * size;
      for (let pfn = start; pfn + size <= first + count; pfn += size) {
        let free = true;
        for (let i = 0; i < size && free; i++) if (used[pfn - first + i]) free = false;
        if (!free) continue;
        used.fill(1, pfn - first, pfn - first + size);
        inUse += size;
        return pfn;
      }
      return -1;
    },
    freePages(pfn, order) {
      const size = 2 ** order;
      for (let i = 0; i < size; i++) {
        if (!used[pfn - first + i]) throw new Error(`frame ${pfn + i} is not allocated`);
      }
      used.fill(0, pfn - first, pfn - first + size);
      inUse -= size;
    },
  };
}
