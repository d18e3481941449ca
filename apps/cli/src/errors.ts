/** Errors the `vmlab` command reports on one line, with the exit code they mean. */

/** Exit codes: 0 ok, 1 a check or verification failed, 2 bad input (file, flag or value). */
export const EXIT = {
  /** Everything went well. */
  ok: 0,
  /** A check failed (`run`) or a verification found a difference (`replay --verify`). */
  failed: 1,
  /** Bad input: a missing or invalid file, a bad flag or value. */
  badInput: 2,
} as const;

/** A user-facing error: printed as one line (no stack), exits with `exitCode`. */
export class CliError extends Error {
  /** Always `CliError`. */
  override readonly name = 'CliError';
  /** The process exit code. */
  readonly exitCode: number;

  /** An error with its exit code (bad input, 2, by default). */
  constructor(message: string, exitCode: number = EXIT.badInput) {
    super(message);
    this.exitCode = exitCode;
  }
}
