/**
 * Re-entrant requests: a server's decision asks another server, whose handling asks the first
 * server again within the same input (slab → phys → slab shrink; pager ↔ phys reclaim). The
 * fixtures in `fixtures/reentry.ts` model slab → phys → slab shrink with three frames.
 */
import { describe, expect, it } from 'vitest';
import { isKernelError } from './errors.js';
import { createMachine } from './machine.js';
import { cacheSubsystem, framesSubsystem, type CacheState, type FramesState } from './fixtures/reentry.js';

const machine = () => createMachine({ subsystems: [cacheSubsystem, framesSubsystem], freeze: true });

/** Fills the frame pool: the cache holds frames 0 and 1 as spare, object slabs hold 2. */
function primed() {
  const m = machine();
  for (let i = 0; i < 3; i++) m.dispatch({ type: 'cache/grow', payload: {} });
  m.dispatch({ type: 'cache/release', payload: {} });
  m.dispatch({ type: 'cache/release', payload: {} });
  return m;
}

describe('re-entrant requests', () => {
  it('an outer decision reads, through ctx.state(), what a re-entrant decision of its server applied', () => {
    const m = primed();
    expect(m.slice<CacheState>('cache')).toMatchObject({ spare: [1, 0], slabs: [2] });
    expect(m.slice<FramesState>('frames').free).toEqual([]);
    // grow → frames/alloc finds no free frame → cache/shrink (re-entry) gives spare frame 1 back → frames gives it to grow.
    const outcome = m.dispatch({ type: 'cache/grow', payload: {} });
    expect(outcome.error).toBeUndefined();
    expect(outcome.reply).toBe(1);
    expect(outcome.requests.map((r) => `${r.type}#${r.id}<${r.parent}`)).toEqual(['cache/grow#0<-1', 'frames/alloc#1<0', 'cache/shrink#2<1']);
    // Frame 1 is no longer a spare (the shrink removed it) and is now a slab; frame 0 stays spare.
    expect(m.slice<CacheState>('cache')).toMatchObject({ spare: [0], slabs: [2, 1] });
    expect(m.slice<FramesState>('frames').free).toEqual([]);
  });

  it('a re-entrant decision sees the events its outer decision emitted with ctx.emit before asking', () => {
    const m = primed();
    // grow-pinned pins spare frame 1 (ctx.emit) before asking for a frame, so the shrink may only take frame 0.
    const outcome = m.dispatch({ type: 'cache/grow-pinned', payload: { pin: 1 } });
    expect(outcome.error).toBeUndefined();
    expect(outcome.reply).toBe(0);
    expect(outcome.events.map((e) => [e.type, e.cause])).toEqual([
      ['cache/pinned', [0]],
      ['cache/shrunk', [0, 1, 2]],
      ['frames/allocated', [0, 1]],
      ['cache/grown', [0]],
    ]);
    expect(m.slice<CacheState>('cache')).toMatchObject({ spare: [1], slabs: [2, 0], pinned: [1] });
  });

  it('refuses a decision whose slice a re-entrant decision changed after it last read it, naming the chain', () => {
    const m = primed();
    const before = m.state;
    const outcome = m.dispatch({ type: 'cache/grow-stale', payload: {} });
    expect(outcome.error?.code).toBe('STALE_REENTRY');
    expect(outcome.error?.message).toContain('cache/grow-stale#0 → frames/alloc#1 → cache/shrink#2');
    expect(m.state).toBe(before);
    expect(m.slice<CacheState>('cache').spare).toEqual([1, 0]);
  });

  it('refuses ctx.emit from a decision that has not read its slice since a re-entrant change', () => {
    const m = primed();
    const outcome = m.dispatch({ type: 'cache/grow-stale', payload: { emit: true } });
    expect(outcome.error?.code).toBe('STALE_REENTRY');
    let caught: unknown;
    try {
      m.query('cache/grow-stale', {});
    } catch (error) {
      caught = error;
    }
    expect(isKernelError(caught, 'STALE_REENTRY')).toBe(true);
  });

  it('rolls back events emitted with ctx.emit when the input fails later', () => {
    const m = primed();
    const hash = m.hash();
    const outcome = m.dispatch({ type: 'cache/grow-pinned', payload: { pin: 1, fail: true } });
    expect(outcome.error?.message).toMatch(/deliberate/);
    expect(outcome.events).toEqual([]);
    expect(m.hash()).toBe(hash);
    expect(m.slice<CacheState>('cache').pinned).toEqual([]);
  });

  it('re-executes re-entrant inputs identically when seeking and replaying', () => {
    const m = primed();
    m.dispatch({ type: 'cache/grow', payload: {} });
    m.dispatch({ type: 'cache/grow-pinned', payload: { pin: 0 } });
    const fresh = machine();
    for (const input of m.timeline.inputs()) fresh.dispatch({ type: input.type, payload: input.payload });
    expect(m.position).toBe(7);
    expect(m.timeline.hashAt(7)).toBe(fresh.hash());
    expect(fresh.hash()).toBe(m.hash());
  });
});
