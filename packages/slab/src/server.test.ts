import { createMachine, verifyReplay, exportLog } from '@vmlab/kernel';
import { mmuSubsystem } from '@vmlab/hardware-mmu';
import { PAGE_FLAGS, physSubsystem } from '@vmlab/phys-allocator';
import { describe, expect, it } from 'vitest';
import { SLAB_EVENTS, SLAB_REQUESTS, type CacheInfo } from './protocol.js';
import { slabSubsystem } from './server.js';

const machine = () => createMachine({ subsystems: [physSubsystem, mmuSubsystem, slabSubsystem], freeze: true });
type M = ReturnType<typeof machine>;
const info = (m: M, cache: string) => m.query<CacheInfo>(SLAB_REQUESTS.cacheInfo, { cache });
const slabFlagged = (m: M) => m.query<{ count: number }>('phys/count-frames', { flags: PAGE_FLAGS.slab }).count;

describe('slab server', () => {
  it('registers the scenario calls and views of the spec', () => {
    const m = machine();
    for (const name of ['kmem_cache_create', 'kmem_cache_alloc', 'kmem_cache_free', 'kmem_cache_shrink', 'kmem_cache_destroy', 'kmalloc', 'kfree', 'vmalloc', 'vfree']) {
      expect(m.registry.call(name, 'kernel'), name).toBeDefined();
    }
    expect(m.render('slabinfo').text.startsWith('slabinfo - version: 2.1\n')).toBe(true);
    expect(m.render('vmallocinfo').text).toBe('');
  });

  it('allocates through the bus with pages from phys-allocator, flagged PG_slab, and emits the events', () => {
    const m = machine();
    const c = m.call('kmem_cache_create', ['my_cache', 300]);
    expect(c.value).toBeGreaterThan(0);
    const a = m.call('kmem_cache_alloc', [c.value!]);
    expect(a.value).toBeGreaterThan(0);
    const types = a.outcome.events.map((e) => e.type);
    expect(types).toContain('phys/pages-allocated');
    expect(types.filter((t) => t.startsWith('slab/'))).toEqual([SLAB_EVENTS.slabGrown, SLAB_EVENTS.objectAllocated]);
    expect(info(m, 'my_cache')).toMatchObject({ activeObjects: 1, totalSlabs: 1, partial: 1 });
    expect(slabFlagged(m)).toBe(1);
    expect(m.call('kmem_cache_free', [c.value!, a.value!]).value).toBe(0);
    expect(m.call('kmem_cache_free', [c.value!, a.value!])).toMatchObject({ value: -1, error: 'EINVAL' });
    expect(m.call('kmem_cache_alloc', ['no_such_cache'])).toMatchObject({ value: 0, error: 'EINVAL' });
  });

  it('regions-style use by name: mm_struct and vm_area_struct objects counted in slabinfo', () => {
    const m = machine();
    const mm = m.dispatch({ type: SLAB_REQUESTS.cacheAlloc, payload: { cache: 'mm_struct' } }).reply as { address: number };
    for (let i = 0; i < 3; i++) m.dispatch({ type: SLAB_REQUESTS.cacheAlloc, payload: { cache: 'vm_area_struct' } });
    expect(mm.address).toBeGreaterThan(0);
    const lines = m.render('slabinfo').text.split('\n');
    expect(lines[2]).toBe('mm_struct              1      4    896    4    1 : tunables    0    0    0 : slabdata      1      1      0');
    expect(lines[3]).toBe('vm_area_struct         3     22    176   22    1 : tunables    0    0    0 : slabdata      1      1      0');
  });

  it('shrink gives the empty slabs back to the buddy allocator: buddyinfo returns to what it was', () => {
    const m = machine();
    const before = m.render('buddyinfo').text;
    const objects = Array.from({ length: 30 }, () => m.call('kmalloc', [2048]).value!); // size-2048: 2 per page, off-slab
    expect(m.render('buddyinfo').text).not.toBe(before);
    expect(info(m, 'size-2048')).toMatchObject({ activeObjects: 30, totalSlabs: 15 });
    expect(slabFlagged(m)).toBe(15 + 1); // 15 size-2048 slabs + 1 size-64 slab for their management
    for (const x of objects) expect(m.call('kfree', [x]).value).toBe(0);
    expect(m.call('kmem_cache_shrink', ['size-2048']).value).toBe(15);
    expect(m.call('kmem_cache_shrink', ['size-64']).value).toBe(1);
    expect(slabFlagged(m)).toBe(0);
    expect(m.render('buddyinfo').text).toBe(before);
  });

  it('a constructor named in kmem_cache_create runs once per object of each new slab', () => {
    const m = machine();
    const c = m.call('kmem_cache_create', ['widget', 256, 0, 0, 'widget_ctor']).value!;
    const x = m.call('kmem_cache_alloc', [c]).value!;
    m.call('kmem_cache_free', [c, x]);
    m.call('kmem_cache_alloc', [c]);
    expect(info(m, 'widget')).toMatchObject({ ctorRuns: 15, objectsPerSlab: 15, activeObjects: 1 });
  });

  it('kmalloc above 128 KiB fails cleanly', () => {
    const m = machine();
    expect(m.call('kmalloc', [131073])).toMatchObject({ value: 0, error: 'ENOMEM' });
  });

  it('vmalloc maps non-contiguous frames in the kernel page table: writes and reads go through it', () => {
    const m = machine();
    expect(m.dispatch({ type: 'mmu/create-address-space', payload: { asid: 0 } }).error).toBeUndefined();
    // Fragment memory: take order-0 frames and give every other one back.
    const frames = Array.from({ length: 8 }, () => m.call('alloc_pages', [0xcc0, 0]).value as number);
    for (let i = 0; i < 8; i += 2) m.call('free_pages', [frames[i]!, 0]);
    const v = m.call('vmalloc', [3 * 4096]);
    expect(v.value).toBe(0xc90000000000);
    const pfns: number[] = [];
    for (let page = 0; page < 3; page++) {
      const va = 0xc90000000000 + page * 4096 + 8;
      const w = m.dispatch({ type: 'mmu/access', payload: { asid: 0, address: va, kind: 'write', size: 8, value: 0x1000 + page, mode: 'kernel' } });
      expect(w.error).toBeUndefined();
      const r = m.dispatch({ type: 'mmu/access', payload: { asid: 0, address: va, kind: 'read', size: 8, mode: 'kernel' } });
      expect((r.reply as { value: number }).value).toBe(0x1000 + page);
      pfns.push(m.query<{ pfn: number }>('mmu/lookup', { asid: 0, va }).pfn);
    }
    expect(pfns[1]! - pfns[0]!).not.toBe(1); // not physically contiguous
    const vmallocinfo = m.render('vmallocinfo').text;
    expect(vmallocinfo).toBe('0xffffc90000000000-0xffffc90000004000   16384 vmalloc pages=3 vmalloc\n');
    // The guard page after the area is not mapped.
    const guard = m.dispatch({ type: 'mmu/access', payload: { asid: 0, address: 0xc90000003000, kind: 'read', size: 1, mode: 'kernel' } });
    expect((guard.reply as { fault?: unknown }).fault ?? guard.error).toBeDefined();
    // vmalloc frames are not slab frames; the page array's size-32 slab is.
    expect(slabFlagged(m)).toBe(m.query<{ slabFrames: number }>(SLAB_REQUESTS.frames, {}).slabFrames);
    expect(m.query<{ count: number }>('phys/count-frames', { owner: 'vmalloc' }).count).toBe(3);
    expect(m.call('vfree', [v.value!]).value).toBe(0);
    expect(m.query<{ count: number }>('phys/count-frames', { owner: 'vmalloc' }).count).toBe(0);
    expect(m.render('vmallocinfo').text).toBe('');
  });

  it('replays to the same states', () => {
    const m = machine();
    const c = m.call('kmem_cache_create', ['thing', 96, 32]).value!;
    const xs = [1, 2, 3].map(() => m.call('kmem_cache_alloc', [c]).value!);
    m.call('kmem_cache_free', [c, xs[1]!]);
    m.call('kmalloc', [5000]);
    expect(verifyReplay(exportLog(m), [physSubsystem, mmuSubsystem, slabSubsystem]).ok).toBe(true);
  });
});
