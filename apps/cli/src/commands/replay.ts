/**
 * `vmlab replay FILE [--verify] [--json]`: re-executes a recording on a machine rebuilt from its
 * stored configuration; with `--verify`, checks every event, every failure, every checkpoint's
 * state hash and the final hash, and names the first input (and event) where they differ.
 */
import { basename } from 'node:path';
import { EXIT } from '../errors.js';
import { colorsFor } from '../output/color.js';
import { plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { readRecording } from '../recording/reader.js';
import { replayRecording, verifyRecording } from '../recording/replay.js';
import type { CommandContext } from './context.js';

/** Options of `replay`. */
export interface ReplayOptions {
  /** Verify against the recorded events and hashes. */
  readonly verify?: boolean;
  /** Print one JSON document. */
  readonly json?: boolean;
}

/** Runs `replay`; returns the exit code (1 when verification finds a difference). */
export function replayCommand(file: string, options: ReplayOptions, context: CommandContext): number {
  const recording = readRecording(file);
  const { io } = context;
  const c = colorsFor(io.stdout, io.env);
  const unfinished = recording.complete ? '' : ` (an unfinished recording: the run stopped after input ${recording.log.inputs.length - 1}, its last committed one)`;
  if (!options.verify) {
    const progress = createProgress(io.stderr, `replaying ${basename(file)}`, { unit: 'inputs' });
    let machine;
    try {
      machine = replayRecording(recording, context.subsystems, { onProgress: (done, total) => progress.update(done, total) });
    } finally {
      progress.stop();
    }
    const result = { ok: true, complete: recording.complete, inputs: machine.position, events: machine.timeline.eventCount, finalHash: machine.hash() };
    if (options.json) io.stdout.write(JSON.stringify(result) + '\n');
    else io.stdout.write(`replayed ${plural(result.inputs, 'input')}, ${plural(result.events, 'event')}; final state hash ${result.finalHash}${unfinished}\n`);
    return EXIT.ok;
  }
  const progress = createProgress(io.stderr, `verifying ${basename(file)}`, { unit: 'inputs' });
  let report;
  try {
    report = verifyRecording(recording, context.subsystems, { onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.stop();
  }
  if (options.json) {
    io.stdout.write(JSON.stringify({ ...report, complete: recording.complete }) + '\n');
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  if (report.ok) {
    io.stdout.write(
      `${c.green('verified')}: ${plural(report.inputs, 'input')}, ${plural(report.events, 'event')}, ${plural(report.checkpoints, 'checkpoint hash')}${recording.finalHash ? ' and the final hash' : ''} match; final state hash ${report.finalHash}${unfinished}\n`,
    );
    return EXIT.ok;
  }
  const d = report.divergence!;
  const where = d.event === undefined ? `input ${d.input}` : `input ${d.input}, event ${d.event}`;
  io.stdout.write(`${c.red('diverged')} at ${where}: ${d.reason}\n`);
  return EXIT.failed;
}
