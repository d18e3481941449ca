/**
 * The timeline: every input of a run, by default every event and request, checkpoints (an
 * immutable root every K inputs), and labels. Any position can be reconstructed: the nearest
 * checkpoint at or before it, then the inputs after it re-executed. Positions count inputs: the
 * state at position p is the state after inputs 0 … p-1, so position 0 is the initial state.
 */
import type { InputError } from './errors.js';
import { KernelError } from './errors.js';
import type { EventEnvelope, InputEnvelope, RequestRecord } from './messages.js';
import type { Execution, Executor, RootState } from './executor.js';
import { hashState, type StateHash } from './stateHash.js';
import { diffState, type DiffOptions, type StateDiff } from './stateDiff.js';

/** An immutable root kept at a position, with the event count at that point. */
export interface Checkpoint {
  /** The position: how many inputs had been applied. */
  readonly position: number;
  /** How many events had been emitted before this position. */
  readonly eventSeq: number;
  /** The root state at this position. */
  readonly root: RootState;
}

/** Options of a timeline. */
export interface TimelineOptions {
  /** Keep a checkpoint every this many inputs (default 1000). */
  readonly checkpointEvery?: number;
  /** Keep every event (default true); when false, events are re-derived on demand. */
  readonly logEvents?: boolean;
  /** Keep every request record, for "why" chains (default true). */
  readonly logRequests?: boolean;
}

/** The chain of causes of one event: its input, the requests between, and the event. */
export interface CauseChain {
  /** The input that started it all. */
  readonly input: InputEnvelope;
  /** The requests from the input's own request down to the one whose decision emitted the event. */
  readonly requests: readonly RequestRecord[];
  /** The event itself. */
  readonly event: EventEnvelope;
}

/** A reference to a point of the timeline: a position, or a label name. */
export type TimelinePoint = number | string;

/** The log of one run with checkpoints, labels and time travel. */
export class Timeline {
  /** Inputs between checkpoints. */
  readonly checkpointEvery: number;
  /** Whether every event is kept. */
  readonly logEvents: boolean;
  /** Whether every request record is kept. */
  readonly logRequests: boolean;
  private readonly inputList: InputEnvelope[] = [];
  private readonly eventList: EventEnvelope[] = [];
  /** eventStarts[p] = number of events emitted before input p (one more entry than inputs). */
  private readonly eventStarts: number[] = [0];
  private readonly requestLists: (readonly RequestRecord[])[] = [];
  private readonly errors = new Map<number, InputError>();
  private readonly checkpointList: Checkpoint[];
  private readonly labelMap = new Map<string, number>();
  private cursorPosition = 0;
  private following = true;
  private cache: { position: number; eventSeq: number; root: RootState } | undefined;

  /** Starts an empty timeline at `initialRoot`. */
  constructor(
    private readonly executor: Executor,
    initialRoot: RootState,
    options: TimelineOptions = {},
  ) {
    this.checkpointEvery = options.checkpointEvery ?? 1000;
    if (!Number.isInteger(this.checkpointEvery) || this.checkpointEvery < 1) {
      throw new RangeError(`checkpointEvery must be a positive integer, got ${options.checkpointEvery}`);
    }
    this.logEvents = options.logEvents ?? true;
    this.logRequests = options.logRequests ?? true;
    this.checkpointList = [{ position: 0, eventSeq: 0, root: initialRoot }];
  }

  /** Number of inputs logged (the head position). */
  get length(): number {
    return this.inputList.length;
  }

  /** Number of events emitted so far. */
  get eventCount(): number {
    return this.eventStarts[this.eventStarts.length - 1]!;
  }

  /** Appends one executed input; keeps a checkpoint when the position is a multiple of K. */
  append(input: InputEnvelope, execution: Execution): void {
    this.inputList.push(input);
    if (this.logEvents) for (const e of execution.events) this.eventList.push(e);
    this.eventStarts.push(this.eventCount + execution.events.length);
    if (this.logRequests) this.requestLists.push(execution.requests);
    if (execution.error) this.errors.set(input.seq, execution.error);
    const position = this.inputList.length;
    if (position % this.checkpointEvery === 0) {
      this.executor.keep();
      this.checkpointList.push({ position, eventSeq: this.eventCount, root: execution.root });
    }
    if (this.following) this.cursorPosition = position;
  }

  /** The input at `seq`. */
  input(seq: number): InputEnvelope {
    this.checkPosition(seq, this.length - 1);
    return this.inputList[seq]!;
  }

  /** All inputs, in order. */
  inputs(): readonly InputEnvelope[] {
    return this.inputList;
  }

  /** The error that rolled input `seq` back, if it failed. */
  errorOf(seq: number): InputError | undefined {
    return this.errors.get(seq);
  }

  /** Every failed input and its error. */
  failures(): ReadonlyMap<number, InputError> {
    return this.errors;
  }

  /** All events in order (re-derived by re-executing the run when they were not logged). */
  events(): readonly EventEnvelope[] {
    if (this.logEvents) return this.eventList;
    const all: EventEnvelope[] = [];
    for (let seq = 0; seq < this.length; seq++) all.push(...this.eventsOf(seq));
    return all;
  }

  /** The events caused by input `seq` (re-derived when events were not logged). */
  eventsOf(seq: number): readonly EventEnvelope[] {
    this.checkPosition(seq, this.length - 1);
    if (this.logEvents) return this.eventList.slice(this.eventStarts[seq]!, this.eventStarts[seq + 1]!);
    return this.reexecute(seq).events;
  }

  /** The event with global sequence number `eventSeq`. */
  event(eventSeq: number): EventEnvelope {
    this.checkPosition(eventSeq, this.eventCount - 1, 'event');
    if (this.logEvents) return this.eventList[eventSeq]!;
    const seq = this.inputOfEvent(eventSeq);
    return this.eventsOf(seq).find((e) => e.seq === eventSeq)!;
  }

  /** The requests made while executing input `seq` (re-derived when not logged). */
  requestsOf(seq: number): readonly RequestRecord[] {
    this.checkPosition(seq, this.length - 1);
    if (this.logRequests) return this.requestLists[seq]!;
    return this.reexecute(seq, true).requests;
  }

  /** Walks from event `eventSeq` back to its input through the request chain. */
  why(eventSeq: number): CauseChain {
    const e = this.event(eventSeq);
    const requests = this.requestsOf(e.input);
    return { input: this.inputList[e.input]!, requests: e.cause.map((id) => requests[id]!), event: e };
  }

  /** The kept checkpoints, by position. */
  checkpoints(): readonly Checkpoint[] {
    return this.checkpointList;
  }

  /** Names a position (the head by default). A label named again moves. */
  label(name: string, position: number = this.length): void {
    this.checkPosition(position, this.length);
    this.labelMap.set(name, position);
  }

  /** All labels and their positions. */
  labels(): ReadonlyMap<string, number> {
    return this.labelMap;
  }

  /** The position of a point: a number is itself, a string is a label (or a decimal number). */
  positionOf(point: TimelinePoint): number {
    if (typeof point === 'number') return this.checkPosition(point, this.length);
    const labelled = this.labelMap.get(point);
    if (labelled !== undefined) return labelled;
    if (/^\d+$/.test(point)) return this.checkPosition(Number(point), this.length);
    throw new KernelError('SEEK_OUT_OF_RANGE', `no label named ${point}`, { point });
  }

  /** The root state at a point: nearest checkpoint, then re-execution. */
  stateAt(point: TimelinePoint): RootState {
    return this.reconstruct(this.positionOf(point)).root;
  }

  /** The stable hash of the state at a point. */
  hashAt(point: TimelinePoint): StateHash {
    return hashState(this.stateAt(point));
  }

  /** What changed between two points. */
  diff(from: TimelinePoint, to: TimelinePoint, options?: DiffOptions): StateDiff {
    return diffState(this.stateAt(from), this.stateAt(to), options);
  }

  /** The time-travel cursor's position (the head, until `seek` moves it). */
  get cursor(): number {
    return this.cursorPosition;
  }

  /** Moves the cursor to a point and returns the state there; the cursor stays put as inputs are added. */
  seek(point: TimelinePoint): RootState {
    const position = this.positionOf(point);
    const root = this.reconstruct(position).root;
    this.cursorPosition = position;
    this.following = position === this.length;
    return root;
  }

  /** Moves the cursor one input back (stays at 0) and returns the state there. */
  stepBack(): RootState {
    return this.seek(Math.max(0, this.cursorPosition - 1));
  }

  /** Moves the cursor one input forward (stays at the head) and returns the state there. */
  stepForward(): RootState {
    return this.seek(Math.min(this.length, this.cursorPosition + 1));
  }

  /** Reconstructs the root and event count at `position`. */
  private reconstruct(position: number): { position: number; eventSeq: number; root: RootState } {
    const cached = this.cache;
    const checkpoint = this.nearestCheckpoint(position);
    let start = checkpoint;
    if (cached && cached.position <= position && cached.position >= checkpoint.position) start = cached;
    let root = start.root;
    let eventSeq = start.eventSeq;
    for (let p = start.position; p < position; p++) {
      const execution = this.executor.execute(root, this.inputList[p]!, eventSeq, false);
      root = execution.root;
      eventSeq += execution.events.length;
    }
    // The result is kept (returned, and cached as a starting point): seal it.
    this.executor.keep();
    const result = { position, eventSeq, root };
    this.cache = result;
    return result;
  }

  private reexecute(seq: number, recordRequests = false): Execution {
    const before = this.reconstruct(seq);
    return this.executor.execute(before.root, this.inputList[seq]!, before.eventSeq, recordRequests);
  }

  private nearestCheckpoint(position: number): Checkpoint {
    const list = this.checkpointList;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (list[mid]!.position <= position) lo = mid;
      else hi = mid - 1;
    }
    return list[lo]!;
  }

  private inputOfEvent(eventSeq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.eventStarts[mid]! <= eventSeq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private checkPosition(value: number, max: number, what = 'position'): number {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new KernelError('SEEK_OUT_OF_RANGE', `${what} ${value} is outside 0..${max}`, { value, max });
    }
    return value;
  }
}
