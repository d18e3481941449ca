/**
 * Processes of a run: spawning them where the layering puts it (a personality's `<p>/spawn` when
 * one is served, else the kernel's `kernel/spawn`), and finding a process's pid by name in the
 * kernel's task table, at the head or at any point of the timeline.
 */
import type { Machine, Task, TimelinePoint } from '@vmlab/kernel';

/** Spawns process `name` with `personality` and returns its pid (undefined when the spawn failed). */
export function spawnProcess(machine: Machine, name: string, personality: string): { pid?: number; error?: string } {
  const personalitySpawn = `${personality}/spawn`;
  const type = machine.bus.serves(personalitySpawn) ? personalitySpawn : 'kernel/spawn';
  const outcome = machine.dispatch({ type, payload: { name, personality } });
  if (outcome.error) return { error: outcome.error.message };
  const pid = (outcome.reply as { pid?: unknown } | null)?.pid;
  return typeof pid === 'number' ? { pid } : { error: `${type} did not reply with a pid` };
}

/** The task table at a point of the timeline (the head when `at` is omitted). */
export function tasksAt(machine: Machine, at?: TimelinePoint): readonly Task[] {
  return machine.query<readonly Task[]>('kernel/tasks', {}, at);
}

/** The task with pid `pid` at the head, or undefined. */
export function taskOf(machine: Machine, pid: number): Task | undefined {
  return machine.query<Task | null>('kernel/task', { pid }) ?? undefined;
}

/**
 * The pid of the process named `name` at a point (a position or a label; the head by default):
 * the running task with that name, else the most recent task with it, else a decimal pid that
 * exists. Undefined when there is none.
 */
export function resolveProcess(machine: Machine, name: string, at?: number | string): number | undefined {
  const tasks = tasksAt(machine, at);
  const named = tasks.filter((task) => task.name === name);
  const running = named.filter((task) => task.state === 'running');
  const chosen = (running.length > 0 ? running : named).reduce<Task | undefined>((latest, task) => (latest && latest.pid > task.pid ? latest : task), undefined);
  if (chosen) return chosen.pid;
  if (/^\d+$/.test(name)) return tasks.find((task) => task.pid === Number(name))?.pid;
  return undefined;
}
