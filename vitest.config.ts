import { defineConfig } from 'vitest/config';

// One Vitest run for the whole workspace: every package and app is a project with its own
// vitest.config.ts (see vitest.shared.ts).
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tools/*/vitest.config.{ts,mts}'],
  },
});
