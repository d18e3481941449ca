#!/usr/bin/env node
/**
 * `npm test`: build and type-check every project (tsc -b), check the layering, build the docs
 * (no warnings allowed), run every Vitest project in one run, and end with the line `N passed, N failed` (CI reads it).
 * Arguments after `--` go to vitest (e.g. `npm test -- packages/kernel`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const bin = (name) => join('node_modules', '.bin', name);
const run = (command, args) => spawnSync(command, args, { stdio: 'inherit', env: process.env }).status ?? 1;
const extra = process.argv.slice(2);

let passed = 0;
let failed = 0;
const step = (name, status) => {
  if (status === 0) passed++;
  else {
    failed++;
    console.error(`${name}: FAILED`);
  }
  return status === 0;
};

console.log('> tsc -b (build and type-check every project)');
const built = step('typecheck', run(bin('tsc'), ['-b', 'tsconfig.json']));
console.log('> layering check');
step('boundaries', run(process.execPath, ['tools/scripts/check-boundaries.mjs']));
if (built) {
  console.log('> docs (typedoc, every export documented, no warnings)');
  step('docs', run(process.execPath, ['tools/scripts/docs.mjs']));
}

if (built) {
  mkdirSync('tmp', { recursive: true });
  const reportFile = join('tmp', 'vitest-report.json');
  rmSync(reportFile, { force: true });
  console.log('> vitest run');
  const status = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extra]);
  try {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    passed += report.numPassedTests;
    failed += report.numFailedTests + (report.numFailedTestSuites ?? 0) + (report.numTotalTests === 0 ? 1 : 0);
    if (report.numTotalTests === 0) console.error('vitest ran no test');
  } catch {
    failed++;
    console.error(`vitest wrote no report (exit ${status})`);
  }
  if (status !== 0 && failed === 0) failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
