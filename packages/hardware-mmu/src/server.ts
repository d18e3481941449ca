/**
 * The mmu server: binds the model to bus messages (a decider), and registers its scenario
 * calls and views.
 */
import { defineSubsystem, event } from '@vmlab/kernel';
import { addItem, createMmuModel, type MmuModel } from './model.js';
import { MMU_EVENTS, MMU_REQUESTS, type AddItemRequest, type AddItemReply, type ItemAddedEvent } from './protocol.js';

/** The mmu subsystem. */
export const mmuSubsystem = defineSubsystem<MmuModel>({
  id: 'mmu',
  requests: { [MMU_REQUESTS.addItem]: 1 },
  events: { [MMU_EVENTS.itemAdded]: 1 },
  initialState: () => createMmuModel(),
  decide(request, state) {
    switch (request.type) {
      case MMU_REQUESTS.addItem: {
        const { name } = request.payload as AddItemRequest;
        const existing = state.items[name];
        if (existing !== undefined) return { reply: { id: existing } satisfies AddItemReply };
        const added: ItemAddedEvent = { name, id: state.nextId };
        return { reply: { id: added.id } satisfies AddItemReply, events: [event(MMU_EVENTS.itemAdded, added)] };
      }
      default:
        throw new Error(`mmu cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    if (e.type === MMU_EVENTS.itemAdded) {
      const next = addItem(draft, (e.payload as ItemAddedEvent).name);
      draft.items = next.items;
      draft.nextId = next.nextId;
    }
  },
  calls: [
    {
      name: 'mmu_add',
      summary: 'Adds a named item and returns its id.',
      params: [{ name: 'name', type: 'string' }],
      callers: ['kernel'],
      request: MMU_REQUESTS.addItem,
      toResult: (reply) => ({ value: (reply as AddItemReply).id }),
    },
  ],
  views: [
    {
      name: 'mmu',
      summary: 'The items, one line each: id and name.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.items).map(([name, id]) => `${id} ${name}\n`).join(''),
        json: { ...state.items },
      }),
    },
  ],
});
