/**
 * `vmlab log FILE [--type GLOB] [--proc P] [--addr ADDR] [--from SEQ] [--to SEQ] [--requests] [--why SEQ] [--json]`:
 * lists what a recording holds — its stored inputs (rows and compressed blocks) with their replies
 * or errors, its events, and with `--requests` the requests servers made — filtered, without re-executing anything: only the rows of the range
 * are read (SQL on sequence numbers and types; a block is decoded only when it overlaps the
 * range). `--why` walks from one stored event back to its input through the stored `events.cause`
 * and `requests` rows.
 */
import { kernelSubsystem, type EventEnvelope, type InputError, type RequestRecord } from '@vmlab/kernel';
import { CliError, EXIT } from '../errors.js';
import { mentionsAddress, parseAddress } from '../output/address.js';
import { colorsFor } from '../output/color.js';
import { compact } from '../output/format.js';
import { globMatcher } from '../output/glob.js';
import type { CommandContext } from './context.js';
import type { RecordingFile, StoredInput } from '../recording/reader.js';
import { openForCommand, parseSeq, pidAtEnd } from './loadRecording.js';

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
  /** List the requests servers made of each other too. */
  readonly requests?: boolean;
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

/** One listed request (made by a server while executing its input). */
interface RequestEntry {
  readonly kind: 'request';
  readonly input: number;
  readonly id: number;
  readonly parent: number;
  readonly type: string;
  readonly server: string;
  readonly payload: unknown;
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
  const recording = openForCommand(file, context);
  try {
    return options.why === undefined ? list(recording, options, context) : why(recording, options.why, options, context);
  } finally {
    recording.close();
  }
}

/** `--why SEQ`: the stored event, the stored requests named by its cause, and its input. */
function why(recording: RecordingFile, value: string, options: LogOptions, context: CommandContext): number {
  const { io } = context;
  const c = colorsFor(io.stdout, io.env);
  const eventSeq = parseSeq(value, '--why');
  const count = recording.eventCount;
  if (eventSeq >= count) throw new CliError(`--why ${eventSeq}: ${count === 0 ? 'the recording has no events' : `the recording has events 0 to ${count - 1}`}`);
  const e = recording.event(eventSeq);
  if (!e) throw recording.damage(`event ${eventSeq} is missing`);
  if (e.input >= recording.inputCount) throw recording.damage(`event ${eventSeq} names input ${e.input}, which the file does not have`);
  const input = recording.input(e.input).input;
  const stored = new Map(recording.requests(e.input).map((r) => [r.id, r]));
  // Request 0 is the input itself (not stored again): its server is the one this build routes its type to.
  const server = [kernelSubsystem, ...context.subsystems].find((s) => Object.hasOwn(s.requests, input.type))?.id ?? '?';
  const requests: RequestRecord[] = e.cause.map((id) => {
    if (id === 0) return { id: 0, type: input.type, parent: -1, server, payload: input.payload };
    const request = stored.get(id);
    if (!request) throw recording.damage(`event ${eventSeq} names request ${id} of input ${e.input}, which the requests table does not have`);
    return request;
  });
  if (options.json) {
    io.stdout.write(JSON.stringify({ event: e, requests, input }) + '\n');
    return EXIT.ok;
  }
  io.stdout.write(`${c.bold(`event ${e.seq}`)}  ${c.cyan(e.type)} ${compact(e.payload)}\n`);
  for (const request of [...requests].reverse()) io.stdout.write(`  ${describeRequest(request, c.cyan)}\n`);
  io.stdout.write(`  ${c.bold(`from input ${input.seq}`)}  ${c.cyan(input.type)} ${compact(input.payload)}\n`);
  return EXIT.ok;
}

/** The listing: stored inputs and events of a range, filtered, streamed as they are read. */
function list(recording: RecordingFile, options: LogOptions, context: CommandContext): number {
  const { io } = context;
  const c = colorsFor(io.stdout, io.env);
  const count = recording.inputCount;
  const last = count - 1;
  const from = options.from === undefined ? 0 : parseSeq(options.from, '--from');
  const to = options.to === undefined ? last : parseSeq(options.to, '--to');
  if (options.from !== undefined && from > last) {
    throw new CliError(`--from ${from}: ${count === 0 ? 'the recording has no inputs' : `the recording has only ${count} input${count === 1 ? '' : 's'} (0 to ${last})`}`);
  }
  if (options.from !== undefined && options.to !== undefined && from > to) throw new CliError(`--from ${from} is after --to ${to}`);
  const typeOk = options.type === undefined ? undefined : globMatcher(options.type, '--type');
  let address: number | undefined;
  if (options.addr !== undefined) {
    address = parseAddress(options.addr);
    if (address === undefined) throw new CliError(`--addr ${options.addr}: expected an address (decimal or 0x hex)`);
  }
  const pid = options.proc === undefined ? undefined : pidAtEnd(recording, options.proc);
  const hasPid = (payload: unknown): boolean => typeof payload === 'object' && payload !== null && (payload as { pid?: unknown }).pid === pid;
  const end = Math.min(to, last);
  const damage = recording.unknownTypeIn(from, end);
  if (damage !== undefined) throw recording.damage(damage);

  // The types a --type glob selects, among those the recording's schema lists (every stored row's type is one of them).
  const types = typeOk ? Object.keys(recording.fingerprint).filter(typeOk) : undefined;
  const filter = types === undefined ? {} : { types };
  // An event is about a process or an address when it names it itself or its input does, so with
  // --proc or --addr every input of the range is read; otherwise only inputs of the selected types.
  const inputs = recording.inputs(from, end, pid === undefined && address === undefined ? filter : {});
  const events = recording.events(from, end, filter);
  const requests = options.requests ? recording.requestsIn(from, end, filter) : undefined;
  let nextRequest = requests?.next();

  const out = output(recording, options, context, c);
  let next = inputs.next();
  let current: { seq: number; proc: boolean; addr: boolean } | undefined;
  const take = (stored: StoredInput): void => {
    const input = stored.input;
    const proc = pid === undefined || hasPid(input.payload);
    const addr = address === undefined || mentionsAddress(input.payload, address);
    current = { seq: input.seq, proc, addr };
    if (proc && addr && (!typeOk || typeOk(input.type))) {
      out.entry({
        kind: 'input',
        seq: input.seq,
        type: input.type,
        v: input.v,
        payload: input.payload,
        ...(stored.hasReply ? { reply: stored.reply } : {}),
        ...(stored.error ? { error: stored.error } : {}),
      });
    }
  };
  // An input's requests come after it and before its events (they are not interleaved in the file).
  const takeRequestsUpTo = (seq: number): void => {
    for (; nextRequest && !nextRequest.done && nextRequest.value.input <= seq; nextRequest = requests!.next()) {
      const r = nextRequest.value;
      while (!next.done && next.value.input.seq <= r.input) {
        take(next.value);
        next = inputs.next();
      }
      const proc = current?.seq === r.input ? current.proc : pid === undefined;
      const addr = current?.seq === r.input ? current.addr : address === undefined;
      if ((proc || hasPid(r.payload)) && (addr || mentionsAddress(r.payload, address!)) && (!typeOk || typeOk(r.type))) {
        out.entry({ kind: 'request', input: r.input, id: r.id, parent: r.parent, type: r.type, server: r.server, payload: r.payload });
      }
    }
  };
  for (const e of events) {
    takeRequestsUpTo(e.input);
    while (!next.done && next.value.input.seq <= e.input) {
      take(next.value);
      next = inputs.next();
    }
    const proc = current?.seq === e.input ? current.proc : pid === undefined;
    const addr = current?.seq === e.input ? current.addr : address === undefined;
    if ((proc || hasPid(e.payload)) && (addr || mentionsAddress(e.payload, address!)) && (!typeOk || typeOk(e.type))) out.entry(eventEntry(e));
  }
  takeRequestsUpTo(Number.MAX_SAFE_INTEGER);
  for (; !next.done; next = inputs.next()) take(next.value);
  out.end();
  return EXIT.ok;
}

/** Writes entries as they come: text lines (a thousand at a time), or one JSON document. */
function output(recording: RecordingFile, options: LogOptions, context: CommandContext, c: ReturnType<typeof colorsFor>): { entry(entry: InputEntry | RequestEntry | EventEntry): void; end(): void } {
  const { io } = context;
  let entries = 0;
  const lines: string[] = [];
  const write = (line: string): void => {
    lines.push(line);
    if (lines.length >= 1000) io.stdout.write(lines.splice(0).join(''));
  };
  if (options.json) write(`{"file":${JSON.stringify(recording.path)},"inputs":${recording.inputCount},"events":${recording.eventCount},"entries":[`);
  let lastInputShown = -1;
  return {
    entry(entry) {
      entries++;
      if (options.json) {
        write(`${entries === 1 ? '' : ','}${JSON.stringify(entry)}`);
      } else if (entry.kind === 'input') {
        lastInputShown = entry.seq;
        const result = entry.error ? c.red(`✗ ${entry.error.code ?? entry.error.name}: ${entry.error.message}`) : entry.reply === undefined ? '' : `→ ${compact(entry.reply)}`;
        write(`${c.bold(`input ${entry.seq}`)}  ${c.cyan(entry.type)} ${compact(entry.payload)}${result === '' ? '' : ` ${result}`}\n`);
      } else if (entry.kind === 'request') {
        const where = entry.input === lastInputShown ? '  ' : '';
        const context = entry.input === lastInputShown ? '' : ` (input ${entry.input})`;
        write(`${where}request ${entry.id}${context}  ${c.cyan(entry.type)} ${compact(entry.payload)}  (served by ${entry.server}; asked by request ${entry.parent})\n`);
      } else {
        const where = entry.input === lastInputShown ? '  ' : '';
        const context = entry.input === lastInputShown ? '' : ` (input ${entry.input})`;
        write(`${where}event ${entry.seq}${context}  ${c.cyan(entry.type)} ${compact(entry.payload)}\n`);
      }
    },
    end() {
      if (options.json) write(']}\n');
      io.stdout.write(lines.join(''));
      if (entries === 0 && !options.json) io.stderr.write('vmlab: no inputs or events match\n');
    },
  };
}

function eventEntry(e: EventEnvelope): EventEntry {
  return { kind: 'event', seq: e.seq, input: e.input, type: e.type, v: e.v, cause: e.cause, payload: e.payload };
}

function describeRequest(request: RequestRecord, cyan: (s: string) => string): string {
  const who = request.parent === -1 ? 'the input itself' : `asked by request ${request.parent}`;
  return `by request ${request.id}  ${cyan(request.type)} ${compact(request.payload)}  (served by ${request.server}; ${who})`;
}
