import { describe, expect, it } from 'vitest';
import { addItem, createSlabModel } from './model.js';

describe('slab model', () => {
  it('gives items ids in order and keeps an existing item', () => {
    const model = addItem(addItem(addItem(createSlabModel(), 'a'), 'b'), 'a');
    expect(model.items).toEqual({ a: 1, b: 2 });
    expect(model.nextId).toBe(3);
  });
});
