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
  isKernelError,
  planUpcasts,
  upcastPayload,
  verifyReplay,
  type AnySubsystem,
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
 * Re-executes a recording and checks it with the kernel's verifyReplay (every input's version,
 * failure, stored reply and events, every checkpoint hash, the final hash); names the first place
 * that differs. What the kernel finds malformed (a type the schema does not list, a payload no
 * upcaster reads, an input no server takes) is damage (RecordingError, exit 2), not a difference.
 */
export function verifyRecording(recording: Recording, subsystems: readonly AnySubsystem[], options: VerifyRecordingOptions = {}): ReplayReport {
  // The stored configuration and schema first, so that their faults are worded as the recording's.
  machineFor(sourceOf(recording), subsystems);
  try {
    return verifyReplay(recording.log, subsystems, { replies: recording.replies, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (error) {
    if (isKernelError(error, 'MALFORMED_LOG')) throw damaged(recording.path, error.message);
    throw error;
  }
}
