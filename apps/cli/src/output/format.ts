/** Compact one-line renderings of message payloads and values for the CLI's text output. */

/** A value as compact JSON on one line (undefined as `-`). */
export function compact(value: unknown): string {
  if (value === undefined) return '-';
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
}
