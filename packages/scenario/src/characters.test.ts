import { describe, expect, it } from 'vitest';
import { characterAt, describeCharacter, isInvisible, visibleText } from './characters.js';

describe('describeCharacter', () => {
  it('quotes visible characters', () => {
    expect(describeCharacter('^')).toBe("'^'");
    expect(describeCharacter('é')).toBe("'é'");
    expect(describeCharacter('😀')).toBe("'😀'");
  });

  it('names invisible ones by code point, never printing them', () => {
    expect(describeCharacter('\uFEFF')).toBe('U+FEFF (byte order mark)');
    expect(describeCharacter('\u00A0')).toBe('U+00A0 (no-break space)');
    expect(describeCharacter('\u200B')).toBe('U+200B (zero-width space)');
    expect(describeCharacter('\t')).toBe('U+0009 (tab)');
    expect(describeCharacter('\u0007')).toBe('U+0007');
    expect(describeCharacter('\u2003')).toBe('U+2003');
    for (let code = 0; code < 0x3100; code++) {
      const c = String.fromCodePoint(code);
      if (isInvisible(c) && c !== ' ') expect(describeCharacter(c)).not.toContain(c);
    }
  });

  it('takes both halves of a surrogate pair', () => {
    expect(characterAt('a😀', 1)).toBe('😀');
  });
});

describe('visibleText', () => {
  it('writes invisible characters but the plain space as <U+XXXX>', () => {
    expect(visibleText('08\u200bx y')).toBe('08<U+200B>x y');
  });
});
