/**
 * Checks a scenario against a registry before anything runs: processes and variables exist when
 * used, calls exist for the caller's personality with the right number and types of arguments,
 * views and constants exist, fault names are known, and so are errno and Win32 error names
 * (`data/linuxErrno.ts`, `data/win32Errors.ts`). Each problem is one ScenarioError at the right
 * line and column, with "did you mean …" where a name is close.
 */
import type { AccessStep, CallStep, Expression, Named, Scenario, Step } from './ast.js';
import { LINUX_ERRNO } from './data/linuxErrno.js';
import { WIN32_ERRORS } from './data/win32Errors.js';
import { BUILTIN_NAMES, EvaluationError, evaluate, namesIn, staticType } from './expression.js';
import { ScenarioError } from './scenarioError.js';
import { MEMORY_ACCESS_REQUEST, type ScenarioSchema } from './scenarioSchema.js';
import { STEP_KEYWORDS } from './stepParser.js';
import { closestName, didYouMean } from './suggest.js';

/** The caller kind of `kernel: call(…)` steps. */
export const KERNEL_CALLER = 'kernel';

/** The faults a step may expect with `=> NAME`. */
export const FAULT_NAMES = ['SIGSEGV', 'SIGBUS', 'EXCEPTION_ACCESS_VIOLATION', 'STATUS_GUARD_PAGE_VIOLATION', 'EXCEPTION_GUARD_PAGE'] as const;

/** The largest `repeat` count. */
export const MAX_REPEAT = 1_000_000;

/** The values a write of `size` bytes stores exactly: signed or unsigned for 1 to 4 bytes; 0 to 2^53-1 for 8 (the largest whole number the simulator holds exactly, and what the MMU accepts). */
export function writeRange(size: 1 | 2 | 4 | 8): { readonly min: number; readonly max: number } {
  if (size === 8) return { min: 0, max: Number.MAX_SAFE_INTEGER };
  const bits = 8 * size;
  return { min: -(2 ** (bits - 1)), max: 2 ** bits - 1 };
}

/** The word a memory access was written with: `write`, `write16`, `read64`, `exec` … */
export function accessWord(step: Pick<AccessStep, 'access' | 'size' | 'sizeWritten'>): string {
  return step.access === 'exec' || !step.sizeWritten ? step.access : `${step.access}${step.size * 8}`;
}

/** Why `value` does not fit the write `step` makes, or undefined when it fits. */
export function writeMisfit(step: Pick<AccessStep, 'access' | 'size' | 'sizeWritten'>, value: number): string | undefined {
  const { min, max } = writeRange(step.size);
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  const bytes = step.size === 1 ? 'one byte' : `${step.size} bytes`;
  const wider = (['write16', 'write32', 'write64'] as const).filter((word) => Number(word.slice(5)) > step.size * 8);
  const limit = step.size === 8 ? `0 to 2^53-1 (${max}), the largest value the simulator stores exactly` : `${min} to ${max}`;
  return `value ${value} does not fit in ${bytes}, the width of ${accessWord(step)}: expected ${limit}${wider.length > 0 ? `, or ${wider.join('/')} for a wider value` : ''}`;
}

/** What validation knows about a variable: whether it may name a process, and with which personality. */
interface VariableInfo {
  /** The personality of the process that set it (a pid from `fork() -> child` names a process of that personality). */
  readonly personality?: string;
}

/** Throws the first problem of `scenario` against `schema` as a ScenarioError; returns when it can run. */
export function validateScenario(scenario: Scenario, schema: ScenarioSchema): void {
  new Validator(scenario, schema).run();
}

/** Evaluates a `repeat` count (constants and numbers only); throws a ScenarioError when it is not a count. */
export function repeatCount(count: Expression, schema: ScenarioSchema, file: string): number {
  let value: number | string;
  try {
    value = evaluate(count, (name) => BUILTIN_NAMES[name] ?? schema.registry.constant(name));
  } catch (error) {
    if (error instanceof EvaluationError) {
      throw new ScenarioError(file, error.expression.at, `bad repeat count: ${error.message}: expected a number or a constant (variables get their values only when the run starts)`);
    }
    throw error;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_REPEAT) {
    throw new ScenarioError(file, count.at, `bad repeat count ${String(value)}: expected a whole number from 0 to ${MAX_REPEAT}`);
  }
  return value;
}

class Validator {
  private readonly processes = new Map<string, string>();
  private readonly variables = new Map<string, VariableInfo>();

  constructor(
    private readonly scenario: Scenario,
    private readonly schema: ScenarioSchema,
  ) {}

  run(): void {
    for (const process of this.scenario.processes) {
      if (process.name === KERNEL_CALLER) throw this.error(process.at, '`kernel` is reserved for kernel calls: choose another process name');
      if ((STEP_KEYWORDS as readonly string[]).includes(process.name)) throw this.error(process.at, `${process.name} is a step keyword: choose another process name`);
      if (this.processes.has(process.name)) throw this.error(process.at, `process ${process.name} is listed twice: names must be unique`);
      this.processes.set(process.name, process.personality);
    }
    this.steps(this.scenario.steps);
  }

  private steps(steps: readonly Step[]): void {
    for (const step of steps) this.step(step);
  }

  private step(step: Step): void {
    switch (step.kind) {
      case 'spawn':
        if (step.process.name === KERNEL_CALLER) throw this.error(step.process.at, '`kernel` is reserved for kernel calls: choose another process name');
        if (this.processes.has(step.process.name)) throw this.error(step.process.at, `process ${step.process.name} already exists: names must be unique`);
        this.processes.set(step.process.name, step.personality);
        return;
      case 'call':
        this.call(step);
        return;
      case 'access': {
        if (!this.schema.serves(MEMORY_ACCESS_REQUEST)) {
          throw this.error(step.at, `memory accesses need the hardware-mmu subsystem (nobody serves ${MEMORY_ACCESS_REQUEST} yet)`);
        }
        this.personalityOf(step.process);
        this.numeric(step.address, 'the address');
        if (step.value) {
          this.numeric(step.value, 'the value written');
          this.writtenValueFits(step, step.value);
        }
        if (step.expect) this.numeric(step.expect, 'the expected value');
        if (step.fault) this.fault(step.fault);
        return;
      }
      case 'show':
      case 'expect': {
        const view = this.schema.registry.view(step.view.name);
        if (!view) {
          throw this.error(step.view.at, `unknown view ${step.view.name}: expected one of ${this.schema.registry.viewNames().join(', ')}`, didYouMean(step.view.name, this.schema.registry.viewNames()));
        }
        if (view.scope === 'process' && !step.process) {
          throw this.error(step.view.at, `view ${view.name} is about one process: write \`${step.kind} ${view.name} PROCESS\``);
        }
        if (view.scope === 'machine' && step.process) {
          throw this.error(step.process.at, `view ${view.name} is about the whole machine: remove the process name ${step.process.name}`);
        }
        if (step.process) this.personalityOf(step.process);
        if (step.kind === 'expect') {
          for (const line of step.lines) for (const part of line) if (part.kind === 'substitution') this.names(part.expression);
        }
        return;
      }
      case 'label':
        return;
      case 'repeat':
        repeatCount(step.count, this.schema, this.scenario.file);
        this.steps(step.steps);
        return;
    }
  }

  private call(step: CallStep): void {
    const registry = this.schema.registry;
    const kind = step.process.name === KERNEL_CALLER ? KERNEL_CALLER : this.personalityOf(step.process);
    const spec = registry.call(step.call.name, kind);
    const who = kind === KERNEL_CALLER ? 'kernel calls' : `${kind} processes`;
    if (!spec) {
      const others = registry.callsNamed(step.call.name);
      if (others.length > 0) {
        const callers = [...new Set(others.flatMap((c) => c.callers))].join(', ');
        throw this.error(step.call.at, `call ${step.call.name} is not available to ${who}: it is for ${callers}`);
      }
      const names = registry.callNames(kind);
      if (names.length === 0) throw this.error(step.call.at, `unknown call ${step.call.name}: no subsystem offers calls to ${who} yet`);
      throw this.error(step.call.at, `unknown call ${step.call.name}: expected a call available to ${who}`, didYouMean(step.call.name, names));
    }
    const required = spec.params.filter((p) => !p.optional).length;
    const signature = `${spec.name}(${spec.params.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ')})`;
    if (step.args.length < required || step.args.length > spec.params.length) {
      const expected = required === spec.params.length ? `${required}` : `${required} to ${spec.params.length}`;
      const at = step.args.length > spec.params.length ? step.args[spec.params.length]!.at : step.call.at;
      throw this.error(at, `${spec.name} takes ${expected} argument${spec.params.length === 1 && required === 1 ? '' : 's'}, got ${step.args.length}: ${signature}`);
    }
    step.args.forEach((arg, i) => {
      const param = spec.params[i]!;
      this.names(arg);
      const type = staticType(arg, (name) => this.typeOfName(name));
      if (param.type === 'string' && type === 'number') {
        throw this.error(arg.at, `argument ${param.name} of ${spec.name} must be a "string", got a number: ${signature}`);
      }
      if (param.type !== 'string' && type === 'string') {
        throw this.error(arg.at, `argument ${param.name} of ${spec.name} must be a number (${param.type}), got a string: ${signature}`);
      }
    });
    if (step.expect) {
      this.names(step.expect.value);
      if (step.expect.error) this.errorName(step.expect.error);
    }
    if (step.fault) {
      if (kind === KERNEL_CALLER) throw this.error(step.fault.at, 'kernel calls cannot expect a fault: `=> FAULT` is for a process step');
      this.fault(step.fault);
    }
    if (step.assign) this.assign(step.assign, kind === KERNEL_CALLER ? undefined : kind);
  }

  private assign(variable: Named, personality: string | undefined): void {
    if (this.schema.registry.constant(variable.name) !== undefined || BUILTIN_NAMES[variable.name] !== undefined) {
      throw this.error(variable.at, `${variable.name} is a constant: choose another variable name`);
    }
    if (this.processes.has(variable.name) || variable.name === KERNEL_CALLER) {
      throw this.error(variable.at, `${variable.name} is a process name: choose another variable name`);
    }
    this.variables.set(variable.name, personality === undefined ? {} : { personality });
  }

  private personalityOf(process: Named): string {
    const personality = this.processes.get(process.name) ?? this.variables.get(process.name)?.personality;
    if (personality !== undefined) return personality;
    if (process.name === KERNEL_CALLER) throw this.error(process.at, '`kernel` makes calls only: memory accesses and views need a process');
    const known = [...this.processes.keys(), ...[...this.variables].filter(([, v]) => v.personality).map(([k]) => k), KERNEL_CALLER];
    throw this.error(process.at, `unknown process ${process.name}: expected a process from processes:, a spawn step, or a variable holding a pid`, didYouMean(process.name, known));
  }

  private numeric(expression: Expression, what: string): void {
    this.names(expression);
    if (staticType(expression, (name) => this.typeOfName(name)) === 'string') throw this.error(expression.at, `${what} must be a number, got a string`);
  }

  /** A write of a constant value (no variables) must fit its width; other values are checked when the run knows them. */
  private writtenValueFits(step: AccessStep, value: Expression): void {
    if (namesIn(value).some((reference) => reference.kind === 'name' && this.variables.has(reference.name))) return;
    let written: number | string;
    try {
      written = evaluate(value, (name) => BUILTIN_NAMES[name] ?? this.schema.registry.constant(name));
    } catch (error) {
      if (error instanceof EvaluationError) return;
      throw error;
    }
    const misfit = typeof written === 'number' ? writeMisfit(step, written) : undefined;
    if (misfit) throw this.error(startOf(value), misfit);
  }

  private names(expression: Expression): void {
    for (const reference of namesIn(expression)) {
      if (reference.kind !== 'name') continue;
      const name = reference.name;
      if (this.variables.has(name) || BUILTIN_NAMES[name] !== undefined || this.schema.registry.constant(name) !== undefined) continue;
      const candidates = [...this.variables.keys(), ...Object.keys(BUILTIN_NAMES), ...this.schema.registry.constantNames()];
      throw this.error(reference.at, `undefined name ${name}: expected a variable set earlier with -> or a constant`, didYouMean(name, candidates));
    }
    this.noStringArithmetic(expression);
  }

  private noStringArithmetic(expression: Expression): void {
    if (expression.kind === 'binary') {
      for (const side of [expression.left, expression.right]) {
        if (side.kind === 'string') throw this.error(expression.at, `cannot apply ${expression.operator} to a string`);
        this.noStringArithmetic(side);
      }
    } else if (expression.kind === 'negate') {
      if (expression.operand.kind === 'string') throw this.error(expression.at, 'cannot negate a string');
      this.noStringArithmetic(expression.operand);
    }
  }

  private typeOfName(name: string): 'number' | 'string' | 'unknown' {
    return this.variables.has(name) ? 'unknown' : 'number';
  }

  private fault(fault: Named): void {
    if (!(FAULT_NAMES as readonly string[]).includes(fault.name)) {
      throw this.error(fault.at, `unknown fault ${fault.name}: expected ${FAULT_NAMES.join(', ')}`, didYouMean(fault.name, FAULT_NAMES));
    }
  }

  private errorName(error: Named): void {
    const name = error.name;
    if (Object.hasOwn(LINUX_ERRNO, name) || Object.hasOwn(WIN32_ERRORS, name)) return;
    if (name.startsWith('ERROR_')) {
      throw this.error(error.at, `unknown Win32 error ${name}: expected a Win32 system error name from winerror.h (ERROR_INVALID_PARAMETER, ERROR_INVALID_ADDRESS …)`, win32Hint(name));
    }
    const isErrno = name.length > 1 && name.startsWith('E') && [...name.slice(1)].every(isUpperOrDigit);
    if (isErrno) {
      throw this.error(error.at, `unknown errno name ${name}: expected a Linux errno name (EINVAL, ENOMEM, EFAULT …)`, didYouMean(name, Object.keys(LINUX_ERRNO)));
    }
    throw this.error(
      error.at,
      `bad error name ${name}: expected an errno name (EINVAL, ENOMEM …) or a Win32 error (ERROR_INVALID_PARAMETER …)`,
      didYouMean(name, [...Object.keys(LINUX_ERRNO), ...Object.keys(WIN32_ERRORS)]),
    );
  }

  private error(at: { line: number; column: number }, reason: string, hint?: string): ScenarioError {
    return new ScenarioError(this.scenario.file, at, reason, hint);
  }
}

/** Where an expression starts in the file (a binary expression's own position is its operator's). */
function startOf(expression: Expression): { line: number; column: number } {
  return expression.kind === 'binary' ? startOf(expression.left) : expression.at;
}

/**
 * "Did you mean …" for a Win32 error name, judged on what follows `ERROR_`: the shared prefix
 * would otherwise make any short name look close to some code (`ERROR_FOO` to `ERROR_CRC`).
 */
function win32Hint(name: string): string | undefined {
  const prefix = 'ERROR_';
  const closest = closestName(name.slice(prefix.length), Object.keys(WIN32_ERRORS).map((known) => known.slice(prefix.length)));
  return closest === undefined ? undefined : `did you mean ${prefix}${closest}?`;
}

function isUpperOrDigit(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
