import { vmlabProject } from '../../vitest.shared.ts';

export default vmlabProject(import.meta.dirname);
