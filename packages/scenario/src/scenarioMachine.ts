/**
 * The machine a scenario runs on: its configuration (the profile plus the file's overrides and
 * files) and a kernel machine with every component subsystem registered.
 */
import { createMachine, type AnySubsystem, type Machine, type MachineConfig } from '@vmlab/kernel';
import type { Scenario } from './ast.js';
import { machineConfigOfSpec } from './machineSpec.js';
import { ScenarioError } from './scenarioError.js';

/** Options of `createScenarioMachine`. */
export interface ScenarioMachineOptions {
  /** Keep a checkpoint every this many inputs (the kernel's default when omitted). */
  readonly checkpointEvery?: number;
  /** Keep every event in the timeline (default true). */
  readonly logEvents?: boolean;
  /** The subsystems to register (default ALL_SUBSYSTEMS). */
  readonly subsystems?: readonly AnySubsystem[];
}

/** The machine configuration of a scenario: profile, overrides, and `files` when it has any. */
export function machineConfigOf(scenario: Scenario): MachineConfig {
  const config: Record<string, unknown> = { ...machineConfigOfSpec(scenario.machine) };
  if (scenario.files.length > 0) {
    config.files = Object.fromEntries(
      scenario.files.map((f) => [f.path, { ...(f.size === undefined ? {} : { size: f.size }), ...(f.host === undefined ? {} : { host: f.host }) }]),
    );
  }
  return config;
}

/** A fresh machine for `scenario`, configured from it, with `subsystems` registered after the kernel; a configuration a subsystem refuses is a ScenarioError. */
export function createMachineFor(scenario: Scenario, subsystems: readonly AnySubsystem[], options: ScenarioMachineOptions = {}): Machine {
  try {
    return createMachine({
      subsystems: options.subsystems ?? subsystems,
      config: machineConfigOf(scenario),
      ...(options.checkpointEvery === undefined ? {} : { checkpointEvery: options.checkpointEvery }),
      ...(options.logEvents === undefined ? {} : { logEvents: options.logEvents }),
    });
  } catch (error) {
    // A subsystem refused the configuration (a RAM size below one page, an unknown format …):
    // bad input, reported at the machine section before anything runs.
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new ScenarioError(scenario.file, scenario.machine.at, `the machine cannot be built from this configuration: ${error.message}`);
    }
    throw error;
  }
}
