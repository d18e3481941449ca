/**
 * The vDSO a new address space gets (vdso.ts, map_vdso) against the processes Linux 6.18 ran for
 * the fixtures: their first maps hold [vvar], [vvar_vclock] and [vdso] where exec put them, for a
 * 64-bit task and a 32-bit one under IA32 emulation, top-down and legacy — and the server puts
 * them at the same addresses with the same lines.
 */
import { createMachine, type MachineConfig } from '@vmlab/kernel';
import { describe, expect, it } from 'vitest';
import { readRecording } from './fixtures/linuxFixture.js';
import { regionsSubsystem } from './server.js';

/** The maps lines of the three special mappings. */
const vdsoLines = (maps: string): string[] => maps.split('\n').filter((l) => /\[(vvar|vvar_vclock|vdso)\]$/.test(l));

describe('the vDSO of a new address space (arch/x86/entry/vdso/vma.c map_vdso)', () => {
  const cases: [string, MachineConfig][] = [
    ['topdown', {}],
    ['legacy-topdown', { legacyVaLayout: true }],
    ['i386-compat-topdown', { profile: 'linux-i386', ia32Emulation: true }],
    ['i386-compat-legacy-topdown', { profile: 'linux-i386', ia32Emulation: true, legacyVaLayout: true }],
  ];
  for (const [fixture, config] of cases) {
    it(`${fixture}: where exec put it, line for line`, () => {
      const observed = vdsoLines(readRecording(fixture).initialMaps);
      expect(observed).toHaveLength(3);
      const machine = createMachine({ subsystems: [regionsSubsystem], config });
      const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number };
      machine.dispatch({ type: 'regions/create-address-space', payload: { pid } });
      expect(vdsoLines(machine.render('maps', { pid }).text)).toEqual(observed);
    });
  }

  it('the tiny toy profile has none', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem], config: { profile: 'tiny' } });
    const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number };
    machine.dispatch({ type: 'regions/create-address-space', payload: { pid } });
    expect(vdsoLines(machine.render('maps', { pid }).text)).toEqual([]);
  });
});
