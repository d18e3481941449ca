import { describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { slabSubsystem } from './server.js';

describe('slab server', () => {
  it('adds items through the bus and renders them', () => {
    const machine = createMachine({ subsystems: [slabSubsystem], freeze: true });
    expect(machine.call('slab_add', ['first']).value).toBe(1);
    expect(machine.call('slab_add', ['second']).value).toBe(2);
    expect(machine.call('slab_add', ['first']).value).toBe(1);
    expect(machine.timeline.eventCount).toBe(2);
    expect(machine.render('slab').text).toBe('1 first\n2 second\n');
  });
});
