import { createMachine, exportLog, verifyReplay } from '@vmlab/kernel';
import { describe, expect, it } from 'vitest';
import { PHYS_EVENTS, PHYS_REQUESTS, GFP, PAGE_FLAGS, type CountFramesReply, type FrameInfo, type MemoryDescription } from './protocol.js';
import { physSubsystem } from './server.js';

const tinyMachine = () => createMachine({ subsystems: [physSubsystem], config: { profile: 'tiny' }, freeze: true });

describe('phys server on the bus (tiny machine: 64 frames of 1 KiB, frame 0 reserved)', () => {
  it('alloc_pages splits and reports each split, free_pages merges and reports each merge', () => {
    const machine = tinyMachine();
    expect(machine.call('alloc_pages', [GFP.GFP_KERNEL, 0]).value).toBe(1);
    const second = machine.call('alloc_pages', [GFP.GFP_KERNEL, 0]);
    expect(second.value).toBe(2);
    expect(second.outcome.events.map((e) => [e.type, e.payload])).toEqual([
      [PHYS_EVENTS.blockSplit, { zone: 'Normal', pfn: 2, order: 1, freedHalf: 3 }],
      [PHYS_EVENTS.pagesAllocated, { pfn: 2, order: 0, zone: 'Normal', gfp: GFP.GFP_KERNEL, owner: null }],
    ]);
    expect(machine.render('buddyinfo').text).toBe('Node 0, zone   Normal      1      0      1      1      1      1 \n');
    machine.call('free_pages', [1, 0]);
    const freed = machine.call('free_pages', [2, 0]);
    expect(freed.outcome.events.map((e) => [e.type, e.payload])).toEqual([
      [PHYS_EVENTS.pagesFreed, { pfn: 2, order: 0, zone: 'Normal' }],
      [PHYS_EVENTS.buddiesMerged, { zone: 'Normal', pfn: 2, order: 1 }],
    ]);
    expect(machine.render('buddyinfo').text).toBe('Node 0, zone   Normal      1      1      1      1      1      1 \n');
    // The committed past is untouched: at position 1 only frame 1 was taken.
    expect(machine.render('buddyinfo', { at: 1 }).text).toBe('Node 0, zone   Normal      0      1      1      1      1      1 \n');
  });

  it('fails with NULL (0) and ENOMEM when no block is big enough, and leaves the state alone', () => {
    const machine = tinyMachine();
    expect(machine.call('alloc_pages', [GFP.GFP_KERNEL, 5]).value).toBe(32);
    const failed = machine.call('alloc_pages', [GFP.GFP_KERNEL, 5]);
    expect([failed.value, failed.error]).toEqual([0, 'ENOMEM']);
    expect(failed.outcome.events).toEqual([]);
  });

  it('a bad free is refused as a programmer error and rolled back', () => {
    const machine = tinyMachine();
    const before = machine.hash();
    expect(machine.call('free_pages', [5, 0]).error).toBeDefined();
    expect(machine.hash()).toEqual(before);
  });

  it('marks slab-owned frames PG_slab and counts them for the slab allocator', () => {
    const machine = tinyMachine();
    const { pfn } = machine.dispatch({ type: PHYS_REQUESTS.allocPages, payload: { gfp: GFP.GFP_KERNEL, order: 2, owner: 'slab' } }).reply as { pfn: number };
    expect(pfn).toBe(4);
    expect(machine.query<CountFramesReply>(PHYS_REQUESTS.countFrames, { flags: PAGE_FLAGS.slab }).count).toBe(4);
    expect(machine.query<CountFramesReply>(PHYS_REQUESTS.countFrames, { owner: 'slab' }).count).toBe(4);
    expect(machine.query<FrameInfo>(PHYS_REQUESTS.frameInfo, { pfn: 5 })).toMatchObject({ owner: 'slab', flagNames: ['slab'], free: false });
    machine.dispatch({ type: PHYS_REQUESTS.freePages, payload: { pfn, order: 2 } });
    expect(machine.query<CountFramesReply>(PHYS_REQUESTS.countFrames, { flags: PAGE_FLAGS.slab }).count).toBe(0);
  });

  it('get_page / put_page share a block and free it on the last reference', () => {
    const machine = tinyMachine();
    const pfn = machine.call('alloc_page', [GFP.GFP_HIGHUSER]).value as number;
    expect(machine.call('get_page', [pfn]).value).toBe(2);
    expect(machine.call('put_page', [pfn]).value).toBe(1);
    expect(machine.call('put_page', [pfn]).value).toBe(0);
    expect(machine.query<FrameInfo>(PHYS_REQUESTS.frameInfo, { pfn }).free).toBe(true);
  });

  it('reserves a range for a driver and shows it in the frames view', () => {
    const machine = tinyMachine();
    expect(machine.call('reserve_range', [40, 4, 'vga']).value).toBe(40);
    expect(machine.call('reserve_range', [40, 1, 'other'])).toMatchObject({ value: -1, error: 'EBUSY' });
    machine.call('alloc_pages', [GFP.GFP_KERNEL, 1, 'pager']);
    expect(machine.render('frames').text).toBe(
      [
        '0x00000-0x00000        1 reserved  boot',
        '0x00001-0x00001        1 free',
        '0x00002-0x00003        2 allocated pager',
        '0x00004-0x00027       36 free',
        '0x00028-0x0002b        4 reserved  vga',
        '0x0002c-0x0003f       20 free',
        '',
        '0x00000 #.bb....................................aaaa....................',
        'legend: .=free #=boot-reserved K=kernel B=boot a=vga b=pager',
        '',
      ].join('\n'),
    );
  });

  it('describes memory for other servers (page size, zones, watermarks)', () => {
    const machine = createMachine({ subsystems: [physSubsystem], config: { profile: 'linux-i386', ram: 64 * 1024 * 1024 } });
    const memory = machine.query<MemoryDescription>(PHYS_REQUESTS.describeMemory, {});
    expect(memory.pageSize).toBe(4096);
    expect(memory.frames).toBe(16384);
    expect(memory.zones.map((z) => [z.name, z.managed, z.min, z.low, z.high])).toEqual([
      ['DMA', 3584, 56, 70, 84],
      ['Normal', 12288, 194, 242, 290],
      ['HighMem', 0, 32, 32, 32],
    ]);
    expect(machine.render('buddyinfo').text).toBe(
      'Node 0, zone      DMA      0      0      0      0      0      0      0      0      0      7 \n' +
        'Node 0, zone   Normal      0      0      0      0      0      0      0      0      0     24 \n',
    );
    expect(machine.render('zoneinfo').text.split('\n').slice(0, 10)).toEqual([
      'Node 0, zone      DMA',
      '  pages free     3584',
      '        boost    0',
      '        min      56',
      '        low      70',
      '        high     84',
      '        spanned  4096',
      '        present  4096',
      '        managed  3584',
      '        protection: (0, 48, 48)',
    ]);
  });

  it('runs the textbook case through scenario calls under best fit, then compacts a first-fit pool', () => {
    const machine = tinyMachine();
    machine.call('pool_create_variable', ['best', 512, 'best']);
    const steps: Array<[string, (string | number)[]]> = [
      ['partition_alloc', ['best', 100, 'r1']],
      ['partition_alloc', ['best', 200, 'r2']],
      ['partition_alloc', ['best', 200, 'r3']],
      ['partition_free', ['best', 100]],
      ['partition_alloc', ['best', 10, 'r4']],
      ['partition_free', ['best', 0]],
      ['partition_alloc', ['best', 200, 'r5']],
    ];
    expect(steps.map(([name, args]) => machine.call(name, args).value)).toEqual([0, 100, 300, 0, 500, 0, 0]);
    expect(machine.render('partitions').text).toBe(
      [
        'pool best: variable, 512 bytes, best fit, list, free 102 in 2 holes, internal fragmentation 0',
        '         0      200 r5 (200 used)',
        '       200      100 free',
        '       300      200 r3 (200 used)',
        '       500       10 r4 (10 used)',
        '       510        2 free',
        '',
      ].join('\n'),
    );
    machine.call('pool_create_variable', ['ff', 512, 'first', 'bitmap', 1]);
    for (const [name, args] of steps) machine.call(name, [ 'ff', ...args.slice(1)]);
    expect(machine.call('partition_alloc', ['ff', 200]).error).toBe('ENOMEM');
    expect(machine.call('compact', ['ff']).value).toBe(210);
    expect(machine.call('partition_alloc', ['ff', 200, 'r5']).value).toBe(210);
    expect(machine.call('compact', ['nope'])).toMatchObject({ value: -1, error: 'EINVAL' });
  });

  it('serves fixed partitions and resource maps through calls', () => {
    const machine = tinyMachine();
    machine.call('pool_create_fixed', ['fx', 512, '64,64,128,256']);
    expect(machine.call('partition_alloc', ['fx', 100]).value).toBe(128);
    expect(machine.call('partition_alloc', ['fx', 300]).error).toBe('ENOMEM');
    machine.call('rmap_create', ['swapmap', 1, 10000]);
    expect(machine.call('rmalloc', ['swapmap', 100]).value).toBe(1);
    expect(machine.call('rmalloc', ['swapmap', 50]).value).toBe(101);
    expect(machine.call('rmfree', ['swapmap', 100, 1]).value).toBe(0);
    expect(machine.call('rmalloc', ['swapmap', 20000])).toMatchObject({ value: 0, error: 'ENOMEM' });
    expect(machine.render('rmap').text).toBe('map swapmap: 9950 units free in 2/64 entries\n           1        100\n         151       9850\n');
  });

  it('registers the GFP and page-flag constants with their Linux values', () => {
    const machine = tinyMachine();
    expect(machine.registry.constant('GFP_KERNEL')).toBe(0xcc0);
    expect(machine.registry.constant('__GFP_DMA')).toBe(0x01);
    expect(physSubsystem.constants!.GFP_HIGHUSER).toBe(0x100cc2);
    expect(physSubsystem.constants!.PG_slab).toBe(PAGE_FLAGS.slab);
  });

  it('replays to the same state hashes (buddy, partitions with a bitmap, resource map)', () => {
    const machine = createMachine({ subsystems: [physSubsystem], config: { profile: 'linux-i386', ram: 32 * 1024 * 1024 }, checkpointEvery: 3 });
    for (let order = 0; order < 6; order++) machine.call('alloc_pages', [GFP.GFP_KERNEL, order]);
    machine.call('free_pages', [4097, 0]);
    machine.call('pool_create_variable', ['heap', 4096, 'next', 'bitmap', 16]);
    for (const size of [100, 700, 30, 1000]) machine.call('partition_alloc', ['heap', size]);
    machine.call('partition_free', ['heap', 112]);
    machine.call('compact', ['heap']);
    machine.call('rmap_create', ['swap', 1, 500]);
    machine.call('rmalloc', ['swap', 20]);
    machine.call('rmfree', ['swap', 10, 1]);
    machine.call('free_pages', [12345, 0]); // an error, logged and rolled back
    expect(verifyReplay(exportLog(machine), [physSubsystem]).ok).toBe(true);
  });

  it('renders pagetypeinfo in Linux layout with one "(any)" row per zone', () => {
    const machine = tinyMachine();
    machine.call('alloc_pages', [GFP.GFP_KERNEL, 3]);
    expect(machine.render('pagetypeinfo').text).toBe(
      'Page block order: 5\n' +
        'Pages per block:  32\n' +
        '\n' +
        'Free pages count per migrate type at order       0      1      2      3      4      5 \n' +
        'Node    0, zone   Normal, type        (any)      1      1      1      0      1      1 \n',
    );
  });
});
