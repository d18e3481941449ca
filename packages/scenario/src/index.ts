/**
 * @vmlab/scenario — the scenario language and its runner.
 *
 * READ ../INTERFACE.md FIRST: it is the interface the CLI engineer codes against, and the runtime
 * rules of the runner (spawn, calls, memory accesses, views). Replace this placeholder.
 *
 * @packageDocumentation
 */
export const SCENARIO_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;
