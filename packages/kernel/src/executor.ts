/**
 * Executes one input as a transaction: the input becomes a request to the server for its type;
 * that server may ask others; each decision's events are applied at once (through the server's
 * immer `evolve`) to a working copy of the root, so later requests in the same input see them.
 * If anything throws, the working copy is dropped: the input's events are all applied, or none.
 */
import type { Immer } from 'immer';
import { sealEditSession } from './chunkedArray.js';
import { KernelError, describeError, type InputError } from './errors.js';
import type { EventEnvelope, InputEnvelope, RequestRecord } from './messages.js';
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
    for (const server of this.servers) root[server.id] = this.immer.produce(server.initialState(config), () => undefined);
    sealEditSession();
    return Object.freeze(root);
  }

  /** Executes `input` against `root`; event numbers start at `firstEventSeq`. Never throws for a server's error. */
  execute(root: RootState, input: InputEnvelope, firstEventSeq: number, recordRequests: boolean): Execution {
    const tx = new Transaction(this.servers, this.ids, this.bus, this.immer, root, input, firstEventSeq, recordRequests);
    try {
      const reply = tx.request(input.type, input.payload, -1, NO_CAUSE);
      tx.finishRandom();
      const next = tx.commit(root);
      sealEditSession();
      return { root: next, reply, events: tx.events, requests: tx.requests };
    } catch (error) {
      sealEditSession();
      return { root, reply: undefined, events: [], requests: tx.requests, error: describeError(error) };
    }
  }

  /** Answers a read-only request against `root`; throws QUERY_EMITTED_EVENTS if the decision has effects. */
  query(root: RootState, type: string, payload: unknown): unknown {
    const input: InputEnvelope = { seq: -1, type, v: 0, payload };
    const tx = new Transaction(this.servers, this.ids, this.bus, this.immer, root, input, 0, false);
    const reply = tx.request(type, payload, -1, NO_CAUSE);
    if (tx.events.length > 0 || tx.randomUsed) {
      throw new KernelError('QUERY_EMITTED_EVENTS', `query ${type} changed state (it emitted ${tx.events[0]?.type ?? 'random draws'}); use dispatch`);
    }
    sealEditSession();
    return reply;
  }
}

const NO_CAUSE: readonly number[] = [];

/** One input's working state. */
class Transaction {
  readonly working: unknown[];
  readonly events: EventEnvelope[] = [];
  readonly requests: RequestRecord[] = [];
  private nextRequestId = 0;
  private nextEventSeq: number;
  private rng: SeededRandom | undefined;
  private changed = false;

  constructor(
    private readonly servers: readonly Subsystem[],
    private readonly ids: readonly string[],
    private readonly bus: Bus,
    private readonly immer: Immer,
    root: RootState,
    private readonly input: InputEnvelope,
    firstEventSeq: number,
    private readonly recordRequests: boolean,
  ) {
    this.working = ids.map((id) => root[id]);
    this.nextEventSeq = firstEventSeq;
  }

  get randomUsed(): boolean {
    return this.rng !== undefined;
  }

  request(type: string, payload: unknown, parent: number, parentCause: readonly number[]): unknown {
    const index = this.bus.route(type);
    const server = this.servers[index]!;
    const id = this.nextRequestId++;
    if (this.recordRequests) this.requests.push({ id, type, parent, server: server.id, payload });
    const cause = parentCause.length === 0 ? [id] : [...parentCause, id];
    const decision = server.decide({ type, payload, id }, this.working[index], this.context(id, cause));
    const emitted = decision.events;
    if (emitted !== undefined && emitted.length > 0) {
      const envelopes: EventEnvelope[] = [];
      for (const e of emitted) {
        const v = server.events[e.type];
        if (v === undefined) {
          throw new KernelError('UNKNOWN_EVENT', `${server.id} emitted ${e.type}, which it does not declare in its events`);
        }
        envelopes.push({ seq: this.nextEventSeq++, type: e.type, v, input: this.input.seq, cause, payload: e.payload });
      }
      this.apply(index, envelopes);
    }
    return decision.reply;
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

  private apply(index: number, envelopes: readonly EventEnvelope[]): void {
    const server = this.servers[index]!;
    const before = this.working[index];
    this.working[index] = this.immer.produce(before, (draft) => {
      for (const envelope of envelopes) server.evolve(draft, envelope);
    });
    if (this.working[index] !== before) this.changed = true;
    for (const envelope of envelopes) this.events.push(envelope);
  }

  private context(requestId: number, cause: readonly number[]): DecideContext {
    return {
      input: this.input,
      tick: (this.working[0] as KernelState).tick,
      request: <R>(type: string, payload: unknown): R => this.request(type, payload, requestId, cause) as R,
      serves: (type: string): boolean => this.bus.serves(type),
      random: (): number => this.random().next(),
      randomInt: (bound: number): number => this.random().nextInt(bound),
    };
  }

  private random(): SeededRandom {
    this.rng ??= new SeededRandom((this.working[0] as KernelState).rng);
    return this.rng;
  }
}
