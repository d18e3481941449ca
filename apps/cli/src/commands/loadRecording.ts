/**
 * Opens a recording for a command: reads the file, checks its schema against this build, and
 * rebuilds the machine from the stored configuration by re-executing its inputs. Also the
 * helpers that turn `--at`, `--from`, `--to` and `--proc` values into positions and pids.
 */
import { basename } from 'node:path';
import { isKernelError, type Machine, type Task } from '@vmlab/kernel';
import { resolveProcess } from '@vmlab/scenario';
import { CliError } from '../errors.js';
import { readRecording, type Recording } from '../recording/reader.js';
import { createProgress } from '../output/progress.js';
import { replayRecording } from '../recording/replay.js';
import type { CommandContext } from './context.js';

/** A recording and the machine rebuilt from it. */
export interface LoadedRecording {
  /** The file's contents. */
  readonly recording: Recording;
  /** The machine after re-executing every recorded input, with the recording's labels. */
  readonly machine: Machine;
}

/** Reads `file` and replays it, with a progress bar on a terminal's stderr for long replays; errors are RecordingErrors (exit 2). */
export function loadRecording(file: string, context: CommandContext): LoadedRecording {
  const recording = readRecording(file);
  const progress = createProgress(context.io.stderr, `replaying ${basename(file)}`, { unit: 'inputs' });
  try {
    return { recording, machine: replayRecording(recording, context.subsystems, { onProgress: (done, total) => progress.update(done, total) }) };
  } finally {
    progress.stop();
  }
}

/** The position of a point given on the command line: a sequence number (inputs applied) or a label. */
export function positionOf(machine: Machine, point: string, flag: string): number {
  const text = point.trim();
  if (/^\d+$/.test(text)) {
    const position = Number(text);
    if (position > machine.position) throw new CliError(`${flag} ${text} is outside the recording: positions go from 0 to ${machine.position}`);
    return position;
  }
  const labels = machine.timeline.labels();
  const position = labels.get(text);
  if (position === undefined) {
    const known = [...labels.keys()];
    throw new CliError(`${flag} ${text}: no label of that name in the recording (${known.length === 0 ? 'it has no labels' : `labels: ${known.join(', ')}`})`);
  }
  return position;
}

/** A sequence number given on the command line (an input or event number). */
export function parseSeq(value: string, flag: string): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} ${value}: expected a sequence number (0, 1, 2 …)`);
  return Number(text);
}

/** The tasks in the kernel's task table at `position`. */
export function tasksAt(machine: Machine, position: number): Task[] {
  return machine.query<Task[]>('kernel/tasks', {}, position);
}

/**
 * The pid of process `name` (a name or a pid) at `position`, from the kernel's task table there,
 * chosen as the scenario runner chooses (`resolveProcess`: the running task of that name, else
 * the newest). Throws CliError naming the processes that exist.
 */
export function pidOf(machine: Machine, name: string, position: number): number {
  const pid = resolveProcess(machine, name, position);
  if (pid !== undefined) return pid;
  const tasks = tasksAt(machine, position);
  const list = tasks.map((t) => `${t.name} (pid ${t.pid})`).join(', ');
  throw new CliError(`--proc ${name}: no such process at position ${position} (${tasks.length === 0 ? 'there are no processes yet' : `processes: ${list}`})`);
}

/** Runs `fn`, turning kernel seek and view errors into bad-input CliErrors. */
export function asBadInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isKernelError(error, 'SEEK_OUT_OF_RANGE') || isKernelError(error, 'UNKNOWN_VIEW')) throw new CliError(error.message);
    throw error;
  }
}
