/**
 * From a recording back to a running machine: check the schema fingerprint against this build
 * (a clear error naming each mismatched type unless upcasters cover it), rebuild the machine from
 * the stored configuration by re-executing the inputs, and verify a recording against a replay.
 */
import { createMachine, isKernelError, planUpcasts, replayLog, upcastPayload, verifyReplay, type AnySubsystem, type Machine, type ReplayReport } from '@vmlab/kernel';
import { RecordingError } from './errors.js';
import type { Recording } from './reader.js';

/** Throws RecordingError when the recording's message types cannot be brought up to this build's versions. */
export function checkRecordingSchema(recording: Recording, subsystems: readonly AnySubsystem[]): void {
  const probe = createMachine({ subsystems, config: recording.log.config });
  try {
    planUpcasts(recording.log.fingerprint, probe.fingerprint(), probe.upcasters());
  } catch (error) {
    if (isKernelError(error, 'SCHEMA_MISMATCH')) throw new RecordingError(`${recording.path} cannot be replayed by this build: ${error.message}`);
    throw error;
  }
}

/** Options of `replayRecording`. */
export interface ReplayRecordingOptions {
  /** Re-execute only the inputs before this position (default: all). */
  readonly upTo?: number;
  /** Told how far the replay is, every 1024 inputs and at the end (for a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Rebuilds the recorded machine (up to input `upTo`, default all), with the recording's labels:
 * the kernel's `replayLog`, or, when progress is asked for, the same loop with a progress report
 * (the kernel's has no hook for one).
 */
export function replayRecording(recording: Recording, subsystems: readonly AnySubsystem[], options: ReplayRecordingOptions = {}): Machine {
  checkRecordingSchema(recording, subsystems);
  const { log } = recording;
  const onProgress = options.onProgress;
  if (!onProgress) return replayLog(log, subsystems, options.upTo === undefined ? {} : { upTo: options.upTo });
  const machine = createMachine({ subsystems, config: log.config, checkpointEvery: log.checkpointEvery });
  const plan = planUpcasts(log.fingerprint, machine.fingerprint(), machine.upcasters());
  const upTo = Math.min(options.upTo ?? log.inputs.length, log.inputs.length);
  for (let seq = 0; seq < upTo; seq++) {
    const input = log.inputs[seq]!;
    machine.dispatch({ type: input.type, payload: upcastPayload(plan, input.type, input.payload) });
    if ((seq & 1023) === 1023) onProgress(seq + 1, upTo);
  }
  for (const [name, position] of log.labels) if (position <= upTo) machine.timeline.label(name, position);
  onProgress(upTo, upTo);
  return machine;
}

/**
 * Re-executes a recording and checks every event, every failure, every checkpoint hash and, for a
 * recording that closed cleanly, the final state hash; names the first place that differs.
 */
export function verifyRecording(recording: Recording, subsystems: readonly AnySubsystem[]): ReplayReport {
  checkRecordingSchema(recording, subsystems);
  const report = verifyReplay(recording.log, subsystems);
  if (report.ok && recording.finalHash !== undefined && report.finalHash !== recording.finalHash) {
    const last = Math.max(0, recording.log.inputs.length - 1);
    return {
      ...report,
      ok: false,
      divergence: { input: last, reason: `the final state hash is ${report.finalHash}, recorded ${recording.finalHash}; the divergence is after the last checkpoint` },
    };
  }
  return report;
}
