/**
 * Numbers as scenarios write them: decimal (`42`), hex (`0x1000`), and sizes with a binary
 * suffix (`16KiB`, `64MiB`, `1GiB`). Values must fit in a double exactly (2^53).
 */
import { closestName } from './suggest.js';

/** The size suffixes and their multipliers. */
export const SIZE_SUFFIXES: Readonly<Record<string, number>> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** The result of reading a number: its value, or why it is not a number and a hint. */
export type NumberReading = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly reason: string; readonly hint?: string };

/** Reads `text` (`42`, `0x1f`, `16KiB`) as a number. */
export function readNumber(text: string): NumberReading {
  if (text.startsWith('0x') || text.startsWith('0X')) {
    const digits = text.slice(2);
    if (digits === '' || ![...digits].every(isHexDigit)) {
      return { ok: false, reason: `bad number ${text}: expected hex digits 0-9 a-f after 0x` };
    }
    return checkRange(text, Number.parseInt(digits, 16));
  }
  let end = 0;
  while (end < text.length && isDecimalDigit(text[end]!)) end++;
  const digits = text.slice(0, end);
  const suffix = text.slice(end);
  if (digits === '') return { ok: false, reason: `bad number ${text}: expected a decimal or 0x hex number` };
  if (suffix === '') return checkRange(text, Number.parseInt(digits, 10));
  const multiplier = SIZE_SUFFIXES[suffix];
  if (multiplier === undefined) {
    const closest = closestName(suffix, Object.keys(SIZE_SUFFIXES));
    return {
      ok: false,
      reason: `bad number ${text}: expected digits, optionally followed by KiB, MiB or GiB`,
      ...(closest === undefined ? {} : { hint: `did you mean ${digits}${closest}?` }),
    };
  }
  return checkRange(text, Number.parseInt(digits, 10) * multiplier);
}

/** True when `name` is a size suffix (for `16 KiB` written with a space). */
export function isSizeSuffix(name: string): boolean {
  return SIZE_SUFFIXES[name] !== undefined;
}

function checkRange(text: string, value: number): NumberReading {
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `number ${text} is too large: values must be below 2^53` };
  return { ok: true, value };
}

function isDecimalDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isHexDigit(c: string): boolean {
  return isDecimalDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
