/** `vmlab diff FILE --from A --to B [--limit N] [--json]`: what changed in the machine between two points of a recording. */
import { EXIT } from '../errors.js';
import { colorsFor } from '../output/color.js';
import { compact } from '../output/format.js';
import type { CommandContext } from './context.js';
import { loadRecording, parseSeq, positionOf } from './loadRecording.js';

/** Options of `diff`. */
export interface DiffOptions {
  /** The earlier point: a position or a label (default 0, the initial state). */
  readonly from?: string;
  /** The later point: a position or a label (default the end of the run). */
  readonly to?: string;
  /** The most changes to list (default 10 000). */
  readonly limit?: string;
  /** Print one JSON document. */
  readonly json?: boolean;
}

/** Runs `diff`; returns the exit code. */
export function diffCommand(file: string, options: DiffOptions, context: CommandContext): number {
  const { machine } = loadRecording(file, context);
  const from = options.from === undefined ? 0 : positionOf(machine, options.from, '--from');
  const to = options.to === undefined ? machine.position : positionOf(machine, options.to, '--to');
  const limit = options.limit === undefined ? 10_000 : Math.max(1, parseSeq(options.limit, '--limit'));
  const diff = machine.timeline.diff(from, to, { limit });
  const { io } = context;
  if (options.json) {
    io.stdout.write(JSON.stringify({ from, to, changes: diff.changes, truncated: diff.truncated }) + '\n');
    return EXIT.ok;
  }
  const c = colorsFor(io.stdout, io.env);
  io.stdout.write(c.dim(`from position ${from} to position ${to}: ${diff.changes.length}${diff.truncated ? '+' : ''} change${diff.changes.length === 1 ? '' : 's'}`) + '\n');
  for (const change of diff.changes) {
    if (change.kind === 'added') io.stdout.write(c.green(`+ ${change.path} = ${compact(change.after)}`) + '\n');
    else if (change.kind === 'removed') io.stdout.write(c.red(`- ${change.path} = ${compact(change.before)}`) + '\n');
    else io.stdout.write(c.yellow(`~ ${change.path}: ${compact(change.before)} → ${compact(change.after)}`) + '\n');
  }
  if (diff.truncated) io.stdout.write(c.dim(`… more changes not listed (raise --limit)`) + '\n');
  return EXIT.ok;
}
