/**
 * The kernel's address layout and the machine constants the slab allocator sizes caches with,
 * per machine profile (the `profile` and `ram` fields of the machine configuration).
 *
 * Kernel addresses are JS numbers: on 64-bit profiles the low 48 bits of the canonical address
 * (bits 63..48 copy bit 47), printed sign-extended by {@link formatKernelAddress}.
 */

/** What the slab allocator needs to know about the machine. */
export interface KernelLayout {
  /** The profile's name. */
  readonly profile: string;
  /** Bytes per page (PAGE_SIZE). */
  readonly pageSize: number;
  /** Bytes per machine word (BYTES_PER_WORD = sizeof(void *)): 8 or 4. */
  readonly wordSize: number;
  /** cache_line_size() (L1_CACHE_BYTES): the colour unit and SLAB_HWCACHE_ALIGN's alignment. */
  readonly cacheLineSize: number;
  /** sizeof(struct slab) of Linux 2.6 mm/slab.c, padded to the word size. */
  readonly slabHeaderSize: number;
  /** sizeof(kmem_bufctl_t) (an unsigned int). */
  readonly bufctlSize: number;
  /** Start of the direct map of physical memory (PAGE_OFFSET). */
  readonly pageOffset: number;
  /** First address of the vmalloc range (VMALLOC_START). */
  readonly vmallocStart: number;
  /** End of the vmalloc range, exclusive (VMALLOC_END). */
  readonly vmallocEnd: number;
  /** Hex digits of a printed kernel pointer (%p): 16 on 64-bit, 8 on 32-bit. */
  readonly pointerDigits: number;
  /** Highest slab order tried (MAX_GFP_ORDER, 5 = 32 pages, Linux 2.6.18 mm/slab.c). */
  readonly maxSlabOrder: number;
  /** slab_break_gfp_order: 1 with more than 32 MiB of RAM, else 0 (mm/slab.c kmem_cache_init). */
  readonly slabBreakOrder: number;
  /** RAM in bytes. */
  readonly ram: number;
}

const MiB = 1024 * 1024;

interface ProfileFacts {
  readonly pageSize: number;
  readonly wordSize: number;
  readonly cacheLineSize: number;
  readonly defaultRam: number;
  readonly bits: 32 | 64;
}

// Page sizes and default RAM mirror phys-allocator's profiles (packages/phys-allocator/src/profiles.ts).
// Cache lines: x86-64 CONFIG_X86_L1_CACHE_SHIFT 6 (64 bytes); i386 Pentium III-class CONFIG_M686
// X86_L1_CACHE_SHIFT 5 (32 bytes, arch/i386/Kconfig); Alpha EV6 L1_CACHE_BYTES 64
// (include/asm-alpha/cache.h). `tiny` is a 32-bit machine with 1 KiB pages.
const PROFILES: Readonly<Record<string, ProfileFacts>> = {
  'linux-x86_64': { pageSize: 4096, wordSize: 8, cacheLineSize: 64, defaultRam: 64 * MiB, bits: 64 },
  'linux-i386': { pageSize: 4096, wordSize: 4, cacheLineSize: 32, defaultRam: 64 * MiB, bits: 32 },
  'win2000-x86': { pageSize: 4096, wordSize: 4, cacheLineSize: 32, defaultRam: 64 * MiB, bits: 32 },
  alpha: { pageSize: 8192, wordSize: 8, cacheLineSize: 64, defaultRam: 64 * MiB, bits: 64 },
  tiny: { pageSize: 1024, wordSize: 4, cacheLineSize: 32, defaultRam: 64 * 1024, bits: 32 },
};

/** The layout of `profile` (default linux-x86_64) with `ram` bytes (default: the profile's). */
export function kernelLayout(options: { readonly profile?: string; readonly ram?: number } = {}): KernelLayout {
  const profile = options.profile ?? 'linux-x86_64';
  const facts = PROFILES[profile];
  if (!facts) throw new RangeError(`unknown machine profile ${profile} (known: ${Object.keys(PROFILES).join(', ')})`);
  const ram = options.ram ?? facts.defaultRam;
  let pageOffset: number;
  let vmallocStart: number;
  let vmallocEnd: number;
  if (profile === 'linux-x86_64') {
    // Documentation/x86/x86_64/mm.txt (Linux 2.6.31, 4-level): direct map at ffff880000000000,
    // vmalloc/ioremap space ffffc90000000000 - ffffe8ffffffffff.
    pageOffset = 0x8800_0000_0000;
    vmallocStart = 0xc900_0000_0000;
    vmallocEnd = 0xe900_0000_0000;
  } else if (profile === 'alpha') {
    // include/asm-alpha/page.h PAGE_OFFSET 0xfffffc0000000000 (KSEG); include/asm-alpha/pgtable.h
    // VMALLOC_START (-2*PGDIR_SIZE), VMALLOC_END (-PGDIR_SIZE) with PGDIR_SIZE 2^33 for 8 KiB pages.
    pageOffset = 0xfc00_0000_0000;
    vmallocStart = 0xfffc_0000_0000;
    vmallocEnd = 0xfffe_0000_0000;
  } else {
    // include/asm-i386/pgtable.h (2.6): VMALLOC_START = (high_memory + 2*VMALLOC_OFFSET - 1) &
    // ~(VMALLOC_OFFSET - 1) with VMALLOC_OFFSET 8 MiB, high_memory the end of the direct map
    // (at most 896 MiB of low memory); VMALLOC_END = PKMAP_BASE - 2*PAGE_SIZE = 0xff7fe000.
    pageOffset = 0xc000_0000;
    const highMemory = pageOffset + Math.min(ram, 896 * MiB);
    const vmallocOffset = 8 * MiB;
    vmallocStart = Math.floor((highMemory + 2 * vmallocOffset - 1) / vmallocOffset) * vmallocOffset;
    vmallocEnd = 0xff80_0000 - 2 * facts.pageSize;
  }
  return {
    profile,
    pageSize: facts.pageSize,
    wordSize: facts.wordSize,
    cacheLineSize: facts.cacheLineSize,
    // struct slab { list_head list; unsigned long colouroff; void *s_mem; unsigned int inuse;
    // kmem_bufctl_t free; unsigned short nodeid; } (Linux 2.6.18 mm/slab.c): 42 bytes → 48 on
    // 64-bit, 26 → 28 on 32-bit.
    slabHeaderSize: facts.wordSize === 8 ? 48 : 28,
    bufctlSize: 4,
    pageOffset,
    vmallocStart,
    vmallocEnd,
    pointerDigits: facts.bits === 64 ? 16 : 8,
    maxSlabOrder: 5,
    slabBreakOrder: ram > 32 * MiB ? 1 : 0,
    ram,
  };
}

/** The kernel virtual address of page frame `pfn` in the direct map (__va(pfn << PAGE_SHIFT)). */
export function pageAddress(layout: KernelLayout, pfn: number): number {
  return layout.pageOffset + pfn * layout.pageSize;
}

/** The frame holding direct-map address `address` (virt_to_page), or -1 below PAGE_OFFSET. */
export function addressToPfn(layout: KernelLayout, address: number): number {
  if (address < layout.pageOffset) return -1;
  return Math.floor((address - layout.pageOffset) / layout.pageSize);
}

/** `address` printed as Linux's %p does: sign-extended to 64 bits on 64-bit profiles, zero-padded. */
export function formatKernelAddress(layout: KernelLayout, address: number): string {
  if (layout.pointerDigits === 16 && address >= 0x8000_0000_0000) {
    return 'ffff' + address.toString(16).padStart(12, '0');
  }
  return address.toString(16).padStart(layout.pointerDigits, '0');
}
