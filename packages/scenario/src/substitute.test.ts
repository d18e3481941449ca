import { describe, expect, it } from 'vitest';
import { evaluate } from './expression.js';
import { printTemplate } from './printer.js';
import { formatValue, parseTemplate, renderTemplate } from './substitute.js';

const locate = (offset: number) => ({ line: 1, column: offset + 1 });

describe('formatValue', () => {
  it('formats numbers in the format base and width', () => {
    expect(formatValue(0x10000000, { zeroPad: true, width: 8, base: 'x', text: '08x' })).toBe('10000000');
    expect(formatValue(255, { zeroPad: true, width: 8, base: 'x', text: '08x' })).toBe('000000ff');
    expect(formatValue(255, { zeroPad: false, width: 6, base: 'X', text: '6X' })).toBe('    FF');
    expect(formatValue(5, { zeroPad: false, width: 0, base: 'b', text: 'b' })).toBe('101');
    expect(formatValue(-16, { zeroPad: true, width: 5, base: 'x', text: '05x' })).toBe('-0010');
    expect(formatValue(1234)).toBe('1234');
    expect(formatValue('dentry')).toBe('dentry');
  });
});

describe('templates', () => {
  const variables: Record<string, number> = { buf: 0x10000000 };
  const render = (block: string) => renderTemplate(parseTemplate(block, locate, 'f'), (e) => evaluate(e, (n) => variables[n]));

  it('substitutes ${var} and ${var+0x1000:08x}', () => {
    expect(render('${buf:08x}-${buf+0x1000:08x} rw-p\n${buf}\n')).toBe('10000000-10001000 rw-p\n268435456');
  });

  it('keeps $${ as a literal ${', () => {
    expect(render('cost $${buf}')).toBe('cost ${buf}');
    expect(printTemplate(parseTemplate('cost $${buf} ${buf:x}', locate, 'f'))).toBe('cost $${buf} ${buf:x}');
  });

  it('points at the broken substitution', () => {
    expect(() => parseTemplate('ok\nab ${buf', locate, 'f')).toThrow("f:1:7: unterminated substitution: expected '}' to close '${'");
    expect(() => parseTemplate('${}', locate, 'f')).toThrow('f:1:1: empty substitution');
  });

  it('names a bad format as written, with the formats allowed', () => {
    expect(() => parseTemplate('${buf:#x}', locate, 'f')).toThrow("f:1:7: bad format '#x': expected an optional 0 (pad with zeros), an optional width, then a base: x or X (hex)");
    expect(() => parseTemplate('${buf: 8 y }', locate, 'f')).toThrow("f:1:8: bad format '8 y': expected");
    expect(() => parseTemplate('${buf:}', locate, 'f')).toThrow("f:1:7: empty format after ':': expected");
    expect(() => parseTemplate('${buf:8\u200bx}', locate, 'f')).toThrow('f:1:8: unexpected character U+200B (zero-width space)');
  });
});
