/**
 * Nx inference (createNodesV2): every workspace project with a `vitest.config.ts` (or `.mts`)
 * gets the targets `build`, `typecheck` and `test`, so a new package needs no target
 * configuration of its own. Options and caching come from `targetDefaults` in nx.json.
 */
import { createNodesFromFiles, type CreateNodesV2, type TargetConfiguration } from '@nx/devkit';
import { dirname } from 'node:path';

/** The targets every vmlab project gets. */
export function inferredTargets(projectRoot: string): Record<string, TargetConfiguration> {
  return {
    build: { command: `tsc -b ${projectRoot}/tsconfig.json`, cache: true, dependsOn: ['^build'], outputs: [`{projectRoot}/dist`] },
    typecheck: { command: `tsc -b ${projectRoot}/tsconfig.json`, cache: true, dependsOn: ['^build'] },
    test: { command: 'vitest run', options: { cwd: projectRoot }, cache: true, dependsOn: ['^build'] },
  };
}

/** The Nx plugin entry: infers targets from Vitest config files. */
export const createNodesV2: CreateNodesV2 = [
  '{packages,apps,tools}/*/vitest.config.{ts,mts}',
  (configFiles, options, context) =>
    createNodesFromFiles(
      (configFile) => {
        const projectRoot = dirname(configFile);
        return { projects: { [projectRoot]: { targets: inferredTargets(projectRoot) } } };
      },
      configFiles,
      options,
      context,
    ),
];
