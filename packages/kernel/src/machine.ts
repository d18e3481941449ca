/**
 * The machine: registers subsystems on a bus, runs each input as a transaction, keeps the
 * immutable root state and the timeline, and exposes the registry of calls and views.
 */
import { Immer } from 'immer';
import type { Observable } from 'rxjs';
import { Bus, type InputOutcome } from './bus.js';
import { KernelError } from './errors.js';
import { Executor, type RootState } from './executor.js';
import type { EventEnvelope, InputEnvelope, InputMessage } from './messages.js';
import { Registry, type RegisteredView } from './registry.js';
import type { SchemaFingerprint, Upcaster } from './schema.js';
import { hashState, type StateHash } from './stateHash.js';
import type { AnySubsystem, Caller, CallResult, CallValue, MachineConfig, Subsystem, ViewOutput } from './subsystem.js';
import { kernelSubsystem, type KernelState } from './tasks.js';
import { Timeline, type TimelineOptions, type TimelinePoint } from './timeline.js';

/** Options of `createMachine`. */
export interface MachineOptions extends TimelineOptions {
  /** The subsystems to register (the kernel's own is always registered first). */
  readonly subsystems: readonly AnySubsystem[];
  /** The machine configuration handed to every `initialState` (`seed` seeds the generator). */
  readonly config?: MachineConfig;
  /** Deep-freeze every state produced (default false; tests turn it on to catch mutation). */
  readonly freeze?: boolean;
}

/** A call's result together with the input outcome it came from. */
export interface CallOutcome extends CallResult {
  /** The outcome of the input the call became. */
  readonly outcome: InputOutcome;
}

/** A simulated machine: servers on a bus, an immutable root state, and a timeline. */
export class Machine {
  /** The bus the servers are registered on. */
  readonly bus = new Bus();
  /** Calls, views and constants of all subsystems. */
  readonly registry: Registry;
  /** The log of this run, with checkpoints and time travel. */
  readonly timeline: Timeline;
  /** The configuration the machine was built with. */
  readonly config: MachineConfig;
  /** Every committed event, in order; publishing costs nothing while nobody subscribes. */
  readonly events$: Observable<EventEnvelope>;
  /** Every input's outcome, in order. */
  readonly outcomes$: Observable<InputOutcome>;
  private readonly executor: Executor;
  private readonly versions: Map<string, number>;
  private root: RootState;
  private dispatching = false;

  /** Builds a machine; prefer `createMachine`. */
  constructor(options: MachineOptions) {
    this.config = options.config ?? {};
    const subsystems = [kernelSubsystem as unknown as AnySubsystem, ...options.subsystems];
    for (const subsystem of subsystems) this.bus.register(subsystem);
    this.registry = new Registry(subsystems);
    const immer = new Immer({ autoFreeze: options.freeze ?? false });
    this.executor = new Executor(this.bus, immer);
    this.versions = new Map(this.bus.subsystems.flatMap((s) => Object.entries(s.requests)));
    this.root = this.executor.initialRoot(this.config);
    this.timeline = new Timeline(this.executor, this.root, options);
    this.events$ = this.bus.events$;
    this.outcomes$ = this.bus.outcomes$;
  }

  /** The root state at the head of the timeline (immutable: reading it seals the machine's edit session). */
  get state(): RootState {
    return this.kept();
  }

  /** The number of inputs executed so far (the head position). */
  get position(): number {
    return this.timeline.length;
  }

  /** The kernel's slice: tasks, clock, generator state. */
  get kernel(): KernelState {
    return this.kept().kernel as KernelState;
  }

  /** The slice of subsystem `id` at the head. */
  slice<S>(id: string): S {
    return this.kept()[id] as S;
  }

  /**
   * Executes one input as a transaction and logs it. If a server throws, none of the input's
   * events apply, the state is unchanged, and the outcome (also logged) carries the error.
   */
  dispatch(message: InputMessage): InputOutcome {
    if (this.dispatching) throw new KernelError('REENTRANT_DISPATCH', 'dispatch was called while an input was executing');
    const v = this.versions.get(message.type);
    if (v === undefined) throw new KernelError('NO_SERVER', `no server handles requests of type ${message.type}`, { type: message.type });
    // The log keeps the payload itself: freeze it so neither the caller nor a server can change
    // a logged input afterwards (which would make seek and replay diverge).
    const input: InputEnvelope = Object.freeze({ seq: this.timeline.length, type: message.type, v, payload: deepFreeze(message.payload) });
    this.dispatching = true;
    try {
      const execution = this.executor.execute(this.root, input, this.timeline.eventCount, this.timeline.logRequests);
      this.root = execution.root;
      this.timeline.append(input, execution);
      this.bus.publishEvents(execution.events);
      const outcome: InputOutcome = execution.error
        ? { input, reply: undefined, events: execution.events, requests: execution.requests, error: execution.error }
        : { input, reply: execution.reply, events: execution.events, requests: execution.requests };
      this.bus.publishOutcome(() => outcome);
      return outcome;
    } finally {
      this.dispatching = false;
    }
  }

  /** Makes a registered call as `caller` with positional arguments, and returns its result. */
  call(name: string, args: readonly CallValue[], caller: Caller = { kind: 'kernel' }): CallOutcome {
    const spec = this.registry.call(name, caller.kind);
    if (!spec) throw new KernelError('NO_SERVER', `no call ${name} is available to ${caller.kind}`, { name, caller: caller.kind });
    const named: Record<string, CallValue | undefined> = {};
    // Omitted optional arguments are left out, not set to undefined, so payloads stay plain JSON
    // (a recording stores JSON, and the state hash tells `{ a: undefined }` from `{}`).
    spec.params.forEach((param, i) => {
      if (args[i] !== undefined) named[param.name] = args[i];
    });
    const payload = spec.toPayload ? spec.toPayload(named, caller) : caller.pid === undefined ? named : { ...named, pid: caller.pid };
    const outcome = this.dispatch({ type: spec.request, payload });
    if (outcome.error) return { value: null, error: outcome.error.code ?? outcome.error.name, outcome };
    const result = spec.toResult ? spec.toResult(outcome.reply) : (outcome.reply as CallResult);
    return { ...result, outcome };
  }

  /** Answers a read-only request at the head (or at a point of the timeline). */
  query<R = unknown>(type: string, payload: unknown, at?: TimelinePoint): R {
    const root = at === undefined ? this.kept() : this.timeline.stateAt(at);
    return this.executor.query(root, type, payload) as R;
  }

  /** Renders view `name` at the head (or at a point), for process `pid` when it is a process view. */
  render(name: string, options: { pid?: number; at?: TimelinePoint } = {}): ViewOutput {
    const view = this.registry.view(name);
    if (!view) throw new KernelError('UNKNOWN_VIEW', `no view named ${name}`, { name });
    const root = options.at === undefined ? this.kept() : this.timeline.stateAt(options.at);
    return renderView(view, root, this.executor, options.pid);
  }

  /** Names the current head position of the timeline. */
  label(name: string): void {
    this.timeline.label(name);
  }

  /** The stable hash of the head state. */
  hash(): StateHash {
    return hashState(this.kept());
  }

  /** The schema fingerprint of this build: every request and event type with its version. */
  fingerprint(): SchemaFingerprint {
    const fingerprint: Record<string, number> = {};
    for (const s of this.bus.subsystems) Object.assign(fingerprint, s.requests, s.events);
    return fingerprint;
  }

  /**
   * The head root, sealed: whoever reads it may keep it, so the next input must not write its
   * tables in place. Until someone reads it, inputs write the head's tables in place (see
   * `Executor.keep`), which spares copying a chunk-pointer table and a chunk per input.
   */
  private kept(): RootState {
    this.executor.keep();
    return this.root;
  }

  /** Every upcaster the subsystems declare. */
  upcasters(): readonly Upcaster[] {
    return this.bus.subsystems.flatMap((s) => s.upcasters ?? []);
  }
}

function renderView(view: RegisteredView, root: RootState, executor: Executor, pid: number | undefined): ViewOutput {
  if (view.scope === 'process' && pid === undefined) {
    throw new KernelError('UNKNOWN_VIEW', `view ${view.name} is about one process: name the process`, { name: view.name });
  }
  return view.render({
    state: root[view.subsystem],
    ...(pid === undefined ? {} : { pid }),
    query: <R>(type: string, payload: unknown) => executor.query(root, type, payload) as R,
  });
}

/** Freezes plain objects and arrays, recursively (typed arrays cannot be frozen and are left as they are). */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** Builds a machine from subsystems and a configuration. */
export function createMachine(options: MachineOptions): Machine {
  return new Machine(options);
}
