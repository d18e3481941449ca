/** `vmlab diff FILE --from A --to B [--limit N] [--json]`: what changed in the machine between two points of a recording. */
import { diffState, diffViews, type StateDiff } from '@vmlab/kernel';
import { EXIT } from '../errors.js';
import { colorsFor } from '../output/color.js';
import { compact } from '../output/format.js';
import type { CommandContext } from './context.js';
import { machineAt, openForCommand, parseSeq, positionOf } from './loadRecording.js';

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

/** Runs `diff`: re-executes the recording only up to the later of the two points; returns the exit code. */
export function diffCommand(file: string, options: DiffOptions, context: CommandContext): number {
  const recording = openForCommand(file, context);
  let from: number;
  let to: number;
  let diff: StateDiff;
  try {
    from = options.from === undefined ? 0 : positionOf(recording, options.from, '--from');
    to = options.to === undefined ? recording.inputCount : positionOf(recording, options.to, '--to');
    const limit = options.limit === undefined ? 10_000 : parseSeq(options.limit, '--limit', 'a number of changes (0, 1, 2 …)');
    const machine = machineAt(recording, Math.max(from, to), context);
    // The later point is the rebuilt machine's head: its own state, no seek.
    const stateAt = (position: number) => (position === machine.position ? machine.state : machine.timeline.stateAt(position));
    // Each slice as its subsystem shows it to people (regions as maps lines, not their index tree).
    const [before, after] = diffViews(stateAt(from), stateAt(to), machine.bus.subsystems);
    diff = diffState(before, after, { limit });
  } finally {
    recording.close();
  }
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
