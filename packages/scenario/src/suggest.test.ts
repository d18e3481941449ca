import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from './suggest.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions and swaps', () => {
    expect(editDistance('mmap', 'mmap')).toBe(0);
    expect(editDistance('mmapp', 'mmap')).toBe(1);
    expect(editDistance('mpas', 'maps')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
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

  it('breaks ties alphabetically', () => {
    expect(closestName('cat', ['bat', 'hat', 'rat'])).toBe('bat');
  });

  it('words the hint', () => {
    expect(didYouMean('PROT_RAED', ['PROT_READ', 'PROT_WRITE'])).toBe('did you mean PROT_READ?');
  });
});
