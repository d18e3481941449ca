/**
 * Reads a recording file back into a kernel RunLog (inputs from rows and compressed blocks,
 * events, errors, labels, checkpoint hashes), with what else the file keeps: whether it closed
 * cleanly, the final hash, the scenario and the views the run printed. Never writes to the file.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventEnvelope, InputEnvelope, InputError, LoggedCheckpoint, MachineConfig, RunLog, SchemaFingerprint } from '@vmlab/kernel';
import { decodeBlock } from './blocks.js';
import { readHeader, isSqliteHeader } from './detect.js';
import { RecordingError } from './errors.js';
import type { RecordedView, ScenarioSource } from './writer.js';
import { META, RECORDING_APPLICATION, RECORDING_FORMAT } from './schema.js';

/** A recording as read from its file. */
export interface Recording {
  /** The file it was read from. */
  readonly path: string;
  /** Everything needed to replay and verify the run. */
  readonly log: RunLog;
  /** True when the recorder closed it cleanly; false for a run cut short (a crash, kill -9). */
  readonly complete: boolean;
  /** The state hash at the end of the run, when it closed cleanly. */
  readonly finalHash?: string;
  /** The recorded scenario's file name and text, when a scenario was recorded. */
  readonly scenario?: ScenarioSource;
  /** The run's result as the recorder stored it, when it closed cleanly. */
  readonly result?: unknown;
  /** The views the run printed, in order. */
  readonly shownViews: readonly RecordedView[];
  /** The reply of every input stored as a row (inputs in compressed blocks keep none), by sequence number. */
  readonly replies: ReadonlyMap<number, unknown>;
}

interface InputRow {
  seq: number;
  type: string;
  v: number;
  payload: string;
  reply: string | null;
  error: string | null;
}

interface BlockRow {
  first_seq: number;
  count: number;
  type: string;
  v: number;
  encoding: string;
  data: Buffer;
}

interface EventRow {
  seq: number;
  input: number;
  type: string;
  v: number;
  cause: string;
  payload: string;
}

interface ViewRow {
  step: number;
  line: number;
  view: string;
  process: string | null;
  pid: number | null;
  position: number;
  text: string;
}

/** Reads the recording at `path`; throws RecordingError (one line, naming the file) when it cannot. */
export function readRecording(path: string): Recording {
  const db = openReadOnly(path);
  try {
    return readFrom(db, path);
  } catch (error) {
    if (error instanceof RecordingError) throw error;
    throw new RecordingError(`${path} is a damaged recording: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

function openReadOnly(path: string): Database.Database {
  if (!existsSync(path)) throw new RecordingError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new RecordingError(`${path} is a directory, not a recording`);
  const header = readHeader(path);
  if (!header || !isSqliteHeader(header)) throw new RecordingError(`${path} is not a vmlab recording (not a SQLite file)`);
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new RecordingError(`cannot open ${path}: ${(error as Error).message}`);
  }
}

function readFrom(db: Database.Database, path: string): Recording {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) throw new RecordingError(`${path} is not a vmlab recording (a SQLite file without its tables)`);
  const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  if (meta.get(META.application) !== RECORDING_APPLICATION) throw new RecordingError(`${path} is not a vmlab recording (meta.application is not ${RECORDING_APPLICATION})`);
  const format = Number(meta.get(META.format));
  if (format !== RECORDING_FORMAT) throw new RecordingError(`${path} has recording format ${meta.get(META.format)}; this vmlab reads format ${RECORDING_FORMAT}`);
  const config = JSON.parse(required(meta, META.config, path)) as MachineConfig;
  const checkpointEvery = Number(required(meta, META.checkpointEvery, path));

  const fingerprint: Record<string, number> = {};
  for (const row of db.prepare('SELECT type, version FROM schema_types').all() as { type: string; version: number }[]) fingerprint[row.type] = row.version;

  const inputs: InputEnvelope[] = [];
  const errors: [number, InputError][] = [];
  const replies = new Map<number, unknown>();
  for (const row of db.prepare('SELECT seq, type, v, payload, reply, error FROM inputs ORDER BY seq').iterate() as IterableIterator<InputRow>) {
    inputs[row.seq] = { seq: row.seq, type: row.type, v: row.v, payload: JSON.parse(row.payload) };
    if (row.reply !== null) replies.set(row.seq, JSON.parse(row.reply));
    if (row.error !== null) errors.push([row.seq, JSON.parse(row.error) as InputError]);
  }
  for (const block of db.prepare('SELECT first_seq, count, type, v, encoding, data FROM input_blocks ORDER BY first_seq').iterate() as IterableIterator<BlockRow>) {
    const payloads = decodeBlock(block.encoding, block.data, block.count);
    payloads.forEach((payload, i) => (inputs[block.first_seq + i] = { seq: block.first_seq + i, type: block.type, v: block.v, payload }));
  }
  for (let seq = 0; seq < inputs.length; seq++) {
    if (inputs[seq] === undefined) throw new RecordingError(`${path} is a damaged recording: input ${seq} is missing (the file has inputs up to ${inputs.length - 1})`);
  }
  errors.sort((a, b) => a[0] - b[0]);

  const events: EventEnvelope[] = [];
  for (const row of db.prepare('SELECT seq, input, type, v, cause, payload FROM events ORDER BY seq').iterate() as IterableIterator<EventRow>) {
    if (row.seq !== events.length) throw new RecordingError(`${path} is a damaged recording: event ${events.length} is missing`);
    events.push({ seq: row.seq, type: row.type, v: row.v, input: row.input, cause: row.cause === '' ? [] : row.cause.split('.').map(Number), payload: JSON.parse(row.payload) });
  }

  const labels = (db.prepare('SELECT name, position FROM labels ORDER BY position, name').all() as { name: string; position: number }[]).map((r) => [r.name, r.position] as const);
  const checkpoints: LoggedCheckpoint[] = (db.prepare('SELECT position, event_seq, hash FROM checkpoints ORDER BY position').all() as { position: number; event_seq: number; hash: string }[]).map(
    (r) => ({ position: r.position, eventSeq: r.event_seq, hash: r.hash }),
  );
  const shownViews: RecordedView[] = (db.prepare('SELECT step, line, view, process, pid, position, text FROM shown_views ORDER BY ord').all() as ViewRow[]).map((r) => ({
    step: r.step,
    line: r.line,
    view: r.view,
    ...(r.process === null ? {} : { process: r.process }),
    ...(r.pid === null ? {} : { pid: r.pid }),
    position: r.position,
    text: r.text,
  }));

  const complete = meta.get(META.status) === 'complete';
  const log: RunLog = { config, fingerprint: fingerprint as SchemaFingerprint, checkpointEvery, inputs, events, errors, labels, checkpoints };
  const scenarioName = meta.get(META.scenarioName);
  const scenarioText = meta.get(META.scenarioText);
  const finalHash = meta.get(META.finalHash);
  const result = meta.get(META.result);
  return {
    path,
    log,
    complete,
    ...(finalHash === undefined ? {} : { finalHash }),
    ...(scenarioName === undefined || scenarioText === undefined ? {} : { scenario: { name: scenarioName, text: scenarioText } }),
    ...(result === undefined ? {} : { result: JSON.parse(result) as unknown }),
    shownViews,
    replies,
  };
}

function required(meta: ReadonlyMap<string, string>, key: string, path: string): string {
  const value = meta.get(key);
  if (value === undefined) throw new RecordingError(`${path} is a damaged recording: meta.${key} is missing`);
  return value;
}
