import { vmlabProject } from '../../vitest.shared.ts';

// The generator test builds and tests a generated package: allow it time on a 2-core machine.
export default vmlabProject(import.meta.dirname, { testTimeout: 120_000 });
