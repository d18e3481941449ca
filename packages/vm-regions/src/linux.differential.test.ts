/**
 * Differential test against Linux 6.18: random operation sequences (fixtures/linux/random-N.ops,
 * written by random-ops.py with fixed seeds) were run by random-ops.c on this kernel under
 * `setarch -R` (random-0..6, top-down) and `setarch -R -L` (random-7..9, legacy bottom-up), and
 * each result, errno and the whole /proc/self/maps after every step were recorded. The model
 * replays each sequence from the same starting address space and must print the same maps, byte
 * for byte, and return the same values.
 *
 * At the end, every region's VmFlags in smaps and the status counters of mappings (VmPeak, VmSize,
 * VmLck, VmData, VmStk, VmExe, VmLib) match too.
 *
 * A write that Linux refused (SIGSEGV, errno 14 in the recording) changes nothing; a write to
 * private memory is the first fault that gives the region its anon_vma (anon_vma_prepare), which
 * the merges that follow depend on.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyEdits, createAddressSpace, type AddressSpace, type Edit } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { VM_FLAG_MNEMONICS, VM_GROWSDOWN, VM_SHARED, VM_WRITE } from './constants.js';
import type { OperationResult } from './editor.js';
import { layoutFor } from './layouts.js';
import type { Region } from './region.js';
import { treeFindAbove, treeLookup } from './regionTree.js';
import { applyRecordedCall } from './fixtures/linuxFixture.js';
import { expandStack } from './stack.js';
import { renderMaps } from './views/maps.js';
import { renderSmaps } from './views/smaps.js';
import { renderStatus } from './views/status.js';

const P = 4096;
const ERRNO: Readonly<Record<number, string>> = { 12: 'ENOMEM', 13: 'EACCES', 17: 'EEXIST', 22: 'EINVAL' };

interface Step {
  op: string;
  args: number[];
  result: number;
  errno: number;
  maps: string;
}

function read(name: string): { mm: Record<string, number>; initial: string; steps: Step[]; smaps: string; status: string } {
  const text = readFileSync(fileURLToPath(new URL(`./fixtures/linux/${name}.txt`, import.meta.url)), 'utf8');
  const mm: Record<string, number> = {};
  const steps: Step[] = [];
  let initial = '';
  let smaps = '';
  let block: string[] | undefined;
  const close = (): void => {
    if (!block) return;
    const body = block.join('');
    if (steps.length === 0 && !initial) initial = body;
    else if (steps.length && steps.at(-1)!.maps === '') steps.at(-1)!.maps = body;
    block = undefined;
  };
  let inSmaps = false;
  let status = '';
  let inStatus = false;
  for (const line of text.split('\n')) {
    if (inStatus) status += line + '\n';
    else if (inSmaps) {
      if (line === '# status') inStatus = true;
      else smaps += line + '\n';
    } else if (line.startsWith('# mm ')) {
      for (const kv of line.slice(5).split(' ')) mm[kv.split('=')[0]!] = parseInt(kv.split('=')[1]!, 16);
    } else if (line === '# maps') {
      close();
      block = [];
    } else if (line === '# smaps') {
      close();
      inSmaps = true;
    } else if (line.startsWith('@ ')) {
      close();
      const [lhs, rhs] = line.slice(2).split(' = ');
      const [op, ...args] = lhs!.split(' ');
      const [result, errno] = rhs!.split(' ');
      steps.push({ op: op!, args: args.map((a) => (a.startsWith('-') ? Number(a) : parseInt(a, 16))), result: result === 'ffffffffffffffff' ? -1 : parseInt(result!, 16), errno: Number(errno), maps: '' });
    } else if (block && line !== '') block.push(line + '\n');
  }
  return { mm, initial, steps, smaps, status };
}

function vmFlagsByRange(smaps: string): Map<string, number> {
  const out = new Map<string, number>();
  let range = '';
  for (const line of smaps.split('\n')) {
    const m = /^([0-9a-f]+-[0-9a-f]+) /.exec(line);
    if (m) range = m[1]!;
    else if (line.startsWith('VmFlags:')) {
      let flags = 0;
      for (const word of line.slice(8).trim().split(/\s+/)) flags |= VM_FLAG_MNEMONICS.find(([, n]) => n === word)?.[0] ?? 0;
      out.set(range, flags);
    }
  }
  return out;
}

/**
 * The process as random-ops.c starts: its regions from the first maps, vm_flags from the final smaps
 * (every starting region is still there, unchanged, at the end). Anonymous regions the C runtime
 * has written to ([heap], .bss, [stack]) have an anon_vma each.
 */
function startingSpace(recording: ReturnType<typeof read>, legacy: boolean): AddressSpace {
  const layout = layoutFor('linux-x86_64', { legacyLayout: legacy });
  const flagsOf = vmFlagsByRange(recording.smaps);
  const edits: Edit[] = [];
  let anonVma = 0;
  for (const line of recording.initial.trimEnd().split('\n')) {
    const [, s, e, perms, off, dev, inode, name] = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) (\S+) (\d+)\s*(.*)$/.exec(line)!;
    const start = parseInt(s!, 16);
    if (start >= layout.taskSize) continue;
    // A region changed before the end ([heap] by brk, [stack] by growing) gets the flags its
    // permissions imply: rw-p anonymous memory is VM_READ|VM_WRITE|VM_MAY*|VM_ACCOUNT
    // (VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT), the stack VM_STACK_FLAGS (VM_GROWSDOWN too).
    const flags = flagsOf.get(`${s}-${e}`) ?? (perms === 'rw-p' ? 0x100073 | (name === '[stack]' ? 0x100 : 0) : NaN);
    if (Number.isNaN(flags)) throw new Error(`starting region ${s}-${e} changed before the end: cannot know its flags`);
    const file = name!.startsWith('/') ? name! : null;
    const special = name!.startsWith('[') && name !== '[heap]' && name !== '[stack]' ? name! : null;
    const anon = file === null && special === null && flags & VM_WRITE;
    const region: Region = { start, end: parseInt(e!, 16), flags, pgoff: file ? parseInt(off!, 16) / P : start / P, file, dev: dev!, inode: Number(inode), special, anonVma: anon ? ++anonVma : 0, object: 0 };
    edits.push({ kind: 'mapped', region });
  }
  const { mm } = recording;
  edits.push({ kind: 'bounds-set', bounds: { startCode: mm.start_code!, endCode: mm.end_code!, startData: mm.start_data!, endData: mm.end_data!, startBrk: mm.start_brk!, brk: mm.brk!, startStack: mm.start_stack! } });
  return { ...applyEdits(createAddressSpace({ id: 1, layout }), edits), nextAnonVma: anonVma + 1 };
}

function replay(name: string, legacy: boolean): void {
  const recording = read(name);
  let space = startingSpace(recording, legacy);
  expect(renderMaps(space)).toBe(recording.initial);
  const all = recording.steps.map((s) => s.maps).join('');
  const fileMatch = / ([0-9a-f]{2}:[0-9a-f]{2}) (\d+)\s+\/tmp\/vmregions-file/.exec(all);
  const file = fileMatch ? { path: '/tmp/vmregions-file', dev: fileMatch[1]!, inode: Number(fileMatch[2]) } : undefined;
  const ops = readFileSync(fileURLToPath(new URL(`./fixtures/linux/${name}.ops`, import.meta.url)), 'utf8').trim().split('\n');
  expect(recording.steps.length).toBe(ops.length);
  recording.steps.forEach((step, i) => {
    const a = step.args;
    const where = `${name} step ${i}: ${step.op} ${a.map((x) => x.toString(16)).join(' ')}`;
    let result: OperationResult;
    switch (step.op) {
      case 'touch': {
        // A write below a grows-down region first grows it (the fault path's expand_stack).
        let before = space;
        const above = treeFindAbove(space.tree, a[0]!);
        if (above && above.start > a[0]! && above.flags & VM_GROWSDOWN) {
          const grown = expandStack(space, a[0]!);
          if (!grown.error) before = grown.space;
        }
        const region = treeLookup(before.tree, a[0]!);
        const writable = region !== undefined && (region.flags & VM_WRITE) !== 0;
        expect(writable, `${where}: Linux ${step.errno ? 'refused' : 'took'} the write`).toBe(!step.errno);
        // The fault grows the region before it checks the access: a refused write keeps the growth.
        result = writable && !(region.flags & VM_SHARED) ? { ...anonVmaPrepare(before, a[0]!), value: 0 } : { space: before, edits: [], value: 0 };
        break;
      }
      default:
        result = applyRecordedCall(space, step, file);
    }
    if (step.op !== 'touch') {
      expect(result.error ?? 'OK', where).toBe(step.errno ? ERRNO[step.errno] : 'OK');
      if (!step.errno) expect(result.value, where).toBe(step.op === 'mmap' || step.op === 'brk' ? step.result : 0);
    }
    space = result.space;
    expect(renderMaps(space), where).toBe(step.maps);
  });
  // At the end: every region's vm_flags (VM_ACCOUNT as mmap and mprotect left it, VM_GROWSDOWN …)
  // and the status counters of mappings.
  expect(vmFlagsByRange(renderSmaps(space))).toEqual(vmFlagsByRange(recording.smaps));
  const counters = (status: string): string[] => status.split('\n').filter((l) => /^(VmPeak|VmSize|VmLck|VmData|VmStk|VmExe|VmLib):/.test(l));
  expect(counters(recording.status)).toHaveLength(7);
  expect(counters(renderStatus(space))).toEqual(counters(recording.status));
}

describe('random sequences replayed on Linux 6.18 and on the model (fixtures/linux/random-*.txt)', () => {
  for (const i of [0, 1, 2, 3, 4, 5, 6]) it(`random-${i} (top-down): every result and every maps`, () => replay(`random-${i}`, false));
  for (const i of [7, 8, 9]) it(`random-${i} (legacy, setarch -L): every result and every maps`, () => replay(`random-${i}`, true));
  // Kept from a wider search (random-ops.py's ops() with seed 5198, 120 operations): a write below a
  // PROT_NONE grows-down region grows it and gives it an anon_vma though the write itself faults.
  it('random-x198 (top-down): expand_downwards prepares the anon_vma even when the access then fails', () => replay('random-x198', false));
});
