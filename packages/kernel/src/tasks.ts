/**
 * The kernel's own subsystem: the task table (pid, name, parent, personality, address space,
 * state), the simulated clock and the seeded random generator's state. As in a microkernel, the
 * kernel keeps the tasks; each personality keeps its own per-process state.
 */
import { event } from './messages.js';
import { seedRandom, type RandomState } from './random.js';
import { defineSubsystem, type MachineConfig } from './subsystem.js';

/** The kernel subsystem's id and root-state key. */
export const KERNEL_ID = 'kernel';
/** The kernel event that records the generator's state after an input drew random numbers. */
export const RANDOM_ADVANCED = 'kernel/random-advanced';

/**
 * The memory manager's request that tears a task's address space down (served by vm-regions; the
 * kernel names it only to hand the exit up, when someone serves it, and never imports that layer).
 */
const REGIONS_DESTROY_ADDRESS_SPACE = 'regions/destroy-address-space';

/** The life state of a task. */
export type TaskState = 'running' | 'exited';

/** One entry of the task table. */
export interface Task {
  /** Process id, from 1 upwards, never reused within a run. */
  readonly pid: number;
  /** The name scenarios use for it (`shell`, `child`). */
  readonly name: string;
  /** The parent's pid, or 0 for a process the scenario created. */
  readonly parent: number;
  /** Its personality: `posix` or `win32`. */
  readonly personality: string;
  /** The id of its address space (assigned by the regions subsystem), or null before it has one. */
  readonly addressSpace: number | null;
  /** Running or exited. */
  readonly state: TaskState;
  /** Its exit status or the signal that killed it (`SIGSEGV`), once exited. */
  readonly exit: number | string | null;
}

/** The kernel's slice of the root state. */
export interface KernelState {
  /** Simulated clock ticks since boot. */
  readonly tick: number;
  /** The seeded generator's state. */
  readonly rng: RandomState;
  /** The next pid to hand out. */
  readonly nextPid: number;
  /** The task table, by pid. */
  readonly tasks: Readonly<Record<number, Task>>;
}

/** Payload of `kernel/spawn`. */
export interface SpawnRequest {
  /** Name of the new task. */
  readonly name: string;
  /** Its personality. */
  readonly personality: string;
  /** The parent's pid (0 or absent for none). */
  readonly parent?: number;
}

/** The machine configuration fields the kernel reads. */
export interface KernelConfig extends MachineConfig {
  /** Seed of the random generator (default 1). */
  readonly seed?: number;
}

/** The kernel subsystem, registered first in every machine. */
export const kernelSubsystem = defineSubsystem<KernelState, KernelConfig>({
  id: KERNEL_ID,
  requests: {
    'kernel/spawn': 1,
    'kernel/exit': 1,
    'kernel/tick': 1,
    'kernel/assign-address-space': 1,
    'kernel/task': 1,
    'kernel/tasks': 1,
  },
  events: {
    'kernel/task-spawned': 1,
    'kernel/task-exited': 1,
    'kernel/clock-advanced': 1,
    'kernel/address-space-assigned': 1,
    [RANDOM_ADVANCED]: 1,
  },
  initialState(config) {
    return { tick: 0, rng: seedRandom(config.seed ?? 1), nextPid: 1, tasks: {} };
  },
  decide(request, state, ctx) {
    switch (request.type) {
      case 'kernel/spawn': {
        const p = request.payload as SpawnRequest;
        const task: Task = {
          pid: state.nextPid,
          name: p.name,
          parent: p.parent ?? 0,
          personality: p.personality,
          addressSpace: null,
          state: 'running',
          exit: null,
        };
        return { reply: { pid: task.pid }, events: [event('kernel/task-spawned', task)] };
      }
      case 'kernel/exit': {
        const p = request.payload as { pid: number; exit: number | string };
        const task = requireTask(state, p.pid);
        // do_exit → exit_mm → mmput: the last task using an address space takes it down
        // (exit_mmap), before the task becomes a zombie (exit_notify).
        if (task.state === 'running' && task.addressSpace !== null && ctx.serves(REGIONS_DESTROY_ADDRESS_SPACE)) {
          const shared = Object.values(state.tasks).some((t) => t.pid !== p.pid && t.state === 'running' && t.addressSpace === task.addressSpace);
          if (!shared) {
            ctx.request(REGIONS_DESTROY_ADDRESS_SPACE, { pid: p.pid });
            ctx.state(); // the memory manager only read the task table; acknowledge its re-entry
          }
        }
        return { reply: null, events: [event('kernel/task-exited', p)] };
      }
      case 'kernel/tick': {
        const p = request.payload as { ticks?: number };
        const ticks = p.ticks ?? 1;
        if (!Number.isInteger(ticks) || ticks < 0) throw new RangeError(`ticks must be a natural number, got ${ticks}`);
        return { reply: { tick: state.tick + ticks }, events: [event('kernel/clock-advanced', { ticks })] };
      }
      case 'kernel/assign-address-space': {
        const p = request.payload as { pid: number; addressSpace: number };
        requireTask(state, p.pid);
        return { reply: null, events: [event('kernel/address-space-assigned', p)] };
      }
      case 'kernel/task':
        return { reply: state.tasks[(request.payload as { pid: number }).pid] ?? null };
      case 'kernel/tasks':
        return { reply: Object.values(state.tasks) };
      default:
        throw new Error(`kernel cannot handle ${request.type}`);
    }
  },
  evolve(draft, e) {
    switch (e.type) {
      case 'kernel/task-spawned': {
        const task = e.payload as Task;
        draft.tasks[task.pid] = task;
        draft.nextPid = task.pid + 1;
        return;
      }
      case 'kernel/task-exited': {
        const p = e.payload as { pid: number; exit: number | string };
        const task = draft.tasks[p.pid]!;
        task.state = 'exited';
        task.exit = p.exit;
        return;
      }
      case 'kernel/clock-advanced':
        draft.tick += (e.payload as { ticks: number }).ticks;
        return;
      case 'kernel/address-space-assigned': {
        const p = e.payload as { pid: number; addressSpace: number };
        draft.tasks[p.pid]!.addressSpace = p.addressSpace;
        return;
      }
      case RANDOM_ADVANCED:
        draft.rng = (e.payload as { state: RandomState }).state as [number, number, number, number];
        return;
    }
  },
  calls: [
    {
      name: 'tick',
      summary: 'Advances the simulated clock by n ticks (1 by default).',
      params: [{ name: 'ticks', type: 'int', optional: true }],
      callers: ['kernel'],
      request: 'kernel/tick',
      toResult: (reply) => ({ value: (reply as { tick: number }).tick }),
    },
  ],
  views: [
    {
      name: 'tasks',
      summary: 'The task table, one line per process: PID, PPID, personality, state, name.',
      scope: 'machine',
      render({ state }) {
        const tasks = Object.values(state.tasks);
        const lines = ['  PID  PPID PERSONALITY STATE    NAME'];
        for (const t of tasks) {
          const st = t.state === 'running' ? 'running' : `exit(${t.exit})`;
          lines.push(`${String(t.pid).padStart(5)} ${String(t.parent).padStart(5)} ${t.personality.padEnd(11)} ${st.padEnd(8)} ${t.name}`);
        }
        return { text: lines.join('\n') + '\n', json: tasks.map((t) => ({ ...t })) };
      },
    },
  ],
});

function requireTask(state: KernelState, pid: number): Task {
  const task = state.tasks[pid];
  if (!task) throw new RangeError(`no task with pid ${pid}`);
  return task;
}
