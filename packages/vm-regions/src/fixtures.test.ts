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

describe('the stack guard gap in the free-area search (fixtures/linux/guardgap-probe.c, Linux 6.18, setarch -R)', () => {
  it('top-down: a retry lowers the window to vm_start_gap of the grows-down region, below the regions inside its guard gap (mm/vma.c unmapped_area_topdown)', () => {
    const { space, recording } = replayRecording('guardgap-topdown');
    expect(recording.header[0]).toContain('setarch -R /tmp/guardgap-probe topdown');
    expect(recording.steps.filter((s) => s.op === 'mmap' && s.args[0] === 0).length).toBeGreaterThan(8);
    expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
    expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
    expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
  });

  it('top-down, a grows-down region less than stack_guard_gap above 0: vm_start_gap is 0, the retry\'s window wraps to ULONG_MAX and mmap fails with ENOMEM, no bottom-up fallback', () => {
    // This kernel searches from mmap_min_addr = CONFIG_LSM_MMAP_MIN_ADDR (65536), not from
    // vm.mmap_min_addr (4096; security/min_addr.c update_mmap_min_addr).
    const { space, recording } = replayRecording('guardgap-wrap', { mmapMinAddr: 0x10000 });
    expect(recording.header[0]).toContain('setarch -R /tmp/guardgap-probe wrap');
    expect(recording.steps.filter((s) => s.op === 'mmap' && s.errno === 12)).toHaveLength(1);
    expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
    expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
    expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
  });

  it('legacy bottom-up (setarch -R -L): a gap the guard gap makes too short sends the search above the grows-down region (mm/vma.c unmapped_area)', () => {
    const { space, recording } = replayRecording('guardgap-legacy', { legacyLayout: true });
    expect(recording.header[0]).toContain('setarch -R -L /tmp/guardgap-probe legacy');
    expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
    expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
    expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
  });
});
