/**
 * Messages of the phys subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/phys-allocator/protocol`), never the implementation.
 */

/** Request types served by phys, with their payload schema versions. */
export const PHYS_REQUESTS = {
  /** Adds a named item; replies with its id. */
  addItem: 'phys/add-item',
} as const;

/** Event types emitted by phys. */
export const PHYS_EVENTS = {
  /** An item was added. */
  itemAdded: 'phys/item-added',
} as const;

/** Payload of `phys/add-item`. */
export interface AddItemRequest {
  /** The item's name. */
  readonly name: string;
}

/** Reply of `phys/add-item`. */
export interface AddItemReply {
  /** The id given to the item. */
  readonly id: number;
}

/** Payload of `phys/item-added`. */
export interface ItemAddedEvent {
  /** The item's name. */
  readonly name: string;
  /** The id it was given. */
  readonly id: number;
}
