import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, commonPrefixLength, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps', () => {
    expect(editDistance('mmap', 'mmap')).toBe(0);
    expect(editDistance('mmapp', 'mmap')).toBe(1);
    expect(editDistance('mpas', 'maps')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('is Damerau-Levenshtein: a swap counts as one edit even with an insert between', () => {
    expect(editDistance('CA', 'ABC')).toBe(2);
    expect(editDistance('ca', 'abc')).toBe(2);
    expect(editDistance('EFUALT', 'EFAULT')).toBe(1);
    expect(editDistance('alloc_pagez', 'alloc_page')).toBe(1);
    expect(editDistance('alloc_pagez', 'alloc_pages')).toBe(1);
  });

  it('obeys the triangle inequality', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b, c) => {
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
      }),
    );
  });

  it('is symmetric and zero only for equal strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
      }),
    );
  });
});

describe('closestName', () => {
  const calls = ['brk', 'fork', 'mmap', 'mprotect', 'munmap'];
  it('finds the closest name', () => {
    expect(closestName('mmapp', calls)).toBe('mmap');
    expect(closestName('munamp', calls)).toBe('munmap');
    expect(closestName('MMAP', calls)).toBe('mmap');
  });

  it('says nothing when no name is close', () => {
    expect(closestName('VirtualAlloc', calls)).toBeUndefined();
    expect(didYouMean('xyz', calls)).toBeUndefined();
  });

  it('prefers the fewest edits, then the longest common prefix, the nearest length, the alphabetically first', () => {
    expect(closestName('alloc_pagez', ['alloc_page', 'alloc_pages'])).toBe('alloc_pages');
    expect(closestName('alloc_pagez', ['alloc_pages', 'alloc_page'])).toBe('alloc_pages');
    expect(closestName('kmalloc_x', ['kmalloc', 'vmalloc_x'])).toBe('vmalloc_x');
    expect(closestName('mprotext', ['mprotect', 'nprotext'])).toBe('mprotect');
    expect(closestName('cat', ['rat', 'hat', 'bat'])).toBe('bat');
    expect(commonPrefixLength('alloc_pagez', 'alloc_pages')).toBe(10);
  });

  it('words the hint', () => {
    expect(didYouMean('PROT_RAED', ['PROT_READ', 'PROT_WRITE'])).toBe('did you mean PROT_READ?');
  });
});
