/**
 * The SQLite schema of a recording (`*.vmlab`), documented for users in docs/recording-format.md.
 * Every table is plain SQL with JSON text for payloads, so the `sqlite3` shell can read it; bulk
 * input streams (memory accesses, later whole traces) go into compressed blocks instead of a row
 * per input.
 */

/** The recording format version stored in `meta.format`; bump it when a table changes. */
export const RECORDING_FORMAT = 1;

/** The value of `meta.application`, which marks a SQLite file as a vmlab recording. */
export const RECORDING_APPLICATION = 'vmlab-recording';

/** `PRAGMA application_id` of recordings: "VMLB" as a big-endian 32-bit integer. */
export const RECORDING_APPLICATION_ID = 0x564d4c42;

/** The tables and indexes of a recording, created in one transaction when the file is created. */
export const RECORDING_DDL = `
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE schema_types (
  type    TEXT PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE inputs (
  seq     INTEGER PRIMARY KEY,
  type    TEXT NOT NULL,
  v       INTEGER NOT NULL,
  payload TEXT NOT NULL,
  reply   TEXT,
  error   TEXT
);

CREATE TABLE input_blocks (
  first_seq INTEGER PRIMARY KEY,
  count     INTEGER NOT NULL,
  type      TEXT NOT NULL,
  v         INTEGER NOT NULL,
  encoding  TEXT NOT NULL,
  data      BLOB NOT NULL
);

CREATE TABLE events (
  seq     INTEGER PRIMARY KEY,
  input   INTEGER NOT NULL,
  type    TEXT NOT NULL,
  v       INTEGER NOT NULL,
  cause   TEXT NOT NULL,
  payload TEXT NOT NULL
);

CREATE TABLE requests (
  input   INTEGER NOT NULL,
  id      INTEGER NOT NULL,
  parent  INTEGER NOT NULL,
  type    TEXT NOT NULL,
  server  TEXT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (input, id)
) WITHOUT ROWID;

CREATE TABLE labels (
  name     TEXT PRIMARY KEY,
  position INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  position  INTEGER PRIMARY KEY,
  event_seq INTEGER NOT NULL,
  hash      TEXT NOT NULL
);

CREATE TABLE shown_views (
  ord      INTEGER PRIMARY KEY,
  step     INTEGER NOT NULL,
  line     INTEGER NOT NULL,
  view     TEXT NOT NULL,
  process  TEXT,
  pid      INTEGER,
  position INTEGER NOT NULL,
  text     TEXT NOT NULL
);
`;

/**
 * Indexes, built once when the recording closes (building them row by row while the run goes
 * would cost a third of the recording time); a recording cut short has none and needs none.
 */
export const RECORDING_INDEXES = `
CREATE INDEX IF NOT EXISTS events_by_input ON events (input);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type);
`;

/** The keys of the `meta` table. */
export const META = {
  /** Always `vmlab-recording`. */
  application: 'application',
  /** The format version (`RECORDING_FORMAT`). */
  format: 'format',
  /** The machine configuration, JSON. */
  config: 'config',
  /** The timeline's checkpoint interval K (a checkpoint every K inputs). */
  checkpointEvery: 'checkpoint_every',
  /** `recording` while the run goes, `complete` once it closed cleanly. */
  status: 'status',
  /** Inputs committed when the recording closed. */
  inputCount: 'input_count',
  /** Events committed when the recording closed. */
  eventCount: 'event_count',
  /** The state hash at the head when the recording closed. */
  finalHash: 'final_hash',
  /** The scenario file's name (no directory), when a scenario was recorded. */
  scenarioName: 'scenario_name',
  /** The scenario file's text, when a scenario was recorded. */
  scenarioText: 'scenario_text',
  /** The run's outcome (`ok`, steps, checks), JSON, when a scenario was recorded. */
  result: 'result',
} as const;

/** How the writer thread fills a table: its INSERT statement (without the values) and its columns. */
export interface TableInsert {
  /** `INSERT … INTO table (columns) VALUES`, to which the writer appends one or more value tuples. */
  readonly insert: string;
  /** Columns per row. */
  readonly columns: number;
  /** A column whose text is stored compressed (raw DEFLATE), as `input_blocks.data` is. */
  readonly deflate?: number;
}

/** The tables a batch fills, with the columns in the order the recorder hands their values over. */
export const RECORDING_INSERTS = {
  inputs: { insert: 'INSERT INTO inputs (seq, type, v, payload, reply, error) VALUES', columns: 6 },
  blocks: { insert: 'INSERT INTO input_blocks (first_seq, count, type, v, encoding, data) VALUES', columns: 6, deflate: 5 },
  events: { insert: 'INSERT INTO events (seq, input, type, v, cause, payload) VALUES', columns: 6 },
  requests: { insert: 'INSERT INTO requests (input, id, parent, type, server, payload) VALUES', columns: 6 },
  labels: { insert: 'INSERT OR REPLACE INTO labels (name, position) VALUES', columns: 2 },
  checkpoints: { insert: 'INSERT INTO checkpoints (position, event_seq, hash) VALUES', columns: 3 },
  views: { insert: 'INSERT INTO shown_views (ord, step, line, view, process, pid, position, text) VALUES', columns: 8 },
  meta: { insert: 'INSERT OR REPLACE INTO meta (key, value) VALUES', columns: 2 },
} as const satisfies Record<string, TableInsert>;

/** The encoding of `input_blocks.data`: raw DEFLATE (node:zlib) of a JSON array of payloads. */
export const BLOCK_ENCODING_JSON_DEFLATE = 'json-deflate';

/** Input types stored as compressed blocks rather than rows: memory accesses, the bulk of a run. */
export const BULK_INPUT_TYPES: ReadonlySet<string> = new Set(['mmu/access']);
