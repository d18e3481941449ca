/**
 * maps, smaps and status against real text: fixtures/linux/views.txt, made by views.c on Linux
 * 6.18 (x86-64, setarch -R). The address space before views.c's mappings is rebuilt from its first
 * maps block (with the VmFlags its smaps shows); the mappings are then made with the model's mmap,
 * and the three views rendered by the model are compared with what Linux printed.
 *
 * Fields that count resident pages (Rss, Pss, dirty/clean, Referenced, Anonymous, Locked … in
 * smaps; VmHWM, VmRSS, Rss*, VmPTE in status) cannot be known without a pager: they are compared
 * exactly for the regions views.c never touched (0 on Linux too) and by format only elsewhere.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMachine } from '@vmlab/kernel';
import { describe, expect, it } from 'vitest';
import { applyEdits, createAddressSpace, type AddressSpace, type Edit } from '../addressSpace.js';
import { VM_FLAG_MNEMONICS } from '../constants.js';
import { layoutFor } from '../layouts.js';
import { mmap } from '../mmap.js';
import { REGIONS_REQUESTS } from '../protocol.js';
import type { Region } from '../region.js';
import { regionsSubsystem } from '../server.js';
import { setupStack } from '../stack.js';
import { formatMapsLine, mapsEntries, renderMaps } from './maps.js';
import { SMAPS_FIELDS, renderSmaps } from './smaps.js';
import { renderStatus } from './status.js';

interface Observation {
  mm: Record<string, number>;
  before: string;
  mmaps: number[][];
  maps: string;
  smaps: string;
  status: string;
}

function readObservation(): Observation {
  const text = readFileSync(fileURLToPath(new URL('../fixtures/linux/views.txt', import.meta.url)), 'utf8');
  const blocks: Record<string, string[]> = {};
  const mm: Record<string, number> = {};
  const mmaps: number[][] = [];
  let current: string[] = [];
  let maps = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('# mm ')) {
      for (const kv of line.slice(5).split(' ')) mm[kv.split('=')[0]!] = parseInt(kv.split('=')[1]!, 16);
    } else if (line.startsWith('# ')) {
      const name = line === '# maps' ? (maps++ === 0 ? 'before' : 'maps') : line.slice(2);
      current = blocks[name] = [];
    } else if (line.startsWith('@ mmap ')) {
      mmaps.push(line.slice(7).split(' = ')[0]!.split(' ').map((a) => (a.startsWith('-') ? Number(a) : parseInt(a, 16))));
    } else current.push(line);
  }
  const join = (name: string): string => blocks[name]!.join('\n').replace(/\n*$/, '\n');
  return { mm, before: join('before'), mmaps, maps: join('maps'), smaps: join('smaps'), status: join('status') };
}

/** The smaps text split into one block per region, keyed by `start-end`. */
function smapsBlocks(smaps: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let block: string[] = [];
  for (const line of smaps.trimEnd().split('\n')) {
    const m = /^([0-9a-f]+-[0-9a-f]+) /.exec(line);
    if (m) out.set(m[1]!, (block = []));
    block.push(line);
  }
  return out;
}

function parseVmFlags(words: string): number {
  let flags = 0;
  for (const word of words.trim().split(/\s+/)) flags |= VM_FLAG_MNEMONICS.find(([, name]) => name === word)?.[0] ?? 0;
  return flags;
}

/** The address space before views.c's mappings: its regions from the maps, their vm_flags from the smaps. */
function spaceBefore(o: Observation): AddressSpace {
  const layout = layoutFor('linux-x86_64');
  const blocks = smapsBlocks(o.smaps);
  const edits: Edit[] = [];
  for (const line of o.before.trimEnd().split('\n')) {
    const [, s, e, , off, dev, inode, name] = /^([0-9a-f]+)-([0-9a-f]+) (\S+) ([0-9a-f]+) (\S+) (\d+)\s*(.*)$/.exec(line)!;
    const start = parseInt(s!, 16);
    if (start >= layout.taskSize) continue; // [vsyscall] is the gate area, not a region
    const flags = parseVmFlags(blocks.get(`${s}-${e}`)!.at(-1)!.slice('VmFlags:'.length));
    const file = name!.startsWith('/') ? name! : null;
    const special = name!.startsWith('[') && name !== '[heap]' && name !== '[stack]' ? name! : null;
    const region: Region = { start, end: parseInt(e!, 16), flags, pgoff: file ? parseInt(off!, 16) / 4096 : start / 4096, file, dev: dev!, inode: Number(inode), special, anonVma: 0, object: 0 };
    edits.push({ kind: 'mapped', region });
  }
  const { mm } = o;
  edits.push({ kind: 'bounds-set', bounds: { startCode: mm.start_code!, endCode: mm.end_code!, startData: mm.start_data!, endData: mm.end_data!, startBrk: mm.start_brk!, brk: mm.brk!, startStack: mm.start_stack! } });
  return applyEdits(createAddressSpace({ id: 1, layout }), edits);
}

/** The space after views.c's mmaps, made by the model (file identities and shmem inodes as Linux named them). */
function spaceAfter(o: Observation): AddressSpace {
  let space = spaceBefore(o);
  for (const [addr, length, prot, flags, fd, offset] of o.mmaps) {
    const line = o.maps.split('\n').find((l) => l.startsWith(addr!.toString(16).padStart(8, '0') + '-'))!;
    const [, dev, inode, name] = /^\S+ \S+ [0-9a-f]+ (\S+) (\d+)\s*(.*)$/.exec(line)!;
    const r = mmap(space, {
      addr: addr!,
      length: length!,
      prot: prot!,
      flags: flags!,
      offset: offset!,
      ...(fd! >= 0 ? { file: { path: name!, dev: dev!, inode: Number(inode) } } : {}),
      ...(name === '/dev/zero (deleted)' ? { shmemInode: Number(inode) } : {}),
    });
    expect(r.value, line).toBe(addr);
    space = r.space;
  }
  return space;
}

const observation = readObservation();
const space = spaceAfter(observation);
/** The regions views.c mapped and never touched (MAP_LOCKED populates its page). */
const untouched = observation.mmaps.filter(([, , , flags]) => !(flags! & 0x2000)).map(([addr, length]) => `${addr!.toString(16)}-${(addr! + length!).toString(16)}`);

describe('maps (fs/proc/task_mmu.c show_map_vma), against Linux 6.18', () => {
  it('is byte for byte what Linux printed: widths, offsets, device and inode columns, [heap], [stack], [vvar], [vdso], [vsyscall], /dev/zero (deleted)', () => {
    expect(renderMaps(space)).toBe(observation.maps);
  });

  it('the name column starts at 25 + 6 * sizeof(void *) on x86-64 and on i386 (seq_pad), and an unnamed line keeps its trailing space', () => {
    const entry = { start: 0x8048000, end: 0x8049000, perms: 'r-xp', offset: 0, dev: '08:01', inode: 1, name: '/bin/prog' };
    // 32-bit kernel: seq_pad to 25 + 4 * 6 - 1 = 48 columns, then one space: the name at column 49.
    expect(formatMapsLine(entry, layoutFor('linux-i386').mapsWidth)).toBe('08048000-08049000 r-xp 00000000 08:01 1' + ' '.repeat(10) + '/bin/prog');
    expect(formatMapsLine(entry, layoutFor('linux-x86_64').mapsWidth).indexOf('/bin/prog')).toBe(73);
    expect(formatMapsLine({ ...entry, name: '' }, 73)).toBe('08048000-08049000 r-xp 00000000 08:01 1 ');
    const heap = observation.maps.split('\n').find((l) => l.endsWith('[heap]'))!;
    expect(heap.indexOf('[heap]')).toBe(73);
  });
});

describe('smaps (fs/proc/task_mmu.c show_smap), against Linux 6.18', () => {
  const model = smapsBlocks(renderSmaps(space));
  const linux = smapsBlocks(observation.smaps);

  it('has one block per region and the gate area, in the same order, headed by the maps line', () => {
    expect([...model.keys()]).toEqual([...linux.keys()]);
    for (const [range, block] of linux) expect(model.get(range)![0], range).toBe(block[0]);
  });

  it('is byte for byte what Linux printed for every region views.c mapped and never touched', () => {
    expect(untouched.length).toBe(10);
    for (const range of untouched) expect(model.get(range)!.join('\n'), range).toBe(linux.get(range)!.join('\n'));
  });

  it('elsewhere: the same fields in the same order and format (Name: padded to 16, value in 8, " kB"); Size, page sizes, THPeligible and VmFlags exact', () => {
    for (const [range, block] of linux) {
      const mine = model.get(range)!;
      expect(mine.map((l) => l.split(':')[0]), range).toEqual(block.map((l) => l.split(':')[0]));
      mine.slice(1, -2).forEach((line, i) => {
        expect(line, `${range} ${line}`).toMatch(/^[A-Za-z_]+: +\d+ kB$/);
        expect(line.length, `${range} ${line}: the value ends in column 24`).toBe(27);
        // Resident-page counters need a pager: compared by format only (the lines above).
        if (/^(Size|KernelPageSize|MMUPageSize):/.test(line)) expect(line, range).toBe(block[i + 1]);
      });
      expect(mine.slice(-2), range).toEqual(block.slice(-2)); // THPeligible and VmFlags
    }
  });
});

describe('status (fs/proc/task_mmu.c task_mem), against Linux 6.18', () => {
  const mine = renderStatus(space).trimEnd().split('\n');
  const linux = observation.status.split('\n');

  it('prints the Vm* block in Linux order, each `Name:\\t%8lu kB`', () => {
    const names = mine.map((l) => l.split(':')[0]!);
    expect(linux.filter((l) => names.includes(l.split(':')[0]!)).map((l) => l.split(':')[0])).toEqual(names);
    for (const line of mine) expect(line).toMatch(/^[A-Za-z]+:\t[ \d]{8} kB$/);
    // VmHWM … VmRSS then RssAnon/RssFile/RssShmem, as between VmPin and VmData on Linux.
    expect(names).toEqual(['VmPeak', 'VmSize', 'VmLck', 'VmPin', 'VmHWM', 'VmRSS', 'RssAnon', 'RssFile', 'RssShmem', 'VmData', 'VmStk', 'VmExe', 'VmLib', 'VmPTE', 'VmSwap', 'HugetlbPages']);
  });

  it('the counters of mappings are exact: VmPeak, VmSize, VmLck, VmPin, VmData, VmStk (grows-down regions count), VmExe, VmLib, HugetlbPages', () => {
    for (const name of ['VmPeak', 'VmSize', 'VmLck', 'VmPin', 'VmData', 'VmStk', 'VmExe', 'VmLib', 'HugetlbPages']) {
      expect(mine.find((l) => l.startsWith(name + ':')), name).toBe(linux.find((l) => l.startsWith(name + ':')));
    }
    // Worked by hand from the maps: VmStk is [stack] (132 kB) plus the MAP_GROWSDOWN region (8 kB);
    // VmLib is exec_vm beyond the text: [vdso] (8 kB) and the r-x anonymous page (4 kB).
    expect(mine).toContain('VmStk:\t     140 kB');
    expect(mine).toContain('VmLib:\t      12 kB');
  });
});

describe('the views on the bus', () => {
  it('render maps, smaps and status of a process (text and json); empty for a process without an address space', () => {
    const machine = createMachine({ subsystems: [regionsSubsystem] });
    const spawn = (): number => (machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number }).pid;
    const pid = spawn();
    machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
    machine.call('do_mmap', [pid, 0, 3 * 4096, 3, 0x22]);
    const maps = machine.render('maps', { pid });
    // The vDSO's lines and VmFlags are byte for byte a static program's under setarch -R (Linux 6.18).
    expect(maps.text).toBe(
      '7ffff7ff4000-7ffff7ff7000 rw-p 00000000 00:00 0 \n' +
        '7ffff7ff7000-7ffff7ffb000 r--p 00000000 00:00 0                          [vvar]\n' +
        '7ffff7ffb000-7ffff7ffd000 r--p 00000000 00:00 0                          [vvar_vclock]\n' +
        '7ffff7ffd000-7ffff7fff000 r-xp 00000000 00:00 0                          [vdso]\n' +
        '7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n' +
        'ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n',
    );
    expect((maps.json as { name: string }[]).map((e) => e.name)).toEqual(['', '[vvar]', '[vvar_vclock]', '[vdso]', '[stack]', '[vsyscall]']);
    expect(machine.render('smaps', { pid }).text.split('\n').filter((l) => l.startsWith('VmFlags:'))).toEqual([
      'VmFlags: rd wr mr mw me ac ',
      'VmFlags: rd mr pf io de dd ',
      'VmFlags: rd mr pf io de dd ',
      'VmFlags: rd ex mr mw me de ',
      'VmFlags: rd wr mr mw me gd ac ',
      'VmFlags: ex ',
    ]);
    const status = machine.render('status', { pid });
    expect(status.text.split('\n').slice(0, 2)).toEqual(['VmPeak:\t     176 kB', 'VmSize:\t     176 kB']);
    // VmLib: the vDSO's executable pages (exec_vm less the program's text), 8 kB as on Linux.
    expect(status.json).toMatchObject({ VmSize: 176, VmStk: 132, VmData: 12, VmLib: 8 });
    const lonely = spawn();
    for (const view of ['maps', 'smaps', 'status']) expect(machine.render(view, { pid: lonely }).text).toBe('');
  });
});

describe('file names with a newline (fs/proc/task_mmu.c show_map_vma → seq_file_path(m, file, "\\n"))', () => {
  const text = readFileSync(fileURLToPath(new URL('../fixtures/linux/path-escape.txt', import.meta.url)), 'utf8');
  const [, maps, smapsHeaders] = text.split(/^# (?:maps|smaps)\n/m) as [string, string, string];
  // The file names path-escape.c made (the maps text is what Linux printed for them).
  const names = ['/tmp/pe-a\nb c', '/tmp/pe-tab\tback\\slash', '/tmp/pe-\n\n'];
  let space = setupStack(createAddressSpace({ id: 1, layout: layoutFor('linux-x86_64') })).space;
  const inodes = maps.trimEnd().split('\n').map((l) => Number(l.split(/\s+/)[4]));
  names.forEach((path, i) => {
    space = mmap(space, { addr: 0x10000000 + i * 0x2000, length: 4096, prot: 1, flags: 0x12, file: { path, dev: 'fe:00', inode: inodes[i]! } }).space;
  });

  it('maps escapes a newline as \\012 (mangle_path), and nothing else: tab and backslash stay', () => {
    expect(renderMaps(space).split('\n').filter((l) => l.startsWith('1000')).join('\n') + '\n').toBe(maps);
  });

  it("smaps' header line is the same", () => {
    expect(renderSmaps(space).split('\n').filter((l) => l.startsWith('1000')).join('\n') + '\n').toBe(smapsHeaders);
  });

  it('the json form keeps the name as it is', () => {
    expect(mapsEntries(space).filter((e) => e.start >= 0x10000000 && e.start < 0x10006000).map((e) => e.name)).toEqual(names);
  });
});

describe('the json forms of maps and smaps', () => {
  const machine = createMachine({ subsystems: [regionsSubsystem] });
  const pid = (machine.dispatch({ type: 'kernel/spawn', payload: { name: 'p', personality: 'posix' } }).reply as { pid: number }).pid;
  machine.dispatch({ type: REGIONS_REQUESTS.createAddressSpace, payload: { pid } });
  machine.call('do_mmap', [pid, 0x10000000, 2 * 4096, 1, 0x12, 3, 2 ** 62, '/lib/big']);
  machine.call('do_mmap', [pid, 0, 4096, 3, 0x22 | 0x20000]);

  it('maps: addresses and offsets are hex strings, exact above 2^53 ([vsyscall], an offset of 2^62)', () => {
    const json = machine.render('maps', { pid }).json as { start: string; end: string; offset: string; name: string }[];
    expect(json.at(-1)).toEqual({ start: 'ffffffffff600000', end: 'ffffffffff601000', perms: '--xp', offset: '0', dev: '00:00', inode: 0, name: '[vsyscall]' });
    expect(json[0]).toMatchObject({ start: '10000000', end: '10002000', offset: '4000000000000000', name: '/lib/big' });
    // Each entry is the text line's fields.
    const text = machine.render('maps', { pid }).text.trimEnd().split('\n');
    json.forEach((e, i) => expect(text[i]!.startsWith(`${e.start.padStart(8, '0')}-${e.end.padStart(8, '0')} ${(e as unknown as { perms: string }).perms} ${e.offset.padStart(8, '0')} `)).toBe(true));
    // JSON text keeps them exact (a number would print 18446744073699066000).
    expect(JSON.stringify(json)).toContain('"ffffffffff600000"');
  });

  it("smaps: maps' fields, every counter in kB under its own name, THPeligible, VmFlags as mnemonics", () => {
    const json = machine.render('smaps', { pid }).json as Record<string, unknown>[];
    expect(json).toHaveLength(7); // /lib/big, the MAP_STACK page, the vDSO's three, [stack], [vsyscall]
    expect(json[1]).toMatchObject({ start: '7ffff7ff6000', end: '7ffff7ff7000', perms: 'rw-p', Size: 4, KernelPageSize: 4, MMUPageSize: 4, Rss: 0, Locked: 0, THPeligible: 0, VmFlags: ['rd', 'wr', 'mr', 'mw', 'me', 'ac', 'nh'] });
    expect(Object.keys(json[0]!)).toEqual(['start', 'end', 'perms', 'offset', 'dev', 'inode', 'name', 'Size', 'KernelPageSize', 'MMUPageSize', ...SMAPS_FIELDS, 'THPeligible', 'VmFlags']);
    expect(json.at(-1)).toMatchObject({ start: 'ffffffffff600000', name: '[vsyscall]', VmFlags: ['ex'] });
    // The text and the json say the same.
    const text = machine.render('smaps', { pid }).text;
    expect(text.split('\n').filter((l) => l.startsWith('VmFlags:'))).toEqual(json.map((e) => `VmFlags: ${(e.VmFlags as string[]).map((f) => f + ' ').join('')}`));
  });
});
