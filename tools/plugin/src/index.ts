/**
 * @vmlab/plugin — the workspace's Nx local plugin: the `subsystem` generator.
 *
 * @packageDocumentation
 */
export { LAYERS, subsystemGenerator } from './generators/subsystem/generator.js';
export type { Layer, SubsystemGeneratorOptions } from './generators/subsystem/generator.js';
export { checkBoundaries, loadPackages } from './boundaries.js';
export type { WorkspacePackage } from './boundaries.js';
export { createNodesV2, inferredTargets } from './inferTargets.js';
