/**
 * @vmlab/scenario — the scenario language and its runner.
 *
 * @packageDocumentation
 */
export const SCENARIO_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
