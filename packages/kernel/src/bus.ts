/**
 * The bus: routes each request type to exactly one server, and publishes what happens to
 * observers through RxJS subjects. Request/reply is synchronous and ordered (a direct call on
 * one thread); publication costs nothing when nobody observes (`subject.observed`).
 */
import { Subject, type Observable } from 'rxjs';
import { KernelError } from './errors.js';
import type { InputError } from './errors.js';
import type { EventEnvelope, InputEnvelope, RequestRecord } from './messages.js';
import type { AnySubsystem, Subsystem } from './subsystem.js';

/** What became of one input: its reply, the events it caused, or the error that rolled it back. */
export interface InputOutcome {
  /** The input, as logged. */
  readonly input: InputEnvelope;
  /** The reply of the server that handled it (undefined when it failed). */
  readonly reply: unknown;
  /** The events it caused, in order (none when it failed). */
  readonly events: readonly EventEnvelope[];
  /** The requests made while executing it, the input's own request first (empty when not recorded). */
  readonly requests: readonly RequestRecord[];
  /** Why it was rolled back, when a server threw. */
  readonly error?: InputError;
}

/** The routing table and the observable streams of one machine. */
export class Bus {
  private readonly routes = new Map<string, number>();
  private readonly subsystemList: Subsystem[] = [];
  private readonly eventSubject = new Subject<EventEnvelope>();
  private readonly outcomeSubject = new Subject<InputOutcome>();

  /** Every committed event, in order. */
  readonly events$: Observable<EventEnvelope> = this.eventSubject.asObservable();
  /** Every input's outcome, committed or rolled back, in order. */
  readonly outcomes$: Observable<InputOutcome> = this.outcomeSubject.asObservable();

  /** Registers a server for all its request types; returns its index. Throws on a second server for a type. */
  register(subsystem: AnySubsystem): number {
    const server = subsystem as unknown as Subsystem;
    if (this.subsystemList.some((s) => s.id === server.id)) {
      throw new KernelError('DUPLICATE_SUBSYSTEM', `a subsystem with id ${server.id} is already registered`);
    }
    const index = this.subsystemList.length;
    for (const type of Object.keys(server.requests)) {
      const existing = this.routes.get(type);
      if (existing !== undefined) {
        throw new KernelError(
          'DUPLICATE_SERVER',
          `request type ${type} is already served by ${this.subsystemList[existing]!.id}; ${server.id} cannot serve it too`,
          { type, existing: this.subsystemList[existing]!.id, server: server.id },
        );
      }
    }
    for (const type of Object.keys(server.requests)) this.routes.set(type, index);
    this.subsystemList.push(server);
    return index;
  }

  /** The index of the server for `type`; throws NO_SERVER when nobody serves it. */
  route(type: string): number {
    const index = this.routes.get(type);
    if (index === undefined) throw new KernelError('NO_SERVER', `no server handles requests of type ${type}`, { type });
    return index;
  }

  /** True when some server handles `type`. */
  serves(type: string): boolean {
    return this.routes.has(type);
  }

  /** The registered servers, in registration order. */
  get subsystems(): readonly Subsystem[] {
    return this.subsystemList;
  }

  /** Publishes committed events, only if someone observes. */
  publishEvents(events: readonly EventEnvelope[]): void {
    if (!this.eventSubject.observed) return;
    for (const e of events) this.eventSubject.next(e);
  }

  /** Publishes an input's outcome, only if someone observes. */
  publishOutcome(outcome: () => InputOutcome): void {
    if (this.outcomeSubject.observed) this.outcomeSubject.next(outcome());
  }
}
