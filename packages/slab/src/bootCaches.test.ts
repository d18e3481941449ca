import { describe, expect, it } from 'vitest';
import { bootSlabState } from './bootCaches.js';
import { kernelLayout } from './layout.js';

describe('boot caches', () => {
  it('x86-64: size-32, size-32(DMA) … size-131072(DMA), then task_struct, vm_area_struct, mm_struct; no slab yet', () => {
    const state = bootSlabState(kernelLayout());
    const names = state.cacheIds.map((id) => state.caches[id]!.name);
    expect(names.slice(0, 4)).toEqual(['size-32', 'size-32(DMA)', 'size-64', 'size-64(DMA)']);
    expect(names.slice(-5)).toEqual(['size-131072', 'size-131072(DMA)', 'task_struct', 'vm_area_struct', 'mm_struct']);
    expect(names).toHaveLength(26 + 3);
    expect(state.slabFrames).toBe(0);
  });

  it('tiny (1 KiB pages): general caches stop at size-32768, the largest a 32-page slab holds', () => {
    const state = bootSlabState(kernelLayout({ profile: 'tiny' }));
    expect(state.general).toHaveLength(11);
    expect(state.caches[state.general.at(-1)!]!.name).toBe('size-32768');
  });
});
