/**
 * The subsystem contract (the decider pattern). A subsystem is a server on the bus:
 *
 * - `initialState(config)` builds its slice of the root state;
 * - `decide(request, state, ctx)` answers a request with a reply and the events that record
 *   what happened; it may ask other servers through `ctx.request`;
 * - `evolve(draft, event)` applies one of its events to its slice, written as an immer recipe.
 *
 * `decide` and `evolve` are pure and deterministic: no clock (use `ctx.tick`), no `Math.random`
 * (use `ctx.random`), no I/O. A subsystem also declares the scenario calls it accepts, the views
 * it renders and the constants it defines, so the CLI, the scenario runner and the debugger stay
 * generic.
 */
import type { Draft } from 'immer';
import type { EmittedEvent, EventEnvelope, InputEnvelope, Json } from './messages.js';
import type { Upcaster } from './schema.js';

/** The machine's configuration, handed to every subsystem's `initialState` (each reads its own fields). */
export type MachineConfig = Readonly<Record<string, unknown>>;

/** A request as a decider receives it. */
export interface Request<P = unknown> {
  /** The request type, e.g. `phys/alloc-pages`. */
  readonly type: string;
  /** Its arguments. */
  readonly payload: P;
  /** Its id within the current input's transaction (0 for the input's own request). */
  readonly id: number;
}

/** What a decider may use besides its state: other servers, its current slice, the seeded random source, the clock. */
export interface DecideContext {
  /** The input being executed. */
  readonly input: InputEnvelope;
  /** The simulated clock (ticks since boot); never the wall clock. */
  readonly tick: number;
  /**
   * Sends a request to the server that serves `type` and returns its reply, synchronously. The
   * request may re-enter the asking server (A → B → A); afterwards read `state()` again.
   */
  request<R = unknown>(type: string, payload: unknown): R;
  /**
   * The deciding server's slice as it is now: the state at the start of the input with every event
   * applied so far in this input (the decision's own `emit`s, and those of re-entrant decisions).
   */
  state<S = unknown>(): S;
  /**
   * Applies events of this server to its slice at once, before the decision returns, so that the
   * servers it asks next (and re-entrant decisions of its own server) see them. Refused with
   * STALE_REENTRY if the slice changed since the decision last read it.
   */
  emit(...events: readonly EmittedEvent[]): void;
  /** True when some server handles `type` (e.g. whether a fault handler is registered yet). */
  serves(type: string): boolean;
  /** A float in [0, 1) from the machine's seeded generator. */
  random(): number;
  /** An integer in [0, bound) from the machine's seeded generator. */
  randomInt(bound: number): number;
}

/** A decider's answer: the reply to the caller and the events that record what happened. */
export interface Decision<R = unknown> {
  /** The reply returned to whoever sent the request. */
  readonly reply: R;
  /** Facts to apply to this subsystem's slice, in order (omit or empty for a read-only request). */
  readonly events?: readonly EmittedEvent[];
}

/** The type of a scenario call's parameter, used for checking and messages. */
export type ParamType = 'int' | 'size' | 'address' | 'flags' | 'string' | 'handle';

/** One parameter of a scenario call. */
export interface ParamSpec {
  /** Its name, as documentation and error messages show it. */
  readonly name: string;
  /** What kind of value it takes. */
  readonly type: ParamType;
  /** True when it may be left out (only trailing parameters). */
  readonly optional?: boolean;
}

/** A value a scenario passes to a call. */
export type CallValue = number | string;

/** Who is making a call: the kernel itself, or a process in a personality. */
export interface Caller {
  /** `kernel`, or the personality of the calling process (`posix`, `win32`). */
  readonly kind: string;
  /** The calling process, absent for kernel calls. */
  readonly pid?: number;
}

/** A call's result as scenarios see it: a value, and for failures the errno / GetLastError name. */
export interface CallResult {
  /** The return value. */
  readonly value: CallValue | null;
  /** The error name when the call failed (`EINVAL`, `ERROR_INVALID_PARAMETER`), else absent. */
  readonly error?: string;
}

/** A call that scenarios (and the CLI, and the debugger) can make. */
export interface CallSpec {
  /** The name as written in scenarios: `kmalloc`, `mmap`, `VirtualAlloc`. */
  readonly name: string;
  /** One line saying what it does. */
  readonly summary: string;
  /** Its parameters, in order. */
  readonly params: readonly ParamSpec[];
  /** Which callers may use it: `kernel`, `posix`, `win32`. */
  readonly callers: readonly string[];
  /** The request type an invocation becomes. */
  readonly request: string;
  /** Builds the request payload (default: the arguments by parameter name, plus `pid`). */
  toPayload?(args: Readonly<Record<string, CallValue | undefined>>, caller: Caller): unknown;
  /** Turns the reply into a call result (default: the reply itself, which must be a CallResult). */
  toResult?(reply: unknown): CallResult;
}

/** Whether a view describes the whole machine or one process. */
export type ViewScope = 'machine' | 'process';

/** What a view renders: text in the real system's format, and the same data as JSON. */
export interface ViewOutput {
  /** The text, e.g. exactly what /proc/buddyinfo would print. */
  readonly text: string;
  /** The same information as data. */
  readonly json: Json;
}

/** What a view's renderer can see: its own subsystem's slice, and read-only queries to others. */
export interface ViewContext<S = unknown> {
  /** The rendering subsystem's slice of the state being viewed. */
  readonly state: S;
  /** The process the view is about, for process views. */
  readonly pid?: number;
  /** Asks another server a read-only question (its decision must emit no events). */
  query<R = unknown>(type: string, payload: unknown): R;
}

/** A view: a named rendering of part of the machine. */
export interface ViewSpec<S = unknown> {
  /** The name used in `show NAME` and `--view NAME`. */
  readonly name: string;
  /** One line saying what it shows. */
  readonly summary: string;
  /** `process` views need a process (`show maps shell`). */
  readonly scope: ViewScope;
  /** Renders the view. */
  render(ctx: ViewContext<S>): ViewOutput;
}

/** How a machine-configuration field is written: a size (`8MiB` or bytes), a whole number, true/false, or any JSON value. */
export type ConfigFieldKind = 'size' | 'count' | 'boolean' | 'any';

/**
 * A machine-configuration field a subsystem reads in `initialState(config)` beyond the ones every
 * machine has (profile, ram, swap, tlb, policy, seed): declared so that scenarios can refuse a
 * field nobody reads instead of ignoring it.
 */
export interface ConfigFieldSpec {
  /** The field's name in the machine object (`stackLimit`, `phys`). */
  readonly name: string;
  /** How its value is written. */
  readonly kind: ConfigFieldKind;
  /** One line saying what it sets (with the Linux or hardware name it stands for). */
  readonly summary: string;
}

/** A server on the bus: the decider, and what it offers to scenarios and tools. */
export interface Subsystem<S = unknown, C extends MachineConfig = MachineConfig> {
  /** Its id, which is also the key of its slice in the root state (`phys`, `mmu`, `regions`). */
  readonly id: string;
  /** The request types it serves, each with its payload schema version. */
  readonly requests: Readonly<Record<string, number>>;
  /** The event types it emits, each with its payload schema version. */
  readonly events: Readonly<Record<string, number>>;
  /** Builds its initial slice from the machine's configuration. */
  initialState(config: C): S;
  /** Answers one request: a reply and the events that record what happened. Pure. */
  decide(request: Request, state: S, ctx: DecideContext): Decision;
  /** Applies one of its events to its slice (an immer recipe: mutate the draft). Pure. */
  evolve(draft: Draft<S>, event: EventEnvelope): void;
  /** Scenario calls it accepts. */
  readonly calls?: readonly CallSpec[];
  /** Views it renders. */
  readonly views?: readonly ViewSpec<S>[];
  /** Named constants it defines for scenarios (`PROT_READ`, `GFP_KERNEL`). */
  readonly constants?: Readonly<Record<string, number>>;
  /** Machine-configuration fields it reads beyond every machine's own. */
  readonly configFields?: readonly ConfigFieldSpec[];
  /** Steps that bring older recorded payloads of its types up to the current versions. */
  readonly upcasters?: readonly Upcaster[];
  /**
   * Its slice as people compare two points of a run (`vmlab diff`): plain data in the terms they
   * read — regions as maps lines keyed by their range, not the index tree that holds them. The
   * slice itself when absent. Pure; it may return the same object for the same slice.
   */
  readonly diffView?: (state: S) => unknown;
}

/** Declares a subsystem with its state type inferred (an identity function, for type inference). */
export function defineSubsystem<S, C extends MachineConfig = MachineConfig>(subsystem: Subsystem<S, C>): Subsystem<S, C> {
  return subsystem;
}

/** A subsystem of any state and configuration type, as machines and registries hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- state types differ per subsystem; the machine treats slices opaquely
export type AnySubsystem = Subsystem<any, any>;
