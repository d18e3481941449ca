/**
 * Every component subsystem that exists, in a fixed order, lowest layer first (the order only
 * matters for determinism), and the scenario API bound to them. The kernel's own subsystem is
 * not listed: every machine registers it first.
 */
import type { AnySubsystem, Machine } from '@vmlab/kernel';
import { mmuSubsystem } from '@vmlab/hardware-mmu';
import { physSubsystem } from '@vmlab/phys-allocator';
import { slabSubsystem } from '@vmlab/slab';
import { regionsSubsystem } from '@vmlab/vm-regions';
import type { Scenario } from './ast.js';
import { loadScenarioFileFor, parseScenarioFor, type ParseOptions } from './parse.js';
import { createMachineFor, type ScenarioMachineOptions } from './scenarioMachine.js';

/** The component subsystems a scenario machine registers, lowest layer first. */
export const ALL_SUBSYSTEMS: readonly AnySubsystem[] = Object.freeze([
  mmuSubsystem as AnySubsystem,
  physSubsystem as AnySubsystem,
  slabSubsystem as AnySubsystem,
  regionsSubsystem as AnySubsystem,
]);

/** Parses and validates scenario text against ALL_SUBSYSTEMS (or `options.subsystems`); throws a ScenarioError. */
export function parseScenario(text: string, file: string, options: ParseOptions = {}): Scenario {
  return parseScenarioFor(text, file, options.subsystems ?? ALL_SUBSYSTEMS);
}

/** Reads and validates a `.yaml`, `.yml` or `.json` scenario file against ALL_SUBSYSTEMS (or `options.subsystems`). */
export function loadScenarioFile(path: string, options: ParseOptions = {}): Scenario {
  return loadScenarioFileFor(path, options.subsystems ?? ALL_SUBSYSTEMS);
}

/** A fresh machine for `scenario` with ALL_SUBSYSTEMS (or `options.subsystems`) registered. */
export function createScenarioMachine(scenario: Scenario, options: ScenarioMachineOptions = {}): Machine {
  return createMachineFor(scenario, ALL_SUBSYSTEMS, options);
}
