/**
 * @vmlab/cli — the `vmlab` command, and the recording format it writes and reads (one SQLite file
 * per run; see docs/recording-format.md).
 *
 * @packageDocumentation
 */
export { runCli } from './program.js';
export { CliError, EXIT } from './errors.js';
export type { Io, MemoryIo, TextOutput } from './output/io.js';
export { memoryIo, processIo } from './output/io.js';
export { RecordingWriter } from './recording/writer.js';
export type { RecordedView, RecordingOptions, ScenarioSource } from './recording/writer.js';
export { openRecording, readRecording, RecordingFile } from './recording/reader.js';
export type { Recording, RowFilter, StoredInput, StoredRequest } from './recording/reader.js';
export { RecordingError } from './recording/errors.js';
export { checkRecordingSchema, replayRecording, verifyRecording } from './recording/replay.js';
export type { ReplayRecordingOptions, VerifyRecordingOptions } from './recording/replay.js';
export { RECORDING_FORMAT } from './recording/schema.js';
