#!/usr/bin/env node
/** `npm run docs`: one typedoc site for every package into dist/docs; any warning fails the build. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const status = spawnSync(join('node_modules', '.bin', 'typedoc'), ['--options', 'typedoc.json'], { stdio: 'inherit' }).status;
process.exitCode = status ?? 1;
