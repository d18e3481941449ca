/**
 * Opens a recording for a command: reads its header (and says on stderr when it is unfinished),
 * turns `--at`, `--from`, `--to` and `--proc` values into positions and pids, and rebuilds the
 * machine from the stored configuration by re-executing the inputs up to the position a command
 * needs — never more.
 */
import { basename } from 'node:path';
import { isKernelError, kernelSubsystem, type EventEnvelope, type Machine, type Task } from '@vmlab/kernel';
import { resolveProcess } from '@vmlab/scenario';
import { CliError } from '../errors.js';
import { createProgress } from '../output/progress.js';
import { openRecording, readAll, type RecordingFile } from '../recording/reader.js';
import { replayRecording } from '../recording/replay.js';
import type { CommandContext } from './context.js';

/**
 * Opens `file` for a command that reads it; an unfinished recording (the run was killed) gets a
 * one-line notice on stderr. The caller closes it.
 */
export function openForCommand(file: string, context: CommandContext): RecordingFile {
  const recording = openRecording(file);
  if (!recording.complete) context.io.stderr.write(`vmlab: note: ${unfinishedNotice(recording)}\n`);
  return recording;
}

/** What the commands say of an unfinished recording. */
export function unfinishedNotice(recording: RecordingFile): string {
  const last = recording.inputCount === 0 ? 'before its first input was committed' : `after input ${recording.inputCount - 1}, its last committed one`;
  return `${recording.path} is an unfinished recording: the run stopped ${last}`;
}

/**
 * The machine rebuilt from the recording by re-executing its inputs before `upTo` (with the
 * labels up to there), with a progress bar on a terminal's stderr for long replays; errors are
 * RecordingErrors (exit 2).
 */
export function machineAt(recording: RecordingFile, upTo: number, context: CommandContext): Machine {
  const log = readAll(recording, { upTo, events: false });
  const progress = createProgress(context.io.stderr, `replaying ${basename(recording.path)}`, { unit: 'inputs' });
  try {
    return replayRecording(log, context.subsystems, { upTo, onProgress: (done, total) => progress.update(done, total) });
  } finally {
    progress.stop();
  }
}

/** The position of a point given on the command line: a sequence number (inputs applied) or a label. */
export function positionOf(recording: RecordingFile, point: string, flag: string): number {
  const text = point.trim();
  const end = recording.inputCount;
  if (/^\d+$/.test(text)) {
    const position = Number(text);
    if (position > end) throw new CliError(`${flag} ${text} is outside the recording: positions go from 0 to ${end}`);
    return position;
  }
  const labels = new Map(recording.labels);
  const position = labels.get(text);
  if (position === undefined) {
    const known = [...labels.keys()];
    throw new CliError(`${flag} ${text}: no label of that name in the recording (${known.length === 0 ? 'it has no labels' : `labels: ${known.join(', ')}`})`);
  }
  if (position > end) throw recording.damage(`label ${text} is at position ${position}, past the end of the recording (${end})`);
  return position;
}

/** A whole number given on the command line for `flag`, described as `what` in the error (default: a sequence number). */
export function parseSeq(value: string, flag: string, what = 'a sequence number (0, 1, 2 …)'): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} ${value}: expected ${what}`);
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
  throw noSuchProcess(name, position, tasksAt(machine, position));
}

/** The events that build the kernel's task table. */
const TASK_EVENTS = ['kernel/task-spawned', 'kernel/task-exited', 'kernel/address-space-assigned'];

/**
 * The pid of process `name` (a name or a pid) at the end of the recording, without re-executing
 * anything: the task table is folded from the stored kernel task events by the kernel's own
 * `evolve`, and the process chosen as `resolveProcess` chooses.
 */
export function pidAtEnd(recording: RecordingFile, name: string): number {
  const state = { tick: 0, rng: [0, 0, 0, 0], nextPid: 1, tasks: {} as Record<number, Task> };
  const types = TASK_EVENTS.filter((type) => recording.fingerprint[type] !== undefined);
  for (const e of recording.eventsOfTypes(types) as Iterable<EventEnvelope>) {
    try {
      kernelSubsystem.evolve(state as never, e);
    } catch (error) {
      throw recording.damage(`event ${e.seq} (${e.type}) does not fit the task table: ${(error as Error).message}`);
    }
  }
  const tasks = Object.values(state.tasks).sort((a, b) => a.pid - b.pid);
  const named = tasks.filter((task) => task.name === name);
  const running = named.filter((task) => task.state === 'running');
  const chosen = (running.length > 0 ? running : named).reduce<Task | undefined>((latest, task) => (latest && latest.pid > task.pid ? latest : task), undefined);
  if (chosen) return chosen.pid;
  if (/^\d+$/.test(name)) {
    const pid = tasks.find((task) => task.pid === Number(name))?.pid;
    if (pid !== undefined) return pid;
  }
  throw noSuchProcess(name, recording.inputCount, tasks);
}

function noSuchProcess(name: string, position: number, tasks: readonly Task[]): CliError {
  const list = tasks.map((t) => `${t.name} (pid ${t.pid})`).join(', ');
  return new CliError(`--proc ${name}: no such process at position ${position} (${tasks.length === 0 ? 'there are no processes yet' : `processes: ${list}`})`);
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
