/** `vmlab inspect FILE [--at SEQ|LABEL] --view VIEW [--proc P] [--json]`: a view at any point of a recording. */
import type { Machine } from '@vmlab/kernel';
import { CliError, EXIT } from '../errors.js';
import { closestNames } from '../output/suggest.js';
import type { CommandContext } from './context.js';
import { asBadInput, machineAt, openForCommand, pidOf, positionOf } from './loadRecording.js';

/** Options of `inspect`. */
export interface InspectOptions {
  /** The point: a position (inputs applied) or a label; the end of the run by default. */
  readonly at?: string;
  /** The view's name. */
  readonly view: string;
  /** The process, for process views: a name or a pid. */
  readonly proc?: string;
  /** Print one JSON document. */
  readonly json?: boolean;
}

/** What `inspect` renders. */
export interface InspectResult {
  /** The view. */
  readonly view: string;
  /** The position it was rendered at. */
  readonly position: number;
  /** The process, for process views (absent for machine-wide views). */
  readonly process?: string;
  /** Its pid, for process views (absent for machine-wide views). */
  readonly pid?: number;
  /** The view's text. */
  readonly text: string;
  /** The view's data. */
  readonly json: unknown;
}

/**
 * Renders `options.view` of `machine` at `position` (its head by default; shared with tests that
 * compare against a run).
 */
export function renderAt(machine: Machine, options: Omit<InspectOptions, 'json' | 'at'>, position: number = machine.position): InspectResult {
  checkView(machine, options.view);
  const spec = machine.registry.view(options.view)!;
  let pid: number | undefined;
  if (spec.scope === 'process') {
    if (options.proc === undefined) throw new CliError(`--view ${options.view} is about one process: name it with --proc`);
    pid = pidOf(machine, options.proc, position);
  }
  // At the head the machine's own state is rendered: no seek, nothing re-executed.
  const output = asBadInput(() => machine.render(options.view, { ...(position === machine.position ? {} : { at: position }), ...(pid === undefined ? {} : { pid }) }));
  return {
    view: options.view,
    position,
    ...(pid === undefined ? {} : { process: options.proc!, pid }),
    text: output.text,
    json: output.json,
  };
}

/** Throws a CliError when this build has no view `view`, suggesting the closest names. */
function checkView(machine: Machine, view: string): void {
  if (machine.registry.view(view)) return;
  const names = machine.registry.viewNames();
  const near = closestNames(view, names);
  throw new CliError(`--view ${view}: no such view${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; views: ${names.join(', ')}`);
}

/** Runs `inspect`: re-executes the recording only up to the position asked for; returns the exit code. */
export function inspectCommand(file: string, options: InspectOptions, context: CommandContext): number {
  const recording = openForCommand(file, context);
  let result: InspectResult;
  try {
    const position = options.at === undefined ? recording.inputCount : positionOf(recording, options.at, '--at');
    // A bad --view is refused before anything is re-executed.
    checkView(machineAt(recording, 0, context), options.view);
    const machine = machineAt(recording, position, context);
    result = renderAt(machine, options, position);
  } finally {
    recording.close();
  }
  const out = context.io.stdout;
  if (options.json) out.write(JSON.stringify(result) + '\n');
  else out.write(result.text.endsWith('\n') || result.text === '' ? result.text : result.text + '\n');
  return EXIT.ok;
}
