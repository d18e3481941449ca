/** `vmlab inspect FILE [--at SEQ|LABEL] --view VIEW [--proc P] [--json]`: a view at any point of a recording. */
import type { Machine } from '@vmlab/kernel';
import { CliError, EXIT } from '../errors.js';
import { closestNames } from '../output/suggest.js';
import type { CommandContext } from './context.js';
import { asBadInput, loadRecording, pidOf, positionOf } from './loadRecording.js';

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
  /** The process, for process views. */
  readonly process?: string;
  /** Its pid. */
  readonly pid?: number;
  /** The view's text. */
  readonly text: string;
  /** The view's data. */
  readonly json: unknown;
}

/** Renders `options.view` of `machine` at a point (shared with tests that compare against a run). */
export function renderAt(machine: Machine, options: Omit<InspectOptions, 'json'>): InspectResult {
  const spec = machine.registry.view(options.view);
  if (!spec) {
    const names = machine.registry.viewNames();
    const near = closestNames(options.view, names);
    throw new CliError(`--view ${options.view}: no such view${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; views: ${names.join(', ')}`);
  }
  const position = options.at === undefined ? machine.position : positionOf(machine, options.at, '--at');
  let pid: number | undefined;
  if (spec.scope === 'process') {
    if (options.proc === undefined) throw new CliError(`--view ${options.view} is about one process: name it with --proc`);
    pid = pidOf(machine, options.proc, position);
  }
  const output = asBadInput(() => machine.render(options.view, { at: position, ...(pid === undefined ? {} : { pid }) }));
  return {
    view: options.view,
    position,
    ...(pid === undefined ? {} : { process: options.proc!, pid }),
    text: output.text,
    json: output.json,
  };
}

/** Runs `inspect`; returns the exit code. */
export function inspectCommand(file: string, options: InspectOptions, context: CommandContext): number {
  const { machine } = loadRecording(file, context);
  const result = renderAt(machine, options);
  const out = context.io.stdout;
  if (options.json) out.write(JSON.stringify(result) + '\n');
  else out.write(result.text.endsWith('\n') || result.text === '' ? result.text : result.text + '\n');
  return EXIT.ok;
}
