import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSlabModel } from '../allocator.js';
import { findCache, kmemCacheAlloc } from '../cache.js';
import { createPagePool } from '../pageSource.js';
import { SLABINFO_HEADER, formatSlabinfoRow, renderSlabinfo } from './slabinfo.js';

// /proc/slabinfo of this machine (Linux 6.18, SLUB), kept as a fixture.
const real = readFileSync(new URL('../fixtures/proc-slabinfo.txt', import.meta.url), 'utf8');

describe('slabinfo view', () => {
  it('prints the version 2.1 header byte for byte as Linux does', () => {
    expect(real.startsWith(SLABINFO_HEADER)).toBe(true);
  });

  it('formats every line of a real /proc/slabinfo identically from its numbers (cache_show widths)', () => {
    const lines = real.split('\n').slice(2).filter(Boolean);
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) {
      const f = line.split(/\s+/);
      const row = {
        name: f[0]!,
        activeObjs: Number(f[1]),
        numObjs: Number(f[2]),
        objsize: Number(f[3]),
        objperslab: Number(f[4]),
        pagesperslab: Number(f[5]),
        activeSlabs: Number(f[13]),
        numSlabs: Number(f[14]),
      };
      expect(formatSlabinfoRow(row)).toBe(line + '\n');
    }
  });

  it('lists caches newest first with real counts', () => {
    const model = createSlabModel({ pages: createPagePool(0x100, 64) });
    const mm = findCache(model.state, 'mm_struct')!;
    for (let i = 0; i < 5; i++) kmemCacheAlloc(model, mm);
    const lines = renderSlabinfo(model.state).split('\n');
    expect(lines[2]).toBe('mm_struct              5      8    896    4    1 : tunables    0    0    0 : slabdata      2      2      0');
    expect(lines[3]).toBe('vm_area_struct         0      0    176   22    1 : tunables    0    0    0 : slabdata      0      0      0');
    expect(lines[4]).toMatch(/^task_struct +0 +0 +1920 +2 +1 :/);
    expect(lines[5]).toMatch(/^size-131072\(DMA\) +0 +0 +131072 +1 +32 :/);
    expect(lines.at(-2)).toMatch(/^size-32 +0 +0 +32 +112 +1 :/);
    expect(lines).toHaveLength(2 + 26 + 3 + 1);
  });
});
