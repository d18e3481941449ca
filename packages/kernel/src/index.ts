/**
 * @vmlab/kernel — the microkernel every vmlab component talks through: message envelopes, the
 * bus, the subsystem contract, the machine, the timeline with checkpoints and time travel, run
 * logs and replay verification, persistent chunked typed arrays, and the seeded random source.
 *
 * @packageDocumentation
 */
export { Bus } from './bus.js';
export type { InputOutcome } from './bus.js';
export { ChunkedArray, DEFAULT_CHUNK_SIZE, EditSession, currentEditToken, runningEditSession, writableChunks } from './chunkedArray.js';
export type { ChunkedArrayOptions, NumericTypedArray, NumericTypedArrayConstructor } from './chunkedArray.js';
export { KernelError, describeError, isKernelError } from './errors.js';
export type { InputError, KernelErrorCode } from './errors.js';
export { Executor } from './executor.js';
export type { Execution, RootState } from './executor.js';
export { Machine, createMachine } from './machine.js';
export type { CallOutcome, MachineOptions } from './machine.js';
export { event } from './messages.js';
export type { EmittedEvent, EventEnvelope, InputEnvelope, InputMessage, Json, RequestRecord } from './messages.js';
export { SeededRandom, seedRandom } from './random.js';
export type { RandomState } from './random.js';
export { Registry } from './registry.js';
export type { RegisteredCall, RegisteredConfigField, RegisteredView } from './registry.js';
export { exportLog, replayLog, verifyReplay } from './replay.js';
export type { Divergence, LoggedCheckpoint, ReplayOptions, ReplayReport, RunLog, VerifyOptions } from './replay.js';
export { sameJson } from './sameJson.js';
export { formatFingerprint, planUpcasts, upcastPayload } from './schema.js';
export type { SchemaFingerprint, SchemaMismatch, UpcastPlan, Upcaster } from './schema.js';
export { diffState, diffViews } from './stateDiff.js';
export type { DiffOptions, StateChange, StateDiff } from './stateDiff.js';
export { hashState } from './stateHash.js';
export type { StateHash } from './stateHash.js';
export { defineSubsystem } from './subsystem.js';
export type {
  AnySubsystem,
  CallResult,
  CallSpec,
  CallValue,
  Caller,
  ConfigFieldKind,
  ConfigFieldSpec,
  DecideContext,
  Decision,
  MachineConfig,
  ParamSpec,
  ParamType,
  Request,
  Subsystem,
  ViewContext,
  ViewOutput,
  ViewScope,
  ViewSpec,
} from './subsystem.js';
export { KERNEL_ID, RANDOM_ADVANCED, kernelSubsystem } from './tasks.js';
export type { KernelConfig, KernelState, SpawnRequest, Task, TaskState } from './tasks.js';
export { Timeline } from './timeline.js';
export type { CauseChain, Checkpoint, TimelineOptions, TimelinePoint } from './timeline.js';
