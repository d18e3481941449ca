/**
 * The phys server: binds the model to bus messages (a decider), and registers its scenario
 * calls and views.
 */
import { defineSubsystem, event } from '@vmlab/kernel';
import { addItem, createPhysModel, type PhysModel } from './model.js';
const PHYS_REQUESTS = { addItem: 'phys/add-item' } as const;
const PHYS_EVENTS = { itemAdded: 'phys/item-added' } as const;
interface AddItemRequest { readonly name: string }
interface AddItemReply { readonly id: number }
interface ItemAddedEvent { readonly name: string; readonly id: number }

/** The phys subsystem. */
export const physSubsystem = defineSubsystem<PhysModel>({
  id: 'phys',
  requests: { [PHYS_REQUESTS.addItem]: 1 },
  events: { [PHYS_EVENTS.itemAdded]: 1 },
  initialState: () => createPhysModel(),
  decide(request, state) {
    switch (request.type) {
      case PHYS_REQUESTS.addItem: {
        const { name } = request.payload as AddItemRequest;
        const existing = state.items[name];
        if (existing !== undefined) return { reply: { id: existing } satisfies AddItemReply };
        const added: ItemAddedEvent = { name, id: state.nextId };
        return { reply: { id: added.id } satisfies AddItemReply, events: [event(PHYS_EVENTS.itemAdded, added)] };
      }
      default:
        throw new Error(`phys cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    if (e.type === PHYS_EVENTS.itemAdded) {
      const next = addItem(draft, (e.payload as ItemAddedEvent).name);
      draft.items = next.items;
      draft.nextId = next.nextId;
    }
  },
  calls: [
    {
      name: 'phys_add',
      summary: 'Adds a named item and returns its id.',
      params: [{ name: 'name', type: 'string' }],
      callers: ['kernel'],
      request: PHYS_REQUESTS.addItem,
      toResult: (reply) => ({ value: (reply as AddItemReply).id }),
    },
  ],
  views: [
    {
      name: 'phys',
      summary: 'The items, one line each: id and name.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.items).map(([name, id]) => `${id} ${name}\n`).join(''),
        json: { ...state.items },
      }),
    },
  ],
});
