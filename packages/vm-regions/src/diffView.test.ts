/**
 * The regions slice as `vmlab diff` shows it: maps lines keyed by range, counters, bounds in hex.
 */
import { createMachine, diffState, diffViews, type Machine } from '@vmlab/kernel';
import { describe, expect, it } from 'vitest';
import { addressSpaceDiffView } from './diffView.js';
import { regionsSubsystem } from './server.js';
import type { RegionsState } from './state.js';

const P = 4096;
const RW = 3;
const PROT_READ = 1;
const PRIVATE_ANON = 0x22;

function processIn(machine: Machine): number {
  return (machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number }).pid;
}

describe('regions diff view', () => {
  it('an mprotect in the middle of a region reads as one maps line gone and three come', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem] });
    const pid = processIn(machine);
    const a = machine.call('do_mmap', [pid, 0, 3 * P, RW, PRIVATE_ANON]).value as number;
    const from = machine.position;
    machine.call('do_mprotect', [pid, a + P, P, PROT_READ]);
    const [before, after] = diffViews(machine.timeline.stateAt(from), machine.state, [regionsSubsystem]);
    const range = (start: number, end: number) => `regions.spaces["1"].maps["${start.toString(16)}-${end.toString(16)}"]`;
    expect(diffState(before, after).changes).toEqual([
      { path: 'regions.spaces["1"].counters.mapCount', kind: 'changed', before: 5, after: 7 },
      { path: 'regions.spaces["1"].counters.dataVm', kind: 'changed', before: 3, after: 2 },
      { path: range(a, a + 3 * P), kind: 'removed', before: 'rw-p 00000000 00:00 0' },
      { path: range(a, a + P), kind: 'added', after: 'rw-p 00000000 00:00 0' },
      { path: range(a + P, a + 2 * P), kind: 'added', after: 'r--p 00000000 00:00 0' },
      { path: range(a + 2 * P, a + 3 * P), kind: 'added', after: 'rw-p 00000000 00:00 0' },
    ]);
  });

  it('names [stack], gives bounds in hex and an anon_vma once a region has one', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem] });
    const pid = processIn(machine);
    const a = machine.call('do_mmap', [pid, 0, P, RW, PRIVATE_ANON]).value as number;
    machine.dispatch({ type: 'regions/prepare-anon', payload: { pid, address: a } });
    const space = Object.values(machine.slice<RegionsState>('regions').spaces)[0]!;
    const view = addressSpaceDiffView(space);
    // anon_vma 1 is the stack's (setup_arg_pages writes the arguments there).
    expect(view.maps[`${a.toString(16)}-${(a + P).toString(16)}`]).toBe('rw-p 00000000 00:00 0 anon_vma 2');
    expect(Object.values(view.maps)).toContain('rw-p 00000000 00:00 0 [stack] anon_vma 1');
    expect(view.bounds['mmapBase']).toBe('0x' + space.mmapBase.toString(16));
    // The same address space gives the same object, so a diff skips an unchanged one.
    expect(addressSpaceDiffView(space)).toBe(view);
  });
});
