/**
 * Address-space layouts per profile: where the user space ends, where the mmap area and the
 * stack go, and how free areas are searched. Numbers from arch/x86/include/asm/page_64_types.h,
 * page_32_types.h, processor.h (TASK_SIZE, STACK_TOP, TASK_UNMAPPED_BASE), arch/x86/mm/mmap.c
 * (mmap_base) and mm/mmap.c (stack_guard_gap); the Win32 numbers from MSDN "Virtual Address Space"
 * and GetSystemInfo (dwAllocationGranularity).
 */
import { PAGE_SIZE } from './constants.js';
import { pageAlign } from './region.js';

/** A profile's layout parameters. */
export interface Layout {
  /** The profile's name (`linux-x86_64`, `linux-i386`, `win2000-x86`). */
  readonly profile: string;
  /** TASK_SIZE: one past the highest user address. */
  readonly taskSize: number;
  /** STACK_TOP: where the initial stack ends. */
  readonly stackTop: number;
  /**
   * The kernel's mmap_min_addr: the lowest address a hint is rounded up to, the free-area search
   * starts from and the stack may grow down to. With CONFIG_SECURITY it is the larger of
   * vm.mmap_min_addr and CONFIG_LSM_MMAP_MIN_ADDR (security/min_addr.c update_mmap_min_addr).
   */
  readonly mmapMinAddr: number;
  /** stack_guard_gap: the gap kept below a grows-down region (256 pages, mm/mmap.c). */
  readonly stackGuardGap: number;
  /** RLIMIT_STACK soft limit. */
  readonly stackLimit: number;
  /** Top-down placement from mmap_base (the default), or legacy bottom-up from TASK_UNMAPPED_BASE. */
  readonly topDown: boolean;
  /** mm->mmap_base. */
  readonly mmapBase: number;
  /** TASK_UNMAPPED_BASE: the legacy layout's base and the top-down search's fallback floor. */
  readonly legacyBase: number;
  /** Anonymous mappings whose length is a multiple of 2 MiB are 2 MiB-aligned (mm/huge_memory.c, 64-bit only). */
  readonly thpAlign: boolean;
  /** Alignment of every placement (PAGE_SIZE on Linux, 64 KiB allocation granularity on Win32). */
  readonly granularity: number;
  /** Width of the maps header before the name (25 + sizeof(void *) * 6 - 1, task_mmu.c). */
  readonly mapsWidth: number;
  /** The x86-64 [vsyscall] gate area that maps prints last (arch/x86/entry/vsyscall), or null. */
  readonly gateArea: {
    /** First address of the gate area. */
    readonly start: number;
    /** End of the gate area. */
    readonly end: number;
  } | null;
  /** Where brk starts in an address space with no program loaded (ELF_ET_DYN_BASE / the i386 ELF base). */
  readonly defaultBrk: number;
  /** Whether exec maps [vvar], [vvar_vclock] and [vdso] (vdso.ts): the Linux profiles (not `tiny`, a toy machine on the i386 layout). */
  readonly vdso: boolean;
  /** vm.max_map_count: the most regions an address space may hold. */
  readonly maxMapCount: number;
  /**
   * Size of the initial stack region: one page of arguments plus the 128 KiB setup_arg_pages adds
   * (fs/exec.c), capped by RLIMIT_STACK (`stackLimit`) when that is smaller (see stack.ts setupStack).
   */
  readonly initialStack: number;
  /**
   * Where MAP_32BIT mappings go, bottom-up ([0x40000000, 0x80000000) for a 64-bit task:
   * arch/x86/kernel/sys_x86_64.c find_start_end), or null where MAP_32BIT is ignored (32-bit tasks:
   * in_32bit_syscall(); other systems).
   */
  readonly map32bit: {
    /** The search's low limit. */
    readonly begin: number;
    /** The search's high limit (also the hint's bound). */
    readonly end: number;
  } | null;
}

/** Options that override a profile's defaults (from the machine configuration). */
export interface LayoutOptions {
  /** Use the legacy bottom-up layout (`setarch -L`, vm.legacy_va_layout). */
  readonly legacyLayout?: boolean;
  /** RLIMIT_STACK in bytes (default 8 MiB). */
  readonly stackLimit?: number;
  /** vm.mmap_min_addr, the sysctl (default 4096, the value on the reference machine). */
  readonly mmapMinAddr?: number;
  /**
   * CONFIG_LSM_MMAP_MIN_ADDR, a kernel build option (default 65536, the reference kernel's: there
   * a hint of 0x1000 is placed at 0x10000 although the sysctl says 4096, fixtures/linux/
   * minaddr-probe.txt). 0 for a kernel built without it.
   */
  readonly lsmMmapMinAddr?: number;
  /** vm.max_map_count (default 65530). */
  readonly maxMapCount?: number;
  /**
   * linux-i386 only: the 32-bit task runs on an x86-64 kernel (CONFIG_IA32_EMULATION, the task has
   * TIF_ADDR32) instead of an i386 kernel. Its TASK_SIZE and STACK_TOP are then IA32_PAGE_OFFSET,
   * 0xFFFFe000 (arch/x86/include/asm/page_64_types.h, TASK_SIZE and TASK_SIZE_LOW under
   * TIF_ADDR32), not PAGE_OFFSET; mmap_base and TASK_UNMAPPED_BASE follow from it; and maps is
   * printed by a 64-bit kernel (its columns are as wide as on x86-64).
   */
  readonly ia32Emulation?: boolean;
  /**
   * With `ia32Emulation`: the ADDR_LIMIT_3GB personality (`setarch -3`), under which
   * IA32_PAGE_OFFSET is 0xC0000000, the task size of an i386 kernel's 3G/1G split.
   */
  readonly addrLimit3gb?: boolean;
}

const MiB = 1024 * 1024;
/** vm.max_map_count's default (include/linux/mm.h DEFAULT_MAX_MAP_COUNT). */
const DEFAULT_MAX_MAP_COUNT = 65530;

/** 256 pages: mm/mmap.c stack_guard_gap. */
const STACK_GUARD_GAP = 256 * PAGE_SIZE;

/**
 * arch/x86/mm/mmap.c mmap_base(): the gap below the stack is RLIMIT_STACK plus the guard gap
 * (plus the stack's random offset, 0 without randomisation), clamped to [128 MiB, 5/6 of the task size].
 */
export function topDownMmapBase(taskSize: number, stackLimit: number): number {
  let gap = stackLimit + STACK_GUARD_GAP;
  const gapMin = 128 * MiB;
  const gapMax = Math.floor(taskSize / 6) * 5;
  if (gap < gapMin) gap = gapMin;
  else if (gap > gapMax) gap = gapMax;
  return pageAlign(taskSize - gap);
}

/** What differs between the Linux profiles once TASK_SIZE is known. */
interface LinuxDifferences {
  /** Anonymous mappings of 2 MiB and more are THP-aligned (64-bit only). */
  readonly thpAlign: boolean;
  /** sizeof(void *) of the kernel printing /proc/PID/maps (its address columns' width). */
  readonly pointerBytes: number;
  /** The [vsyscall] page, if any. */
  readonly gateArea: Layout['gateArea'];
  /** Where brk starts with no program loaded. */
  readonly defaultBrk: number;
  /** The MAP_32BIT window (64-bit tasks only). */
  readonly map32bit: Layout['map32bit'];
  /** Whether exec maps the vDSO. */
  readonly vdso: boolean;
}

/**
 * A Linux layout from TASK_SIZE: the stack at the top, mmap_base below it by mmap_base() (or
 * TASK_UNMAPPED_BASE = PAGE_ALIGN(TASK_SIZE / 3) for the legacy layout), the guard gap and limits.
 */
/** CONFIG_LSM_MMAP_MIN_ADDR of the reference kernel (Linux 6.18 x86-64 here; Debian's value too). */
const LSM_MMAP_MIN_ADDR = 0x10000;

function linuxLayout(profile: string, taskSize: number, options: LayoutOptions, differences: LinuxDifferences): Layout {
  const stackLimit = options.stackLimit ?? 8 * MiB;
  const legacy = options.legacyLayout ?? false;
  return {
    profile,
    taskSize,
    stackTop: taskSize,
    // security/min_addr.c update_mmap_min_addr (CONFIG_SECURITY, as on the reference kernel).
    mmapMinAddr: Math.max(options.mmapMinAddr ?? PAGE_SIZE, options.lsmMmapMinAddr ?? LSM_MMAP_MIN_ADDR),
    stackGuardGap: STACK_GUARD_GAP,
    stackLimit,
    topDown: !legacy,
    mmapBase: legacy ? pageAlign(taskSize / 3) : topDownMmapBase(taskSize, stackLimit),
    legacyBase: pageAlign(taskSize / 3),
    thpAlign: differences.thpAlign,
    granularity: PAGE_SIZE,
    mapsWidth: 25 + differences.pointerBytes * 6 - 1,
    gateArea: differences.gateArea,
    vdso: differences.vdso,
    defaultBrk: differences.defaultBrk,
    maxMapCount: options.maxMapCount ?? DEFAULT_MAX_MAP_COUNT,
    initialStack: PAGE_SIZE + 128 * 1024,
    map32bit: differences.map32bit,
  };
}

/** The layout of profile `profile` (unknown profiles use linux-x86_64's rules). */
export function layoutFor(profile: string | undefined, options: LayoutOptions = {}): Layout {
  switch (profile) {
    case 'linux-i386':
    case 'tiny': {
      // 3 GB / 1 GB split: TASK_SIZE = PAGE_OFFSET = 0xC0000000 (arch/x86/include/asm/processor.h,
      // CONFIG_X86_32); TASK_UNMAPPED_BASE = PAGE_ALIGN(TASK_SIZE / 3) (__TASK_UNMAPPED_BASE).
      // Under IA32 emulation TASK_SIZE is IA32_PAGE_OFFSET (page_64_types.h): 0xFFFFe000, or
      // 0xC0000000 with ADDR_LIMIT_3GB; arch/x86/mm/mmap.c arch_pick_mmap_layout computes the
      // compat task's bases (mmap_compat_base, mmap_compat_legacy_base) from task_size_32bit(),
      // which is that IA32_PAGE_OFFSET, by the same mmap_base() and mmap_legacy_base().
      const ia32Emulation = options.ia32Emulation ?? false;
      const taskSize = ia32Emulation && !options.addrLimit3gb ? 0xffffe000 : 0xc0000000;
      return linuxLayout(profile, taskSize, options, {
        // mm/huge_memory.c __thp_get_unmapped_area: no THP alignment without CONFIG_64BIT or in a compat syscall.
        thpAlign: false,
        // sizeof(void *) is the kernel's: 8 under IA32 emulation.
        pointerBytes: ia32Emulation ? 8 : 4,
        // No [vsyscall]: i386 has no gate area, and under IA32 emulation get_gate_vma
        // (arch/x86/entry/vsyscall/vsyscall_64.c) returns none for a compat mm.
        gateArea: null,
        defaultBrk: 0x08048000,
        // find_start_end: MAP_32BIT only counts outside a 32-bit syscall.
        map32bit: null,
        vdso: profile === 'linux-i386',
      });
    }
    case 'win2000-x86': {
      // 2 GB user space from 0x00010000 to 0x7FFEFFFF; 64 KiB allocation granularity; lowest-first placement.
      const taskSize = 0x7fff0000;
      return {
        profile,
        taskSize,
        stackTop: taskSize,
        mmapMinAddr: 0x10000,
        stackGuardGap: 0,
        stackLimit: 1 * MiB,
        topDown: false,
        mmapBase: 0x10000,
        legacyBase: 0x10000,
        thpAlign: false,
        granularity: 0x10000,
        mapsWidth: 25 + 4 * 6 - 1,
        gateArea: null,
        defaultBrk: 0x00400000,
        vdso: false,
        maxMapCount: options.maxMapCount ?? DEFAULT_MAX_MAP_COUNT,
        initialStack: PAGE_SIZE + 128 * 1024,
        map32bit: null,
      };
    }
    default: {
      // x86-64, 4-level paging: TASK_SIZE_LOW = (1 << 47) - PAGE_SIZE (page_64_types.h DEFAULT_MAP_WINDOW).
      const taskSize = 2 ** 47 - PAGE_SIZE;
      return linuxLayout(profile ?? 'linux-x86_64', taskSize, options, {
        thpAlign: true,
        pointerBytes: 8,
        gateArea: { start: 0xffffffffff600000, end: 0xffffffffff601000 },
        defaultBrk: 0x555555554000,
        // find_start_end: "Give it 1GB of playground" (no randomisation under setarch -R).
        map32bit: { begin: 0x40000000, end: 0x80000000 },
        vdso: true,
      });
    }
  }
}
