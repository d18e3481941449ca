/**
 * The recorder: subscribes to a machine's outcomes and writes them to a recording file in
 * batches, one SQLite transaction per batch. The file is in WAL mode with synchronous=NORMAL
 * while the run goes, so a crash or kill -9 loses at most the batch not yet committed and never
 * touches what was committed before; a clean close folds the WAL back into the one file and
 * switches it to a rollback journal, so a finished recording is a single self-contained file.
 *
 * Nothing time-dependent is stored: two recordings of one run hold the same rows.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Subscription } from 'rxjs';
import { hashState, type InputOutcome, type Machine } from '@vmlab/kernel';
import type { ShownView } from '@vmlab/scenario';
import { encodeBlock } from './blocks.js';
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
} from './schema.js';

/** A scenario file as a recording keeps it, for reference (replay never needs it). */
export interface ScenarioSource {
  /** The file's name, without its directory. */
  readonly name: string;
  /** The file's text. */
  readonly text: string;
}

/** Options of `RecordingWriter.create`. */
export interface RecordingOptions {
  /** Inputs per transaction (default 512): at most this many are lost on a crash. */
  readonly batchInputs?: number;
  /** The scenario that is being recorded. */
  readonly scenario?: ScenarioSource;
}

/** A view the run printed, kept in the recording as it was shown. */
export type RecordedView = Omit<ShownView, 'json'>;

/** Writes one machine's run to a recording file while it runs. */
export class RecordingWriter {
  private readonly db: Database.Database;
  private readonly subscription: Subscription;
  private readonly batchInputs: number;
  private readonly statements: Record<'input' | 'block' | 'event' | 'request' | 'label' | 'checkpoint' | 'view' | 'meta' | 'begin' | 'commit' | 'rollback', Database.Statement>;
  /** True while a batch's transaction is open (rows go straight into it; COMMIT ends the batch). */
  private open = false;
  private pendingInputs = 0;
  private bulk: { firstSeq: number; type: string; v: number; payloads: unknown[] } | undefined;
  private committedInputs = 0;
  private nextCheckpoint = 0;
  private viewCount = 0;
  private readonly writtenLabels = new Map<string, number>();
  private closed = false;
  private failure: Error | undefined;

  /** The recording file. */
  readonly path: string;

  private constructor(
    path: string,
    private readonly machine: Machine,
    options: RecordingOptions,
  ) {
    this.path = path;
    this.batchInputs = options.batchInputs ?? 512;
    this.db = new Database(path);
    // The application id first, while the file is in rollback mode, so it lands in the file's own
    // header at once (a crashed recording's WAL may never have been folded back).
    this.db.pragma(`application_id = ${RECORDING_APPLICATION_ID}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`BEGIN; ${RECORDING_DDL} COMMIT;`);
    this.statements = {
      input: this.db.prepare('INSERT INTO inputs (seq, type, v, payload, reply, error) VALUES (?, ?, ?, ?, ?, ?)'),
      block: this.db.prepare('INSERT INTO input_blocks (first_seq, count, type, v, encoding, data) VALUES (?, ?, ?, ?, ?, ?)'),
      event: this.db.prepare('INSERT INTO events (seq, input, type, v, cause, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      request: this.db.prepare('INSERT INTO requests (input, id, parent, type, server, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      label: this.db.prepare('INSERT OR REPLACE INTO labels (name, position) VALUES (?, ?)'),
      checkpoint: this.db.prepare('INSERT INTO checkpoints (position, event_seq, hash) VALUES (?, ?, ?)'),
      view: this.db.prepare('INSERT INTO shown_views (ord, step, line, view, process, pid, position, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      meta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      begin: this.db.prepare('BEGIN'),
      commit: this.db.prepare('COMMIT'),
      rollback: this.db.prepare('ROLLBACK'),
    };
    const header = this.db.transaction(() => {
      const meta = this.statements.meta;
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
      const insertType = this.db.prepare('INSERT INTO schema_types (type, version) VALUES (?, ?)');
      for (const type of Object.keys(fingerprint).sort()) insertType.run(type, fingerprint[type]);
    });
    header();
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
    return this.committedInputs;
  }

  /** Keeps a view the run printed (committed with the current batch). */
  recordView(view: RecordedView): void {
    this.guard(() => {
      this.beginBatch();
      this.statements.view.run(this.viewCount++, view.step, view.line, view.view, view.process ?? null, view.pid ?? null, view.position, view.text);
    });
  }

  /** Commits the current batch: its rows, and the checkpoints and labels up to its last input. */
  flush(): void {
    if (this.failure) return;
    this.guard(() => {
      this.beginBatch();
      this.cutBlock();
      const s = this.statements;
      const committing = this.committedInputs + this.pendingInputs;
      const checkpoints = this.machine.timeline.checkpoints();
      while (this.nextCheckpoint < checkpoints.length && checkpoints[this.nextCheckpoint]!.position <= committing) {
        const c = checkpoints[this.nextCheckpoint++]!;
        s.checkpoint.run(c.position, c.eventSeq, hashState(c.root));
      }
      for (const [name, position] of this.machine.timeline.labels()) {
        if (position > committing || this.writtenLabels.get(name) === position) continue;
        s.label.run(name, position);
        this.writtenLabels.set(name, position);
      }
      s.commit.run();
      this.open = false;
      this.committedInputs = committing;
      this.pendingInputs = 0;
    });
  }

  /**
   * Commits the rest, marks the recording complete (with the final state hash and, for a
   * scenario, its result), folds the WAL into the file and closes it.
   */
  close(result?: unknown): void {
    if (this.closed) return;
    this.subscription.unsubscribe();
    this.flush();
    if (this.failure) {
      this.abandon();
      throw new RecordingError(`writing the recording ${this.path} failed after ${this.committedInputs} committed inputs: ${this.failure.message}`);
    }
    const meta = this.statements.meta;
    this.db.transaction(() => {
      meta.run(META.status, 'complete');
      meta.run(META.inputCount, String(this.machine.position));
      meta.run(META.eventCount, String(this.machine.timeline.eventCount));
      meta.run(META.finalHash, this.machine.hash());
      if (result !== undefined) meta.run(META.result, JSON.stringify(result));
    })();
    this.db.exec(RECORDING_INDEXES);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.pragma('journal_mode = DELETE');
    this.db.close();
    this.closed = true;
  }

  /** Stops recording without marking the file complete (what a crash leaves behind, minus the last batch). */
  abandon(): void {
    if (this.closed) return;
    this.subscription.unsubscribe();
    try {
      if (this.open && this.db.inTransaction) this.statements.rollback.run();
      this.open = false;
      this.db.close();
    } finally {
      this.closed = true;
    }
  }

  /**
   * Records one outcome. It runs inside the machine's dispatch, where RxJS would only report a
   * thrown error later and asynchronously: a write that fails (a full disk, a file removed)
   * stops the recording instead, and `close` reports it.
   */
  private onOutcome(outcome: InputOutcome): void {
    this.guard(() => this.append(outcome));
  }

  /** Runs a write; on failure, rolls the open batch back and stops recording (close reports it). */
  private guard(write: () => void): void {
    if (this.failure) return;
    try {
      write();
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.subscription.unsubscribe();
      try {
        if (this.db.inTransaction) this.statements.rollback.run();
      } catch {
        // the connection is already unusable; close reports the first failure
      }
      this.open = false;
    }
  }

  private beginBatch(): void {
    if (this.open) return;
    this.statements.begin.run();
    this.open = true;
  }

  private append(outcome: InputOutcome): void {
    const { input } = outcome;
    const s = this.statements;
    this.beginBatch();
    const bulk = !outcome.error && BULK_INPUT_TYPES.has(input.type);
    if (this.bulk && (!bulk || this.bulk.type !== input.type || this.bulk.v !== input.v)) this.cutBlock();
    if (bulk) {
      this.bulk ??= { firstSeq: input.seq, type: input.type, v: input.v, payloads: [] };
      this.bulk.payloads.push(input.payload);
    } else {
      s.input.run(
        input.seq,
        input.type,
        input.v,
        JSON.stringify(input.payload),
        outcome.reply === undefined ? null : JSON.stringify(outcome.reply),
        outcome.error ? JSON.stringify(outcome.error) : null,
      );
    }
    for (const e of outcome.events) s.event.run(e.seq, e.input, e.type, e.v, e.cause.join('.'), JSON.stringify(e.payload));
    // Request 0 is the input itself (its type and payload are the input's): only the requests servers made are kept.
    for (const r of outcome.requests) if (r.id !== 0) s.request.run(input.seq, r.id, r.parent, r.type, r.server, JSON.stringify(r.payload));
    this.pendingInputs++;
    if (this.pendingInputs >= this.batchInputs) this.flush();
  }

  /** Writes the pending run of bulk inputs as one compressed block (inside the open batch). */
  private cutBlock(): void {
    const block = this.bulk;
    if (!block) return;
    this.statements.block.run(block.firstSeq, block.payloads.length, block.type, block.v, BLOCK_ENCODING_JSON_DEFLATE, encodeBlock(block.payloads));
    this.bulk = undefined;
  }
}
