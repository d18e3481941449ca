#!/usr/bin/env node
// The `vmlab` command. A committed shim (npm links bins at install time, before any build):
// it runs the compiled CLI, which `npm ci` builds through the root `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('vmlab: the CLI is not built yet; run `npm run build` in the vmlab workspace\n');
  process.exit(2);
}
await import(entry.href);
