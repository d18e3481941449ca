/**
 * Every scenario in examples/ runs and passes (exit 0), records, and replays verified; the main
 * example also runs through the real `vmlab` binary (bin/vmlab.mjs, on the built CLI) as the
 * README's quick start does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { memoryIo } from './output/io.js';
import { runCli } from './program.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/vmlab.mjs', import.meta.url));
/** The example the README's quick start runs. */
export const MAIN_EXAMPLE = 'quickstart.yaml';
const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
const dir = mkdtempSync(join(tmpdir(), 'vmlab-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('examples/', () => {
  it('has the main example and others', () => {
    expect(files).toContain(MAIN_EXAMPLE);
  });

  it.each(files)('%s runs and passes, records, and replays verified', (file) => {
    const io = memoryIo({ NO_COLOR: '1' });
    const recording = join(dir, `${file}.vmlab`);
    const code = runCli(['run', join(EXAMPLES, file), '--record', recording], io, ALL_SUBSYSTEMS);
    expect(io.err()).toBe('');
    expect(code, io.out()).toBe(0);
    expect(io.out()).toMatch(/^ok: \d+ steps?, /m);
    const verify = memoryIo({ NO_COLOR: '1' });
    expect(runCli(['replay', recording, '--verify'], verify, ALL_SUBSYSTEMS), verify.out()).toBe(0);
  });

  it('the main example runs through the real binary, as the quick start says', () => {
    const out = execFileSync(process.execPath, [BIN, 'run', join(EXAMPLES, MAIN_EXAMPLE)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '' } });
    expect(out).toMatch(/^ok: \d+ steps/m);
    expect(out).not.toContain('\u001b[');
  });
});
