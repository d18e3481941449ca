/**
 * The task table's exit: `kernel/exit` hands the address space up to whoever serves
 * `regions/destroy-address-space` (do_exit → exit_mm → mmput → exit_mmap) before the task becomes a
 * zombie, only when no other running task shares it, and not at all when nobody serves it.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from './machine.js';
import { event } from './messages.js';
import { defineSubsystem } from './subsystem.js';
import type { Task } from './tasks.js';

/** A stand-in memory manager that records the destroy requests it gets and what the task table said then. */
function memoryManager(seen: { pid: number; state: string }[]) {
  return defineSubsystem<{ destroyed: number }>({
    id: 'mm',
    requests: { 'regions/destroy-address-space': 1 },
    events: { 'mm/destroyed': 1 },
    initialState: () => ({ destroyed: 0 }),
    decide(request, _state, ctx) {
      const { pid } = request.payload as { pid: number };
      const task = ctx.request<Task | null>('kernel/task', { pid })!;
      seen.push({ pid, state: task.state });
      return { reply: { value: 0 }, events: [event('mm/destroyed', { pid })] };
    },
    evolve(draft) {
      draft.destroyed++;
    },
  });
}

function spawn(machine: Machine, name: string, addressSpace: number | null): number {
  const { pid } = machine.dispatch({ type: 'kernel/spawn', payload: { name, personality: 'posix' } }).reply as { pid: number };
  if (addressSpace !== null) machine.dispatch({ type: 'kernel/assign-address-space', payload: { pid, addressSpace } });
  return pid;
}

describe('kernel/exit', () => {
  it('asks the memory manager to take the address space down while the task still runs, then marks it exited', () => {
    const seen: { pid: number; state: string }[] = [];
    const machine = createMachine({ subsystems: [memoryManager(seen)] });
    const pid = spawn(machine, 'p', 1);
    const out = machine.dispatch({ type: 'kernel/exit', payload: { pid, exit: 'SIGSEGV' } });
    expect(out.error).toBeUndefined();
    expect(seen).toEqual([{ pid, state: 'running' }]);
    expect(out.events.map((e) => e.type)).toEqual(['mm/destroyed', 'kernel/task-exited']);
    // A second exit of a dead task does not tear anything down again.
    machine.dispatch({ type: 'kernel/exit', payload: { pid, exit: 0 } });
    expect(seen).toHaveLength(1);
  });

  it('leaves an address space another running task uses, and one of a task that has none', () => {
    const seen: { pid: number; state: string }[] = [];
    const machine = createMachine({ subsystems: [memoryManager(seen)] });
    const a = spawn(machine, 'a', 1);
    const b = spawn(machine, 'b', 1);
    const c = spawn(machine, 'c', null);
    machine.dispatch({ type: 'kernel/exit', payload: { pid: a, exit: 0 } });
    machine.dispatch({ type: 'kernel/exit', payload: { pid: c, exit: 0 } });
    expect(seen).toEqual([]);
    machine.dispatch({ type: 'kernel/exit', payload: { pid: b, exit: 0 } });
    expect(seen).toEqual([{ pid: b, state: 'running' }]);
  });

  it('without a memory manager, exit only marks the task', () => {
    const machine = createMachine({ subsystems: [] });
    const pid = spawn(machine, 'p', 1);
    const out = machine.dispatch({ type: 'kernel/exit', payload: { pid, exit: 3 } });
    expect(out.events.map((e) => e.type)).toEqual(['kernel/task-exited']);
  });
});
