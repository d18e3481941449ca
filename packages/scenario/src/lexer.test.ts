import { describe, expect, it } from 'vitest';
import { LexError, tokenize } from './lexer.js';

describe('tokenize', () => {
  it('splits a call with every kind of token, keeping offsets', () => {
    const tokens = tokenize('mmap(0, 16KiB, A|B, "x\\"y") -> buf == -1 EINVAL => SIGSEGV');
    expect(tokens.map((t) => [t.kind, t.text, t.offset])).toEqual([
      ['name', 'mmap', 0],
      ['(', '(', 4],
      ['number', '0', 5],
      [',', ',', 6],
      ['number', '16KiB', 8],
      [',', ',', 13],
      ['name', 'A', 15],
      ['|', '|', 16],
      ['name', 'B', 17],
      [',', ',', 18],
      ['string', '"x\\"y"', 20],
      [')', ')', 26],
      ['->', '->', 28],
      ['name', 'buf', 31],
      ['==', '==', 35],
      ['-', '-', 38],
      ['number', '1', 39],
      ['name', 'EINVAL', 41],
      ['=>', '=>', 48],
      ['name', 'SIGSEGV', 51],
      ['end', '', 58],
    ]);
    expect(tokens[10]!.value).toBe('x"y');
  });

  it('tells = from == and => and -> apart', () => {
    expect(tokenize('= == => -> -').map((t) => t.kind)).toEqual(['=', '==', '=>', '->', '-', 'end']);
  });

  it('stops at a # comment', () => {
    expect(tokenize('show maps # the maps').map((t) => t.text)).toEqual(['show', 'maps', '']);
  });

  it('rejects a stray character with its offset', () => {
    expect(() => tokenize('write buf ^ 3')).toThrow(LexError);
    try {
      tokenize('write buf ^ 3');
    } catch (error) {
      expect((error as LexError).offset).toBe(10);
    }
  });

  it('rejects an unterminated string and a bad escape', () => {
    expect(() => tokenize('f("abc')).toThrow('unterminated string');
    expect(() => tokenize('f("a\\qb")')).toThrow('bad escape');
  });
});
