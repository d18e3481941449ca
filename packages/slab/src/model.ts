/**
 * The slab model's context: the state, the injected page source and kernel page table, and an
 * optional recorder that receives every event the operations apply.
 */
import type { EmittedEvent } from '@vmlab/kernel';
import type { KernelMapper, PageSource } from './pageSource.js';
import type { SlabState } from './state.js';

/** What the operations work on. */
export interface SlabModel {
  /** The state, changed in place. */
  readonly state: SlabState;
  /** Where slab frames come from. */
  readonly pages: PageSource;
  /** Where vmalloc's frames come from (default: `pages`); the server asks for them under another owner. */
  readonly vmallocPages?: PageSource;
  /** The kernel page table vmalloc maps into (absent: areas are kept but not mapped). */
  readonly mapper?: KernelMapper;
  /** Receives each event after it is applied (the server collects them). */
  readonly record?: (event: EmittedEvent) => void;
}

/** Applies `payload` with `apply` and hands the event to the recorder, if any. */
export function emit<P>(model: SlabModel, type: string, payload: P, apply: (state: SlabState, payload: P) => void): void {
  apply(model.state, payload);
  if (model.record) model.record({ type, payload });
}
