/**
 * The server and the model agree (fast-check): the same operations sent over the bus and applied
 * to a plain model give the same free lists and frame owners after every step, and the machine's
 * timeline still shows each earlier state (copy-on-write of the chunked tables keeps the past intact).
 */
import { createMachine } from '@vmlab/kernel';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocPages, createPhysicalMemory, freePages } from './physicalMemory.js';
import { GFP } from './protocol.js';
import { physSubsystem } from './server.js';
import { formatBuddyinfo, zoneFreeBlocks } from './views/buddyinfo.js';
import { formatFrames, frameRuns } from './views/frames.js';

const step = fc.oneof(
  fc.record({ kind: fc.constant('alloc' as const), order: fc.integer({ min: 0, max: 4 }), dma: fc.boolean() }),
  fc.record({ kind: fc.constant('free' as const), pick: fc.nat() }),
);

describe('server = model (fast-check)', () => {
  it('gives the same buddyinfo and frame map after every step, and keeps every past state', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const config = { profile: 'linux-i386', ram: 20 * 1024 * 1024 };
        const machine = createMachine({ subsystems: [physSubsystem], config, freeze: true });
        const model = createPhysicalMemory(config);
        const live: Array<[number, number]> = [];
        const history: string[] = [formatBuddyinfo(zoneFreeBlocks(model))];
        for (const s of steps) {
          if (s.kind === 'alloc') {
            const gfp = s.dma ? GFP.GFP_DMA : GFP.GFP_KERNEL;
            const expected = allocPages(model, gfp, s.order, 'test');
            const got = machine.call('alloc_pages', [gfp, s.order, 'test']);
            expect(got.value).toBe(expected < 0 ? 0 : expected);
            if (expected >= 0) live.push([expected, s.order]);
          } else {
            if (live.length === 0) continue;
            const [pfn, order] = live.splice(s.pick % live.length, 1)[0]!;
            freePages(model, pfn, order);
            expect(machine.call('free_pages', [pfn, order]).error).toBeUndefined();
          }
          const text = formatBuddyinfo(zoneFreeBlocks(model));
          expect(machine.render('buddyinfo').text).toBe(text);
          expect(machine.render('frames').text).toBe(formatFrames(model, frameRuns(model)));
          history.push(text);
        }
        history.forEach((text, position) => expect(machine.render('buddyinfo', { at: position }).text).toBe(text));
      }),
      { numRuns: 40 },
    );
  });
});
