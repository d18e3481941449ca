/** Where a command writes and what it knows of its surroundings, so commands run in-process in tests. */
import { fstatSync } from 'node:fs';

/** A writable text stream, as much of one as the CLI uses. */
export interface TextOutput {
  /** Writes text. */
  write(text: string): unknown;
  /** True when the stream is a terminal. */
  readonly isTTY?: boolean;
  /** The terminal width, when it is one. */
  readonly columns?: number;
}

/**
 * True when `a` and `b` write to one terminal: the same stream, or two terminal streams on the
 * same device (stdout and stderr of a process run in a terminal).
 */
export function sameTerminal(a: TextOutput, b: TextOutput): boolean {
  if (a.isTTY !== true || b.isTTY !== true) return false;
  if (a === b) return true;
  const fa = (a as { fd?: unknown }).fd;
  const fb = (b as { fd?: unknown }).fd;
  if (typeof fa !== 'number' || typeof fb !== 'number') return false;
  try {
    const sa = fstatSync(fa);
    const sb = fstatSync(fb);
    return sa.dev === sb.dev && sa.ino === sb.ino && sa.rdev === sb.rdev;
  } catch {
    return false;
  }
}

/** The command's standard output, standard error and environment. */
export interface Io {
  /** Results go here. */
  readonly stdout: TextOutput;
  /** Errors and progress go here. */
  readonly stderr: TextOutput;
  /** The environment (NO_COLOR …). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The real process's streams and environment. */
export function processIo(): Io {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** An Io that keeps what is written, for tests. */
export interface MemoryIo extends Io {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/** An Io that collects what is written, for tests. */
export function memoryIo(env: Readonly<Record<string, string | undefined>> = {}): MemoryIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env,
    out: () => out,
    err: () => err,
  };
}
