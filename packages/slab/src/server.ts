/**
 * The slab server: binds the model to bus messages (a decider), and registers its scenario
 * calls and views.
 */
import { defineSubsystem, event } from '@vmlab/kernel';
import { addItem, createSlabModel, type SlabModel } from './model.js';
const SLAB_REQUESTS = { addItem: 'slab/add-item' } as const;
const SLAB_EVENTS = { itemAdded: 'slab/item-added' } as const;
interface AddItemRequest { readonly name: string }
interface AddItemReply { readonly id: number }
interface ItemAddedEvent { readonly name: string; readonly id: number }

/** The slab subsystem. */
export const slabSubsystem = defineSubsystem<SlabModel>({
  id: 'slab',
  requests: { [SLAB_REQUESTS.addItem]: 1 },
  events: { [SLAB_EVENTS.itemAdded]: 1 },
  initialState: () => createSlabModel(),
  decide(request, state) {
    switch (request.type) {
      case SLAB_REQUESTS.addItem: {
        const { name } = request.payload as AddItemRequest;
        const existing = state.items[name];
        if (existing !== undefined) return { reply: { id: existing } satisfies AddItemReply };
        const added: ItemAddedEvent = { name, id: state.nextId };
        return { reply: { id: added.id } satisfies AddItemReply, events: [event(SLAB_EVENTS.itemAdded, added)] };
      }
      default:
        throw new Error(`slab cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    if (e.type === SLAB_EVENTS.itemAdded) {
      const next = addItem(draft, (e.payload as ItemAddedEvent).name);
      draft.items = next.items;
      draft.nextId = next.nextId;
    }
  },
  calls: [
    {
      name: 'slab_add',
      summary: 'Adds a named item and returns its id.',
      params: [{ name: 'name', type: 'string' }],
      callers: ['kernel'],
      request: SLAB_REQUESTS.addItem,
      toResult: (reply) => ({ value: (reply as AddItemReply).id }),
    },
  ],
  views: [
    {
      name: 'slab',
      summary: 'The items, one line each: id and name.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.items).map(([name, id]) => `${id} ${name}\n`).join(''),
        json: { ...state.items },
      }),
    },
  ],
});
