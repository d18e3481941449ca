import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { inferredTargets } from './inferTargets.js';

const workspace = resolve(__dirname, '../../..');

describe('inferred Nx targets', () => {
  it('gives each project build, typecheck and test', () => {
    expect(Object.keys(inferredTargets('packages/slab'))).toEqual(['build', 'typecheck', 'test']);
    expect(inferredTargets('packages/slab').test!.options).toEqual({ cwd: 'packages/slab' });
  });

  it('is what Nx sees for the kernel', () => {
    const out = execFileSync(resolve(workspace, 'node_modules/.bin/nx'), ['show', 'project', '@vmlab/kernel', '--json'], {
      cwd: workspace,
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
      stdio: 'pipe',
    }).toString();
    const project = JSON.parse(out.slice(out.indexOf('{')));
    expect(project.tags).toContain('layer:kernel');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['build', 'typecheck', 'test']));
  });
});
