import { describe, expect, it } from 'vitest';
import type { AddressSpace } from './addressSpace.js';
import { anonVmaPrepare } from './anonVma.js';
import { brk } from './brk.js';
import type { OperationResult } from './editor.js';
import { ERRNO, initialSpace, readRecording, smapsFlags, type Recording } from './fixtures/linuxFixture.js';
import { mmap, type MappedFile } from './mmap.js';
import { mprotect } from './mprotect.js';
import { munmap } from './munmap.js';
import { renderMaps } from './views/maps.js';
import { renderSmaps } from './views/smaps.js';
import { renderStatus } from './views/status.js';

/** The file experiments.c maps as fd 3, identified from the recording itself. */
function fileOf(recording: Recording): MappedFile | undefined {
  const all = recording.steps.map((s) => s.maps).join('');
  const m = / ([0-9a-f]{2}:[0-9a-f]{2}) (\d+)\s+\/tmp\/vmregions-file/.exec(all);
  return m ? { path: '/tmp/vmregions-file', dev: m[1]!, inode: Number(m[2]) } : undefined;
}

/** The shmem inode Linux gave a shared anonymous mapping at `addr` (an identity, like a file's). */
function shmemInode(maps: string, addr: number): number | undefined {
  const line = maps.split('\n').find((l) => l.startsWith(addr.toString(16).padStart(8, '0') + '-'));
  const m = line && / 00:01 (\d+) /.exec(line);
  return m ? Number(m[1]) : undefined;
}

function replay(name: string, options: { legacyLayout?: boolean } = {}): { space: AddressSpace; recording: Recording } {
  const recording = readRecording(name);
  let space = initialSpace(recording, options);
  expect(renderMaps(space)).toBe(recording.initialMaps);
  expect(recording.steps.length).toBeGreaterThan(5);
  const file = fileOf(recording);
  recording.steps.forEach((step, index) => {
    const a = step.args;
    let result: OperationResult;
    switch (step.op) {
      case 'mmap': {
        const inode = step.result !== -1 ? shmemInode(step.maps, step.result) : undefined;
        result = mmap(space, {
          addr: a[0]!,
          length: a[1]!,
          prot: a[2]!,
          flags: a[3]!,
          ...(a[4] === -1 ? {} : { file: file! }),
          offset: a[5]!,
          ...(inode === undefined ? {} : { shmemInode: inode }),
        });
        break;
      }
      case 'munmap':
        result = munmap(space, a[0]!, a[1]!);
        break;
      case 'mprotect':
        result = mprotect(space, a[0]!, a[1]!, a[2]!);
        break;
      case 'brk':
        result = brk(space, a[0]!);
        break;
      case 'touch':
        result = anonVmaPrepare(space, a[0]!);
        result = { ...result, value: 0 };
        break;
      default:
        throw new Error(`unknown op ${step.op}`);
    }
    const where = `${name} step ${index}: ${step.op} ${a.map((x) => x.toString(16)).join(' ')}`;
    expect(result.error ?? 'OK', where).toBe(step.errno ? ERRNO[step.errno] : 'OK');
    if (!step.errno && step.op !== 'touch') expect(result.value, where).toBe(step.op === 'munmap' || step.op === 'mprotect' ? 0 : step.result);
    if (step.op === 'brk') expect(result.value, where).toBe(step.result);
    space = result.space;
    if (step.maps) expect(renderMaps(space), where).toBe(step.maps);
  });
  return { space, recording };
}

/** The lines of smaps that do not depend on resident pages: the headers, Size and VmFlags. */
function smapsShape(smaps: string): string {
  return smaps
    .split('\n')
    .filter((l) => /^[0-9a-f]+-/.test(l) || l.startsWith('Size:') || l.startsWith('VmFlags:') || l.startsWith('KernelPageSize:'))
    .join('\n');
}

/** The status lines that count mappings rather than resident pages. */
function statusShape(status: string): string {
  return status
    .split('\n')
    .filter((l) => /^(VmPeak|VmSize|VmLck|VmData|VmStk|VmExe|VmLib):/.test(l))
    .join('\n');
}

describe('replaying Linux 6.18 observations (fixtures/linux, setarch -R, x86-64)', () => {
  for (const name of ['topdown', 'merge', 'anonvma', 'heap', 'file']) {
    it(`${name}: every result and every maps line match`, () => {
      const { space, recording } = replay(name);
      expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
      expect(statusShape(renderStatus(space))).toBe(statusShape(recording.status));
      expect(smapsFlags(renderSmaps(space))).toEqual(smapsFlags(recording.smaps));
    });
  }

  it('legacy bottom-up layout (setarch -R -L): placement from TASK_UNMAPPED_BASE upwards', () => {
    const { space, recording } = replay('legacy-topdown', { legacyLayout: true });
    expect(smapsShape(renderSmaps(space))).toBe(smapsShape(recording.smaps));
  });
});
