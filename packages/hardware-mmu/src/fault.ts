/**
 * Why a translation failed, and the x86 page-fault error code that describes it (Intel SDM
 * Vol. 3A §4.7, "Page-Fault Exceptions": bit 0 P, bit 1 W/R, bit 2 U/S, bit 4 I/D).
 */

/** The kinds of memory access. */
export type AccessKind = 'read' | 'write' | 'exec';

/** Why a translation failed. */
export type FaultKind =
  /** No present entry maps the page (x86 error code P=0). */
  | 'not-present'
  /** The page is present but forbids the access: a write to a read-only page, an instruction fetch from a no-execute page. */
  | 'protection'
  /** A user-mode access to a supervisor page. */
  | 'privilege'
  /** Outside a relocation or segment limit, or outside physical memory. */
  | 'bounds';

/** Numeric codes of the access kinds on the hot path (no strings per access). */
export const ACCESS_READ = 0;
/** A write access. */
export const ACCESS_WRITE = 1;
/** An instruction fetch. */
export const ACCESS_EXEC = 2;

/** Numeric fault codes on the hot path: 0 means no fault. */
export const NO_FAULT = 0;
/** Code of `not-present`. */
export const FAULT_NOT_PRESENT = 1;
/** Code of `protection`. */
export const FAULT_PROTECTION = 2;
/** Code of `privilege`. */
export const FAULT_PRIVILEGE = 3;
/** Code of `bounds`. */
export const FAULT_BOUNDS = 4;

const FAULT_NAMES: readonly (FaultKind | null)[] = [null, 'not-present', 'protection', 'privilege', 'bounds'];
const ACCESS_NAMES: readonly AccessKind[] = ['read', 'write', 'exec'];

/** The fault kind of a numeric fault code (null for NO_FAULT). */
export function faultKindOf(code: number): FaultKind | null {
  return FAULT_NAMES[code] ?? null;
}

/** The numeric access code of an access kind. */
export function accessCode(kind: AccessKind): number {
  const code = ACCESS_NAMES.indexOf(kind);
  if (code < 0) throw new RangeError(`access kind must be read, write or exec, got ${String(kind)}`);
  return code;
}

/** The access kind of a numeric access code. */
export function accessKindOf(code: number): AccessKind {
  return ACCESS_NAMES[code]!;
}

/** A fault as data: what was accessed, how, and why it failed. */
export interface Fault {
  /** Why it failed. */
  readonly kind: FaultKind;
  /** The faulting (virtual) address, as CR2 would hold it. */
  readonly address: number;
  /** The access that faulted. */
  readonly access: AccessKind;
  /** True when the access was made in user mode. */
  readonly user: boolean;
  /** The x86 page-fault error code (P, W/R, U/S, I/D bits). */
  readonly errorCode: number;
}

/**
 * The x86 page-fault error code: bit 0 set when the page was present (a protection fault),
 * bit 1 for a write, bit 2 for a user-mode access, bit 4 for an instruction fetch.
 */
export function pageFaultErrorCode(kind: FaultKind, access: AccessKind, user: boolean): number {
  return (kind === 'not-present' ? 0 : 1) | (access === 'write' ? 2 : 0) | (user ? 4 : 0) | (access === 'exec' ? 0x10 : 0);
}

/** Builds a fault record. */
export function makeFault(kind: FaultKind, address: number, access: AccessKind, user: boolean): Fault {
  return { kind, address, access, user, errorCode: pageFaultErrorCode(kind, access, user) };
}
