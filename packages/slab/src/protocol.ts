/**
 * Messages of the slab subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/slab/protocol`), never the implementation.
 */

/** Request types served by slab, with their payload schema versions. */
export const SLAB_REQUESTS = {
  /** Adds a named item; replies with its id. */
  addItem: 'slab/add-item',
} as const;

/** Event types emitted by slab. */
export const SLAB_EVENTS = {
  /** An item was added. */
  itemAdded: 'slab/item-added',
} as const;

/** Payload of `slab/add-item`. */
export interface AddItemRequest {
  /** The item's name. */
  readonly name: string;
}

/** Reply of `slab/add-item`. */
export interface AddItemReply {
  /** The id given to the item. */
  readonly id: number;
}

/** Payload of `slab/item-added`. */
export interface ItemAddedEvent {
  /** The item's name. */
  readonly name: string;
  /** The id it was given. */
  readonly id: number;
}
