/**
 * Messages of the mmu subsystem: what other servers may send it and what it emits.
 * Other packages import this file only (`@vmlab/hardware-mmu/protocol`), never the implementation.
 */

/** Request types served by mmu, with their payload schema versions. */
export const MMU_REQUESTS = {
  /** Adds a named item; replies with its id. */
  addItem: 'mmu/add-item',
} as const;

/** Event types emitted by mmu. */
export const MMU_EVENTS = {
  /** An item was added. */
  itemAdded: 'mmu/item-added',
} as const;

/** Payload of `mmu/add-item`. */
export interface AddItemRequest {
  /** The item's name. */
  readonly name: string;
}

/** Reply of `mmu/add-item`. */
export interface AddItemReply {
  /** The id given to the item. */
  readonly id: number;
}

/** Payload of `mmu/item-added`. */
export interface ItemAddedEvent {
  /** The item's name. */
  readonly name: string;
  /** The id it was given. */
  readonly id: number;
}
