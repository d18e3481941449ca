import { describe, expect, it } from 'vitest';
import { mentionsAddress, parseAddress } from './address.js';
import { colorEnabled, colorsFor } from './color.js';
import { globMatcher } from './glob.js';
import { plural } from './format.js';
import { createProgress } from './progress.js';
import { closestNames, editDistance } from './suggest.js';

describe('colour', () => {
  it('is on for a terminal only, and off whenever NO_COLOR is non-empty (no-color.org)', () => {
    expect(colorEnabled({ write: () => 0, isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ write: () => 0, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ write: () => 0, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ write: () => 0 }, {})).toBe(false);
    expect(colorsFor({ write: () => 0, isTTY: true }, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(colorsFor({ write: () => 0 }, {}).red('x')).toBe('x');
  });
});

describe('the progress bar', () => {
  it('never draws off a terminal, and on one only after a second', () => {
    let written = '';
    const pipe = createProgress({ write: (t: string) => (written += t) }, 'run', { now: () => 5000 });
    pipe.update(1, 10);
    pipe.stop();
    expect(written).toBe('');
    let clock = 0;
    const tty = { isTTY: true, columns: 80, write: (t: string) => (written += t), cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => tty, removeListener: () => tty };
    const bar = createProgress(tty, 'run', { now: () => clock, unit: 'inputs' });
    clock = 999;
    bar.update(1, 10);
    expect(written).toBe('');
    clock = 1001;
    bar.update(2, 10);
    bar.stop();
    expect(written).toContain('2/10 inputs');
  });
});

/** A fake terminal stream; `text` is everything written to it. */
function fakeTerminal(): { isTTY: true; columns: number; text: string; write(t: string): boolean } {
  const tty = { isTTY: true as const, columns: 100, text: '', write: (t: string) => ((tty.text += t), true) };
  return tty;
}

describe('the progress bar and output on the same terminal', () => {
  it('clears its line before text written to the terminal it shares, then redraws itself', () => {
    const tty = fakeTerminal();
    let clock = 0;
    const bar = createProgress(tty, 'inter.yaml', { now: () => clock });
    const out = bar.around(tty);
    out.write('before the bar\n');
    expect(tty.text).toBe('before the bar\n');
    clock = 2000;
    bar.update(10, 100);
    expect(tty.text).toContain('10/100 steps');
    tty.text = '';
    out.write('--- tasks (line 5, position 14733)\n');
    // The bar's line is erased first (cli-progress: back to where the bar began, erase the line)…
    const [erased, after] = tty.text.split('--- tasks (line 5, position 14733)\n') as [string, string];
    expect(erased.endsWith('\u001b[2K')).toBe(true);
    expect(erased).not.toContain('steps');
    // … and the bar is drawn again below the text, not glued in front of it.
    expect(after).toMatch(/^.*inter\.yaml \[█{4}░{36}\] 10% \| 10\/100 steps/);
    bar.stop();
    expect(tty.text.endsWith('\u001b[2K')).toBe(true);
    tty.text = '';
    out.write('after\n');
    expect(tty.text).toBe('after\n');
  });

  it('leaves another stream alone: a pipe, or another terminal', () => {
    const tty = fakeTerminal();
    const pipe = { write: () => true };
    const other = fakeTerminal();
    const bar = createProgress(tty, 'run', { now: () => 5000 });
    expect(bar.around(pipe)).toBe(pipe);
    expect(bar.around(other)).toBe(other);
    expect(createProgress(pipe, 'run').around(pipe)).toBe(pipe);
  });
});

describe('log filters', () => {
  it('match type globs with * ? and alternatives', () => {
    const m = globMatcher('phys/*,kernel/task-?pawned');
    expect(['phys/alloc-pages', 'kernel/task-spawned', 'kernel/tick', 'physx/a'].map(m)).toEqual([true, true, false, false]);
  });

  it('match [] sets as the shell and SQLite GLOB do, and refuse an unclosed one', () => {
    const m = globMatcher('phys/[ab]*');
    expect(['phys/alloc-pages', 'phys/block', 'phys/free-pages', 'phys/[ab]x'].map(m)).toEqual([true, true, false, false]);
    expect(['phys/free', 'phys/alloc'].map(globMatcher('phys/[!a]*'))).toEqual([true, false]);
    expect(['phys/free', 'phys/alloc'].map(globMatcher('phys/[^a]*'))).toEqual([true, false]);
    expect(['a1', 'a5', 'a9', 'a-'].map(globMatcher('a[2-6]'))).toEqual([false, true, false, false]);
    expect(['a]', 'ab'].map(globMatcher('a[]]'))).toEqual([true, false]);
    expect(() => globMatcher('phys/[ab')).toThrow('--type phys/[ab: a [ without its closing ]');
    expect(() => globMatcher('a[z-a]')).toThrow('is backwards');
  });

  it('find addresses in fields, ranges and nested payloads', () => {
    expect(parseAddress('0x1000')).toBe(4096);
    expect(parseAddress('4096')).toBe(4096);
    expect(parseAddress('0x')).toBeUndefined();
    expect(mentionsAddress({ address: 0x1000 }, 0x1000)).toBe(true);
    expect(mentionsAddress({ start: 0x1000, end: 0x3000 }, 0x2fff)).toBe(true);
    expect(mentionsAddress({ start: 0x1000, end: 0x3000 }, 0x3000)).toBe(false);
    expect(mentionsAddress({ va: 0x1000, size: 16 }, 0x100f)).toBe(true);
    expect(mentionsAddress({ region: { start: 10, end: 20 } }, 15)).toBe(true);
    expect(mentionsAddress({ size: 0x1000 }, 0x1000)).toBe(false);
  });
});

describe('did you mean', () => {
  it('suggests the closest names', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestNames('slabinf', ['slabinfo', 'buddyinfo', 'maps'])).toEqual(['slabinfo']);
    expect(closestNames('zzz', ['maps'])).toEqual([]);
  });
});

describe('plurals', () => {
  it('say 1 input, 2 inputs, 3 checkpoint hashes', () => {
    expect([plural(1, 'input'), plural(2, 'input'), plural(0, 'event'), plural(3, 'checkpoint hash'), plural(1, 'checkpoint hash')]).toEqual(['1 input', '2 inputs', '0 events', '3 checkpoint hashes', '1 checkpoint hash']);
  });
});
