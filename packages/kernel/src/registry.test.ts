import { describe, expect, it } from 'vitest';
import { isKernelError } from './errors.js';
import { counterSubsystem } from './fixtures/ledger.js';
import { Registry } from './registry.js';
import type { AnySubsystem, ConfigFieldSpec } from './subsystem.js';

/** The counter subsystem under another id, reading `fields` from the machine configuration. */
function reading(id: string, fields: readonly ConfigFieldSpec[]): AnySubsystem {
  return { ...counterSubsystem, id, calls: [], views: [], constants: {}, configFields: fields } as AnySubsystem;
}

describe('the registry of configuration fields', () => {
  it('collects the fields each subsystem declares, with who reads them', () => {
    const registry = new Registry([
      reading('a', [{ name: 'stackLimit', kind: 'size', summary: 'RLIMIT_STACK' }]),
      reading('b', [
        { name: 'stackLimit', kind: 'size', summary: 'RLIMIT_STACK, read again' },
        { name: 'maxMapCount', kind: 'count', summary: 'vm.max_map_count' },
      ]),
    ]);
    expect(registry.configFieldNames()).toEqual(['maxMapCount', 'stackLimit']);
    expect(registry.configField('stackLimit')).toMatchObject({ kind: 'size', subsystems: ['a', 'b'] });
    expect(registry.configField('maxMapCount')).toMatchObject({ kind: 'count', subsystems: ['b'] });
    expect(registry.configField('ram')).toBeUndefined();
  });

  it('refuses a field two subsystems read differently, naming both', () => {
    const clash = () => new Registry([reading('a', [{ name: 'limit', kind: 'size', summary: '' }]), reading('b', [{ name: 'limit', kind: 'boolean', summary: '' }])]);
    expect(clash).toThrow('configuration field limit is a size for a but a boolean for b');
    try {
      clash();
    } catch (error) {
      expect(isKernelError(error, 'DUPLICATE_CONFIG_FIELD')).toBe(true);
    }
  });
});
