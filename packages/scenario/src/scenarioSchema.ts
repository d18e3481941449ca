/**
 * What a scenario is checked against: the registry of calls, views and constants of a set of
 * subsystems (the kernel's own first, as in a machine), and which request types are served.
 */
import { kernelSubsystem, Registry, type AnySubsystem, type ConfigFieldKind } from '@vmlab/kernel';

/** The registry and served request types of a set of subsystems. */
export interface ScenarioSchema {
  /** The subsystems, without the kernel (which every machine registers first). */
  readonly subsystems: readonly AnySubsystem[];
  /** Their calls, views and constants, with the kernel's. */
  readonly registry: Registry;
  /** True when some subsystem serves requests of `type`. */
  serves(type: string): boolean;
  /** The machine fields the subsystems read beyond the spec's, with how each is written. */
  readonly machineFields: ReadonlyMap<string, ConfigFieldKind>;
}

const schemas = new WeakMap<readonly AnySubsystem[], ScenarioSchema>();

/** The schema of `subsystems` (built once per list). */
export function schemaOf(subsystems: readonly AnySubsystem[]): ScenarioSchema {
  const cached = schemas.get(subsystems);
  if (cached) return cached;
  const all = [kernelSubsystem as unknown as AnySubsystem, ...subsystems];
  const served = new Set(all.flatMap((s) => Object.keys(s.requests)));
  const registry = new Registry(all);
  const machineFields = new Map(registry.configFieldNames().map((name) => [name, registry.configField(name)!.kind] as const));
  const schema: ScenarioSchema = { subsystems, registry, serves: (type) => served.has(type), machineFields };
  schemas.set(subsystems, schema);
  return schema;
}

/** The request type memory accesses become (served by the hardware-mmu subsystem). */
export const MEMORY_ACCESS_REQUEST = 'mmu/access';
