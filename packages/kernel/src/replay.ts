/**
 * Run logs and replay. A run log is everything needed to reproduce a run: the configuration,
 * the schema fingerprint, the inputs, optionally the events, labels, and the state hash at every
 * checkpoint. Replaying re-executes the inputs on a fresh machine; verification compares what it
 * re-derives with what was logged and names the first input that diverges.
 */
import { KernelError, type InputError } from './errors.js';
import { sameJson } from './sameJson.js';
import type { EventEnvelope, InputEnvelope } from './messages.js';
import { createMachine, type Machine } from './machine.js';
import { planUpcasts, upcastPayload, type SchemaFingerprint, type UpcastPlan } from './schema.js';
import { hashState, type StateHash } from './stateHash.js';
import type { AnySubsystem, MachineConfig } from './subsystem.js';

/** A checkpoint as logged: its position, event count and state hash. */
export interface LoggedCheckpoint {
  /** Inputs applied before it. */
  readonly position: number;
  /** Events emitted before it. */
  readonly eventSeq: number;
  /** The stable hash of the root state there. */
  readonly hash: StateHash;
}

/** Everything needed to reproduce and check a run. */
export interface RunLog {
  /** The machine configuration. */
  readonly config: MachineConfig;
  /** The schema fingerprint of the build that recorded it. */
  readonly fingerprint: SchemaFingerprint;
  /** Inputs between checkpoints. */
  readonly checkpointEvery: number;
  /** The inputs, in order. */
  readonly inputs: readonly InputEnvelope[];
  /** The events, in order, or null when the run kept inputs only. */
  readonly events: readonly EventEnvelope[] | null;
  /** Inputs that failed, with their errors. */
  readonly errors: readonly (readonly [number, InputError])[];
  /** Labels and their positions. */
  readonly labels: readonly (readonly [string, number])[];
  /** Checkpoints with their state hashes. */
  readonly checkpoints: readonly LoggedCheckpoint[];
  /** The head of the run (its position, event count and state hash), when known: checks the inputs after the last checkpoint. */
  readonly head?: LoggedCheckpoint;
}

/** Where a replay first differed from its log. */
export interface Divergence {
  /** The sequence number of the first input whose re-execution differs (or the first input of the checkpoint window). */
  readonly input: number;
  /** The event that differs, when events were logged. */
  readonly event?: number;
  /** The checkpoint whose hash differs, when found by hash. */
  readonly checkpoint?: number;
  /** What differs, in one sentence. */
  readonly reason: string;
}

/** The result of `verifyReplay`. */
export interface ReplayReport {
  /** True when everything re-derived matched the log. */
  readonly ok: boolean;
  /** Inputs re-executed. */
  readonly inputs: number;
  /** Checkpoint hashes compared. */
  readonly checkpoints: number;
  /** Events compared. */
  readonly events: number;
  /** The first difference, when not ok. */
  readonly divergence?: Divergence;
  /** The hash of the final state. */
  readonly finalHash: StateHash;
}

/** Exports a machine's run as a log. */
export function exportLog(machine: Machine): RunLog {
  const timeline = machine.timeline;
  return {
    config: machine.config,
    fingerprint: machine.fingerprint(),
    checkpointEvery: timeline.checkpointEvery,
    inputs: timeline.inputs(),
    events: timeline.logEvents ? timeline.events() : null,
    errors: [...timeline.failures()],
    labels: [...timeline.labels()],
    checkpoints: timeline.checkpoints().map((c) => ({ position: c.position, eventSeq: c.eventSeq, hash: hashState(c.root) })),
    head: { position: timeline.length, eventSeq: timeline.eventCount, hash: machine.hash() },
  };
}

/** Options of `replayLog`. */
export interface ReplayOptions {
  /** Re-execute only the inputs before this position (default: all). */
  readonly upTo?: number;
  /** Deep-freeze states (default false). */
  readonly freeze?: boolean;
}

/**
 * Rebuilds a machine from a log by re-executing its inputs (upcast to this build's versions), with
 * the log's labels. Throws SCHEMA_MISMATCH when the log's versions cannot be brought up to date.
 */
export function replayLog(log: RunLog, subsystems: readonly AnySubsystem[], options: ReplayOptions = {}): Machine {
  const machine = createMachine({ subsystems, config: log.config, checkpointEvery: log.checkpointEvery, freeze: options.freeze ?? false });
  const plan = planUpcasts(log.fingerprint, machine.fingerprint(), machine.upcasters());
  const upTo = Math.min(options.upTo ?? log.inputs.length, log.inputs.length);
  for (let seq = 0; seq < upTo; seq++) {
    const input = log.inputs[seq]!;
    machine.dispatch({ type: input.type, payload: upcastPayload(plan, input.type, input.payload) });
  }
  for (const [name, position] of log.labels) if (position <= upTo) machine.timeline.label(name, position);
  return machine;
}

/** Options of `verifyReplay`. */
export interface VerifyOptions {
  /** The replies the inputs got when they ran, by sequence number: each is compared (as JSON) with the replayed one. */
  readonly replies?: ReadonlyMap<number, unknown>;
  /** Told how far the verification is, every 1024 inputs and at the end (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Throws MALFORMED_LOG: the log itself cannot be what a run produced (not a difference of this build's). */
function malformed(reason: string, details: Readonly<Record<string, unknown>>): never {
  throw new KernelError('MALFORMED_LOG', reason, details);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A logged payload brought up to this build's version; MALFORMED_LOG when its upcaster cannot read it. */
function upcastLogged(plan: UpcastPlan, what: string, type: string, v: number, payload: unknown): unknown {
  try {
    return upcastPayload(plan, type, payload);
  } catch (error) {
    return malformed(`${what} (${type} v${v}) cannot be brought up to this build's version: ${messageOf(error)}`, { type, v });
  }
}

/**
 * Re-executes a log and checks it, input by input: its version against the log's schema, whether
 * it failed (and with which error), its reply (when `options.replies` has it), its events (when
 * logged), the state hash at every logged checkpoint and at the head. Stops at the first
 * difference and names it. A log that cannot be what a run produced — an input or event of a type
 * its schema does not list, a payload its upcaster cannot read, an input no server takes —
 * throws MALFORMED_LOG naming it; SCHEMA_MISMATCH when its versions cannot be brought up to date.
 */
export function verifyReplay(log: RunLog, subsystems: readonly AnySubsystem[], options: VerifyOptions = {}): ReplayReport {
  const machine = createMachine({ subsystems, config: log.config, checkpointEvery: log.checkpointEvery, logRequests: false });
  const plan = planUpcasts(log.fingerprint, machine.fingerprint(), machine.upcasters());
  const fingerprint = log.fingerprint;
  for (const e of log.events ?? []) {
    if (fingerprint[e.type] === undefined) malformed(`event ${e.seq} has type ${e.type}, which the schema does not list`, { event: e.seq, type: e.type });
  }
  const failed = new Map(log.errors);
  const checkpointAt = new Map(log.checkpoints.map((c) => [c.position, c]));
  const total = log.inputs.length;
  let checkpoints = 0;
  let events = 0;
  const report = (divergence: Divergence | undefined, inputs: number): ReplayReport => ({
    ok: divergence === undefined,
    inputs,
    checkpoints,
    events,
    ...(divergence ? { divergence } : {}),
    finalHash: machine.hash(),
  });
  const initial = checkpointAt.get(0);
  if (initial) {
    checkpoints++;
    if (initial.hash !== machine.hash()) return report({ input: 0, checkpoint: 0, reason: 'the initial state differs (configuration or initialState changed)' }, 0);
  }
  let windowStart = 0;
  for (let seq = 0; seq < total; seq++) {
    const input = log.inputs[seq]!;
    const version = fingerprint[input.type];
    if (version === undefined) malformed(`input ${seq} has type ${input.type}, which the schema does not list`, { input: seq, type: input.type });
    if (input.v !== version) return report({ input: seq, reason: `input ${seq} is stored as ${input.type} v${input.v}, but the schema has ${input.type} v${version}` }, seq);
    const payload = upcastLogged(plan, `input ${seq}`, input.type, input.v, input.payload);
    let outcome: ReturnType<Machine['dispatch']>;
    try {
      outcome = machine.dispatch({ type: input.type, payload });
    } catch (error) {
      // Servers' own errors roll the input back and do not throw; what throws is the kernel's refusal.
      return malformed(`input ${seq} (${input.type}) cannot be re-executed: ${messageOf(error)}`, { input: seq, type: input.type });
    }
    const recordedError = failed.get(seq);
    if (outcome.error && recordedError && (outcome.error.code ?? outcome.error.name) !== (recordedError.code ?? recordedError.name)) {
      return report({ input: seq, reason: `it failed with ${outcome.error.code ?? outcome.error.name} on replay but with ${recordedError.code ?? recordedError.name} when recorded` }, seq + 1);
    }
    if (Boolean(outcome.error) !== failed.has(seq)) {
      const reason = outcome.error ? `it failed on replay (${outcome.error.message}) but succeeded when recorded` : `it succeeded on replay but failed when recorded (${failed.get(seq)!.message})`;
      return report({ input: seq, reason }, seq + 1);
    }
    if (!outcome.error && options.replies?.has(seq) && !sameJson(options.replies.get(seq), outcome.reply)) {
      const reason = `the reply to input ${seq} differs: recorded ${JSON.stringify(options.replies.get(seq))}, replayed ${JSON.stringify(outcome.reply) ?? 'nothing'}`;
      return report({ input: seq, reason }, seq + 1);
    }
    if (log.events) {
      const mismatch = compareEvents(log.events, events, outcome.events, plan, seq, fingerprint);
      events += outcome.events.length;
      if (mismatch) return report(mismatch, seq + 1);
    }
    const checkpoint = checkpointAt.get(seq + 1);
    if (checkpoint) {
      checkpoints++;
      const actual = machine.hash();
      if (actual !== checkpoint.hash) {
        return report(
          {
            input: windowStart,
            checkpoint: checkpoint.position,
            reason: `state hash at checkpoint ${checkpoint.position} is ${actual}, recorded ${checkpoint.hash}; the divergence is in inputs ${windowStart}..${seq}`,
          },
          seq + 1,
        );
      }
      windowStart = seq + 1;
    }
    if (options.onProgress && (seq & 1023) === 1023) options.onProgress(seq + 1, total);
  }
  options.onProgress?.(total, total);
  if (log.events && log.events.length !== machine.timeline.eventCount) {
    return report({ input: Math.max(0, total - 1), reason: `the log has ${log.events.length} events, replay produced ${machine.timeline.eventCount}` }, total);
  }
  if (log.head && log.head.position === total && log.head.hash !== machine.hash()) {
    return report(
      { input: windowStart, reason: `the final state hash is ${machine.hash()}, recorded ${log.head.hash}; the divergence is in inputs ${windowStart}..${Math.max(0, total - 1)}, after the last checkpoint` },
      total,
    );
  }
  return report(undefined, total);
}

function compareEvents(logged: readonly EventEnvelope[], cursor: number, replayed: readonly EventEnvelope[], plan: UpcastPlan, seq: number, fingerprint: SchemaFingerprint): Divergence | undefined {
  let end = cursor;
  while (end < logged.length && logged[end]!.input === seq) end++;
  const count = Math.max(end - cursor, replayed.length);
  for (let i = 0; i < count; i++) {
    const expected = logged[cursor + i];
    const actual = replayed[i];
    const eventSeq = cursor + i;
    if (!actual) return { input: seq, event: eventSeq, reason: `input ${seq} caused ${end - cursor} events when recorded, ${replayed.length} on replay (event ${eventSeq}, ${expected!.type}, is missing)` };
    if (!expected || expected.input !== seq) {
      return { input: seq, event: eventSeq, reason: `replay of input ${seq} produced event ${eventSeq} (${actual.type}), which the log does not have` };
    }
    if (expected.v !== fingerprint[expected.type]) {
      return { input: seq, event: eventSeq, reason: `event ${eventSeq} is stored as ${expected.type} v${expected.v}, but the schema has ${expected.type} v${fingerprint[expected.type]}` };
    }
    const payload = upcastLogged(plan, `event ${eventSeq}`, expected.type, expected.v, expected.payload);
    if (expected.seq !== eventSeq || expected.type !== actual.type || hashState(payload) !== hashState(actual.payload) || expected.cause.join('.') !== actual.cause.join('.')) {
      return {
        input: seq,
        event: eventSeq,
        reason: `event ${eventSeq} differs: logged ${expected.type} ${JSON.stringify(payload)}, replayed ${actual.type} ${JSON.stringify(actual.payload)}`,
      };
    }
  }
  return undefined;
}
