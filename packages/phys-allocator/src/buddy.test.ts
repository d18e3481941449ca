import { describe, expect, it } from 'vitest';
import { createBuddy, freeBlockCount, freeList, freeRange, pairBit, plannedMerges, releaseBlock, smallestFreeBlock, takeFreeBlock } from './buddy.js';

/** The tiny machine's buddy: frames 1…63 free (frame 0 reserved), orders 0…5. */
function tinyBuddy() {
  const buddy = createBuddy(64, 5);
  freeRange(buddy, 0, 1, 64);
  return buddy;
}

function lists(buddy: ReturnType<typeof createBuddy>): number[][] {
  return Array.from({ length: buddy.maxOrder + 1 }, (_, order) => freeList(buddy, 0, order));
}

function alloc(buddy: ReturnType<typeof createBuddy>, order: number): number {
  const head = smallestFreeBlock(buddy, 0, order);
  if (head >= 0) takeFreeBlock(buddy, 0, head, order);
  return head;
}

describe('buddy allocator, traced step by step (worked by hand)', () => {
  it('boot frees 1…63 as the largest aligned blocks: 1, 2-3, 4-7, 8-15, 16-31, 32-63', () => {
    const buddy = tinyBuddy();
    expect(lists(buddy)).toEqual([[1], [2], [4], [8], [16], [32]]);
    expect(buddy.zoneFreePages.get(0)).toBe(63);
  });

  it('splits the smallest sufficient block, keeping the lower half and listing the upper halves (expand())', () => {
    const buddy = tinyBuddy();
    expect(alloc(buddy, 0)).toBe(1); // order-0 list had 1
    expect(alloc(buddy, 0)).toBe(2); // order-1 block 2-3 split: 3 goes to the order-0 list
    expect(lists(buddy)).toEqual([[3], [], [4], [8], [16], [32]]);
    expect(alloc(buddy, 2)).toBe(4);
    expect(alloc(buddy, 1)).toBe(8); // 8-15 split: 12-15 to order 2, then 10-11 to order 1
    expect(lists(buddy)).toEqual([[3], [10], [12], [], [16], [32]]);
    expect(buddy.zoneFreePages.get(0)).toBe(63 - 1 - 1 - 4 - 2);
  });

  it('merges iteratively on release, stopping at a buddy in use', () => {
    const buddy = tinyBuddy();
    [0, 0, 2, 1].forEach((order) => alloc(buddy, order)); // 1, 2, 4, 8 as above
    expect(plannedMerges(buddy, 2, 0)).toEqual([[2, 1]]); // 3 is free; 0 (reserved) is not
    releaseBlock(buddy, 0, 2, 0);
    expect(lists(buddy)).toEqual([[], [2, 10], [12], [], [16], [32]]);
    // Free 8-9 (order 1): buddy 10-11 free → 8-11; buddy 12-15 free → 8-15; buddy 0-7 in use → stop.
    expect(plannedMerges(buddy, 8, 1)).toEqual([[8, 2], [8, 3]]);
    releaseBlock(buddy, 0, 8, 1);
    expect(lists(buddy)).toEqual([[], [2], [], [8], [16], [32]]);
    // Free 4-7 then 1: everything merges back into 1, 2-3, 4-7 … no: 0 stays reserved, so 1 and 2-3 cannot merge past order 1.
    releaseBlock(buddy, 0, 4, 2);
    releaseBlock(buddy, 0, 1, 0);
    expect(lists(buddy)).toEqual([[1], [2], [4], [8], [16], [32]]);
  });

  it('a freed block whose merged parent is likely to merge again goes to the tail (buddy_merge_likely)', () => {
    const buddy = createBuddy(16, 4);
    freeRange(buddy, 0, 0, 16);
    // Take 0 and 1 (splitting 0-15 into 0,1 | 2-3 | 4-7 | 8-15), then 2.
    expect([alloc(buddy, 0), alloc(buddy, 0), alloc(buddy, 0)]).toEqual([0, 1, 2]);
    expect(lists(buddy)).toEqual([[3], [], [4], [8], []]);
    // Free 1: its buddy 0 is in use, so it stays at order 0; the order-1 pair 0-1 / 2-3 is not free → head.
    releaseBlock(buddy, 0, 1, 0);
    expect(lists(buddy)).toEqual([[1, 3], [], [4], [8], []]);
  });

  it('keeps the pair bitmaps equal to "exactly one of the two buddies is free at this order"', () => {
    const buddy = tinyBuddy();
    expect(pairBit(buddy, 0, 0)).toBe(1); // 0 reserved, 1 free
    expect(pairBit(buddy, 2, 1)).toBe(1); // 0-1 not a free order-1 block, 2-3 is
    alloc(buddy, 0);
    expect(pairBit(buddy, 0, 0)).toBe(0);
    expect(freeBlockCount(buddy, 0, 5)).toBe(1);
  });
});
