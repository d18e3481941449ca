import { describe, expect, it } from 'vitest';
import { lineDiff, normalizedLines, sameLines } from './lineDiff.js';

describe('sameLines', () => {
  it('ignores trailing spaces and a final newline, nothing else', () => {
    expect(sameLines('a  \nb\n', 'a\nb')).toBe(true);
    expect(sameLines('a\nb', 'a\n b')).toBe(false);
    expect(sameLines('a\n\nb', 'a\nb')).toBe(false);
  });

  it('normalizes lines', () => {
    expect(normalizedLines('x \t\ny\n\n')).toEqual(['x', 'y']);
  });
});

describe('lineDiff', () => {
  it('marks removed and added lines with context', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc')).toBe('  a\n- b\n+ B\n  c');
  });

  it('shows only two lines of context around a change', () => {
    const expected = ['1', '2', '3', '4', '5', '6', '7', '8'].join('\n');
    const actual = ['1', '2', '3', '4', '5', '6', '7', 'eight'].join('\n');
    expect(lineDiff(expected, actual)).toBe('  …\n  6\n  7\n- 8\n+ eight');
  });

  it('handles lines only on one side', () => {
    expect(lineDiff('a', 'a\nb')).toBe('  a\n+ b');
    expect(lineDiff('a\nb', '')).toBe('- a\n- b');
  });
});
