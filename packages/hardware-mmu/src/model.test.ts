import { describe, expect, it } from 'vitest';
import { addItem, createMmuModel } from './model.js';

describe('mmu model', () => {
  it('gives items ids in order and keeps an existing item', () => {
    const model = addItem(addItem(addItem(createMmuModel(), 'a'), 'b'), 'a');
    expect(model.items).toEqual({ a: 1, b: 2 });
    expect(model.nextId).toBe(3);
  });
});
