/**
 * Messages of the regions subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/vm-regions/protocol`), never the implementation.
 */

/** Request types served by regions, with their payload schema versions. */
export const REGIONS_REQUESTS = {
  /** Adds a named item; replies with its id. */
  addItem: 'regions/add-item',
} as const;

/** Event types emitted by regions. */
export const REGIONS_EVENTS = {
  /** An item was added. */
  itemAdded: 'regions/item-added',
} as const;

/** Payload of `regions/add-item`. */
export interface AddItemRequest {
  /** The item's name. */
  readonly name: string;
}

/** Reply of `regions/add-item`. */
export interface AddItemReply {
  /** The id given to the item. */
  readonly id: number;
}

/** Payload of `regions/item-added`. */
export interface ItemAddedEvent {
  /** The item's name. */
  readonly name: string;
  /** The id it was given. */
  readonly id: number;
}
