/** `show tlb`: the TLB's geometry, its counters and its valid entries. */
import type { Json, ViewOutput, ViewSpec } from '@vmlab/kernel';
import type { MmuState } from '../mmuState.js';
import { compileFormat } from '../pageTableFormat.js';
import { describeFlags } from '../pteFlags.js';
import { formatVirtual } from './pagetable.js';

/** Renders the TLB of a state. */
export function renderTlb(state: MmuState): ViewOutput {
  const { tlb } = state;
  const f = state.compiledFormat.compiled;
  const lookups = tlb.hits + tlb.misses;
  const rate = lookups === 0 ? '-' : `${((100 * tlb.hits) / lookups).toFixed(1)}%`;
  const geometry = tlb.ways === tlb.entries ? 'fully associative' : `${tlb.sets} sets of ${tlb.ways} ways`;
  const lines = [
    `tlb: ${tlb.entries} entries, ${geometry}, ${tlb.replacement.toUpperCase()}${tlb.asids ? ', ASIDs' : ''}; current address space ${state.current ?? '-'}`,
    `hits ${tlb.hits} misses ${tlb.misses} hit rate ${rate}; ${tlb.size} valid`,
  ];
  const entries: Json[] = [];
  const slots = [...tlb.valid.keys()].filter((slot) => tlb.valid[slot] === 1).sort((a, b) => tlb.vpn[a]! - tlb.vpn[b]! || tlb.asid[a]! - tlb.asid[b]!);
  for (const slot of slots) {
    const vpn = tlb.vpn[slot]!;
    const pfn = tlb.pfn[slot]!;
    const flags = tlb.flags[slot]!;
    lines.push(`  [${String(slot).padStart(3)}] asid ${tlb.asid[slot]} ${formatVirtual(f, vpn * f.pageSize)} -> pfn ${pfn} ${describeFlags(flags)}`);
    entries.push({ slot, asid: tlb.asid[slot]!, vpn, pfn, flags });
  }
  return {
    text: lines.join('\n') + '\n',
    json: { entries: tlb.entries, ways: tlb.ways, replacement: tlb.replacement, asids: tlb.asids, hits: tlb.hits, misses: tlb.misses, valid: entries },
  };
}

/** The `tlb` view (machine scope). */
export const tlbView: ViewSpec<MmuState> = {
  name: 'tlb',
  summary: 'The TLB: geometry, hits and misses, and every valid entry (address space, page, frame, flags).',
  scope: 'machine',
  render: ({ state }) => renderTlb(state),
};
