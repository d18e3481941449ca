/**
 * The registry of what a machine offers to scenarios and tools: calls (by name and caller),
 * views and constants, collected from its subsystems. The scenario runner, the CLI and the
 * debugger consult only this, so a new subsystem adds calls and views without touching them.
 */
import { KernelError } from './errors.js';
import type { AnySubsystem, CallSpec, Subsystem, ViewSpec } from './subsystem.js';

/** A call together with the subsystem that declared it. */
export interface RegisteredCall extends CallSpec {
  /** The id of the subsystem that declared the call. */
  readonly subsystem: string;
}

/** A view together with the subsystem that renders it. */
export interface RegisteredView extends ViewSpec {
  /** The id of the subsystem that renders the view. */
  readonly subsystem: string;
}

/** Calls, views and constants of a set of subsystems. */
export class Registry {
  private readonly callsByName = new Map<string, RegisteredCall[]>();
  private readonly viewsByName = new Map<string, RegisteredView>();
  private readonly constantsByName = new Map<string, { value: number; subsystem: string }>();

  /** Collects the declarations of `subsystems`; throws on a duplicate call, view or constant. */
  constructor(subsystems: readonly AnySubsystem[]) {
    for (const subsystem of subsystems as readonly Subsystem[]) {
      for (const call of subsystem.calls ?? []) this.addCall({ ...call, subsystem: subsystem.id });
      for (const view of subsystem.views ?? []) this.addView({ ...(view as ViewSpec), subsystem: subsystem.id });
      for (const [name, value] of Object.entries(subsystem.constants ?? {})) this.addConstant(name, value, subsystem.id);
    }
  }

  /** The call named `name` that `callerKind` may use, or undefined. */
  call(name: string, callerKind: string): RegisteredCall | undefined {
    return this.callsByName.get(name)?.find((c) => c.callers.includes(callerKind));
  }

  /** Every registered call named `name`, whoever may use it. */
  callsNamed(name: string): readonly RegisteredCall[] {
    return this.callsByName.get(name) ?? [];
  }

  /** Names of the calls that `callerKind` may use (or all names when omitted), sorted. */
  callNames(callerKind?: string): string[] {
    const names: string[] = [];
    for (const [name, calls] of this.callsByName) {
      if (callerKind === undefined || calls.some((c) => c.callers.includes(callerKind))) names.push(name);
    }
    return names.sort();
  }

  /** Every registered call. */
  allCalls(): RegisteredCall[] {
    return [...this.callsByName.values()].flat();
  }

  /** The view named `name`, or undefined. */
  view(name: string): RegisteredView | undefined {
    return this.viewsByName.get(name);
  }

  /** Names of all views, sorted. */
  viewNames(): string[] {
    return [...this.viewsByName.keys()].sort();
  }

  /** The value of constant `name`, or undefined. */
  constant(name: string): number | undefined {
    return this.constantsByName.get(name)?.value;
  }

  /** Names of all constants, sorted. */
  constantNames(): string[] {
    return [...this.constantsByName.keys()].sort();
  }

  private addCall(call: RegisteredCall): void {
    const existing = this.callsByName.get(call.name) ?? [];
    const clash = existing.find((c) => c.callers.some((k) => call.callers.includes(k)));
    if (clash) {
      throw new KernelError('DUPLICATE_CALL', `call ${call.name} is declared by both ${clash.subsystem} and ${call.subsystem} for the same caller`);
    }
    existing.push(call);
    this.callsByName.set(call.name, existing);
  }

  private addView(view: RegisteredView): void {
    const clash = this.viewsByName.get(view.name);
    if (clash) throw new KernelError('DUPLICATE_VIEW', `view ${view.name} is declared by both ${clash.subsystem} and ${view.subsystem}`);
    this.viewsByName.set(view.name, view);
  }

  private addConstant(name: string, value: number, subsystem: string): void {
    const clash = this.constantsByName.get(name);
    if (clash && clash.value !== value) {
      throw new KernelError('DUPLICATE_CONSTANT', `constant ${name} is ${clash.value} in ${clash.subsystem} but ${value} in ${subsystem}`);
    }
    this.constantsByName.set(name, { value, subsystem });
  }
}
