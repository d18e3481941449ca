/**
 * The regions model: plain, pure functions over plain data, usable without the bus.
 */

/** The model's state: named items with their ids. */
export interface RegionsModel {
  /** Item name → id. */
  readonly items: Readonly<Record<string, number>>;
  /** The next id to hand out. */
  readonly nextId: number;
}

/** An empty model. */
export function createRegionsModel(): RegionsModel {
  return { items: {}, nextId: 1 };
}

/** The model with item `name` added (unchanged when it is already there). */
export function addItem(model: RegionsModel, name: string): RegionsModel {
  if (name in model.items) return model;
  return { items: { ...model.items, [name]: model.nextId }, nextId: model.nextId + 1 };
}
