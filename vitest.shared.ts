import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';
import { basename } from 'node:path';

/** The source condition every workspace package exports first, so tests run on source without a build. */
const sourceCondition = '@vmlab/source';

/**
 * The Vitest project config of one workspace package: tests beside the code in `src/`,
 * workspace packages resolved to their TypeScript source (both the client and the SSR
 * resolver, since Vitest's node environment reads `ssr.resolve.conditions`).
 */
export function vmlabProject(projectRoot: string, overrides: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    root: projectRoot,
    resolve: { conditions: [sourceCondition, ...defaultClientConditions] },
    ssr: { resolve: { conditions: [sourceCondition, ...defaultServerConditions] } },
    test: {
      name: basename(projectRoot),
      include: ['src/**/*.test.ts'],
      environment: 'node',
      ...overrides,
    },
  });
}
