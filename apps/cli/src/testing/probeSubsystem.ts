/**
 * A small subsystem for the CLI's own tests of recordings: a memory-access input type (stored as
 * compressed blocks), a request that draws random numbers, and one that fails, beside the kernel's
 * task table. Not part of the public API.
 */
import { defineSubsystem, event } from '@vmlab/kernel';

/** The probe's slice: the bytes written, by address, and the draws made. */
export interface ProbeState {
  /** Bytes written, by address. */
  readonly memory: Readonly<Record<number, number>>;
  /** Random numbers drawn. */
  readonly draws: readonly number[];
}

/** Serves `mmu/access` (a byte memory) and `probe/draw`, `probe/fail`. */
export const probeSubsystem = defineSubsystem<ProbeState>({
  id: 'probe',
  requests: { 'mmu/access': 1, 'probe/draw': 1, 'probe/fail': 1 },
  events: { 'probe/byte-written': 1, 'probe/drawn': 1 },
  initialState: () => ({ memory: {}, draws: [] }),
  decide(request, state, ctx) {
    switch (request.type) {
      case 'mmu/access': {
        const p = request.payload as { pid: number; address: number; kind: string; value?: number };
        if (p.kind === 'write') return { reply: {}, events: [event('probe/byte-written', { address: p.address, value: p.value ?? 0 })] };
        return { reply: { value: state.memory[p.address] ?? 0 } };
      }
      case 'probe/draw':
        return { reply: null, events: [event('probe/drawn', { value: ctx.randomInt(1000) })] };
      case 'probe/fail':
        throw new RangeError('probe/fail always fails');
      default:
        throw new RangeError(`probe does not serve ${request.type}`);
    }
  },
  evolve(draft, e) {
    if (e.type === 'probe/byte-written') {
      const p = e.payload as { address: number; value: number };
      (draft.memory as Record<number, number>)[p.address] = p.value;
    } else if (e.type === 'probe/drawn') {
      (draft.draws as number[]).push((e.payload as { value: number }).value);
    }
  },
  views: [
    {
      name: 'probe',
      summary: 'The bytes written and the numbers drawn.',
      scope: 'machine',
      render: ({ state }) => ({
        text: `bytes ${Object.keys(state.memory).length} draws ${state.draws.join(',')}\n`,
        json: { bytes: Object.keys(state.memory).length, draws: [...state.draws] },
      }),
    },
  ],
});
