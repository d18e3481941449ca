/**
 * Entry point of the `vmlab` command (run by bin/vmlab.mjs): every subsystem that exists, the
 * real streams, and the exit code. An unexpected error (a bug, not a user mistake) prints its
 * stack and exits 70 (EX_SOFTWARE).
 */
import { ALL_SUBSYSTEMS } from '@vmlab/scenario';
import { processIo } from './output/io.js';
import { runCli } from './program.js';

// `vmlab log … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

try {
  process.exitCode = runCli(process.argv.slice(2), processIo(), ALL_SUBSYSTEMS);
} catch (error) {
  process.stderr.write(`vmlab: internal error (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 70;
}
