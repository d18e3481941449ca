// @ts-check
/**
 * The recorder's writer thread: applies batches of rows to a recording file, one SQLite
 * transaction per batch, while the main thread goes on running the machine. It knows nothing of
 * vmlab's tables: the main thread hands it each table's INSERT statement (schema.ts) and, per
 * batch, flat arrays of column values; it reports how many batches (and inputs) are committed
 * through shared memory, so the main thread can wait for it synchronously (Atomics.wait), and a
 * failure's message through a MessagePort the main thread reads synchronously
 * (receiveMessageOnPort) — the main thread never yields to the event loop while a run goes.
 *
 * A plain JavaScript module (type-checked through JSDoc, `checkJs`): a worker thread runs its file
 * with plain Node, which cannot load TypeScript when the CLI runs from its sources under Vitest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { deflateRawSync } from 'node:zlib';

/** Slots of the shared Int32Array. */
export const SLOT = { committedBatches: 0, committedInputs: 1, status: 2 };
/** Values of the status slot. */
export const STATUS = { running: 0, closed: 1, failed: 2 };

/** The role a worker's data names to run this module as a writer thread. */
export const WRITER_ROLE = 'vmlab-recording-writer';

/**
 * @typedef {object} TableSpec
 * @property {string} insert  `INSERT … INTO table (columns) VALUES` without the value tuples
 * @property {number} columns  the number of columns a row has
 * @property {number} [deflate]  a column whose text is stored as raw DEFLATE (input blocks)
 */
/**
 * @typedef {object} WriterThreadData
 * @property {typeof WRITER_ROLE} role  marks the worker as a writer thread
 * @property {string} path  the recording file (its tables exist already)
 * @property {Record<string, TableSpec>} tables  the tables a batch may fill
 * @property {Int32Array} shared  the committed counters and the status (SLOT, STATUS)
 * @property {import('node:worker_threads').MessagePort} errors  where a failure's message goes
 * @property {number} [maxBytes]  the most the file may grow to (past it, writes fail as on a full disk)
 */
/**
 * @typedef {object} BatchMessage
 * @property {'batch'} kind
 * @property {Record<string, unknown[]>} rows  per table, its rows' column values one after another
 * @property {number} inputs  how many inputs the batch completes
 */
/**
 * @typedef {object} FinishMessage
 * @property {'close' | 'abandon'} kind
 * @property {string[]} [sql]  statements to run after the last batch before closing (close only)
 */

/** Rows per multi-row INSERT: one call into SQLite writes this many (a call costs ~0.5 µs). */
const ROWS_PER_STATEMENT = 32;

// Importing this module elsewhere (the main thread reads SLOT and STATUS) does nothing more.
if (parentPort && /** @type {Partial<WriterThreadData> | null} */ (workerData)?.role === WRITER_ROLE) {
  const port = parentPort;
  const data = /** @type {WriterThreadData} */ (workerData);
  const { shared, errors } = data;
  /** @type {import('better-sqlite3').Database | undefined} */
  let db;
  /** @type {Map<string, { one: import('better-sqlite3').Statement, many: import('better-sqlite3').Statement, spec: TableSpec }>} */
  const statements = new Map();

  /** @param {unknown} error */
  const fail = (error) => {
    try {
      if (db?.inTransaction) db.exec('ROLLBACK');
    } catch {
      // the connection is unusable; the first failure is what the user needs to know
    }
    try {
      db?.close();
    } catch {
      // as above
    }
    errors.postMessage(error instanceof Error ? error.message : String(error));
    Atomics.store(shared, SLOT.status, STATUS.failed);
    Atomics.notify(shared, SLOT.committedBatches);
    port.close();
  };

  /** @param {BatchMessage} batch */
  const write = (batch) => {
    const open = /** @type {import('better-sqlite3').Database} */ (db);
    open.exec('BEGIN');
    for (const [table, values] of Object.entries(batch.rows)) {
      const target = statements.get(table);
      if (!target) throw new Error(`the writer thread knows no table ${table}`);
      const { one, many, spec } = target;
      if (spec.deflate !== undefined) {
        for (let i = spec.deflate; i < values.length; i += spec.columns) values[i] = deflateRawSync(Buffer.from(/** @type {string} */ (values[i]), 'utf8'));
      }
      const perStatement = ROWS_PER_STATEMENT * spec.columns;
      let at = 0;
      for (; at + perStatement <= values.length; at += perStatement) many.run(values.slice(at, at + perStatement));
      for (; at < values.length; at += spec.columns) one.run(values.slice(at, at + spec.columns));
    }
    open.exec('COMMIT');
    Atomics.add(shared, SLOT.committedInputs, batch.inputs);
    Atomics.add(shared, SLOT.committedBatches, 1);
    Atomics.notify(shared, SLOT.committedBatches);
  };

  /** @param {FinishMessage} finish */
  const finish = (finish) => {
    const open = /** @type {import('better-sqlite3').Database} */ (db);
    if (finish.kind === 'close') for (const sql of finish.sql ?? []) open.exec(sql);
    else if (open.inTransaction) open.exec('ROLLBACK');
    open.close();
    Atomics.store(shared, SLOT.status, STATUS.closed);
    Atomics.notify(shared, SLOT.committedBatches);
    port.close();
  };

  const start = async () => {
    // Loaded here, not statically, so that a failure to load it is reported like any other.
    const { default: Database } = await import('better-sqlite3');
    db = new Database(data.path, { fileMustExist: true });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (data.maxBytes !== undefined) db.pragma(`max_page_count = ${Math.floor(data.maxBytes / /** @type {number} */ (db.pragma('page_size', { simple: true })))}`);
    for (const [table, spec] of Object.entries(data.tables)) {
      const tuple = `(${new Array(spec.columns).fill('?').join(', ')})`;
      statements.set(table, {
        one: db.prepare(`${spec.insert} ${tuple}`),
        many: db.prepare(`${spec.insert} ${new Array(ROWS_PER_STATEMENT).fill(tuple).join(', ')}`),
        spec,
      });
    }
  };

  const ready = start();
  port.on('message', (/** @type {BatchMessage | FinishMessage} */ message) => {
    ready
      .then(() => {
        if (Atomics.load(shared, SLOT.status) !== STATUS.running) return;
        if (message.kind === 'batch') write(message);
        else finish(message);
      })
      .catch(fail);
  });
}
