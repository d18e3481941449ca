import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINE_FIELDS, TLB_FIELDS } from './machineSpec.js';
import { schemaOf } from './scenarioSchema.js';
import { ALL_SUBSYSTEMS } from './subsystems.js';

/** The fields that components read from a machine configuration: `config.NAME` in their sources. */
function fieldsReadByComponents(): Map<string, string[]> {
  const packages = join(import.meta.dirname, '..', '..');
  const fields = new Map<string, string[]>();
  for (const pkg of ['kernel', 'hardware-mmu', 'phys-allocator', 'slab', 'vm-regions']) {
    const directory = join(packages, pkg, 'src');
    for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.includes('.test.') || entry.parentPath.includes('fixtures')) continue;
      const file = join(entry.parentPath, entry.name);
      // tlb.ts reads its own TlbConfig (`config.entries` …): the fields of the machine's `tlb`.
      const scope = entry.name === 'tlb.ts' ? 'tlb.' : '';
      for (const match of readFileSync(file, 'utf8').matchAll(/\bconfig\.([A-Za-z_]\w*)/g)) {
        fields.set(scope + match[1]!, [...(fields.get(scope + match[1]!) ?? []), `${pkg}/${entry.name}`]);
      }
    }
  }
  return fields;
}

describe('machine fields', () => {
  const read = fieldsReadByComponents();
  // What the components declare to the registry (configFields), as a scenario sees it.
  const declared = schemaOf(ALL_SUBSYSTEMS).machineFields;

  it('every field a component reads is one it declares (or the spec defines)', () => {
    expect(read.size).toBeGreaterThan(0);
    const known = new Set<string>([...MACHINE_FIELDS, ...declared.keys(), ...TLB_FIELDS.map((field) => `tlb.${field}`)]);
    const unknown = [...read].filter(([field]) => !known.has(field)).map(([field, files]) => `${field} (${files.join(', ')})`);
    expect(unknown).toEqual([]);
  });

  it('every field a component declares is read by some component', () => {
    expect(declared.size).toBeGreaterThan(0);
    expect([...declared.keys()].filter((field) => !read.has(field))).toEqual([]);
  });

  it('every tlb field the scenario accepts is read by the TLB (seed by the MMU, for its random policy)', () => {
    expect(TLB_FIELDS.filter((field) => !read.has(`tlb.${field}`) && field !== 'seed')).toEqual([]);
  });
});
