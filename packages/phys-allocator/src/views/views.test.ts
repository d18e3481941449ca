import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatBuddyinfo } from './buddyinfo.js';
import { formatPagetypeinfo } from './pagetypeinfo.js';
import { formatZoneinfo } from './zoneinfo.js';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');

/** Parses the rows of a real /proc/buddyinfo. */
function parseBuddyinfo(text: string) {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const match = /^Node 0, zone\s+(\S+)\s+(.*)$/.exec(line)!;
      return { zone: match[1]!, counts: match[2]!.trim().split(/\s+/).map(Number) };
    });
}

describe('views reproduce the real /proc files of this machine (fixtures/, Linux 6.18 x86_64)', () => {
  it('buddyinfo: byte for byte, trailing spaces included', () => {
    const real = fixture('buddyinfo.txt');
    expect(formatBuddyinfo(parseBuddyinfo(real))).toBe(real);
  });

  it('pagetypeinfo: the header and the free-count table, byte for byte', () => {
    const real = fixture('pagetypeinfo.txt');
    const table = real.slice(0, real.indexOf('\nNumber of blocks type'));
    const rows = table
      .split('\n')
      .filter((line) => line.startsWith('Node'))
      .map((line) => {
        const match = /^Node\s+0, zone\s+(\S+), type\s+(\S+)\s+(.*)$/.exec(line)!;
        return { zone: match[1]!, type: match[2]!, counts: match[3]!.trim().split(/\s+/).map(Number) };
      });
    expect(rows).toHaveLength(15);
    expect(formatPagetypeinfo(9, 11, rows)).toBe(table);
  });

  it('zoneinfo: the watermark lines of the real file', () => {
    const real = fixture('zoneinfo.txt');
    const dma = formatZoneinfo([{ zone: 'DMA', free: 3840, min: 55, low: 68, high: 81, spanned: 4095, present: 3998, managed: 3840, protection: [0, 3019, 4555, 4555, 4555] }]);
    const realLines = real.split('\n');
    for (const line of dma.trimEnd().split('\n')) expect(realLines).toContain(line);
  });
});
