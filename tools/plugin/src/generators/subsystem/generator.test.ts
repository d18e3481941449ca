/**
 * Runs the generator on a temporary workspace beside this one, then type-checks, builds and
 * tests the package it made, with no edit in between.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { subsystemGenerator } from './generator.js';

const workspace = resolve(__dirname, '../../../../..');
const scratch = mkdtempSync(join(tmpdir(), 'vmlab-generator-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('subsystem generator', () => {
  it('refuses bad names, unknown layers and existing packages', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('tsconfig.json', '{"files":[],"references":[]}');
    expect(() => subsystemGenerator(tree, { name: 'Bad_Name', layer: 'allocator' })).toThrow(/kebab case/);
    expect(() => subsystemGenerator(tree, { name: 'ok', layer: 'middle' as never })).toThrow(/layer must be one of/);
    subsystemGenerator(tree, { name: 'ok', layer: 'allocator' });
    expect(() => subsystemGenerator(tree, { name: 'ok', layer: 'allocator' })).toThrow(/already exists/);
  });

  it('creates a package that type-checks, builds and passes its tests with no manual edit', () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('tsconfig.json', JSON.stringify({ files: [], references: [{ path: 'packages/kernel' }] }));
    subsystemGenerator(tree, { name: 'swap-cache', layer: 'subsystem', id: 'swapc', description: 'A test subsystem.' });

    const pkg = JSON.parse(tree.read('packages/swap-cache/package.json', 'utf-8')!);
    expect(pkg.name).toBe('@vmlab/swap-cache');
    expect(pkg.nx.tags).toEqual(['layer:subsystem']);
    expect(Object.keys(pkg.exports['.'])[0]).toBe('@vmlab/source');
    expect(JSON.parse(tree.read('tsconfig.json', 'utf-8')!).references).toEqual([{ path: 'packages/kernel' }, { path: 'packages/swap-cache' }]);
    for (const file of ['README.md', 'src/index.ts', 'src/protocol.ts', 'src/model.ts', 'src/server.ts', 'src/model.test.ts', 'src/server.test.ts']) {
      expect(tree.exists(`packages/swap-cache/${file}`)).toBe(true);
    }

    // A scratch workspace: this workspace's root configs, copies of the kernel and the bench kit
    // (the kernel references it), and a node_modules of links to this workspace's dependencies
    // in which @vmlab/* point at the copies (so module resolution and project references agree).
    for (const file of ['tsconfig.base.json', 'vitest.shared.ts', 'package.json']) cpSync(join(workspace, file), join(scratch, file));
    const modules = join(scratch, 'node_modules');
    mkdirSync(join(modules, '@vmlab'), { recursive: true });
    for (const entry of readdirSync(join(workspace, 'node_modules'))) {
      if (entry !== '@vmlab') symlinkSync(join(workspace, 'node_modules', entry), join(modules, entry));
    }
    for (const [project, name] of [['packages/kernel', 'kernel'], ['tools/bench', 'bench']] as const) {
      for (const file of ['package.json', 'tsconfig.json', 'src']) cpSync(join(workspace, project, file), join(scratch, project, file), { recursive: true });
      symlinkSync(join(scratch, project), join(modules, '@vmlab', name));
    }
    const kernelCopy = join(scratch, 'packages/kernel');
    for (const change of tree.listChanges()) {
      if (change.type === 'DELETE' || !change.path.startsWith('packages/swap-cache/') && change.path !== 'tsconfig.json') continue;
      const target = join(scratch, change.path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, change.content!);
    }
    writeFileSync(join(scratch, 'vitest.config.ts'), "export default { test: { projects: ['packages/swap-cache/vitest.config.ts'] } };\n");

    const bin = (name: string) => join(workspace, 'node_modules/.bin', name);
    const run = (command: string, args: string[]): string => {
      try {
        return execFileSync(command, args, { cwd: scratch, stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } }).toString();
      } catch (error) {
        const e = error as { stdout?: Buffer; stderr?: Buffer };
        throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
      }
    };
    run(bin('tsc'), ['-b', 'packages/swap-cache']);
    expect(existsSync(join(scratch, 'packages/swap-cache/dist/index.js'))).toBe(true);
    expect(readFileSync(join(scratch, 'packages/swap-cache/dist/index.d.ts'), 'utf-8')).toContain('swapcSubsystem');
    expect(existsSync(join(kernelCopy, 'dist/index.js'))).toBe(true);
    const output = run(bin('vitest'), ['run', '--reporter=json']);
    const report = JSON.parse(output.slice(output.indexOf('{')));
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(2);
  });
});
