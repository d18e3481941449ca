#!/usr/bin/env node
/** `npm run check:boundaries [DIR]`: the layering check of tools/plugin/src/boundaries.ts. */
import { resolve } from 'node:path';
import { createRequire } from 'node:module';

const { checkBoundaries } = createRequire(import.meta.url)('../plugin/dist/boundaries.js');
const workspace = process.argv[2] ? resolve(process.argv[2]) : process.cwd();
const problems = checkBoundaries(workspace);
for (const problem of problems) console.error(problem);
console.error(problems.length === 0 ? 'boundaries: ok' : `boundaries: ${problems.length} problem(s)`);
process.exitCode = problems.length === 0 ? 0 : 1;
