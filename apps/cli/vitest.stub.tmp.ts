import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';
const alias = { '@vmlab/hardware-mmu': '/tmp/vmstub/components.ts', '@vmlab/phys-allocator': '/tmp/vmstub/components.ts', '@vmlab/slab': '/tmp/vmstub/components.ts', '@vmlab/vm-regions': '/tmp/vmstub/components.ts' };
export default defineProject({ root: import.meta.dirname, resolve: { alias, conditions: ['@vmlab/source', ...defaultClientConditions] }, ssr: { resolve: { conditions: ['@vmlab/source', ...defaultServerConditions] } }, test: { name: 'clistub', include: ['src/**/*.test.ts'], exclude: ['src/recording/crash.test.ts', 'src/examples.test.ts'], environment: 'node', testTimeout: 120000 } });
