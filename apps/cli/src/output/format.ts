/** Compact one-line renderings of message payloads and values for the CLI's text output. */

/** A value as compact JSON on one line (undefined as `-`). */
export function compact(value: unknown): string {
  if (value === undefined) return '-';
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
}

/** `n word` with an English plural: `1 input`, `2 inputs`, `1 checkpoint hash`, `3 checkpoint hashes`. */
export function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${/(s|sh|ch|x)$/.test(word) ? `${word}es` : `${word}s`}`;
}
