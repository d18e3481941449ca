import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './jsonSyntax.js';

describe('findJsonSyntaxError', () => {
  it('accepts valid JSON', () => {
    expect(findJsonSyntaxError('{ "steps": ["show tasks", { "shell": "getpid()" }], "n": -1.5e3, "t": [true, false, null] }')).toBeUndefined();
  });

  it.each([
    ['{ "steps": [1, 2, ] }', 18, "expected another value after the comma (JSON allows no trailing comma), found ']'"],
    ['{ "a": 1, }', 10, "expected another key after the comma (JSON allows no trailing comma), found '}'"],
    ['{ steps: [] }', 2, 'expected a "quoted" key, found \'s\''],
    ["{ \"a\": 'x' }", 7, 'expected a value (an object, an array, a "string", a number, true, false or null), found \'\'\''],
    ['{ "a": 1 // note\n}', 9, "expected ',' or '}', found '/'"],
    ['{ "a": 01 }', 8, "expected ',' or '}', found '1'"],
    ['{ "a": "x\\q" }', 9, 'expected an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX, found \'\\\''],
    ['{ "a": 1 } x', 11, "expected the end of the file, found 'x'"],
    ['\uFEFF{}', 0, 'expected a value (an object, an array, a "string", a number, true, false or null), found U+FEFF (byte order mark)'],
    ['{ "a":\u00A01 }', 6, 'expected a value (an object, an array, a "string", a number, true, false or null), found U+00A0 (no-break space)'],
  ])('%j fails at offset %d', (text, offset, reason) => {
    expect(findJsonSyntaxError(text)).toEqual({ offset, reason });
  });

  it('agrees with JSON.parse on random JSON values', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(findJsonSyntaxError(text)).toBeUndefined();
      }),
    );
  });
});
