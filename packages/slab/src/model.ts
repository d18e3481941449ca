/**
 * The slab model: plain, pure functions over plain data, usable without the bus.
 */

/** The model's state: named items with their ids. */
export interface SlabModel {
  /** Item name → id. */
  readonly items: Readonly<Record<string, number>>;
  /** The next id to hand out. */
  readonly nextId: number;
}

/** An empty model. */
export function createSlabModel(): SlabModel {
  return { items: {}, nextId: 1 };
}

/** The model with item `name` added (unchanged when it is already there). */
export function addItem(model: SlabModel, name: string): SlabModel {
  if (name in model.items) return model;
  return { items: { ...model.items, [name]: model.nextId }, nextId: model.nextId + 1 };
}
