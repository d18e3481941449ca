/**
 * Run logs and replay. A run log is everything needed to reproduce a run: the configuration,
 * the schema fingerprint, the inputs, optionally the events, labels, and the state hash at every
 * checkpoint. Replaying re-executes the inputs on a fresh machine; verification compares what it
 * re-derives with what was logged and names the first input that diverges.
 */
import type { InputError } from './errors.js';
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

/**
 * Re-executes a log and checks it: the events of every input (when logged), which inputs failed,
 * and the state hash at every logged checkpoint. Stops at the first difference and names it.
 */
export function verifyReplay(log: RunLog, subsystems: readonly AnySubsystem[]): ReplayReport {
  const machine = createMachine({ subsystems, config: log.config, checkpointEvery: log.checkpointEvery, logRequests: false });
  const plan = planUpcasts(log.fingerprint, machine.fingerprint(), machine.upcasters());
  const failed = new Map(log.errors);
  const checkpointAt = new Map(log.checkpoints.map((c) => [c.position, c]));
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
  for (let seq = 0; seq < log.inputs.length; seq++) {
    const input = log.inputs[seq]!;
    const outcome = machine.dispatch({ type: input.type, payload: upcastPayload(plan, input.type, input.payload) });
    const recordedError = failed.get(seq);
    if (outcome.error && recordedError && (outcome.error.code ?? outcome.error.name) !== (recordedError.code ?? recordedError.name)) {
      return report({ input: seq, reason: `it failed with ${outcome.error.code ?? outcome.error.name} on replay but with ${recordedError.code ?? recordedError.name} when recorded` }, seq + 1);
    }
    if (Boolean(outcome.error) !== failed.has(seq)) {
      const reason = outcome.error ? `it failed on replay (${outcome.error.message}) but succeeded when recorded` : `it succeeded on replay but failed when recorded (${failed.get(seq)!.message})`;
      return report({ input: seq, reason }, seq + 1);
    }
    if (log.events) {
      const mismatch = compareEvents(log.events, events, outcome.events, plan, seq);
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
  }
  if (log.head && log.head.position === log.inputs.length && log.head.hash !== machine.hash()) {
    return report(
      {
        input: windowStart,
        reason: `the final state hash is ${machine.hash()}, recorded ${log.head.hash}; the divergence is in inputs ${windowStart}..${log.inputs.length - 1}`,
      },
      log.inputs.length,
    );
  }
  if (log.events && log.events.length !== machine.timeline.eventCount) {
    return report({ input: log.inputs.length - 1, reason: `the log has ${log.events.length} events, replay produced ${machine.timeline.eventCount}` }, log.inputs.length);
  }
  return report(undefined, log.inputs.length);
}

function compareEvents(logged: readonly EventEnvelope[], cursor: number, replayed: readonly EventEnvelope[], plan: UpcastPlan, seq: number): Divergence | undefined {
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
    const payload = upcastPayload(plan, expected.type, expected.payload);
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
