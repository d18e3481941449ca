/**
 * The linux-i386 profile against a real 32-bit task: experiments32.c (fixtures/linux) run under
 * IA32 emulation on Linux 6.18 x86-64, replayed line for line. The task's TASK_SIZE is
 * IA32_PAGE_OFFSET: 0xFFFFe000 (i386-compat-*), or 0xC0000000 under ADDR_LIMIT_3GB
 * (i386-compat-3gb-*), the task size of an i386 kernel's 3G/1G split.
 */
import { describe, expect, it } from 'vitest';
import { replayRecording, smapsFlags, smapsShape, statusShape, type RecordingLayout } from './fixtures/linuxFixture.js';
import { layoutFor } from './layouts.js';
import { renderSmaps } from './views/smaps.js';
import { renderStatus } from './views/status.js';

/** The layout options the header's run line (`# run: ulimit -Ss N; setarch -R [-3] [-L] …`) implies. */
function recordedOptions(header: string[]): RecordingLayout {
  const run = /^# run: ulimit -Ss (\S+); setarch -R( -3)?( -L)? /.exec(header.find((l) => l.startsWith('# run: ')) ?? '');
  if (!run) throw new Error(`no run line in ${header.join('\n')}`);
  return {
    stackLimit: run[1] === 'unlimited' ? Infinity : Number(run[1]) * 1024,
    addrLimit3gb: run[2] !== undefined,
    legacyLayout: run[3] !== undefined,
  };
}

function check(name: string, options: RecordingLayout): void {
  const { space, recording } = replayRecording(name, { profile: 'linux-i386', ia32Emulation: true, ...options });
  // The options the test names are those the observation was made under.
  expect(recordedOptions(recording.header)).toEqual({ stackLimit: 8 * 1024 * 1024, addrLimit3gb: false, legacyLayout: false, ...options });
  expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
  expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
  expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
}

describe('replaying a 32-bit task on Linux 6.18 (experiments32.c, IA32 emulation, setarch -R)', () => {
  for (const name of ['topdown', 'merge', 'anonvma', 'heap', 'file', 'stack']) {
    it(`${name}: every result and every maps line match`, () => check(`i386-compat-${name}`, {}));
  }
  it('legacy bottom-up layout (setarch -R -L): placement from PAGE_ALIGN(0xFFFFe000 / 3) upwards', () =>
    check('i386-compat-legacy-topdown', { legacyLayout: true }));
  it('limits: top-down falls back to bottom-up above mmap_base; 0xC0000000 and above are user space', () =>
    check('i386-compat-limits', {}));
  it('limits, legacy layout: no fallback below TASK_UNMAPPED_BASE', () => check('i386-compat-legacy-limits', { legacyLayout: true }));
});

describe('ADDR_LIMIT_3GB (setarch -R -3): the 3G/1G split of the linux-i386 profile', () => {
  for (const name of ['topdown', 'file', 'stack']) {
    it(`${name}: every result and every maps line match`, () => check(`i386-compat-3gb-${name}`, { addrLimit3gb: true }));
  }
  it('legacy bottom-up layout (setarch -R -3 -L): placement from 0x40000000 upwards', () =>
    check('i386-compat-3gb-legacy-topdown', { addrLimit3gb: true, legacyLayout: true }));
  it('limits: nothing at or above 0xC0000000 (ENOMEM, EINVAL, a hint there ignored)', () => check('i386-compat-3gb-limits', { addrLimit3gb: true }));
  it('limits, legacy layout', () => check('i386-compat-3gb-legacy-limits', { addrLimit3gb: true, legacyLayout: true }));

  it('the bases are those of the native profile, which differs only in the maps width', () => {
    const native = layoutFor('linux-i386');
    const compat = layoutFor('linux-i386', { ia32Emulation: true, addrLimit3gb: true });
    expect({ ...compat, mapsWidth: native.mapsWidth }).toEqual(native);
    expect(layoutFor('linux-i386', { legacyLayout: true }).mmapBase).toBe(layoutFor('linux-i386', { ia32Emulation: true, addrLimit3gb: true, legacyLayout: true }).mmapBase);
  });
});

describe('RLIMIT_STACK moves mmap_base (arch/x86/mm/mmap.c mmap_base: rlimit + stack_guard_gap, at most 5/6 of TASK_SIZE)', () => {
  it('ulimit -s 1000000: mmap_base = 0xFFFFe000 - (1000000 KiB + 1 MiB)', () =>
    check('i386-compat-stack1g-topdown', { stackLimit: 1000000 * 1024 }));
  it('ulimit -s unlimited: clamped to 5/6 of 0xFFFFe000, still top-down', () =>
    check('i386-compat-unlimited-topdown', { stackLimit: Infinity }));
  it('ulimit -s unlimited under ADDR_LIMIT_3GB: clamped to 5/6 of 0xC0000000', () =>
    check('i386-compat-3gb-unlimited-topdown', { addrLimit3gb: true, stackLimit: Infinity }));
});

describe('the compat layout numbers', () => {
  it('TASK_SIZE 0xFFFFe000: mmap_base 128 MiB below it, TASK_UNMAPPED_BASE a third of it', () => {
    const layout = layoutFor('linux-i386', { ia32Emulation: true });
    expect(layout.taskSize).toBe(0xffffe000);
    expect(layout.stackTop).toBe(0xffffe000);
    expect(layout.mmapBase).toBe(0xf7ffe000);
    expect(layout.legacyBase).toBe(0x55555000);
    expect(layout.mapsWidth).toBe(72);
    expect(layoutFor('linux-i386', { ia32Emulation: true, stackLimit: Infinity }).mmapBase).toBe(0x2aaab000);
    expect(layoutFor('linux-i386', { ia32Emulation: true, addrLimit3gb: true, stackLimit: Infinity }).mmapBase).toBe(0x20000000);
  });
});
