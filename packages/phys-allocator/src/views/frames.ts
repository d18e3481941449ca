/**
 * The `frames` view: who holds each frame, as runs of consecutive frames with the same state and
 * owner (`0x00000-0x001ff   512 reserved boot`), and, for machines of at most 1024 frames, a map
 * of one character per frame, 64 a line: `.` free, `#` reserved, and a letter per owner.
 */
import { PAGE_FLAGS } from '../protocol.js';
import type { PhysicalMemory } from '../physicalMemory.js';

/** A run of frames with the same state and owner. */
export interface FrameRun {
  /** First frame. */
  readonly start: number;
  /** Number of frames. */
  readonly count: number;
  /** `free`, `allocated` or `reserved`. */
  readonly state: 'free' | 'allocated' | 'reserved';
  /** Owner name, or null when free. */
  readonly owner: string | null;
}

/** The frames as runs, lowest first. */
export function frameRuns(memory: PhysicalMemory): FrameRun[] {
  const { frames } = memory.buddy;
  const runs: FrameRun[] = [];
  let start = 0;
  let key = -1;
  const keyOf = (pfn: number) => {
    const owner = frames.owner.get(pfn);
    if (owner === 0) return 0;
    return (frames.flags.get(pfn) & PAGE_FLAGS.reserved ? 0x100 : 0x200) | owner;
  };
  for (let pfn = 0; pfn <= frames.count; pfn++) {
    const k = pfn < frames.count ? keyOf(pfn) : -2;
    if (k === key) continue;
    if (pfn > 0) {
      const owner = key & 0xff;
      runs.push({ start, count: pfn - start, state: key === 0 ? 'free' : key & 0x100 ? 'reserved' : 'allocated', owner: key === 0 ? null : memory.owners[owner]! });
    }
    start = pfn;
    key = k;
  }
  return runs;
}

/** The letter standing for owner index `owner` in the character map (K kernel, B boot, then a, b, c, …). */
export function ownerLetter(memory: PhysicalMemory, owner: number): string {
  if (owner === 1) return 'K';
  if (owner === 2) return 'B';
  return String.fromCharCode(97 + ((owner - 3) % 26));
}

/** Formats the runs, and the character map for small machines. */
export function formatFrames(memory: PhysicalMemory, runs: readonly FrameRun[]): string {
  const digits = Math.max(5, (memory.layout.frameCount - 1).toString(16).length);
  const hex = (n: number) => `0x${n.toString(16).padStart(digits, '0')}`;
  let text = runs.map((r) => `${hex(r.start)}-${hex(r.start + r.count - 1)} ${String(r.count).padStart(8)} ${r.state.padEnd(9)} ${r.owner ?? ''}`.trimEnd() + '\n').join('');
  if (memory.layout.frameCount <= 1024) {
    const { frames } = memory.buddy;
    text += '\n';
    for (let line = 0; line < memory.layout.frameCount; line += 64) {
      let chars = '';
      for (let pfn = line; pfn < Math.min(line + 64, memory.layout.frameCount); pfn++) {
        const owner = frames.owner.get(pfn);
        chars += owner === 0 ? '.' : frames.flags.get(pfn) & PAGE_FLAGS.reserved && owner === 2 ? '#' : ownerLetter(memory, owner);
      }
      text += `${hex(line)} ${chars}\n`;
    }
    const legend = memory.owners.slice(1).map((name, i) => `${ownerLetter(memory, i + 1)}=${name}`);
    text += `legend: .=free #=boot-reserved ${legend.join(' ')}\n`;
  }
  return text;
}
