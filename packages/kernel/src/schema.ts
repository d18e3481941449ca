/**
 * Schema versions of logged messages. Every input (request) type and event type has a version;
 * the set of `type@version` pairs of a build is its schema fingerprint. A log recorded with other
 * versions loads only if an upcaster exists for every step between them; otherwise loading fails
 * with a message naming each mismatched type.
 */
import { KernelError } from './errors.js';

/** Message type → schema version. */
export type SchemaFingerprint = Readonly<Record<string, number>>;

/** Converts one message type's payload from version `from` to version `from + 1`. */
export interface Upcaster {
  /** The message type (input or event). */
  readonly type: string;
  /** The version it reads; it produces `from + 1`. */
  readonly from: number;
  /** Converts a payload. Pure. */
  upcast(payload: unknown): unknown;
}

/** How to bring each recorded type up to the running version: the chain of upcasters per type. */
export type UpcastPlan = ReadonlyMap<string, readonly Upcaster[]>;

/** One type whose recorded version cannot be used by the running code. */
export interface SchemaMismatch {
  /** The message type. */
  readonly type: string;
  /** Its version in the log, or null if the running code does not know the log's type. */
  readonly recorded: number | null;
  /** Its version in the running code, or null if the running code no longer has it. */
  readonly running: number | null;
}

/** Renders a fingerprint as sorted `type@v` lines, the form stored in recordings. */
export function formatFingerprint(fingerprint: SchemaFingerprint): string {
  return Object.keys(fingerprint)
    .sort()
    .map((type) => `${type}@${fingerprint[type]}`)
    .join('\n');
}

/**
 * Compares a recorded fingerprint with the running one and returns the upcast plan; throws
 * SCHEMA_MISMATCH naming every type that cannot be brought up to date. Types the running code
 * has but the log lacks are fine (the log never used them).
 */
export function planUpcasts(recorded: SchemaFingerprint, running: SchemaFingerprint, upcasters: readonly Upcaster[]): UpcastPlan {
  const plan = new Map<string, Upcaster[]>();
  const mismatches: SchemaMismatch[] = [];
  for (const type of Object.keys(recorded).sort()) {
    const from = recorded[type]!;
    const to = running[type];
    if (to === undefined) {
      mismatches.push({ type, recorded: from, running: null });
      continue;
    }
    if (from === to) continue;
    const chain: Upcaster[] = [];
    for (let v = from; v < to; v++) {
      const step = upcasters.find((u) => u.type === type && u.from === v);
      if (!step) break;
      chain.push(step);
    }
    if (from > to || chain.length !== to - from) mismatches.push({ type, recorded: from, running: to });
    else plan.set(type, chain);
  }
  if (mismatches.length > 0) {
    const list = mismatches
      .map((m) => `${m.type} (recorded v${m.recorded ?? '-'}, this build ${m.running === null ? 'does not have it' : `v${m.running}`})`)
      .join(', ');
    throw new KernelError('SCHEMA_MISMATCH', `the log's schema differs from this build and no upcaster covers: ${list}`, {
      mismatches,
    });
  }
  return plan;
}

/** Applies an upcast plan to one payload of `type` (unchanged when the type needs no upcast). */
export function upcastPayload(plan: UpcastPlan, type: string, payload: unknown): unknown {
  const chain = plan.get(type);
  if (!chain) return payload;
  let value = payload;
  for (const step of chain) value = step.upcast(value);
  return value;
}
