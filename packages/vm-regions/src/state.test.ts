import { describe, expect, it } from 'vitest';
import { layoutFor } from './layouts.js';
import { REGIONS_CONFIG_FIELDS, initialRegionsState } from './state.js';

describe('the machine configuration regions reads', () => {
  it('reaches the layout: a 32-bit task on an x86-64 kernel, and under ADDR_LIMIT_3GB (fixtures/linux/i386-compat-*.txt)', () => {
    const compat = initialRegionsState({ profile: 'linux-i386', ia32Emulation: true }).layout;
    expect(compat).toEqual(layoutFor('linux-i386', { ia32Emulation: true }));
    expect(compat.mmapBase).toBe(0xf7ffe000); // TASK_SIZE 0xFFFFe000 less the 128 MiB gap
    expect(initialRegionsState({ profile: 'linux-i386', ia32Emulation: true, addrLimit3gb: true }).layout.mmapBase).toBe(0xb8000000);
    expect(initialRegionsState({ profile: 'linux-i386', legacyVaLayout: true, maxMapCount: 12 }).layout).toEqual(layoutFor('linux-i386', { legacyLayout: true, maxMapCount: 12 }));
  });

  it('declares every field it reads, each once', () => {
    const names = REGIONS_CONFIG_FIELDS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.sort()).toEqual(['addrLimit3gb', 'ia32Emulation', 'legacyVaLayout', 'lsmMmapMinAddr', 'maxMapCount', 'mmapMinAddr', 'stackLimit']);
  });
});
