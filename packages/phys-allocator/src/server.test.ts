import { describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { physSubsystem } from './server.js';

describe('phys server', () => {
  it('adds items through the bus and renders them', () => {
    const machine = createMachine({ subsystems: [physSubsystem], freeze: true });
    expect(machine.call('phys_add', ['first']).value).toBe(1);
    expect(machine.call('phys_add', ['second']).value).toBe(2);
    expect(machine.call('phys_add', ['first']).value).toBe(1);
    expect(machine.timeline.eventCount).toBe(2);
    expect(machine.render('phys').text).toBe('1 first\n2 second\n');
  });
});
