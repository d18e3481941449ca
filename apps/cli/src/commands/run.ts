/**
 * `vmlab run SCENARIO [--record FILE.vmlab] [--json]`: runs a scenario, prints what its `show`
 * steps show and a summary (or one JSON document), records the run when asked. Exit 0 when every
 * check held, 1 when one failed, 2 when the file is not a valid scenario (nothing runs).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ScenarioError, createScenarioMachine, loadScenarioFile, runScenario, type CheckFailure, type Scenario, type ScenarioResult, type ShownView } from '@vmlab/scenario';
import { CliError, EXIT } from '../errors.js';
import { colorsFor, type Colors } from '../output/color.js';
import { plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { RecordingWriter } from '../recording/writer.js';
import type { CommandContext } from './context.js';
import { parseSeq } from './loadRecording.js';

/** Options of `run`. */
export interface RunOptions {
  /** Record the run into this file. */
  readonly record?: string;
  /** Print one JSON document. */
  readonly json?: boolean;
  /** Keep a checkpoint every this many inputs (default 1000, the kernel's). */
  readonly checkpointEvery?: string;
}

/** The checkpoint interval of scenario runs: each checkpoint is hashed into the recording, so not too often; seeking re-executes at most this many inputs. */
export const DEFAULT_CHECKPOINT_EVERY = 1000;

/** Loads a scenario file, turning a missing file or a ScenarioError into a one-line bad-input error. */
export function loadScenario(file: string): Scenario {
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new CliError(`${file} is a directory, not a scenario file`);
  try {
    return loadScenarioFile(file);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliError(error.message.split('\n').join(' '));
    throw error;
  }
}

/** Runs `run`; returns the exit code. */
export function runCommand(file: string, options: RunOptions, context: CommandContext): number {
  const scenario = loadScenario(file);
  const checkpointEvery = options.checkpointEvery === undefined ? DEFAULT_CHECKPOINT_EVERY : parseSeq(options.checkpointEvery, '--checkpoint-every', 'a whole number of inputs (1, 2, 3 …)');
  if (checkpointEvery < 1) throw new CliError('--checkpoint-every must be at least 1');
  let machine: ReturnType<typeof createScenarioMachine>;
  try {
    machine = createScenarioMachine(scenario, { checkpointEvery });
  } catch (error) {
    // A subsystem refused the machine configuration (e.g. `ram: 100`): bad input, not a crash.
    if (error instanceof ScenarioError) throw new CliError(error.message.split('\n').join(' '));
    throw error;
  }
  const { io } = context;
  const c = colorsFor(io.stdout, io.env);
  const writer = options.record === undefined ? undefined : RecordingWriter.create(options.record, machine, { scenario: { name: basename(file), text: readFileSync(file, 'utf8') } });
  const progress = createProgress(io.stderr, basename(file));
  // Views printed while the bar is up go around it when stdout and stderr share the terminal.
  const viewOut = progress.around(io.stdout);
  let result: ScenarioResult;
  try {
    result = runScenario(scenario, machine, {
      onShow(view) {
        writer?.recordView(view);
        if (options.json) return;
        // One write per view, so that the bar is erased and redrawn once around it.
        let text = '';
        printView(view, c, (t) => (text += t));
        viewOut.write(text);
      },
      onStep: (done, total) => progress.update(done, total),
    });
  } catch (error) {
    writer?.abandon();
    throw error;
  } finally {
    progress.stop();
  }
  const summary = { ok: result.ok, steps: result.steps, checks: result.checks, inputs: machine.position, events: machine.timeline.eventCount };
  if (options.json) {
    writer?.close(summary);
    io.stdout.write(JSON.stringify({ ok: result.ok, steps: result.steps, checks: result.checks, failures: result.failures, views: result.views, ...(options.record ? { recording: options.record } : {}) }) + '\n');
  } else {
    for (const failure of result.failures) printFailure(file, failure, c, io.stdout.write.bind(io.stdout));
    const checks = `${plural(result.checks.passed, 'check')} passed${result.checks.failed > 0 ? `, ${result.checks.failed} failed` : ''}`;
    const head = result.ok ? c.green('ok') : c.red('FAILED');
    io.stdout.write(`${head}: ${plural(result.steps, 'step')}, ${checks}; ${plural(machine.position, 'input')}, ${plural(machine.timeline.eventCount, 'event')}\n`);
    // The run's results stand even if the recording could not be finished (close throws then, exit 2).
    writer?.close(summary);
    if (options.record) io.stdout.write(c.dim(`recorded to ${options.record}`) + '\n');
  }
  return result.ok ? EXIT.ok : EXIT.failed;
}

/** Prints one shown view: a header line, then its text exactly as rendered. */
export function printView(view: ShownView, c: Colors, write: (text: string) => unknown): void {
  const who = view.process === undefined ? '' : ` ${view.process}`;
  write(c.dim(`--- ${view.view}${who} (line ${view.line}, position ${view.position})`) + '\n');
  write(view.text.endsWith('\n') || view.text === '' ? view.text : view.text + '\n');
}

function printFailure(file: string, failure: CheckFailure, c: Colors, write: (text: string) => unknown): void {
  write(`${c.red('FAIL')} ${file}:${failure.line}:${failure.column} step ${failure.step}: ${failure.source}\n`);
  write(`  ${failure.message}\n`);
  if (failure.diff !== undefined) {
    for (const line of failure.diff.replace(/\n$/, '').split('\n')) {
      write(`  ${line.startsWith('+') ? c.green(line) : line.startsWith('-') ? c.red(line) : line}\n`);
    }
  } else {
    write(`  expected ${failure.expected}\n  actual   ${failure.actual}\n`);
  }
}
