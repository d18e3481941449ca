/**
 * Kernel errors: programmer and configuration errors with stable codes (see STYLE.md:
 * "errors as stable codes"). Simulated OS errors (errno, GetLastError) are *values* in replies,
 * never exceptions.
 */

/** The stable codes of kernel errors. */
export type KernelErrorCode =
  | 'DUPLICATE_SERVER'
  | 'NO_SERVER'
  | 'DUPLICATE_SUBSYSTEM'
  | 'DUPLICATE_CALL'
  | 'DUPLICATE_VIEW'
  | 'DUPLICATE_CONSTANT'
  | 'DUPLICATE_CONFIG_FIELD'
  | 'UNKNOWN_EVENT'
  | 'UNKNOWN_VIEW'
  | 'SCHEMA_MISMATCH'
  | 'REPLAY_DIVERGED'
  | 'MALFORMED_LOG'
  | 'SEEK_OUT_OF_RANGE'
  | 'FROZEN_ARRAY'
  | 'QUERY_EMITTED_EVENTS'
  | 'REENTRANT_DISPATCH'
  | 'STALE_REENTRY';

/** An error raised by the kernel, with a stable `code` and structured `details`. */
export class KernelError extends Error {
  /** Always `KernelError`. */
  override readonly name = 'KernelError';
  /** The stable code, for programs to test. */
  readonly code: KernelErrorCode;
  /** Structured facts about the error (the type, the subsystem …). */
  readonly details: Readonly<Record<string, unknown>>;

  /** Creates an error with a stable code. */
  constructor(code: KernelErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** True when `error` is a KernelError with the given code. */
export function isKernelError(error: unknown, code?: KernelErrorCode): error is KernelError {
  return error instanceof KernelError && (code === undefined || error.code === code);
}

/** A serialisable description of an error thrown while executing an input. */
export interface InputError {
  /** The error's name (`KernelError`, `RangeError`, …). */
  readonly name: string;
  /** Its stable code, when it has one. */
  readonly code?: string;
  /** Its message. */
  readonly message: string;
}

/** Describes any thrown value as an InputError. */
export function describeError(error: unknown): InputError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string'
      ? { name: error.name, code, message: error.message }
      : { name: error.name, message: error.message };
  }
  return { name: 'Error', message: String(error) };
}
