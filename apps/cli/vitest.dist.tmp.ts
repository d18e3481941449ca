import { defineProject } from 'vitest/config';
export default defineProject({ root: import.meta.dirname, test: { name: 'clidist', include: ['src/**/*.test.ts'], environment: 'node', testTimeout: 120000 } });
