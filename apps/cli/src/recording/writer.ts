/**
 * The recorder: subscribes to a machine's outcomes and hands them, a batch at a time, to a writer
 * thread (writerThread.mjs) that commits each batch as one SQLite transaction while the machine
 * goes on running — recording costs the run little more than turning outcomes into rows, and
 * SQLite's work is done on another core. The file is in WAL mode with synchronous=NORMAL while the
 * run goes, so a crash or kill -9 loses at most the batch being committed and the one being filled,
 * and never touches what was committed before; a clean close folds the WAL back into the one file
 * and switches it to a rollback journal, so a finished recording is a single self-contained file.
 *
 * Nothing time-dependent is stored: two recordings of one run hold the same rows.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Subscription } from 'rxjs';
import { hashState, type InputOutcome, type Machine } from '@vmlab/kernel';
import type { ShownView } from '@vmlab/scenario';
import { isRecordingFile } from './detect.js';
import { RecordingError } from './errors.js';
import {
  BLOCK_ENCODING_JSON_DEFLATE,
  BULK_INPUT_TYPES,
  META,
  RECORDING_APPLICATION,
  RECORDING_APPLICATION_ID,
  RECORDING_DDL,
  RECORDING_INDEXES,
  RECORDING_FORMAT,
  RECORDING_INSERTS,
} from './schema.js';
import { SLOT, STATUS, WRITER_ROLE } from './writerThread.mjs';

/** A scenario file as a recording keeps it, for reference (replay never needs it). */
export interface ScenarioSource {
  /** The file's name, without its directory. */
  readonly name: string;
  /** The file's text. */
  readonly text: string;
}

/** Options of `RecordingWriter.create`. */
export interface RecordingOptions {
  /** Inputs per transaction (default 512): a crash loses at most twice this many. */
  readonly batchInputs?: number;
  /** The scenario that is being recorded. */
  readonly scenario?: ScenarioSource;
  /**
   * The most the file may grow to, in bytes (rounded down to SQLite pages): past it, writing fails
   * as on a full disk — the batch is rolled back, the run goes on unrecorded and `close` says so.
   */
  readonly maxBytes?: number;
}

/** A view the run printed, kept in the recording as it was shown. */
export type RecordedView = Omit<ShownView, 'json'>;

/** One batch's rows: per table of RECORDING_INSERTS, the column values of its rows in a row. */
type BatchRows = { [table in keyof typeof RECORDING_INSERTS]: unknown[] };

/** How long the writer thread may show no progress before the recorder gives up on it. */
const STALL_MS = 60_000;

function emptyRows(): BatchRows {
  return { inputs: [], blocks: [], events: [], requests: [], labels: [], checkpoints: [], views: [], meta: [] };
}

/** Writes one machine's run to a recording file while it runs. */
export class RecordingWriter {
  private readonly subscription: Subscription;
  private readonly batchInputs: number;
  private readonly thread: Worker;
  /** SLOT.committedBatches, SLOT.committedInputs and SLOT.status, written by the writer thread. */
  private readonly shared: Int32Array;
  /** Where the writer thread sends a failure's message. */
  private readonly errors: MessagePort;
  private rows: BatchRows = emptyRows();
  private pendingInputs = 0;
  private postedBatches = 0;
  /** Inputs handed to the writer thread so far (committed, or being committed). */
  private handedInputs = 0;
  private bulk: { firstSeq: number; type: string; v: number; payloads: string[] } | undefined;
  private nextCheckpoint = 0;
  private viewCount = 0;
  private readonly writtenLabels = new Map<string, number>();
  private closed = false;
  private failure: string | undefined;

  /** The recording file. */
  readonly path: string;

  private constructor(
    path: string,
    private readonly machine: Machine,
    options: RecordingOptions,
  ) {
    this.path = path;
    this.batchInputs = options.batchInputs ?? 512;
    writeHeader(path, machine, options);
    this.shared = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const channel = new MessageChannel();
    this.errors = channel.port1;
    this.thread = new Worker(new URL('./writerThread.mjs', import.meta.url), {
      workerData: { role: WRITER_ROLE, path, tables: RECORDING_INSERTS, shared: this.shared, errors: channel.port2, maxBytes: options.maxBytes },
      transferList: [channel.port2],
    });
    // The thread reports its own failures through `errors`; one it could not report (its module
    // failed to load) arrives here, after the stall timeout lets the waiting main thread go.
    this.thread.on('error', (error) => (this.failure ??= error.message));
    this.thread.unref();
    this.errors.unref();
    this.subscription = machine.outcomes$.subscribe((outcome) => this.onOutcome(outcome));
  }

  /**
   * Creates a recording of `machine`'s run at `path` (which must not have inputs yet). An existing
   * vmlab recording or empty file at `path` is replaced; any other existing file is refused.
   */
  static create(path: string, machine: Machine, options: RecordingOptions = {}): RecordingWriter {
    if (machine.position !== 0) throw new Error('a recording must start before the machine runs its first input');
    if (existsSync(path)) {
      if (statSync(path).isDirectory()) throw new RecordingError(`${path} is a directory, not a recording file`);
      if (statSync(path).size > 0 && !isRecordingFile(path)) throw new RecordingError(`${path} exists and is not a vmlab recording; not overwriting it`);
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
    }
    try {
      return new RecordingWriter(path, machine, options);
    } catch (error) {
      if (error instanceof RecordingError) throw error;
      throw new RecordingError(`cannot create the recording ${path}: ${(error as Error).message}`);
    }
  }

  /** Inputs committed to the file so far. */
  get committed(): number {
    return Atomics.load(this.shared, SLOT.committedInputs);
  }

  /** Keeps a view the run printed (committed with the current batch). */
  recordView(view: RecordedView): void {
    if (this.closed || this.failed()) return;
    this.rows.views.push(this.viewCount++, view.step, view.line, view.view, view.process ?? null, view.pid ?? null, view.position, view.text);
  }

  /** Commits the current batch — its rows, and the checkpoints and labels up to its last input — and waits until it is in the file. */
  flush(): void {
    if (this.closed || this.failed()) return;
    this.handOff();
    this.waitUntil(() => Atomics.load(this.shared, SLOT.committedBatches) >= this.postedBatches);
  }

  /**
   * Commits the rest, marks the recording complete (with the final state hash and, for a
   * scenario, its result), folds the WAL into the file and closes it.
   */
  close(result?: unknown): void {
    if (this.closed) return;
    this.subscription.unsubscribe();
    if (!this.failed()) {
      const meta = this.rows.meta;
      meta.push(META.status, 'complete', META.inputCount, String(this.machine.position), META.eventCount, String(this.machine.timeline.eventCount));
      meta.push(META.finalHash, this.machine.hash());
      if (result !== undefined) meta.push(META.result, JSON.stringify(result));
      this.handOff();
      this.finish({ kind: 'close', sql: [RECORDING_INDEXES, 'PRAGMA wal_checkpoint(TRUNCATE)', 'PRAGMA journal_mode = DELETE'] });
    }
    if (this.failed()) {
      this.finish({ kind: 'abandon' });
      throw new RecordingError(`writing the recording ${this.path} failed after ${this.committed} committed inputs: ${this.failure}`);
    }
  }

  /** Stops recording without marking the file complete (what a crash leaves behind, minus the batches not yet committed). */
  abandon(): void {
    if (this.closed) return;
    this.subscription.unsubscribe();
    this.finish({ kind: 'abandon' });
  }

  /** Records one outcome (inside the machine's dispatch); hands the batch over when it is full. */
  private onOutcome(outcome: InputOutcome): void {
    if (this.failed()) return;
    const { input } = outcome;
    const rows = this.rows;
    const bulk = !outcome.error && BULK_INPUT_TYPES.has(input.type);
    if (this.bulk && (!bulk || this.bulk.type !== input.type || this.bulk.v !== input.v)) this.cutBlock();
    if (bulk) {
      this.bulk ??= { firstSeq: input.seq, type: input.type, v: input.v, payloads: [] };
      this.bulk.payloads.push(JSON.stringify(input.payload));
    } else {
      rows.inputs.push(
        input.seq,
        input.type,
        input.v,
        JSON.stringify(input.payload),
        outcome.reply === undefined ? null : JSON.stringify(outcome.reply),
        outcome.error ? JSON.stringify(outcome.error) : null,
      );
    }
    for (const e of outcome.events) rows.events.push(e.seq, e.input, e.type, e.v, e.cause.join('.'), JSON.stringify(e.payload));
    // Request 0 is the input itself (its type and payload are the input's): only the requests servers made are kept.
    for (const r of outcome.requests) if (r.id !== 0) rows.requests.push(input.seq, r.id, r.parent, r.type, r.server, JSON.stringify(r.payload));
    this.pendingInputs++;
    if (this.pendingInputs >= this.batchInputs) this.handOff();
  }

  /**
   * Completes the current batch with the checkpoints and labels up to its last input and hands it
   * to the writer thread, after waiting for the previous batch to be committed: at most one batch
   * is in the thread's hands while the next one fills.
   */
  private handOff(): void {
    this.cutBlock();
    const committing = this.handedInputs + this.pendingInputs;
    const checkpoints = this.machine.timeline.checkpoints();
    while (this.nextCheckpoint < checkpoints.length && checkpoints[this.nextCheckpoint]!.position <= committing) {
      const c = checkpoints[this.nextCheckpoint++]!;
      this.rows.checkpoints.push(c.position, c.eventSeq, hashState(c.root));
    }
    for (const [name, at] of this.machine.timeline.labels()) {
      if (at > committing || this.writtenLabels.get(name) === at) continue;
      this.rows.labels.push(name, at);
      this.writtenLabels.set(name, at);
    }
    this.waitUntil(() => Atomics.load(this.shared, SLOT.committedBatches) >= this.postedBatches);
    if (this.failed()) return;
    this.thread.postMessage({ kind: 'batch', rows: this.rows, inputs: this.pendingInputs });
    this.postedBatches++;
    this.handedInputs = committing;
    this.rows = emptyRows();
    this.pendingInputs = 0;
  }

  /** Adds the pending run of bulk inputs to the batch as one block (the writer thread compresses it). */
  private cutBlock(): void {
    const block = this.bulk;
    if (!block) return;
    this.rows.blocks.push(block.firstSeq, block.payloads.length, block.type, block.v, BLOCK_ENCODING_JSON_DEFLATE, `[${block.payloads.join(',')}]`);
    this.bulk = undefined;
  }

  /** Asks the writer thread to close the file (after the batches handed over) and waits until it has. */
  private finish(message: { kind: 'close' | 'abandon'; sql?: string[] }): void {
    if (Atomics.load(this.shared, SLOT.status) === STATUS.running) this.thread.postMessage(message);
    this.waitUntil(() => Atomics.load(this.shared, SLOT.status) !== STATUS.running);
    this.closed = true;
  }

  /** True once the writer thread failed (a full disk, a removed file); keeps its message. */
  private failed(): boolean {
    if (this.failure !== undefined) return true;
    if (Atomics.load(this.shared, SLOT.status) !== STATUS.failed) return false;
    const message = receiveMessageOnPort(this.errors)?.message as string | undefined;
    this.failure = message ?? 'the writer thread failed';
    this.subscription.unsubscribe();
    return true;
  }

  /**
   * Blocks until `done()` holds or the writer thread has failed or closed. The main thread never
   * yields while a run goes, so it waits on the shared counters (Atomics.wait) rather than events.
   */
  private waitUntil(done: () => boolean): void {
    let seen = Atomics.load(this.shared, SLOT.committedBatches);
    let since = performance.now();
    while (!done() && Atomics.load(this.shared, SLOT.status) === STATUS.running) {
      Atomics.wait(this.shared, SLOT.committedBatches, seen, 100);
      const now = Atomics.load(this.shared, SLOT.committedBatches);
      if (now !== seen) {
        seen = now;
        since = performance.now();
      } else if (performance.now() - since > STALL_MS) {
        this.failure ??= `the writer thread made no progress for ${STALL_MS / 1000} s`;
        return;
      }
    }
    this.failed();
  }
}

/**
 * Creates the file's tables and writes its header (application id, format, configuration, schema
 * fingerprint, scenario) on the calling thread, so that a file that cannot be created fails `create`.
 */
function writeHeader(path: string, machine: Machine, options: RecordingOptions): void {
  const db = new Database(path);
  try {
    // The application id first, while the file is in rollback mode, so it lands in the file's own
    // header at once (a crashed recording's WAL may never have been folded back).
    db.pragma(`application_id = ${RECORDING_APPLICATION_ID}`);
    db.pragma('journal_mode = WAL');
    db.exec(`BEGIN; ${RECORDING_DDL} COMMIT;`);
    const meta = db.prepare(`${RECORDING_INSERTS.meta.insert} (?, ?)`);
    db.transaction(() => {
      meta.run(META.application, RECORDING_APPLICATION);
      meta.run(META.format, String(RECORDING_FORMAT));
      meta.run(META.config, JSON.stringify(machine.config));
      meta.run(META.checkpointEvery, String(machine.timeline.checkpointEvery));
      meta.run(META.status, 'recording');
      if (options.scenario) {
        meta.run(META.scenarioName, options.scenario.name);
        meta.run(META.scenarioText, options.scenario.text);
      }
      const fingerprint = machine.fingerprint();
      const insertType = db.prepare('INSERT INTO schema_types (type, version) VALUES (?, ?)');
      for (const type of Object.keys(fingerprint).sort()) insertType.run(type, fingerprint[type]);
    })();
  } finally {
    db.close();
  }
}
