import { describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { mmuSubsystem } from './server.js';

describe('mmu server', () => {
  it('adds items through the bus and renders them', () => {
    const machine = createMachine({ subsystems: [mmuSubsystem], freeze: true });
    expect(machine.call('mmu_add', ['first']).value).toBe(1);
    expect(machine.call('mmu_add', ['second']).value).toBe(2);
    expect(machine.call('mmu_add', ['first']).value).toBe(1);
    expect(machine.timeline.eventCount).toBe(2);
    expect(machine.render('mmu').text).toBe('1 first\n2 second\n');
  });
});
