/**
 * `show pagetable P`: a readable walk of the present mappings of a process's address space, one
 * line per mapped page (or large page), with the entry's physical address and raw value.
 */
import type { Json, ViewContext, ViewOutput, ViewSpec } from '@vmlab/kernel';
import type { MmuState } from '../mmuState.js';
import { forEachMapping, type Mapping } from '../pageTable.js';
import { compileFormat, type CompiledFormat } from '../pageTableFormat.js';
import { formatPte, readPteHi, readPteLo } from '../pte.js';
import { describeFlags } from '../pteFlags.js';

/** A virtual address in hex, as wide as the format's addresses; x86-64 upper-half addresses printed sign-extended. */
export function formatVirtual(f: CompiledFormat, va: number): string {
  const digits = Math.ceil(f.vaBits / 4);
  if (f.vaBits === 48 && va >= 2 ** 47) return '0xffff' + va.toString(16).padStart(12, '0');
  return '0x' + va.toString(16).padStart(digits, '0');
}

/** A size as Linux prints page sizes: 4K, 2M, 1G, or bytes. */
export function formatSize(bytes: number): string {
  if (bytes >= 2 ** 30 && bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}G`;
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}M`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024}K`;
  return `${bytes}B`;
}

/** Renders the page table of address space `asid` (the `pagetable` view's body). */
export function renderPageTable(state: MmuState, asid: number, title: string): ViewOutput {
  const f = state.compiledFormat.compiled;
  const space = state.spaces[asid];
  if (!space) return { text: `${title}: no page table\n`, json: { asid, mappings: [] } };
  const mappings: Mapping[] = [];
  forEachMapping(state.ram, f, space.root, (m) => mappings.push(m));
  const physDigits = Math.max(4, Math.ceil(Math.log2(state.ram.length) / 4));
  const lines = [
    `${title}: address space ${asid}, format ${f.format.name}, root 0x${space.root.toString(16)}, ${mappings.length} mapping${mappings.length === 1 ? '' : 's'}`,
  ];
  const json: Json[] = [];
  for (const m of mappings) {
    const lo = readPteLo(state.ram, f, m.entryAddress);
    const hi = readPteHi(state.ram, f, m.entryAddress);
    const physical = m.pfn * f.pageSize;
    lines.push(
      `${formatVirtual(f, m.va)} -> 0x${physical.toString(16).padStart(physDigits, '0')} ${formatSize(m.size).padStart(4)} pfn ${m.pfn} ${describeFlags(m.flags)} (pte ${formatPte(f, lo, hi)} at 0x${m.entryAddress.toString(16)})`,
    );
    json.push({ va: m.va, physical, pfn: m.pfn, size: m.size, flags: m.flags, level: m.level, entryAddress: m.entryAddress, pte: formatPte(f, lo, hi) });
  }
  return { text: lines.join('\n') + '\n', json: { asid, root: space.root, format: f.format.name, mappings: json } };
}

/** The `pagetable` view (process scope). */
export const pagetableView: ViewSpec<MmuState> = {
  name: 'pagetable',
  summary: 'The present mappings of a process: virtual page, frame, size, flags and the raw entry.',
  scope: 'process',
  render(ctx: ViewContext<MmuState>): ViewOutput {
    const task = ctx.query<{ name: string; addressSpace: number | null } | null>('kernel/task', { pid: ctx.pid });
    if (!task) return { text: `no process ${ctx.pid}\n`, json: null };
    const title = `pagetable of ${task.name} (pid ${ctx.pid})`;
    if (task.addressSpace === null) return { text: `${title}: no address space\n`, json: { mappings: [] } };
    return renderPageTable(ctx.state, task.addressSpace, title);
  },
};
