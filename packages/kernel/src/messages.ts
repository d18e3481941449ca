/**
 * Message envelopes: the three kinds of message that cross the kernel.
 *
 * - an **input** is an outside stimulus (a syscall from a process, a memory access, a kernel
 *   API call from a scenario, a clock tick); inputs are what a run *is*;
 * - a **request** is one server asking another (synchronous, answered by a reply);
 * - an **event** is a fact, named in the past tense (`phys/pages-allocated`); state changes
 *   only by events.
 *
 * Every envelope carries its type, the schema version of that type, and a sequence number;
 * requests and events carry their cause chain (input seq → request ids → event) so any piece
 * of state can answer "why am I here?".
 */

/** Plain JSON-like data: what payloads, replies and state leaves are made of. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** An outside stimulus as the caller hands it to `machine.dispatch`. */
export interface InputMessage<P = unknown> {
  /** The request type that handles this input, e.g. `phys/alloc-pages`. */
  readonly type: string;
  /** The input's arguments. */
  readonly payload: P;
}

/** An input as logged: numbered, versioned. */
export interface InputEnvelope<P = unknown> extends InputMessage<P> {
  /** Position of this input in the run, counting from 0. */
  readonly seq: number;
  /** Schema version of `type` when it was recorded. */
  readonly v: number;
}

/** A request as recorded in a transaction: which request caused it, and which server answered. */
export interface RequestRecord {
  /** Request number within its input's transaction, counting from 0 (0 is the input itself). */
  readonly id: number;
  /** The request type. */
  readonly type: string;
  /** The id of the request whose server made this request, or -1 for the input's own request. */
  readonly parent: number;
  /** The id of the server that served it. */
  readonly server: string;
  /** The request's arguments. */
  readonly payload: unknown;
}

/** A fact, as logged: what happened and the chain of causes from its input. */
export interface EventEnvelope<P = unknown> {
  /** Global event sequence number, counting from 0 over the whole run. */
  readonly seq: number;
  /** The event type, `<subsystem>/<past-tense-verb>`, e.g. `phys/pages-allocated`. */
  readonly type: string;
  /** Schema version of `type`. */
  readonly v: number;
  /** The sequence number of the input that caused it. */
  readonly input: number;
  /** Request ids from the input's request (0) down to the request whose decision emitted it. */
  readonly cause: readonly number[];
  /** The event's data. */
  readonly payload: P;
}

/** An event as a decider emits it, before the kernel numbers it. */
export interface EmittedEvent<P = unknown> {
  /** The event type. */
  readonly type: string;
  /** The event's data. */
  readonly payload: P;
}

/** Builds an event for a decider's output. */
export function event<P>(type: string, payload: P): EmittedEvent<P> {
  return { type, payload };
}
