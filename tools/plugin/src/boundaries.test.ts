import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkBoundaries } from './boundaries.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Pkg {
  layer: string;
  deps?: string[];
  refs?: string[];
  files: Record<string, string>;
}

/** A throwaway workspace with packages/<name> for each entry. */
function workspace(packages: Record<string, Pkg>): string {
  const root = mkdtempSync(join(tmpdir(), 'vmlab-boundaries-'));
  made.push(root);
  for (const [name, pkg] of Object.entries(packages)) {
    const dir = join(root, 'packages', name);
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    const deps = Object.fromEntries((pkg.deps ?? []).map((d) => [`@vmlab/${d}`, '*']));
    write('package.json', JSON.stringify({ name: `@vmlab/${name}`, dependencies: deps, nx: { tags: [`layer:${pkg.layer}`] } }));
    write('tsconfig.json', JSON.stringify({ references: (pkg.refs ?? pkg.deps ?? []).map((d) => ({ path: `../${d}` })) }));
    for (const [file, text] of Object.entries(pkg.files)) write(file, text);
  }
  return root;
}

describe('checkBoundaries', () => {
  it('accepts protocol imports from the same layer or below, and kernel imports anywhere', () => {
    const root = workspace({
      kernel: { layer: 'kernel', files: { 'src/index.ts': 'export const x = 1;\n' } },
      phys: { layer: 'allocator', deps: ['kernel'], files: { 'src/index.ts': "import { x } from '@vmlab/kernel';\n" } },
      slab: { layer: 'allocator', deps: ['kernel', 'phys'], files: { 'src/server.ts': "import type { T } from '@vmlab/phys/protocol';\n" } },
      regions: { layer: 'subsystem', deps: ['phys', 'slab'], files: { 'src/a.ts': "import '@vmlab/phys/protocol';\nimport '@vmlab/slab/protocol';\n" } },
    });
    expect(checkBoundaries(root)).toEqual([]);
  });

  it('names the file, line and column of each violation', () => {
    const root = workspace({
      kernel: { layer: 'kernel', files: { 'src/index.ts': "import '@vmlab/mmu/protocol';\n" }, deps: ['mmu'] },
      mmu: { layer: 'hardware', deps: ['regions'], files: { 'src/walk.ts': "\n\nimport { thing } from '@vmlab/regions/protocol';\n" } },
      regions: { layer: 'subsystem', deps: ['mmu'], files: { 'src/a.ts': "import { walk } from '@vmlab/mmu';\n" } },
      app: { layer: 'app', deps: ['regions'], refs: [], files: { 'src/main.ts': "import { all } from '@vmlab/regions';\nimport '../../mmu/src/walk.js';\n" } },
    });
    const problems = checkBoundaries(root);
    expect(problems).toContain('packages/kernel/src/index.ts:1:8: the kernel imports @vmlab/mmu: the kernel depends on no component');
    expect(problems).toContain('packages/mmu/src/walk.ts:3:23: @vmlab/mmu (hardware) imports @vmlab/regions from the higher layer subsystem');
    expect(problems).toContain(
      "packages/regions/src/a.ts:1:22: @vmlab/regions imports @vmlab/mmu, another component's implementation; import @vmlab/mmu/protocol and talk through the bus",
    );
    expect(problems).toContain('packages/app/src/main.ts:1:21: imports @vmlab/regions but packages/app/tsconfig.json has no reference to ../regions');
    expect(problems).toContain('packages/app/src/main.ts:2:8: relative import "../../mmu/src/walk.js" leaves @vmlab/app; import the package instead');
    expect(problems.some((p) => p.startsWith('dependency cycle: '))).toBe(true);
  });

  it('requires a layer tag and a declared dependency', () => {
    const root = workspace({
      kernel: { layer: 'kernel', files: {} },
      lost: { layer: 'nowhere', files: {} },
      mmu: { layer: 'hardware', refs: ['kernel'], files: { 'src/a.ts': "import '@vmlab/kernel';\n" } },
    });
    expect(checkBoundaries(root)).toEqual([
      'packages/lost/package.json: unknown layer "nowhere"',
      'packages/mmu/src/a.ts:1:8: imports @vmlab/kernel but packages/mmu/package.json does not declare it',
    ]);
  });
});
