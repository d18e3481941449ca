import { describe, expect, it } from 'vitest';
import { replayRecording, smapsFlags, smapsShape, statusShape } from './fixtures/linuxFixture.js';
import { renderSmaps } from './views/smaps.js';
import { renderStatus } from './views/status.js';

describe('replaying Linux 6.18 observations (fixtures/linux, setarch -R, x86-64)', () => {
  for (const name of ['topdown', 'merge', 'anonvma', 'heap', 'file']) {
    it(`${name}: every result and every maps line match`, () => {
      const { space, recording } = replayRecording(name);
      expect(recording.steps.length).toBeGreaterThan(5);
      expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
      expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
      expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
    });
  }

  it('legacy bottom-up layout (setarch -R -L): placement from TASK_UNMAPPED_BASE upwards', () => {
    const { space, recording } = replayRecording('legacy-topdown', { legacyLayout: true });
    expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
  });
});
