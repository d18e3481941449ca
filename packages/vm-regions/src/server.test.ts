import { describe, expect, it } from 'vitest';
import { createMachine } from '@vmlab/kernel';
import { regionsSubsystem } from './server.js';

describe('regions server', () => {
  it('adds items through the bus and renders them', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem], freeze: true });
    expect(machine.call('regions_add', ['first']).value).toBe(1);
    expect(machine.call('regions_add', ['second']).value).toBe(2);
    expect(machine.call('regions_add', ['first']).value).toBe(1);
    expect(machine.timeline.eventCount).toBe(2);
    expect(machine.render('regions').text).toBe('1 first\n2 second\n');
  });
});
