import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readNumber } from './numberLiteral.js';

describe('readNumber', () => {
  it.each([
    ['0', 0],
    ['42', 42],
    ['0x1000', 4096],
    ['0XfF', 255],
    ['4KiB', 4096],
    ['16KiB', 16384],
    ['64MiB', 67108864],
    ['1GiB', 1073741824],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('%s is %d', (text, value) => {
    expect(readNumber(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['0x', 'bad number 0x: expected hex digits 0-9 a-f after 0x', undefined],
    ['0x1G', 'bad number 0x1G: expected hex digits 0-9 a-f after 0x', undefined],
    ['16Kib', 'bad number 16Kib: expected digits, optionally followed by KiB, MiB or GiB', 'did you mean 16KiB?'],
    ['64MB', 'bad number 64MB: expected digits, optionally followed by KiB, MiB or GiB', 'did you mean 64MiB?'],
    ['12abc', 'bad number 12abc: expected digits, optionally followed by KiB, MiB or GiB', undefined],
    ['9007199254740992', 'number 9007199254740992 is too large: values must be below 2^53', undefined],
  ])('%s is refused', (text, reason, hint) => {
    expect(readNumber(text)).toEqual({ ok: false, reason, ...(hint ? { hint } : {}) });
  });

  it('reads back every safe integer written in decimal and hex', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(readNumber(String(n))).toEqual({ ok: true, value: n });
        expect(readNumber(`0x${n.toString(16)}`)).toEqual({ ok: true, value: n });
      }),
    );
  });
});
