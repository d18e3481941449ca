/**
 * Range edits against a page-level oracle (fast-check, fixed seeds): after random small and large
 * mappings, `unmapRange` leaves exactly the pages outside the range, `protectRange` gives the pages
 * inside it the masked flags (PROT_NONE ones vanish from the walk and come back with their frames),
 * whatever large pages the range cuts through; and the walk reads only the tables that exist.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRootTable, forEachMapping, mapPage, type PageTableEditor } from './pageTable.js';
import { compileFormat, I386_FORMAT, X86_64_FORMAT, type CompiledFormat, type PageTableFormat } from './pageTableFormat.js';
import { protectRange, unmapRange } from './pageTableRange.js';
import { encodePte, pteFlags } from './pte.js';
import { PTE_ACCESSED, PTE_DIRTY, PTE_LARGE, PTE_NX, PTE_PRESENT, PTE_USER, PTE_WRITE } from './pteFlags.js';
import { createPhysicalMemory } from './ram.js';
import { topDownFrameAllocator } from './mmu.js';

const RIGHTS = PTE_PRESENT | PTE_WRITE | PTE_NX;

interface Setup {
  readonly name: string;
  readonly format: PageTableFormat;
  /** Level of the large pages. */
  readonly largeLevel: number;
  /** Start of the window the mappings and ranges fall in. */
  readonly base: number;
  /** Large-page slots in the window. */
  readonly slots: number;
}

const SETUPS: readonly Setup[] = [
  { name: 'x86-64 (2 MiB pages)', format: X86_64_FORMAT, largeLevel: 2, base: 0x40000000, slots: 4 },
  { name: 'i386 (4 MiB pages)', format: I386_FORMAT, largeLevel: 0, base: 0x800000, slots: 3 },
];

type PageMap = Map<number, { pfn: number; flags: number }>;

function editorFor(f: CompiledFormat): PageTableEditor {
  const ram = createPhysicalMemory(16 * 1024 * 1024);
  return { ram, format: f, allocateTable: topDownFrameAllocator(ram.length, f.pageSize) };
}

/** Every mapped page, large pages expanded to their pages (flags without the page-size bit). */
function pages(editor: PageTableEditor, root: number): PageMap {
  const f = editor.format;
  const out: PageMap = new Map();
  forEachMapping(editor.ram, f, root, (m) => {
    for (let i = 0; i < m.size / f.pageSize; i++) out.set(m.va / f.pageSize + i, { pfn: m.pfn + i, flags: m.flags & ~PTE_LARGE });
  });
  return out;
}

const mappingArb = (s: Setup) => {
  const perSlot = 2 ** (compileFormat(s.format).levelShift[s.largeLevel]! - 12);
  return fc.oneof(
    fc.record({ large: fc.constant(true), slot: fc.nat(s.slots - 1), flags: fc.constantFrom(PTE_USER, PTE_USER | PTE_WRITE, PTE_USER | PTE_WRITE | PTE_DIRTY) }),
    fc.record({ large: fc.constant(false), slot: fc.nat(s.slots * perSlot - 1), flags: fc.constantFrom(PTE_USER, PTE_USER | PTE_WRITE | PTE_ACCESSED, PTE_USER | PTE_NX) }),
  );
};

function build(s: Setup, mappings: readonly { large: boolean; slot: number; flags: number }[]): { editor: PageTableEditor; root: number; perSlot: number } {
  const f = compileFormat(s.format);
  const editor = editorFor(f);
  const root = createRootTable(editor);
  const perSlot = f.levelDivisor[s.largeLevel]! / f.pageSize;
  for (const m of mappings) {
    if (m.large) mapPage(editor, root, s.base + m.slot * perSlot * f.pageSize, 0x10000 + m.slot * perSlot, m.flags, s.largeLevel);
    else mapPage(editor, root, s.base + m.slot * f.pageSize, 0x100 + m.slot, m.flags);
  }
  return { editor, root, perSlot };
}

/** The flags an entry gets, through the format (bits it lacks drop out, rights it lacks read as granted). */
function throughFormat(f: CompiledFormat, flags: number): number {
  const w = encodePte(f, 1, flags);
  return pteFlags(f, w.lo, w.hi);
}

describe.each(SETUPS)('range edits, $name', (s) => {
  const f = compileFormat(s.format);
  const rangeArb = fc.tuple(fc.nat(s.slots * 2 ** (f.levelShift[s.largeLevel]! - 12)), fc.nat(s.slots * 2 ** (f.levelShift[s.largeLevel]! - 12)));

  it('unmapRange leaves exactly the pages outside the range, and reports the entries it cleared', () => {
    fc.assert(
      fc.property(fc.array(mappingArb(s), { maxLength: 12 }), rangeArb, (mappings, [a, b]) => {
        const { editor, root } = build(s, mappings);
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const start = s.base + lo * f.pageSize;
        const end = s.base + hi * f.pageSize;
        const before = pages(editor, root);
        const changes = unmapRange(editor, root, start, end);
        if (typeof changes === 'string') throw new Error(changes);
        const expected = new Map([...before].filter(([vpn]) => vpn < start / f.pageSize || vpn >= end / f.pageSize));
        expect(pages(editor, root)).toEqual(expected);
        const cleared = changes.reduce((n, c) => n + c.size / f.pageSize, 0);
        expect(cleared).toBe(before.size - expected.size);
      }),
      { numRuns: 150, seed: 0x2a9 },
    );
  });

  it('protectRange gives the pages in the range the masked flags; PROT_NONE pages vanish and come back with their frames', () => {
    const flagsArb = fc.constantFrom(PTE_PRESENT, PTE_PRESENT | PTE_WRITE, PTE_PRESENT | PTE_NX, 0, PTE_NX);
    fc.assert(
      fc.property(fc.array(mappingArb(s), { maxLength: 12 }), rangeArb, flagsArb, (mappings, [a, b], flags) => {
        const { editor, root } = build(s, mappings);
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const start = s.base + lo * f.pageSize;
        const end = s.base + hi * f.pageSize;
        const before = pages(editor, root);
        const inRange = (vpn: number): boolean => vpn >= start / f.pageSize && vpn < end / f.pageSize;
        const changes = protectRange(editor, root, start, end, flags, RIGHTS);
        if (typeof changes === 'string') throw new Error(changes);
        const give = (old: number, to: number): number => throughFormat(f, (old & ~RIGHTS) | (to & RIGHTS)) & ~PTE_LARGE;
        const expected: PageMap = new Map();
        for (const [vpn, page] of before) {
          if (!inRange(vpn)) expected.set(vpn, page);
          else if (flags & PTE_PRESENT) expected.set(vpn, { pfn: page.pfn, flags: give(page.flags, flags) });
        }
        expect(pages(editor, root)).toEqual(expected);
        // Back to present and writable: every page of the range is there again, with its frame.
        const back = protectRange(editor, root, start, end, PTE_PRESENT | PTE_WRITE, RIGHTS);
        if (typeof back === 'string') throw new Error(back);
        const restored: PageMap = new Map();
        for (const [vpn, page] of before) restored.set(vpn, inRange(vpn) ? { pfn: page.pfn, flags: give(page.flags, PTE_PRESENT | PTE_WRITE) } : page);
        expect(pages(editor, root)).toEqual(restored);
      }),
      { numRuns: 150, seed: 0x51d },
    );
  });
});

describe('range edits cost what is mapped', () => {
  it('an unmap of the whole x86-64 user half reads only the entries of the tables that exist', () => {
    // Counts the RAM chunk lookups of the walk (readWord32 makes one per aligned word).
    const f = compileFormat(X86_64_FORMAT);
    const editor = editorFor(f);
    const root = createRootTable(editor);
    mapPage(editor, root, 0x1000, 5, PTE_USER);
    mapPage(editor, root, 0x7ffffffff000, 6, PTE_USER);
    let reads = 0;
    const ram = editor.ram;
    const counting = { ...editor, ram: new Proxy(ram, { get: (target, key, receiver) => (key === 'chunk' ? (...args: [number]) => (reads++, target.chunk(...args)) : Reflect.get(target, key, receiver)) }) } as PageTableEditor;
    const changes = unmapRange(counting, root, 0, 2 ** 47);
    expect(Array.isArray(changes) && changes.map((c) => c.pfn)).toEqual([5, 6]);
    // 256 top-level entries, then one table per level below for each of the two pages: far from 2^35 pages.
    // Two 4-byte words per 8-byte entry read: the 256 top-level entries of the user half, then the
    // three tables below each page (512 entries each, at most): nothing like the 2^35 pages of the range.
    expect(reads / 2).toBeGreaterThanOrEqual(256);
    expect(reads / 2).toBeLessThanOrEqual(256 + 6 * 512);
  });
});
