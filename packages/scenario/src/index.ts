/**
 * @vmlab/scenario — the scenario language and its runner: YAML or JSON scenario files parsed
 * with positions, validated against the registry of calls, views and constants (one
 * `file:line:column` error with "did you mean …" for a bad file; nothing runs), and run on a
 * machine with every check reported.
 *
 * @packageDocumentation
 */
export { ScenarioError, isScenarioError } from './scenarioError.js';
export type { SourcePosition } from './scenarioError.js';
export { SCENARIO_FILE_EXTENSIONS, loadScenarioFileFor, parseScenarioFor } from './parse.js';
export type { ParseOptions } from './parse.js';
export { ALL_SUBSYSTEMS, createScenarioMachine, loadScenarioFile, parseScenario } from './subsystems.js';
export { createMachineFor, machineConfigOf } from './scenarioMachine.js';
export type { ScenarioMachineOptions } from './scenarioMachine.js';
export { runScenario } from './runner.js';
export type { CheckCounts, CheckFailure, RunHooks, ScenarioResult, ShownView } from './result.js';
export { resolveProcess } from './processes.js';
export { printScenario } from './printer.js';
export { DEFAULT_PROFILE, PROFILES } from './machineSpec.js';
export { FAULT_NAMES } from './validate.js';
export { lineDiff } from './lineDiff.js';
export { editDistance, closestName } from './suggest.js';
export type {
  AccessKind,
  AccessStep,
  BinaryExpression,
  BinaryOperator,
  CallStep,
  ExpectStep,
  ExpectedResult,
  Expression,
  FileSpec,
  LabelStep,
  MachineSpec,
  NameReference,
  Named,
  NegateExpression,
  NumberLiteral,
  ProcessSpec,
  RepeatStep,
  Scenario,
  ShowStep,
  SpawnStep,
  Step,
  StringLiteral,
  Substitution,
  StepBase,
  SubstitutionFormat,
  TemplatePart,
  TemplateText,
} from './ast.js';
