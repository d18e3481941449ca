/**
 * From a recording back to a running machine: check the schema fingerprint against this build
 * (a clear error naming each mismatched type unless upcasters cover it), rebuild the machine from
 * the stored configuration by re-executing the inputs, and verify a recording against a replay.
 *
 * Whatever goes wrong while a machine is rebuilt from the stored data — a configuration the
 * subsystems refuse, an input no server handles, an upcaster that cannot read a stored payload, a
 * label past the end — is the file's fault, not the program's: a RecordingError saying the
 * recording is damaged (exit 2), naming the input where it happened.
 */
import {
  createMachine,
  hashState,
  isKernelError,
  planUpcasts,
  upcastPayload,
  type AnySubsystem,
  type Divergence,
  type EventEnvelope,
  type InputEnvelope,
  type Machine,
  type MachineConfig,
  type ReplayReport,
  type SchemaFingerprint,
  type UpcastPlan,
} from '@vmlab/kernel';
import { RecordingError } from './errors.js';
import type { Recording } from './reader.js';

/** What rebuilding a machine needs of a recording. */
interface Source {
  readonly path: string;
  readonly config: MachineConfig;
  readonly checkpointEvery: number;
  readonly fingerprint: SchemaFingerprint;
}

function sourceOf(recording: Recording): Source {
  return { path: recording.path, config: recording.log.config, checkpointEvery: recording.log.checkpointEvery, fingerprint: recording.log.fingerprint };
}

function damaged(path: string, reason: string): RecordingError {
  return new RecordingError(`${path} is a damaged recording: ${reason}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A fresh machine on the recording's stored configuration, with the upcast plan from its schema
 * to this build's. Throws RecordingError: the schema needs an upcaster this build lacks, or the
 * subsystems refuse the stored configuration (the file is damaged).
 */
export function machineFor(source: Source, subsystems: readonly AnySubsystem[], options: { logRequests?: boolean } = {}): { machine: Machine; plan: UpcastPlan } {
  let machine: Machine;
  try {
    machine = createMachine({ subsystems, config: source.config, checkpointEvery: source.checkpointEvery, ...(options.logRequests === undefined ? {} : { logRequests: options.logRequests }) });
  } catch (error) {
    throw damaged(source.path, `its machine configuration (meta.config ${JSON.stringify(source.config)}, checkpoint_every ${source.checkpointEvery}) is refused: ${messageOf(error)}`);
  }
  try {
    return { machine, plan: planUpcasts(source.fingerprint, machine.fingerprint(), machine.upcasters()) };
  } catch (error) {
    if (isKernelError(error, 'SCHEMA_MISMATCH')) throw new RecordingError(`${source.path} cannot be replayed by this build: ${error.message}`);
    throw damaged(source.path, `its schema (schema_types) cannot be read: ${messageOf(error)}`);
  }
}

/** Throws RecordingError when the recording's message types cannot be brought up to this build's versions (or its configuration is refused). */
export function checkRecordingSchema(recording: Recording, subsystems: readonly AnySubsystem[]): void {
  machineFor(sourceOf(recording), subsystems);
}

/**
 * Re-executes one stored input; whatever the kernel throws (no server for its type, an upcaster
 * that cannot read its payload) makes the recording damaged at that input. Errors of the servers
 * themselves do not throw: they roll the input back, as when it was recorded.
 */
export function reexecute(path: string, machine: Machine, plan: UpcastPlan, input: InputEnvelope): ReturnType<Machine['dispatch']> {
  let payload: unknown;
  try {
    payload = upcastPayload(plan, input.type, input.payload);
  } catch (error) {
    throw damaged(path, `input ${input.seq} (${input.type} v${input.v}) cannot be brought up to this build's version: ${messageOf(error)}`);
  }
  try {
    return machine.dispatch({ type: input.type, payload });
  } catch (error) {
    throw damaged(path, `input ${input.seq} (${input.type}) cannot be re-executed: ${messageOf(error)}`);
  }
}

/** Puts the recording's labels (those at or before the machine's head) on a rebuilt machine. */
export function applyLabels(path: string, machine: Machine, labels: readonly (readonly [string, number])[], upTo: number): void {
  for (const [name, position] of labels) {
    if (position > upTo) continue;
    try {
      machine.timeline.label(name, position);
    } catch (error) {
      throw damaged(path, `label ${name} at position ${position} cannot be placed: ${messageOf(error)}`);
    }
  }
}

/** Options of `replayRecording`. */
export interface ReplayRecordingOptions {
  /** Re-execute only the inputs before this position (default: all). */
  readonly upTo?: number;
  /** Told how far the replay is, every 1024 inputs and at the end (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Rebuilds the recorded machine (up to input `upTo`, default all), with the recording's labels. */
export function replayRecording(recording: Recording, subsystems: readonly AnySubsystem[], options: ReplayRecordingOptions = {}): Machine {
  const { log } = recording;
  const { machine, plan } = machineFor(sourceOf(recording), subsystems);
  const upTo = Math.min(options.upTo ?? log.inputs.length, log.inputs.length);
  const onProgress = options.onProgress;
  for (let seq = 0; seq < upTo; seq++) {
    reexecute(recording.path, machine, plan, log.inputs[seq]!);
    if (onProgress && (seq & 1023) === 1023) onProgress(seq + 1, upTo);
  }
  applyLabels(recording.path, machine, log.labels, upTo);
  onProgress?.(upTo, upTo);
  return machine;
}

/** Options of `verifyRecording`. */
export interface VerifyRecordingOptions {
  /** Told how far the verification is, every 1024 inputs and at the end (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Re-executes a recording and checks, input by input: its stored version against the recording's
 * schema, whether it failed (and with which error), its stored reply, its events, every checkpoint
 * hash and, for a recording that closed cleanly, the final state hash; names the first place that
 * differs. A stored input or event of a type the recording's schema does not list is damage
 * (RecordingError, exit 2), not a difference.
 */
export function verifyRecording(recording: Recording, subsystems: readonly AnySubsystem[], options: VerifyRecordingOptions = {}): ReplayReport {
  const { log, path } = recording;
  const { machine, plan } = machineFor(sourceOf(recording), subsystems, { logRequests: false });
  const fingerprint = log.fingerprint;
  for (const e of log.events ?? []) {
    if (fingerprint[e.type] === undefined) throw damaged(path, `event ${e.seq} has type ${e.type}, which the recording's schema (schema_types) does not list`);
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
    if (version === undefined) throw damaged(path, `input ${seq} has type ${input.type}, which the recording's schema (schema_types) does not list`);
    if (input.v !== version) return report({ input: seq, reason: `input ${seq} is stored as ${input.type} v${input.v}, but the recording's schema has ${input.type} v${version}` }, seq);
    const outcome = reexecute(path, machine, plan, input);
    const recordedError = failed.get(seq);
    if (outcome.error && recordedError && (outcome.error.code ?? outcome.error.name) !== (recordedError.code ?? recordedError.name)) {
      return report({ input: seq, reason: `it failed with ${outcome.error.code ?? outcome.error.name} on replay but with ${recordedError.code ?? recordedError.name} when recorded` }, seq + 1);
    }
    if (Boolean(outcome.error) !== failed.has(seq)) {
      const reason = outcome.error ? `it failed on replay (${outcome.error.message}) but succeeded when recorded` : `it succeeded on replay but failed when recorded (${failed.get(seq)!.message})`;
      return report({ input: seq, reason }, seq + 1);
    }
    if (!outcome.error && recording.replies.has(seq) && !sameJson(recording.replies.get(seq), outcome.reply)) {
      const reason = `the reply to input ${seq} differs: recorded ${JSON.stringify(recording.replies.get(seq))}, replayed ${JSON.stringify(outcome.reply) ?? 'nothing'}`;
      return report({ input: seq, reason }, seq + 1);
    }
    if (log.events) {
      const mismatch = compareEvents(path, log.events, events, outcome.events, plan, seq, fingerprint);
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
  if (recording.finalHash !== undefined && machine.hash() !== recording.finalHash) {
    return report(
      { input: windowStart, reason: `the final state hash is ${machine.hash()}, recorded ${recording.finalHash}; the divergence is in inputs ${windowStart}..${Math.max(0, total - 1)}, after the last checkpoint` },
      total,
    );
  }
  return report(undefined, total);
}

/**
 * True when `value`, stored as JSON, would read back as `stored` (what the recorder wrote is
 * `JSON.stringify(value)`): a walk that allocates nothing for plain data, JSON text for the rest.
 */
export function sameJson(stored: unknown, value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return stored === value;
  if (typeof value === 'number') return Number.isFinite(value) ? stored === value : stored === null;
  if (typeof value !== 'object') return JSON.stringify(value) === JSON.stringify(stored);
  if (Array.isArray(value)) {
    if (!Array.isArray(stored) || stored.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? stored[i] !== null : !sameJson(stored[i], item)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value) === JSON.stringify(stored);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return false;
  let keys = 0;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    keys++;
    if (!Object.hasOwn(stored, key) || !sameJson((stored as Record<string, unknown>)[key], item)) return false;
  }
  return keys === Object.keys(stored).length;
}

function compareEvents(path: string, logged: readonly EventEnvelope[], cursor: number, replayed: readonly EventEnvelope[], plan: UpcastPlan, seq: number, fingerprint: SchemaFingerprint): Divergence | undefined {
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
      return { input: seq, event: eventSeq, reason: `event ${eventSeq} is stored as ${expected.type} v${expected.v}, but the recording's schema has ${expected.type} v${fingerprint[expected.type]}` };
    }
    let payload: unknown;
    try {
      payload = upcastPayload(plan, expected.type, expected.payload);
    } catch (error) {
      throw damaged(path, `event ${eventSeq} (${expected.type} v${expected.v}) cannot be brought up to this build's version: ${messageOf(error)}`);
    }
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
