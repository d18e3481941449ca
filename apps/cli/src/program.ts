/**
 * The `vmlab` command line: commander subcommands, each with `--help`; errors on one line without
 * a stack trace; exit codes 0 ok, 1 a check or verification failed, 2 bad input (file, flag, value).
 * `runCli` runs in-process against any Io, so tests can call it without spawning.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type { AnySubsystem } from '@vmlab/kernel';
import { diffCommand } from './commands/diff.js';
import { inspectCommand } from './commands/inspect.js';
import { logCommand } from './commands/log.js';
import { replayCommand } from './commands/replay.js';
import { runCommand } from './commands/run.js';
import type { CommandContext } from './commands/context.js';
import { CliError, EXIT } from './errors.js';
import type { Io } from './output/io.js';
import { RecordingError } from './recording/errors.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Builds the program; actions store their exit code through `setExit`. */
function buildProgram(context: CommandContext, setExit: (code: number) => void): Command {
  const { io } = context;
  const program = new Command('vmlab')
    .description('vmlab: a replayable virtual-memory laboratory. Run scenarios, record runs, and inspect, query, diff and replay recordings.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`vmlab: ${text.replace(/^error: /, '').split('\n').map((l) => l.trim()).filter((l) => l !== '').join(' ')}\n`),
    });
  program.addHelpText('after', '\nExit codes: 0 ok, 1 a check or verification failed, 2 bad input (file, flag or value).\nColour only on a terminal, never with NO_COLOR set.');

  program
    .command('run')
    .description('run a scenario file: print its `show` output and a summary; exit 1 when a check fails')
    .argument('<scenario>', 'the scenario file (.yaml, .yml or .json)')
    .option('--record <file>', 'record the run into a SQLite recording (FILE.vmlab)')
    .option('--json', 'print one JSON document: { ok, steps, checks: {passed, failed}, failures, views }')
    .addOption(new Option('--checkpoint-every <n>', 'keep a checkpoint every N inputs').default(undefined, '1000'))
    .action((file: string, options: { record?: string; json?: boolean; checkpointEvery?: string }) => setExit(runCommand(file, options, context)));

  program
    .command('inspect')
    .description('render a view (as `show` does) at any point of a recording')
    .argument('<file>', 'the recording (FILE.vmlab)')
    .option('--at <point>', 'a position (inputs applied: 0 is the start) or a label; default the end of the run')
    .requiredOption('--view <view>', 'the view to render (maps, buddyinfo, slabinfo, tasks …)')
    .option('--proc <process>', 'the process, for process views: its name or pid')
    .option('--json', 'print one JSON document: { view, position, text, json }, plus process and pid for process views (absent for machine-wide views)')
    .action((file: string, options: { at?: string; view: string; proc?: string; json?: boolean }) => setExit(inspectCommand(file, options, context)));

  program
    .command('log')
    .description("list a recording's inputs and events; --why walks from an event back to the input that caused it")
    .argument('<file>', 'the recording (FILE.vmlab)')
    .option('--type <glob>', 'only message types matching the glob: * any run, ? one character, [abc] one of a set ([a-z], [!abc]); a comma between alternatives (phys/*,kernel/task-*)')
    .option('--proc <process>', 'only inputs of this process (name or pid), their events, and events naming its pid')
    .option('--addr <address>', 'only messages about this address (decimal or 0x hex): an address field equal to it or a range holding it')
    .option('--from <seq>', 'the first input to list')
    .option('--to <seq>', 'the last input to list')
    .option('--requests', 'list the requests servers made of each other while executing each input too (after the input, before its events)')
    .option('--why <seq>', 'show the chain of causes of event SEQ: its requests back to its input')
    .option('--json', 'print one JSON document: { file, inputs, events, entries } (see the README); with --why, { event, requests, input }')
    .action((file: string, options: Record<string, string | boolean | undefined>) => setExit(logCommand(file, options, context)));

  program
    .command('diff')
    .description('what changed in the machine between two points of a recording')
    .argument('<file>', 'the recording (FILE.vmlab)')
    .option('--from <point>', 'the earlier point: a position or a label (default 0, the start)')
    .option('--to <point>', 'the later point: a position or a label (default the end of the run)')
    .option('--limit <n>', 'list at most N changes (default 10000; 0 only counts whether there are any)', undefined)
    .option('--json', 'print one JSON document: { from, to, changes, truncated }')
    .action((file: string, options: { from?: string; to?: string; limit?: string; json?: boolean }) => setExit(diffCommand(file, options, context)));

  program
    .command('replay')
    .description('re-execute a recording; with --verify, check every event and state hash and name the first input that differs')
    .argument('<file>', 'the recording (FILE.vmlab)')
    .option('--verify', 'compare events, failures, checkpoint hashes and the final hash with the recording; exit 1 on a difference')
    .option('--json', 'print one JSON document: { ok, complete, inputs, events, finalHash }; with --verify, { ok, inputs, checkpoints, events, divergence?, finalHash, complete }')
    .action((file: string, options: { verify?: boolean; json?: boolean }) => setExit(replayCommand(file, options, context)));

  return program;
}

/** Runs the `vmlab` command with `args` (without `node` and the script) and returns its exit code. */
export function runCli(args: readonly string[], io: Io, subsystems: readonly AnySubsystem[]): number {
  let exitCode: number = EXIT.ok;
  const program = buildProgram({ io, subsystems }, (code) => (exitCode = code));
  if (args.length === 0) {
    io.stderr.write(program.helpInformation());
    return EXIT.badInput;
  }
  // `vmlab trace --help`: commander would print the top-level help for a --help after an unknown
  // command; the command is what is wrong, so it is reported as `vmlab trace x` is (exit 2).
  const first = args[0];
  const known = new Set(program.commands.flatMap((command) => [command.name(), ...command.aliases()]).concat('help'));
  const unknown = (name: string | undefined): name is string => name !== undefined && !name.startsWith('-') && !known.has(name);
  const parseArgs = unknown(first) ? args.filter((a) => a !== '--help' && a !== '-h') : first === 'help' && unknown(args[1]) ? [args[1]] : args;
  try {
    program.parse([...parseArgs], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    if (error instanceof CliError) {
      io.stderr.write(`vmlab: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof RecordingError) {
      io.stderr.write(`vmlab: ${error.message}\n`);
      return EXIT.badInput;
    }
    throw error;
  }
}
