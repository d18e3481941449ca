/** Where a command writes and what it knows of its surroundings, so commands run in-process in tests. */

/** A writable text stream, as much of one as the CLI uses. */
export interface TextOutput {
  /** Writes text. */
  write(text: string): unknown;
  /** True when the stream is a terminal. */
  readonly isTTY?: boolean;
  /** The terminal width, when it is one. */
  readonly columns?: number;
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
