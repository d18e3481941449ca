import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSlabModel } from '../allocator.js';
import { createPagePool } from '../pageSource.js';
import { vmalloc } from '../vmalloc.js';
import { renderVmallocinfo } from './vmallocinfo.js';

// The first lines of this machine's /proc/vmallocinfo (Linux 6.18; pointers hashed by %pK, NUMA N0= counts).
const real = readFileSync(new URL('../fixtures/proc-vmallocinfo.txt', import.meta.url), 'utf8');
// mm/vmalloc.c s_show: "0x%p-0x%p %7ld", caller, " pages=%d", " vmalloc".
const LINE = /^0x[0-9a-f]{16}-0x[0-9a-f]{16} [ \d]{7,} \S+ pages=\d+ vmalloc/;

describe('vmallocinfo view', () => {
  it('has the column layout of the real file’s vmalloc lines (start-end, size in %7ld, caller, pages=, vmalloc)', () => {
    const realLines = real.split('\n').filter((l) => l.includes(' vmalloc'));
    expect(realLines.length).toBeGreaterThan(0);
    for (const line of realLines) expect(line).toMatch(LINE);
    const model = createSlabModel({ pages: createPagePool(0x100, 64) });
    vmalloc(model, 16384, undefined, 'kernel_clone+0x94/0x3e0');
    const ours = renderVmallocinfo(model.state);
    expect(ours).toMatch(LINE);
    // The same area as the real file's first vmalloc line: 4 pages, 20480 bytes with the guard page.
    expect(ours.slice(38)).toBe(realLines[0]!.slice(38, realLines[0]!.indexOf(' N0=')) + '\n');
  });
});
