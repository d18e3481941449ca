/**
 * `vmlab log FILE [--type GLOB] [--proc P] [--addr ADDR] [--from SEQ] [--to SEQ] [--why SEQ] [--json]`:
 * lists a recording's inputs and events, filtered; `--why` walks from one event back to the input
 * that caused it through the chain of requests between (the kernel timeline's `why`).
 */
import type { EventEnvelope, InputEnvelope, InputError, RequestRecord } from '@vmlab/kernel';
import { CliError, EXIT } from '../errors.js';
import { mentionsAddress, parseAddress } from '../output/address.js';
import { colorsFor } from '../output/color.js';
import { compact } from '../output/format.js';
import { globMatcher } from '../output/glob.js';
import type { CommandContext } from './context.js';
import { asBadInput, loadRecording, parseSeq, pidOf } from './loadRecording.js';

/** Options of `log`. */
export interface LogOptions {
  /** Only messages whose type matches this glob (`phys/*`; `,` between alternatives). */
  readonly type?: string;
  /** Only messages about this process (name or pid): its inputs and their events, and events naming its pid. */
  readonly proc?: string;
  /** Only messages about this address (decimal or 0x hex). */
  readonly addr?: string;
  /** The first input (inclusive). */
  readonly from?: string;
  /** The last input (inclusive). */
  readonly to?: string;
  /** Walk from this event back to its input instead of listing. */
  readonly why?: string;
  /** Print one JSON document. */
  readonly json?: boolean;
}

/** One listed input. */
interface InputEntry {
  readonly kind: 'input';
  readonly seq: number;
  readonly type: string;
  readonly v: number;
  readonly payload: unknown;
  readonly reply?: unknown;
  readonly error?: InputError;
}

/** One listed event. */
interface EventEntry {
  readonly kind: 'event';
  readonly seq: number;
  readonly input: number;
  readonly type: string;
  readonly v: number;
  readonly cause: readonly number[];
  readonly payload: unknown;
}

/** Runs `log`; returns the exit code. */
export function logCommand(file: string, options: LogOptions, context: CommandContext): number {
  const { recording, machine } = loadRecording(file, context);
  const { io } = context;
  const c = colorsFor(io.stdout, io.env);
  if (options.why !== undefined) {
    const eventSeq = parseSeq(options.why, '--why');
    const count = machine.timeline.eventCount;
    if (eventSeq >= count) throw new CliError(`--why ${eventSeq}: the recording has events 0 to ${count - 1}`);
    const chain = asBadInput(() => machine.timeline.why(eventSeq));
    if (options.json) {
      io.stdout.write(JSON.stringify({ event: chain.event, requests: chain.requests, input: chain.input }) + '\n');
      return EXIT.ok;
    }
    const e = chain.event;
    io.stdout.write(`${c.bold(`event ${e.seq}`)}  ${c.cyan(e.type)} ${compact(e.payload)}\n`);
    for (const request of [...chain.requests].reverse()) io.stdout.write(`  ${describeRequest(request, c.cyan)}\n`);
    io.stdout.write(`  ${c.bold(`from input ${chain.input.seq}`)}  ${c.cyan(chain.input.type)} ${compact(chain.input.payload)}\n`);
    return EXIT.ok;
  }

  const last = machine.position - 1;
  const from = options.from === undefined ? 0 : parseSeq(options.from, '--from');
  const to = options.to === undefined ? last : parseSeq(options.to, '--to');
  if (from > to && !(options.from === undefined && options.to === undefined)) throw new CliError(`--from ${from} is after --to ${to}`);
  const typeOk = options.type === undefined ? () => true : globMatcher(options.type);
  let address: number | undefined;
  if (options.addr !== undefined) {
    address = parseAddress(options.addr);
    if (address === undefined) throw new CliError(`--addr ${options.addr}: expected an address (decimal or 0x hex)`);
  }
  const pid = options.proc === undefined ? undefined : pidOf(machine, options.proc, machine.position);
  const hasPid = (payload: unknown): boolean => typeof payload === 'object' && payload !== null && (payload as { pid?: unknown }).pid === pid;

  const errors = new Map(recording.log.errors);
  const inputs = machine.timeline.inputs();
  const events = machine.timeline.events();
  const entries: (InputEntry | EventEntry)[] = [];
  let eventIndex = 0;
  while (eventIndex < events.length && events[eventIndex]!.input < from) eventIndex++;
  for (let seq = from; seq <= Math.min(to, last); seq++) {
    const input = inputs[seq]!;
    const inputProc = pid === undefined || hasPid(input.payload);
    const inputAddr = address === undefined || mentionsAddress(input.payload, address);
    if (inputProc && inputAddr && typeOk(input.type)) entries.push(inputEntry(input, recording.replies, errors.get(seq)));
    for (; eventIndex < events.length && events[eventIndex]!.input === seq; eventIndex++) {
      const e = events[eventIndex]!;
      // An event is about a process or an address when it names it itself or its input does.
      const procOk = inputProc || hasPid(e.payload);
      const addrOk = inputAddr || mentionsAddress(e.payload, address!);
      if (procOk && addrOk && typeOk(e.type)) entries.push(eventEntry(e));
    }
  }
  if (options.json) {
    io.stdout.write(JSON.stringify({ file, inputs: machine.position, events: machine.timeline.eventCount, entries }) + '\n');
    return EXIT.ok;
  }
  let lastInputShown = -1;
  const lines: string[] = [];
  const write = (line: string): void => {
    lines.push(line);
    if (lines.length >= 1000) io.stdout.write(lines.splice(0).join(''));
  };
  for (const entry of entries) {
    if (entry.kind === 'input') {
      lastInputShown = entry.seq;
      const result = entry.error ? c.red(`✗ ${entry.error.code ?? entry.error.name}: ${entry.error.message}`) : entry.reply === undefined ? '' : `→ ${compact(entry.reply)}`;
      write(`${c.bold(`input ${entry.seq}`)}  ${c.cyan(entry.type)} ${compact(entry.payload)}${result === '' ? '' : ` ${result}`}\n`);
    } else {
      const where = entry.input === lastInputShown ? '  ' : '';
      const context = entry.input === lastInputShown ? '' : ` (input ${entry.input})`;
      write(`${where}event ${entry.seq}${context}  ${c.cyan(entry.type)} ${compact(entry.payload)}\n`);
    }
  }
  io.stdout.write(lines.join(''));
  if (entries.length === 0) io.stderr.write('vmlab: no inputs or events match\n');
  return EXIT.ok;
}

function inputEntry(input: InputEnvelope, replies: ReadonlyMap<number, unknown>, error: InputError | undefined): InputEntry {
  return {
    kind: 'input',
    seq: input.seq,
    type: input.type,
    v: input.v,
    payload: input.payload,
    ...(replies.has(input.seq) ? { reply: replies.get(input.seq) } : {}),
    ...(error ? { error } : {}),
  };
}

function eventEntry(e: EventEnvelope): EventEntry {
  return { kind: 'event', seq: e.seq, input: e.input, type: e.type, v: e.v, cause: e.cause, payload: e.payload };
}

function describeRequest(request: RequestRecord, cyan: (s: string) => string): string {
  const who = request.parent === -1 ? 'the input itself' : `asked by request ${request.parent}`;
  return `by request ${request.id}  ${cyan(request.type)} ${compact(request.payload)}  (served by ${request.server}; ${who})`;
}
