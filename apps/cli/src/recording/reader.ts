/**
 * Reads a recording file. `openRecording` opens it and reads its header (meta, schema, labels,
 * checkpoints, counts); the rows themselves — inputs (from rows and compressed blocks), events,
 * requests — are read on demand, a range at a time, so commands that need a few rows of a long
 * recording read only those. `readRecording` reads everything back into a kernel RunLog (what
 * replay and verification need). Never writes to the file.
 */
import { existsSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventEnvelope, InputEnvelope, InputError, LoggedCheckpoint, MachineConfig, RequestRecord, RunLog, SchemaFingerprint } from '@vmlab/kernel';
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

/** One stored input with what the file keeps of its outcome. */
export interface StoredInput {
  /** The input. */
  readonly input: InputEnvelope;
  /** True when the file stores its reply (inputs stored as rows that succeeded). */
  readonly hasReply: boolean;
  /** The stored reply, when `hasReply`. */
  readonly reply?: unknown;
  /** The error that rolled it back, when it failed. */
  readonly error?: InputError;
}

/** A stored request, with the input it was made for. */
export interface StoredRequest extends RequestRecord {
  /** The sequence number of the input whose execution made it. */
  readonly input: number;
}

/** Which rows a range read returns. */
export interface RowFilter {
  /** Only rows of these types (all when absent). */
  readonly types?: readonly string[];
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

/** Rows read per query when a range is read in pieces. */
const CHUNK = 2048;

/**
 * An open recording: its header read, its rows read on demand. Every read error (bad JSON, a
 * missing row, a type its schema does not list) is a RecordingError saying the file is damaged.
 */
export class RecordingFile {
  /** The file. */
  readonly path: string;
  /** True when the recorder closed it cleanly. */
  readonly complete: boolean;
  /** The stored machine configuration. */
  readonly config: MachineConfig;
  /** The timeline's checkpoint interval when recorded. */
  readonly checkpointEvery: number;
  /** The schema fingerprint of the build that recorded it (`schema_types`). */
  readonly fingerprint: SchemaFingerprint;
  /** The state hash at the end of the run, when it closed cleanly. */
  readonly finalHash?: string;
  /** The recorded scenario, when there is one. */
  readonly scenario?: ScenarioSource;
  /** The run's result, when it closed cleanly. */
  readonly result?: unknown;
  /** Inputs stored (the next sequence number). */
  readonly inputCount: number;
  /** Events stored (the next event sequence number). */
  readonly eventCount: number;
  /** Labels and their positions, by position. */
  readonly labels: readonly (readonly [string, number])[];
  /** The checkpoints with their hashes, by position. */
  readonly checkpoints: readonly LoggedCheckpoint[];
  private readonly db: Database.Database;

  /** Opens `path`; throws RecordingError (one line, naming the file) when it is not a readable recording. */
  static open(path: string): RecordingFile {
    const db = openReadOnly(path);
    try {
      return new RecordingFile(db, path);
    } catch (error) {
      db.close();
      throw damaged(path, error);
    }
  }

  private constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    const hasMeta = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'").get();
    if (!hasMeta) throw new RecordingError(`${path} is not a vmlab recording (a SQLite file without its tables)`);
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    if (meta.get(META.application) !== RECORDING_APPLICATION) throw new RecordingError(`${path} is not a vmlab recording (meta.application is not ${RECORDING_APPLICATION})`);
    const format = Number(meta.get(META.format));
    if (format !== RECORDING_FORMAT) throw new RecordingError(`${path} has recording format ${meta.get(META.format)}; this vmlab reads format ${RECORDING_FORMAT}`);
    const configText = required(meta, META.config, path);
    const config = parseJson(configText, `meta.${META.config}`) as unknown;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error(`meta.${META.config} is ${configText}, not a JSON object`);
    this.config = config as MachineConfig;
    const every = required(meta, META.checkpointEvery, path);
    if (!/^\d+$/.test(every.trim()) || Number(every) < 1) throw new Error(`meta.${META.checkpointEvery} is ${JSON.stringify(every)}, not a whole number of at least 1`);
    this.checkpointEvery = Number(every);
    const fingerprint: Record<string, number> = {};
    for (const row of db.prepare('SELECT type, version FROM schema_types').all() as { type: string; version: number }[]) fingerprint[row.type] = row.version;
    this.fingerprint = fingerprint;
    this.complete = meta.get(META.status) === 'complete';
    const finalHash = meta.get(META.finalHash);
    if (finalHash !== undefined) this.finalHash = finalHash;
    const scenarioName = meta.get(META.scenarioName);
    const scenarioText = meta.get(META.scenarioText);
    if (scenarioName !== undefined && scenarioText !== undefined) this.scenario = { name: scenarioName, text: scenarioText };
    const result = meta.get(META.result);
    if (result !== undefined) this.result = parseJson(result, `meta.${META.result}`);
    const lastRow = (db.prepare('SELECT max(seq) AS n FROM inputs').get() as { n: number | null }).n ?? -1;
    const lastBlock = (db.prepare('SELECT first_seq + count - 1 AS n FROM input_blocks ORDER BY first_seq DESC LIMIT 1').get() as { n: number } | undefined)?.n ?? -1;
    this.inputCount = Math.max(lastRow, lastBlock) + 1;
    this.eventCount = ((db.prepare('SELECT max(seq) AS n FROM events').get() as { n: number | null }).n ?? -1) + 1;
    this.labels = (db.prepare('SELECT name, position FROM labels ORDER BY position, name').all() as { name: string; position: number }[]).map((r) => [r.name, r.position] as const);
    this.checkpoints = (db.prepare('SELECT position, event_seq, hash FROM checkpoints ORDER BY position').all() as { position: number; event_seq: number; hash: string }[]).map((r) => ({
      position: r.position,
      eventSeq: r.event_seq,
      hash: r.hash,
    }));
  }

  /** Closes the file. */
  close(): void {
    this.db.close();
  }

  /** The views the run printed, in order. */
  shownViews(): RecordedView[] {
    return this.guard(() =>
      (this.db.prepare('SELECT step, line, view, process, pid, position, text FROM shown_views ORDER BY ord').all() as ViewRow[]).map((r) => ({
        step: r.step,
        line: r.line,
        view: r.view,
        ...(r.process === null ? {} : { process: r.process }),
        ...(r.pid === null ? {} : { pid: r.pid }),
        position: r.position,
        text: r.text,
      })),
    );
  }

  /**
   * The stored inputs `from` … `to` (inclusive), in order: rows and the compressed blocks that
   * overlap the range (only those are decoded). Without a type filter every sequence number of
   * the range must be there (a hole is damage).
   */
  *inputs(from: number, to: number, filter: RowFilter = {}): Generator<StoredInput> {
    const last = Math.min(to, this.inputCount - 1);
    if (from > last) return;
    const types = filter.types;
    const typeSql = types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`;
    const typeArgs = types ?? [];
    const rowsQuery = this.db.prepare(`SELECT seq, type, v, payload, reply, error FROM inputs WHERE seq >= ? AND seq <= ?${typeSql} ORDER BY seq LIMIT ${CHUNK}`);
    const firstBlock = this.db.prepare(`SELECT first_seq, count, type, v, encoding, data FROM input_blocks WHERE first_seq <= ? ORDER BY first_seq DESC LIMIT 1`);
    const nextBlock = this.db.prepare(`SELECT first_seq, count, type, v, encoding, data FROM input_blocks WHERE first_seq > ? AND first_seq <= ?${typeSql} ORDER BY first_seq LIMIT 1`);
    const typeOk = types === undefined ? undefined : new Set(types);

    let rows: InputRow[] = [];
    let rowIndex = 0;
    let rowCursor = from;
    let rowsDone = false;
    const peekRow = (): InputRow | undefined => {
      if (rowIndex < rows.length) return rows[rowIndex];
      if (rowsDone) return undefined;
      rows = this.guard(() => rowsQuery.all(rowCursor, last, ...typeArgs) as InputRow[]);
      rowIndex = 0;
      if (rows.length < CHUNK) rowsDone = true;
      if (rows.length > 0) rowCursor = rows[rows.length - 1]!.seq + 1;
      return rows[0];
    };

    // The block being read (decoded when its first input is reached), and the first_seq of the last block passed.
    let blockRow: BlockRow | undefined;
    let blockPayloads: unknown[] | undefined;
    let blockSeq = from;
    let blocksDone = false;
    const first = this.guard(() => firstBlock.get(from) as BlockRow | undefined);
    let blockAfter = first ? first.first_seq : -1;
    if (first && first.first_seq + first.count > from && (!typeOk || typeOk.has(first.type))) blockRow = first;
    const peekBlock = (): BlockRow | undefined => {
      if (blockRow || blocksDone) return blockRow;
      blockRow = this.guard(() => nextBlock.get(blockAfter, last, ...typeArgs) as BlockRow | undefined);
      if (blockRow) {
        blockSeq = blockRow.first_seq;
        blockPayloads = undefined;
      } else blocksDone = true;
      return blockRow;
    };

    let expected = from;
    for (;;) {
      const row = peekRow();
      const b = peekBlock();
      if (!row && !b) break;
      let stored: StoredInput;
      if (b && (!row || blockSeq < row.seq)) {
        const payloads = (blockPayloads ??= this.guard(() => decodeBlock(b.encoding, b.data, b.count)));
        stored = { input: { seq: blockSeq, type: b.type, v: b.v, payload: payloads[blockSeq - b.first_seq] }, hasReply: false };
        blockSeq++;
        if (blockSeq >= b.first_seq + b.count || blockSeq > last) {
          blockAfter = b.first_seq;
          blockRow = undefined;
        }
      } else {
        rowIndex++;
        stored = this.guard(() => storedRow(row!));
      }
      const seq = stored.input.seq;
      if (!typeOk && seq !== expected) throw this.damage(seq < expected ? `input ${seq} is stored twice` : `input ${expected} is missing (the file has inputs up to ${this.inputCount - 1})`);
      expected = seq + 1;
      this.checkType('input', seq, stored.input.type);
      yield stored;
    }
    if (!typeOk && expected <= last) throw this.damage(`input ${expected} is missing (the file has inputs up to ${this.inputCount - 1})`);
  }

  /** The stored input `seq`. */
  input(seq: number): StoredInput {
    for (const stored of this.inputs(seq, seq)) return stored;
    throw this.damage(`input ${seq} is missing (the file has inputs up to ${this.inputCount - 1})`);
  }

  /** The events of inputs `fromInput` … `toInput` (inclusive), in order. */
  *events(fromInput: number, toInput: number, filter: RowFilter = {}): Generator<EventEnvelope> {
    if (fromInput > toInput) return;
    const types = filter.types;
    const typeSql = types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`;
    // Events are stored in input order: the range is a range of event numbers, found by binary search.
    const end = toInput >= this.inputCount - 1 ? Number.MAX_SAFE_INTEGER : this.firstEventOf(toInput + 1);
    const query = this.db.prepare(`SELECT seq, input, type, v, cause, payload FROM events WHERE seq >= ? AND seq < ?${typeSql} ORDER BY seq LIMIT ${CHUNK}`);
    let cursor = this.firstEventOf(fromInput);
    for (;;) {
      const rows = this.guard(() => query.all(cursor, end, ...(types ?? [])) as EventRow[]);
      for (const row of rows) {
        const e = this.guard(() => eventOf(row));
        this.checkType('event', e.seq, e.type);
        yield e;
      }
      if (rows.length < CHUNK) return;
      cursor = rows[rows.length - 1]!.seq + 1;
    }
  }

  /** Every event, in order (a hole is damage). */
  *allEvents(): Generator<EventEnvelope> {
    let expected = 0;
    for (const e of this.events(0, Number.MAX_SAFE_INTEGER)) {
      if (e.seq !== expected) throw this.damage(`event ${expected} is missing`);
      expected++;
      yield e;
    }
  }

  /** Event `seq`, or undefined when the file has none of that number. */
  event(seq: number): EventEnvelope | undefined {
    const row = this.guard(() => this.db.prepare('SELECT seq, input, type, v, cause, payload FROM events WHERE seq = ?').get(seq) as EventRow | undefined);
    if (!row) return undefined;
    const e = this.guard(() => eventOf(row));
    this.checkType('event', e.seq, e.type);
    return e;
  }

  /** The requests servers made while executing input `seq` (request 0, the input itself, is not stored), by id. */
  requests(seq: number): RequestRecord[] {
    const rows = this.guard(
      () => this.db.prepare('SELECT id, parent, type, server, payload FROM requests WHERE input = ? ORDER BY id').all(seq) as { id: number; parent: number; type: string; server: string; payload: string }[],
    );
    return rows.map((r) => ({ id: r.id, parent: r.parent, type: r.type, server: r.server, payload: this.guard(() => parseJson(r.payload, `request ${r.id} of input ${seq}`)) }));
  }

  /**
   * The requests servers made while executing inputs `fromInput` … `toInput` (request 0 of each,
   * the input itself, is not stored), by input and id — the primary key's order.
   */
  *requestsIn(fromInput: number, toInput: number, filter: RowFilter = {}): Generator<StoredRequest> {
    if (fromInput > toInput) return;
    const types = filter.types;
    const typeSql = types === undefined ? '' : ` AND type IN (${types.map(() => '?').join(', ')})`;
    const query = this.db.prepare(
      `SELECT input, id, parent, type, server, payload FROM requests WHERE (input > ? OR (input = ? AND id > ?)) AND input <= ?${typeSql} ORDER BY input, id LIMIT ${CHUNK}`,
    );
    let input = fromInput;
    let id = -1;
    for (;;) {
      const rows = this.guard(() => query.all(input, input, id, toInput, ...(types ?? [])) as ({ input: number } & Omit<RequestRecord, 'payload'> & { payload: string })[]);
      for (const r of rows) {
        this.checkType('request', r.input, r.type, r.id);
        yield { input: r.input, id: r.id, parent: r.parent, type: r.type, server: r.server, payload: this.guard(() => parseJson(r.payload, `request ${r.id} of input ${r.input}`)) };
      }
      if (rows.length < CHUNK) return;
      input = rows[rows.length - 1]!.input;
      id = rows[rows.length - 1]!.id;
    }
  }

  /**
   * The events of these types, in order, whatever their inputs (the `events_by_type` index of a
   * complete recording makes this quick).
   */
  *eventsOfTypes(types: readonly string[]): Generator<EventEnvelope> {
    if (types.length === 0) return;
    const query = this.db.prepare(`SELECT seq, input, type, v, cause, payload FROM events WHERE seq >= ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY seq LIMIT ${CHUNK}`);
    let cursor = 0;
    for (;;) {
      const rows = this.guard(() => query.all(cursor, ...types) as EventRow[]);
      for (const row of rows) yield this.guard(() => eventOf(row));
      if (rows.length < CHUNK) return;
      cursor = rows[rows.length - 1]!.seq + 1;
    }
  }

  /**
   * The first stored input of a type this recording's schema does not list, within inputs
   * `from` … `to` and their events, as a damage message (undefined when there is none): checked
   * before output starts, so a damaged file never prints half a listing.
   */
  unknownTypeIn(from: number, to: number): string | undefined {
    const notInSchema = 'type NOT IN (SELECT type FROM schema_types)';
    const row = this.db.prepare(`SELECT seq, type FROM inputs WHERE seq >= ? AND seq <= ? AND ${notInSchema} ORDER BY seq LIMIT 1`).get(from, to) as { seq: number; type: string } | undefined;
    const block = this.db.prepare(`SELECT first_seq AS seq, type FROM input_blocks WHERE first_seq <= ? AND first_seq + count > ? AND ${notInSchema} ORDER BY first_seq LIMIT 1`).get(to, from) as { seq: number; type: string } | undefined;
    const input = [row, block].filter((r) => r !== undefined).sort((a, b) => a.seq - b.seq)[0];
    if (input) return unknownType('input', Math.max(from, input.seq), input.type);
    const end = to >= this.inputCount - 1 ? Number.MAX_SAFE_INTEGER : this.firstEventOf(to + 1);
    const event = this.db.prepare(`SELECT seq, type FROM events WHERE seq >= ? AND seq < ? AND ${notInSchema} ORDER BY seq LIMIT 1`).get(this.firstEventOf(from), end) as
      | { seq: number; type: string }
      | undefined;
    return event ? unknownType('event', event.seq, event.type) : undefined;
  }

  /** The sequence number of the first event of input `seq` or a later one (events are in input order: a binary search). */
  private firstEventOf(seq: number): number {
    if (seq <= 0) return 0;
    const at = this.db.prepare('SELECT seq, input FROM events WHERE seq >= ? ORDER BY seq LIMIT 1');
    let lo = 0;
    let hi = this.eventCount;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = at.get(mid) as { seq: number; input: number } | undefined;
      if (!row || row.input >= seq) hi = mid;
      else lo = row.seq + 1;
    }
    return lo;
  }

  private checkType(kind: 'input' | 'event' | 'request', seq: number, type: string, id?: number): void {
    if (this.fingerprint[type] !== undefined) return;
    throw this.damage(kind === 'request' ? `request ${id} of input ${seq} has type ${type}, which the recording's schema (schema_types) does not list` : unknownType(kind, seq, type));
  }

  /** A RecordingError saying the file is damaged. */
  damage(reason: string): RecordingError {
    return new RecordingError(`${this.path} is a damaged recording: ${reason}`);
  }

  /** Runs a read, turning any error into a damaged-recording error. */
  private guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw damaged(this.path, error);
    }
  }
}

function unknownType(kind: 'input' | 'event', seq: number, type: string): string {
  return `${kind} ${seq} has type ${type}, which the recording's schema (schema_types) does not list`;
}

function storedRow(row: InputRow): StoredInput {
  return {
    input: { seq: row.seq, type: row.type, v: row.v, payload: parseJson(row.payload, `the payload of input ${row.seq}`) },
    hasReply: row.reply !== null,
    ...(row.reply === null ? {} : { reply: parseJson(row.reply, `the reply of input ${row.seq}`) }),
    ...(row.error === null ? {} : { error: parseJson(row.error, `the error of input ${row.seq}`) as InputError }),
  };
}

function eventOf(row: EventRow): EventEnvelope {
  return { seq: row.seq, type: row.type, v: row.v, input: row.input, cause: row.cause === '' ? [] : row.cause.split('.').map(Number), payload: parseJson(row.payload, `the payload of event ${row.seq}`) };
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not valid JSON (${(error as Error).message})`);
  }
}

/** Any error met while reading a recording's rows, as a RecordingError saying the file is damaged. */
function damaged(path: string, error: unknown): RecordingError {
  if (error instanceof RecordingError) return error;
  return new RecordingError(`${path} is a damaged recording: ${error instanceof Error ? error.message : String(error)}`);
}

/** Opens the recording at `path` (its header read, its rows on demand); throws RecordingError (one line, naming the file) when it cannot. */
export function openRecording(path: string): RecordingFile {
  return RecordingFile.open(path);
}

/** Reads the recording at `path` — every input (before position `upTo`, when given) and, unless `events` is false, every event. */
export function readRecording(path: string, options: { upTo?: number; events?: boolean } = {}): Recording {
  const file = openRecording(path);
  try {
    return readAll(file, options);
  } finally {
    file.close();
  }
}

/** Reads an open recording's rows into a Recording (inputs before `upTo`, events unless `events` is false). */
export function readAll(file: RecordingFile, options: { upTo?: number; events?: boolean } = {}): Recording {
  const inputs: InputEnvelope[] = [];
  const errors: [number, InputError][] = [];
  const replies = new Map<number, unknown>();
  const upTo = Math.min(options.upTo ?? file.inputCount, file.inputCount);
  for (const stored of file.inputs(0, upTo - 1)) {
    inputs.push(stored.input);
    if (stored.hasReply) replies.set(stored.input.seq, stored.reply);
    if (stored.error) errors.push([stored.input.seq, stored.error]);
  }
  if (upTo === file.inputCount) {
    for (const [name, position] of file.labels) if (position > upTo) throw file.damage(`label ${name} is at position ${position}, past the end of the recording (${upTo})`);
  }
  const events = options.events === false ? null : [...file.allEvents()];
  // The hash at the close checks the inputs after the last checkpoint (when the whole run is read).
  const head = file.finalHash !== undefined && upTo === file.inputCount ? { head: { position: upTo, eventSeq: file.eventCount, hash: file.finalHash } } : {};
  const log: RunLog = { config: file.config, fingerprint: file.fingerprint, checkpointEvery: file.checkpointEvery, inputs, events, errors, labels: file.labels, checkpoints: file.checkpoints, ...head };
  return {
    path: file.path,
    log,
    complete: file.complete,
    ...(file.finalHash === undefined ? {} : { finalHash: file.finalHash }),
    ...(file.scenario === undefined ? {} : { scenario: file.scenario }),
    ...(file.result === undefined ? {} : { result: file.result }),
    shownViews: file.shownViews(),
    replies,
  };
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

function required(meta: ReadonlyMap<string, string>, key: string, path: string): string {
  const value = meta.get(key);
  if (value === undefined) throw new RecordingError(`${path} is a damaged recording: meta.${key} is missing`);
  return value;
}
