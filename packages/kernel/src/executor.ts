/**
 * Executes one input as a transaction: the input becomes a request to the server for its type;
 * that server may ask others; each decision's events are applied at once (through the server's
 * immer `evolve`) to a working copy of the root, so later requests in the same input see them.
 * If anything throws, the working copy is dropped and the edit session's undo log restores any
 * table written in place: the input's events are all applied, or none. A request may re-enter the
 * server that asked; a decision that returns or emits over a re-entrant change it did not read
 * (`ctx.state()`) is refused with STALE_REENTRY.
 */
import type { Immer } from 'immer';
import { EditSession } from './chunkedArray.js';
import { KernelError, describeError, type InputError } from './errors.js';
import type { EmittedEvent, EventEnvelope, InputEnvelope, RequestRecord } from './messages.js';
import { SeededRandom } from './random.js';
import type { Bus } from './bus.js';
import type { DecideContext, Subsystem } from './subsystem.js';
import { KERNEL_ID, RANDOM_ADVANCED, type KernelState } from './tasks.js';

/** The root state: one immutable slice per subsystem, keyed by subsystem id. */
export type RootState = Readonly<Record<string, unknown>>;

/** What executing one input produced. */
export interface Execution {
  /** The root after the input (the same object when it failed or changed nothing). */
  readonly root: RootState;
  /** The reply of the input's server (undefined when it failed). */
  readonly reply: unknown;
  /** The events it caused, numbered from the given first sequence number. */
  readonly events: EventEnvelope[];
  /** The requests made, when recording them was asked for. */
  readonly requests: RequestRecord[];
  /** Why it was rolled back, when a server threw. */
  readonly error?: InputError;
}

/** Runs inputs against root states; shared by the live machine and by re-execution when seeking. */
export class Executor {
  private readonly servers: readonly Subsystem[];
  private readonly ids: readonly string[];
  /** The edit session of this executor's transactions: its ChunkedArray versions, and no one else's. */
  readonly session = new EditSession();

  /** Binds the executor to a bus's servers and an immer instance. */
  constructor(
    private readonly bus: Bus,
    private readonly immer: Immer,
  ) {
    this.servers = bus.subsystems;
    this.ids = this.servers.map((s) => s.id);
  }

  /** Builds the initial root from each server's `initialState`. */
  initialRoot(config: Readonly<Record<string, unknown>>): RootState {
    const root: Record<string, unknown> = {};
    this.session.run(() => {
      for (const server of this.servers) root[server.id] = this.immer.produce(server.initialState(config), () => undefined);
    });
    this.session.seal();
    return Object.freeze(root);
  }

  /**
   * Executes `input` against `root`; event numbers start at `firstEventSeq`. Never throws for a
   * server's error. When `root` is the unsealed result of the previous `execute`, its tables are
   * written in place (undone if the input fails); call `keep()` before holding on to a root.
   */
  execute(root: RootState, input: InputEnvelope, firstEventSeq: number, recordRequests: boolean): Execution {
    const tx = new Transaction(this.servers, this.ids, this.bus, this.immer, root, input, firstEventSeq, recordRequests);
    const session = this.session;
    return session.run(() => {
      session.begin();
      try {
        const reply = tx.request(input.type, input.payload, -1, NO_CAUSE);
        tx.finishRandom();
        const next = tx.commit(root);
        session.commit();
        return { root: next, reply, events: tx.events, requests: tx.requests };
      } catch (error) {
        session.rollback();
        return { root, reply: undefined, events: [], requests: tx.requests, error: describeError(error) };
      }
    });
  }

  /**
   * Makes every ChunkedArray version of this executor's session read-only for ever. Call it before
   * keeping a root that `execute` returned (the machine does for checkpoints, reads of its state
   * and seeks): until then the next `execute` may write that root's tables in place.
   */
  keep(): void {
    this.session.seal();
  }

  /** Answers a read-only request against `root`; throws QUERY_EMITTED_EVENTS if the decision has effects. */
  query(root: RootState, type: string, payload: unknown): unknown {
    const input: InputEnvelope = { seq: -1, type, v: 0, payload };
    const tx = new Transaction(this.servers, this.ids, this.bus, this.immer, root, input, 0, false);
    const session = this.session;
    // A query never keeps a write: whatever its decisions did in place is undone.
    session.begin();
    try {
      const reply = session.run(() => tx.request(type, payload, -1, NO_CAUSE));
      if (tx.events.length > 0 || tx.randomUsed) {
        throw new KernelError('QUERY_EMITTED_EVENTS', `query ${type} changed state (it emitted ${tx.events[0]?.type ?? 'random draws'}); use dispatch`);
      }
      return reply;
    } finally {
      session.rollback();
    }
  }
}

const NO_CAUSE: readonly number[] = [];

/** One input's working state. */
class Transaction {
  readonly working: unknown[];
  readonly events: EventEnvelope[] = [];
  readonly requests: RequestRecord[] = [];
  /** Per slice: how many times events were applied to it in this input (re-entry checks compare these). */
  readonly versions: number[];
  /** Per slice: the cause chain (request ids) of the decision that last applied events to it. */
  readonly changedBy: (readonly number[])[];
  /** The type of each request made in this input, by request id (to name chains in errors). */
  private readonly requestTypes: string[] = [];
  private nextRequestId = 0;
  private nextEventSeq: number;
  private rng: SeededRandom | undefined;
  private changed = false;

  constructor(
    readonly servers: readonly Subsystem[],
    private readonly ids: readonly string[],
    readonly bus: Bus,
    private readonly immer: Immer,
    root: RootState,
    readonly input: InputEnvelope,
    firstEventSeq: number,
    private readonly recordRequests: boolean,
  ) {
    this.working = ids.map((id) => root[id]);
    this.versions = ids.map(() => 0);
    this.changedBy = ids.map(() => NO_CAUSE);
    this.nextEventSeq = firstEventSeq;
  }

  get randomUsed(): boolean {
    return this.rng !== undefined;
  }

  request(type: string, payload: unknown, parent: number, parentCause: readonly number[]): unknown {
    const index = this.bus.route(type);
    const server = this.servers[index]!;
    const id = this.nextRequestId++;
    this.requestTypes.push(type);
    if (this.recordRequests) this.requests.push({ id, type, parent, server: server.id, payload });
    const cause = parentCause.length === 0 ? [id] : [...parentCause, id];
    const context = new DecisionContext(this, index, id, cause);
    const decision = server.decide({ type, payload, id }, this.working[index], context);
    // A nested request may have re-entered this server and changed its slice: the decision's
    // reply and events are only sound if it read the slice again (ctx.state()) afterwards.
    if (context.seen !== this.versions[index]) throw this.staleError(index, cause, 'returned');
    const emitted = decision.events;
    if (emitted !== undefined && emitted.length > 0) this.emit(index, emitted, cause);
    return decision.reply;
  }

  /** Numbers the events a decision of server `index` emitted and applies them to its slice at once. */
  emit(index: number, emitted: readonly EmittedEvent[], cause: readonly number[]): void {
    const server = this.servers[index]!;
    const envelopes: EventEnvelope[] = [];
    for (const e of emitted) {
      const v = server.events[e.type];
      if (v === undefined) {
        throw new KernelError('UNKNOWN_EVENT', `${server.id} emitted ${e.type}, which it does not declare in its events`);
      }
      envelopes.push({ seq: this.nextEventSeq++, type: e.type, v, input: this.input.seq, cause, payload: e.payload });
    }
    this.apply(index, envelopes);
    this.changedBy[index] = cause;
  }

  /** The STALE_REENTRY error for a decision (chain `cause`) of server `index` that did not see its slice's latest change. */
  staleError(index: number, cause: readonly number[], what: string): KernelError {
    const chain = this.chain(cause);
    const changedBy = this.chain(this.changedBy[index]!);
    const id = this.ids[index]!;
    return new KernelError(
      'STALE_REENTRY',
      `${chain} ${what} after a re-entrant request changed ${id}'s slice (${changedBy} applied events to it) without reading it again; ` +
        'call ctx.state() after a request that may re-enter (docs/architecture.md, "Re-entrant requests")',
      { subsystem: id, chain: cause.map((r) => this.requestTypes[r]!), changedBy: this.changedBy[index]!.map((r) => this.requestTypes[r]!) },
    );
  }

  /** Records the generator's new state as a kernel event, when this input drew random numbers. */
  finishRandom(): void {
    if (!this.rng) return;
    const index = this.ids.indexOf(KERNEL_ID);
    const server = this.servers[index]!;
    this.apply(index, [
      { seq: this.nextEventSeq++, type: RANDOM_ADVANCED, v: server.events[RANDOM_ADVANCED]!, input: this.input.seq, cause: NO_CAUSE, payload: { state: this.rng.state } },
    ]);
  }

  commit(root: RootState): RootState {
    if (!this.changed) return root;
    const next: Record<string, unknown> = {};
    for (let i = 0; i < this.ids.length; i++) next[this.ids[i]!] = this.working[i];
    return Object.freeze(next);
  }

  /** A generator continuing from the kernel slice's state, made on the first draw of this input. */
  random(): SeededRandom {
    this.rng ??= new SeededRandom((this.working[0] as KernelState).rng);
    return this.rng;
  }

  /** `type#id → type#id → …` for a cause chain. */
  private chain(cause: readonly number[]): string {
    return cause.map((r) => `${this.requestTypes[r]}#${r}`).join(' → ');
  }

  private apply(index: number, envelopes: readonly EventEnvelope[]): void {
    const server = this.servers[index]!;
    const before = this.working[index];
    this.working[index] = this.immer.produce(before, (draft) => {
      for (const envelope of envelopes) server.evolve(draft, envelope);
    });
    this.versions[index]!++;
    if (this.working[index] !== before) this.changed = true;
    for (const envelope of envelopes) this.events.push(envelope);
  }
}

/**
 * The context one decision receives. It remembers which version of the deciding server's slice
 * the decision has seen (the `state` argument, then each `ctx.state()`), so that a re-entrant
 * change the decision did not look at is refused instead of silently applied over: the
 * validation step of optimistic concurrency control (Kung & Robinson, "On optimistic methods for
 * concurrency control", 1981), with a per-slice version number as the read set.
 */
class DecisionContext implements DecideContext {
  readonly input: InputEnvelope;
  readonly tick: number;
  /** The version of the slice this decision last read. */
  seen: number;

  constructor(
    private readonly tx: Transaction,
    private readonly index: number,
    private readonly requestId: number,
    private readonly cause: readonly number[],
  ) {
    this.input = tx.input;
    this.tick = (tx.working[0] as KernelState).tick;
    this.seen = tx.versions[index]!;
  }

  request<R>(type: string, payload: unknown): R {
    return this.tx.request(type, payload, this.requestId, this.cause) as R;
  }

  state<S>(): S {
    this.seen = this.tx.versions[this.index]!;
    return this.tx.working[this.index] as S;
  }

  emit(...events: readonly EmittedEvent[]): void {
    if (this.seen !== this.tx.versions[this.index]) throw this.tx.staleError(this.index, this.cause, 'emitted events');
    if (events.length === 0) return;
    this.tx.emit(this.index, events, this.cause);
    this.seen = this.tx.versions[this.index]!;
  }

  serves(type: string): boolean {
    return this.tx.bus.serves(type);
  }

  random(): number {
    return this.tx.random().next();
  }

  randomInt(bound: number): number {
    return this.tx.random().nextInt(bound);
  }
}
