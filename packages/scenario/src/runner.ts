/**
 * Runs a validated scenario on a machine, step by step: processes are spawned, calls go through
 * the registry (`machine.call`) with the caller's personality, memory accesses become
 * `mmu/access` inputs, views are rendered with `machine.render`. The runner names no component:
 * everything it does comes from the registry and the request types above. A failed check does
 * not stop the run; every failure is reported.
 */
import { isKernelError, type Caller, type Machine } from '@vmlab/kernel';
import type { AccessStep, CallStep, ExpectStep, Expression, Named, Scenario, ShowStep, Step } from './ast.js';
import { BUILTIN_NAMES, EvaluationError, evaluate, type ScenarioValue } from './expression.js';
import { lineDiff, sameLines } from './lineDiff.js';
import { spawnProcess, taskOf } from './processes.js';
import type { CheckFailure, RunHooks, ScenarioResult, ShownView } from './result.js';
import { MEMORY_ACCESS_REQUEST } from './scenarioSchema.js';
import { renderTemplate } from './substitute.js';
import { KERNEL_CALLER, MAX_REPEAT, accessWord, writeMisfit, writeRange } from './validate.js';

/** Runs `scenario` on `machine` (from `createScenarioMachine`) and reports every check. */
export function runScenario(scenario: Scenario, machine: Machine, hooks: RunHooks = {}): ScenarioResult {
  return new ScenarioRun(scenario, machine, hooks).run();
}

/** A process as the run knows it. */
interface RunningProcess {
  readonly pid: number;
  readonly personality: string;
}

/** A step could not be carried out; the run records it and goes on. */
class StepFailure extends Error {
  constructor(
    message: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(message);
  }
}

/** The reply of `mmu/access`. */
interface AccessReply {
  readonly value?: number;
  readonly fault?: unknown;
}

class ScenarioRun {
  private readonly processes = new Map<string, RunningProcess>();
  private readonly variables = new Map<string, ScenarioValue>();
  private readonly failures: CheckFailure[] = [];
  private readonly views: ShownView[] = [];
  private passed = 0;
  private done = 0;
  private total = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly machine: Machine,
    private readonly hooks: RunHooks,
  ) {}

  run(): ScenarioResult {
    this.total = this.count(this.scenario.steps);
    for (const process of this.scenario.processes) {
      const spawned = spawnProcess(this.machine, process.name, process.personality);
      if (spawned.pid === undefined) {
        this.failures.push({
          step: 0,
          line: process.at.line,
          column: process.at.column,
          source: `process ${process.name}`,
          expected: `process ${process.name} spawned`,
          actual: spawned.error ?? 'no pid',
          message: `could not spawn ${process.name}: ${spawned.error ?? 'no pid'}`,
        });
      } else this.processes.set(process.name, { pid: spawned.pid, personality: process.personality });
    }
    this.steps(this.scenario.steps);
    return {
      ok: this.failures.length === 0,
      steps: this.done,
      checks: { passed: this.passed, failed: this.failures.length },
      failures: this.failures,
      views: this.views,
    };
  }

  private steps(steps: readonly Step[]): void {
    for (const step of steps) {
      if (step.kind === 'repeat') {
        const times = this.repeatCount(step.count);
        for (let i = 0; i < times; i++) this.steps(step.steps);
        continue;
      }
      this.done++;
      try {
        this.step(step);
      } catch (error) {
        if (error instanceof StepFailure) this.fail(step, error.message, error.expected, error.actual);
        else if (error instanceof EvaluationError) this.fail(step, error.message, 'a value', 'none');
        else if (isKernelError(error)) this.fail(step, `the machine refused the step: ${error.message}`, 'a step the machine can run', error.code);
        else throw error;
      }
      this.hooks.onStep?.(this.done, this.total);
    }
  }

  private step(step: Exclude<Step, { kind: 'repeat' }>): void {
    switch (step.kind) {
      case 'spawn': {
        const spawned = spawnProcess(this.machine, step.process.name, step.personality);
        if (spawned.pid === undefined) throw new StepFailure(`could not spawn ${step.process.name}`, 'a new process', spawned.error ?? 'no pid');
        this.processes.set(step.process.name, { pid: spawned.pid, personality: step.personality });
        return;
      }
      case 'call':
        return this.call(step);
      case 'access':
        return this.access(step);
      case 'show':
        return this.show(step);
      case 'expect':
        return this.expectView(step);
      case 'label':
        this.machine.label(step.label.name);
        return;
    }
  }

  private call(step: CallStep): void {
    const caller = this.callerOf(step.process);
    const args = step.args.map((arg) => this.value(arg));
    this.checkArgumentTypes(step, caller.kind, args);
    let result;
    try {
      result = this.machine.call(step.call.name, args, caller);
    } catch (error) {
      throw new StepFailure(`${step.call.name} could not be called: ${(error as Error).message}`, 'a call result', 'no such call');
    }
    if (result.outcome.error) {
      throw new StepFailure(`${step.call.name} failed and was rolled back: ${result.outcome.error.message}`, 'a call result', `${result.outcome.error.name}: ${result.outcome.error.message}`);
    }
    if (step.assign) this.variables.set(step.assign.name, result.value ?? 0);
    if (step.expect) {
      const expectedValue = this.value(step.expect.value);
      const expectedError = step.expect.error?.name;
      const valueHolds = result.value === expectedValue || (result.value === null && expectedValue === 0);
      const errorHolds = expectedError === undefined || result.error === expectedError;
      const shown = (value: ScenarioValue | null, error?: string) => `${showValue(value)}${error ? ` ${error}` : ''}`;
      this.check(
        valueHolds && errorHolds,
        `${step.call.name} returned ${shown(result.value, result.error)}`,
        shown(expectedValue, expectedError),
        shown(result.value, result.error),
      );
    }
    if (step.fault) this.expectExit(this.process(step.process).pid, step.fault);
  }

  private callerOf(process: Named): Caller {
    if (process.name === KERNEL_CALLER) return { kind: KERNEL_CALLER };
    const { pid, personality } = this.process(process);
    return { kind: personality, pid };
  }

  /** Arguments whose type depends on a variable are checked here, once their values are known. */
  private checkArgumentTypes(step: CallStep, kind: string, args: readonly ScenarioValue[]): void {
    const spec = this.machine.registry.call(step.call.name, kind);
    spec?.params.forEach((param, i) => {
      const arg = args[i];
      if (arg === undefined) return;
      const wantsString = param.type === 'string';
      if (wantsString !== (typeof arg === 'string')) {
        const wanted = wantsString ? 'a "string"' : `a number (${param.type})`;
        throw new StepFailure(`argument ${param.name} of ${spec.name} must be ${wanted}`, wanted, typeof arg === 'string' ? JSON.stringify(arg) : String(arg));
      }
    });
  }

  private access(step: AccessStep): void {
    const process = this.process(step.process);
    const address = this.number(step.address, 'the address');
    const value = step.value === undefined ? undefined : this.number(step.value, 'the value written');
    const misfit = value === undefined ? undefined : writeMisfit(step, value);
    if (misfit !== undefined) {
      const { min, max } = writeRange(step.size);
      throw new StepFailure(`${accessWord(step)} at ${hex(address)} not done: ${misfit}`, `a value from ${min} to ${max}`, String(value));
    }
    const payload = { pid: process.pid, address, kind: step.access, size: step.size, ...(value === undefined ? {} : { value }) };
    const task = taskOf(this.machine, process.pid);
    if (task && task.state !== 'running') {
      throw new StepFailure(`${step.process.name} has exited (${String(task.exit)}) and cannot access memory`, 'a running process', `exited with ${String(task.exit)}`);
    }
    const outcome = this.machine.dispatch({ type: MEMORY_ACCESS_REQUEST, payload });
    if (outcome.error) throw new StepFailure(`the access failed and was rolled back: ${outcome.error.message}`, 'an access', `${outcome.error.name}: ${outcome.error.message}`);
    const reply = (outcome.reply ?? {}) as AccessReply;
    const fault = reply.fault === undefined || reply.fault === null ? undefined : faultName(reply.fault, process.personality);
    if (fault !== undefined) {
      const after = taskOf(this.machine, process.pid);
      if (after && after.state === 'running') this.machine.dispatch({ type: 'kernel/exit', payload: { pid: process.pid, exit: fault } });
      if (step.fault) this.check(fault === step.fault.name, `the access raised ${fault}`, step.fault.name, fault);
      else throw new StepFailure(`${step.process.name} was killed by ${fault} at ${hex(address)}`, 'no fault', fault);
      return;
    }
    if (step.fault) {
      this.check(false, `the access raised no fault`, step.fault.name, 'no fault');
      return;
    }
    if (step.expect) {
      const expected = this.number(step.expect, 'the expected value');
      this.check(reply.value === expected, `read ${showValue(reply.value ?? null)} at ${hex(address)}`, showValue(expected), showValue(reply.value ?? null));
    }
  }

  private show(step: ShowStep): void {
    const pid = step.process ? this.process(step.process).pid : undefined;
    const output = this.render(step.view, pid);
    const view: ShownView = {
      step: this.done,
      line: step.at.line,
      view: step.view.name,
      ...(step.process ? { process: step.process.name } : {}),
      ...(pid === undefined ? {} : { pid }),
      position: this.machine.position,
      text: output.text,
      json: output.json,
    };
    this.views.push(view);
    this.hooks.onShow?.(view);
  }

  private expectView(step: ExpectStep): void {
    const pid = step.process ? this.process(step.process).pid : undefined;
    const actual = this.render(step.view, pid).text;
    const expected = renderTemplate(step.lines, (expression) => this.value(expression));
    const holds = sameLines(expected, actual);
    if (holds) this.passed++;
    else {
      this.failures.push({
        ...this.where(step),
        expected,
        actual,
        diff: lineDiff(expected, actual),
        message: `view ${step.view.name}${step.process ? ` of ${step.process.name}` : ''} differs from the expected block`,
      });
    }
  }

  private render(view: Named, pid: number | undefined) {
    try {
      return this.machine.render(view.name, pid === undefined ? {} : { pid });
    } catch (error) {
      throw new StepFailure(`view ${view.name} could not be rendered: ${(error as Error).message}`, `view ${view.name}`, (error as Error).message);
    }
  }

  private expectExit(pid: number, fault: Named): void {
    const task = taskOf(this.machine, pid);
    const actual = task && task.state !== 'running' ? String(task.exit) : 'still running';
    this.check(actual === fault.name, `the process ended with ${actual}`, fault.name, actual);
  }

  private process(name: Named): RunningProcess {
    const known = this.processes.get(name.name);
    if (known) return known;
    const value = this.variables.get(name.name);
    if (typeof value === 'number') {
      const task = taskOf(this.machine, value);
      if (task) return { pid: task.pid, personality: task.personality };
    }
    throw new StepFailure(`there is no process ${name.name}`, `process ${name.name}`, value === undefined ? 'none' : `pid ${String(value)}, which is not a process`);
  }

  private check(holds: boolean, message: string, expected: string, actual: string): void {
    if (holds) this.passed++;
    else throw new StepFailure(message, expected, actual);
  }

  private fail(step: Step, message: string, expected: string, actual: string): void {
    this.failures.push({ ...this.where(step), expected, actual, message });
  }

  private where(step: Step): Pick<CheckFailure, 'step' | 'line' | 'column' | 'source'> {
    return { step: this.done, line: step.at.line, column: step.at.column, source: step.source };
  }

  private value(expression: Expression): ScenarioValue {
    return evaluate(expression, (name) => this.variables.get(name) ?? BUILTIN_NAMES[name] ?? this.machine.registry.constant(name));
  }

  private number(expression: Expression, what: string): number {
    const value = this.value(expression);
    if (typeof value !== 'number') throw new StepFailure(`${what} must be a number`, 'a number', JSON.stringify(value));
    return value;
  }

  private repeatCount(count: Expression): number {
    const value = this.value(count);
    return typeof value === 'number' && Number.isInteger(value) ? Math.max(0, Math.min(MAX_REPEAT, value)) : 0;
  }

  private count(steps: readonly Step[]): number {
    let total = 0;
    for (const step of steps) total += step.kind === 'repeat' ? this.repeatCount(step.count) * this.count(step.steps) : 1;
    return total;
  }
}

/** The fault name of an `mmu/access` reply's `fault` (a name, or an object naming it). */
function faultName(fault: unknown, personality: string): string {
  if (typeof fault === 'string' && fault !== '') return fault;
  if (fault && typeof fault === 'object') {
    for (const key of ['signal', 'exception', 'name']) {
      const value = (fault as Record<string, unknown>)[key];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return personality === 'win32' ? 'EXCEPTION_ACCESS_VIOLATION' : 'SIGSEGV';
}

function showValue(value: ScenarioValue | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return JSON.stringify(value);
  return Math.abs(value) >= 0x10000 ? `${value} (${hex(value)})` : String(value);
}

function hex(value: number): string {
  return value < 0 ? `-0x${(-value).toString(16)}` : `0x${value.toString(16)}`;
}
