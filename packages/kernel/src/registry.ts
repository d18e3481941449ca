/**
 * The registry of what a machine offers to scenarios and tools: calls (by name and caller),
 * views, constants and the machine-configuration fields subsystems read, collected from its subsystems. The scenario runner, the CLI and the
 * debugger consult only this, so a new subsystem adds calls and views without touching them.
 */
import { KernelError } from './errors.js';
import type { AnySubsystem, CallSpec, ConfigFieldSpec, Subsystem, ViewSpec } from './subsystem.js';

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

/** A machine-configuration field together with the subsystems that read it. */
export interface RegisteredConfigField extends ConfigFieldSpec {
  /** The ids of the subsystems that read the field. */
  readonly subsystems: readonly string[];
}

/** Calls, views, constants and configuration fields of a set of subsystems. */
export class Registry {
  private readonly callsByName = new Map<string, RegisteredCall[]>();
  private readonly viewsByName = new Map<string, RegisteredView>();
  private readonly constantsByName = new Map<string, { value: number; subsystem: string }>();
  private readonly configFieldsByName = new Map<string, RegisteredConfigField>();

  /** Collects the declarations of `subsystems`; throws on a duplicate call, view or constant, or a configuration field two subsystems read differently. */
  constructor(subsystems: readonly AnySubsystem[]) {
    for (const subsystem of subsystems as readonly Subsystem[]) {
      for (const call of subsystem.calls ?? []) this.addCall({ ...call, subsystem: subsystem.id });
      for (const view of subsystem.views ?? []) this.addView({ ...(view as ViewSpec), subsystem: subsystem.id });
      for (const [name, value] of Object.entries(subsystem.constants ?? {})) this.addConstant(name, value, subsystem.id);
      for (const field of subsystem.configFields ?? []) this.addConfigField({ ...field, subsystems: [subsystem.id] });
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

  /** The machine-configuration field `name` some subsystem reads, or undefined. */
  configField(name: string): RegisteredConfigField | undefined {
    return this.configFieldsByName.get(name);
  }

  /** Names of the configuration fields the subsystems read, sorted. */
  configFieldNames(): string[] {
    return [...this.configFieldsByName.keys()].sort();
  }

  private addConfigField(field: RegisteredConfigField): void {
    const clash = this.configFieldsByName.get(field.name);
    if (!clash) {
      this.configFieldsByName.set(field.name, field);
      return;
    }
    // Several subsystems may read one field (profile-like settings), if they read it the same way.
    if (clash.kind !== field.kind) {
      throw new KernelError('DUPLICATE_CONFIG_FIELD', `configuration field ${field.name} is a ${clash.kind} for ${clash.subsystems.join(', ')} but a ${field.kind} for ${field.subsystems.join(', ')}`);
    }
    this.configFieldsByName.set(field.name, { ...clash, subsystems: [...clash.subsystems, ...field.subsystems] });
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
