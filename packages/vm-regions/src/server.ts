/**
 * The regions server: binds the model to bus messages (a decider), and registers its scenario
 * calls and views.
 */
import { defineSubsystem, event } from '@vmlab/kernel';
import { addItem, createRegionsModel, type RegionsModel } from './model.js';
import { REGIONS_EVENTS, REGIONS_REQUESTS, type AddItemRequest, type AddItemReply, type ItemAddedEvent } from './protocol.js';

/** The regions subsystem. */
export const regionsSubsystem = defineSubsystem<RegionsModel>({
  id: 'regions',
  requests: { [REGIONS_REQUESTS.addItem]: 1 },
  events: { [REGIONS_EVENTS.itemAdded]: 1 },
  initialState: () => createRegionsModel(),
  decide(request, state) {
    switch (request.type) {
      case REGIONS_REQUESTS.addItem: {
        const { name } = request.payload as AddItemRequest;
        const existing = state.items[name];
        if (existing !== undefined) return { reply: { id: existing } satisfies AddItemReply };
        const added: ItemAddedEvent = { name, id: state.nextId };
        return { reply: { id: added.id } satisfies AddItemReply, events: [event(REGIONS_EVENTS.itemAdded, added)] };
      }
      default:
        throw new Error(`regions cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    if (e.type === REGIONS_EVENTS.itemAdded) {
      const next = addItem(draft, (e.payload as ItemAddedEvent).name);
      draft.items = next.items;
      draft.nextId = next.nextId;
    }
  },
  calls: [
    {
      name: 'regions_add',
      summary: 'Adds a named item and returns its id.',
      params: [{ name: 'name', type: 'string' }],
      callers: ['kernel'],
      request: REGIONS_REQUESTS.addItem,
      toResult: (reply) => ({ value: (reply as AddItemReply).id }),
    },
  ],
  views: [
    {
      name: 'regions',
      summary: 'The items, one line each: id and name.',
      scope: 'machine',
      render: ({ state }) => ({
        text: Object.entries(state.items).map(([name, id]) => `${id} ${name}\n`).join(''),
        json: { ...state.items },
      }),
    },
  ],
});
