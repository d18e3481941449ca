import { describe, expect, it } from 'vitest';
import { createSlabModel } from './allocator.js';
import { findCache } from './cache.js';
import { createPagePool, type KernelMapper } from './pageSource.js';
import { renderVmallocinfo } from './views/vmallocinfo.js';
import { findArea, vfree, vmalloc } from './vmalloc.js';

const mapperOver = (table: Map<number, number>): KernelMapper => ({
  map: (va, pfn) => {
    if (table.has(va)) throw new Error(`${va.toString(16)} mapped twice`);
    table.set(va, pfn);
  },
  unmap: (va) => {
    table.delete(va);
  },
});

// x86-64: VMALLOC_START ffffc90000000000 (held as 0xc90000000000).
const START = 0xc90000000000;

describe('vmalloc', () => {
  it('rounds up to pages, adds a guard page, and places the next area after the guard', () => {
    const model = createSlabModel({ pages: createPagePool(0x100, 64) });
    expect(vmalloc(model, 3 * 4096 + 1).address).toBe(START);
    expect(findArea(model.state, START)!.size).toBe(5 * 4096);
    expect(vmalloc(model, 4096).address).toBe(START + 5 * 4096);
    expect(renderVmallocinfo(model.state)).toBe(
      '0xffffc90000000000-0xffffc90000005000   20480 vmalloc pages=4 vmalloc\n' +
        '0xffffc90000005000-0xffffc90000007000    8192 vmalloc pages=1 vmalloc\n',
    );
  });

  it('builds the area from non-contiguous order-0 frames, each mapped at its page of the area', () => {
    const pool = createPagePool(0x100, 64);
    const taken = Array.from({ length: 8 }, () => pool.allocPages(0, 0)); // 0x100 … 0x107
    for (const pfn of [0x101, 0x103, 0x105]) pool.freePages(pfn, 0);
    const table = new Map<number, number>();
    const model = createSlabModel({ pages: pool, mapper: mapperOver(table) });
    const address = vmalloc(model, 3 * 4096).address;
    // The 24-byte page array is kmalloc'ed first: size-32 grows a slab on frame 0x101; the pages get
    // 0x103, 0x105, then 0x108.
    expect(findArea(model.state, address)!.pfns).toEqual([0x103, 0x105, 0x108]);
    expect(findCache(model.state, 'size-32')!.activeObjects).toBe(1);
    expect([...table]).toEqual([
      [START, 0x103],
      [START + 4096, 0x105],
      [START + 8192, 0x108],
    ]);
    expect(table.has(START + 3 * 4096)).toBe(false); // the guard page stays unmapped
    expect(taken).toHaveLength(8);
  });

  it('vfree unmaps, frees the frames and the page array, and the gap is reused first fit', () => {
    const pool = createPagePool(0x100, 64);
    const table = new Map<number, number>();
    const model = createSlabModel({ pages: pool, mapper: mapperOver(table) });
    const a = vmalloc(model, 4 * 4096).address;
    const b = vmalloc(model, 4096).address;
    expect(vfree(model, a)).toEqual({ value: 0 });
    expect(table.size).toBe(1);
    expect(findCache(model.state, 'size-32')!.activeObjects).toBe(1);
    expect(vmalloc(model, 2 * 4096).address).toBe(START);
    expect(b).toBe(START + 5 * 4096);
    expect(vfree(model, START + 4096)).toEqual({ value: -1, error: 'EINVAL' });
    expect(vfree(model, 0)).toEqual({ value: 0 });
  });

  it('a page array larger than a page is itself vmalloc’ed (VM_VPAGES): 1000 pages need 8000 bytes', () => {
    const model = createSlabModel({ pages: createPagePool(0x100, 2048) });
    const address = vmalloc(model, 1000 * 4096).address;
    expect(address).toBe(START);
    const area = findArea(model.state, START)!;
    expect(area.vpages).toBe(true);
    expect(area.pagesArray).toBe(START + 1001 * 4096);
    expect(renderVmallocinfo(model.state)).toBe(
      '0xffffc90000000000-0xffffc900003e9000 4100096 vmalloc pages=1000 vmalloc vpages\n' +
        '0xffffc900003e9000-0xffffc900003ec000   12288 vmalloc pages=2 vmalloc\n',
    );
    expect(vfree(model, address)).toEqual({ value: 0 });
    expect(model.state.areas).toEqual([]);
    expect(model.state.vmallocFrames).toBe(0);
  });

  it('gives everything back when frames run out (ENOMEM), and refuses size 0', () => {
    const pool = createPagePool(0x100, 4);
    const model = createSlabModel({ pages: pool });
    expect(vmalloc(model, 8 * 4096)).toEqual({ address: 0, error: 'ENOMEM' });
    expect(model.state.areas).toEqual([]);
    expect(findCache(model.state, 'size-64')!.activeObjects).toBe(0);
    expect(pool.used).toBe(1); // the size-64 slab stays, empty, until shrunk
    expect(vmalloc(model, 0)).toEqual({ address: 0, error: 'EINVAL' });
  });

  it('i386: the vmalloc range starts 8 MiB above the end of the direct map (64 MiB RAM → 0xc4800000)', () => {
    // (0xc0000000 + 64 MiB + 16 MiB - 1) & ~(8 MiB - 1) = 0xc4800000 (include/asm-i386/pgtable.h).
    const model = createSlabModel({ profile: 'linux-i386', pages: createPagePool(0x100, 64) });
    expect(vmalloc(model, 100).address).toBe(0xc4800000);
    expect(renderVmallocinfo(model.state)).toBe('0xc4800000-0xc4802000    8192 vmalloc pages=1 vmalloc\n');
  });
});
