/**
 * Reading a scenario: YAML or JSON text → the scenario tree → validated against the registry of
 * the subsystems given (`subsystems.ts` binds ALL_SUBSYSTEMS). A bad file throws one ScenarioError.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { AnySubsystem } from '@vmlab/kernel';
import type { Scenario } from './ast.js';
import { ScenarioError } from './scenarioError.js';
import { readScenario } from './scenarioReader.js';
import { schemaOf } from './scenarioSchema.js';
import { validateScenario } from './validate.js';
import { readYamlSource } from './yamlSource.js';

/** The file extensions of scenario files. */
export const SCENARIO_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** Options of `parseScenario` and `loadScenarioFile`. */
export interface ParseOptions {
  /** The subsystems whose calls, views and constants the scenario may use (default ALL_SUBSYSTEMS). */
  readonly subsystems?: readonly AnySubsystem[];
}

/** Parses scenario text and validates it against `subsystems`; throws a ScenarioError naming file:line:column. */
export function parseScenarioFor(text: string, file: string, subsystems: readonly AnySubsystem[]): Scenario {
  const schema = schemaOf(subsystems);
  const scenario = readScenario(readYamlSource(text, file), schema.machineFields);
  validateScenario(scenario, schema);
  return scenario;
}

/** Reads a `.yaml`, `.yml` or `.json` scenario file and validates it against `subsystems` (and that its host files exist); throws a ScenarioError. */
export function loadScenarioFileFor(path: string, subsystems: readonly AnySubsystem[]): Scenario {
  const extension = extname(path).toLowerCase();
  if (!(SCENARIO_FILE_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new ScenarioError(path, { line: 1, column: 1 }, `not a scenario file: expected a name ending in ${SCENARIO_FILE_EXTENSIONS.join(', ')}`);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ScenarioError(path, { line: 1, column: 1 }, `cannot read the file (${code})`);
  }
  const scenario = parseScenarioFor(text, path, subsystems);
  for (const file of scenario.files) {
    if (file.host !== undefined && !existsSync(resolve(dirname(path), file.host))) {
      throw new ScenarioError(path, file.at, `file ${file.path}: its host file ${file.host} does not exist (a relative path is read from the scenario's folder)`);
    }
  }
  return scenario;
}
