/**
 * Comparing a value with what its JSON text read back as: the check a replay makes of a logged
 * reply (a recording keeps replies as JSON text) against the re-executed one.
 */

/**
 * True when `value`, stored as JSON, would read back as `stored` (what the recorder wrote is
 * `JSON.stringify(value)`): a walk that allocates nothing for plain data, JSON text for the rest.
 */
export function sameJson(stored: unknown, value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return stored === value;
  if (typeof value === 'number') return Number.isFinite(value) ? stored === value : stored === null;
  if (typeof value !== 'object') return JSON.stringify(value) === JSON.stringify(stored);
  if (Array.isArray(value)) {
    if (!Array.isArray(stored) || stored.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol' ? stored[i] !== null : !sameJson(stored[i], item)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return JSON.stringify(value) === JSON.stringify(stored);
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return false;
  let keys = 0;
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    keys++;
    if (!Object.hasOwn(stored, key) || !sameJson((stored as Record<string, unknown>)[key], item)) return false;
  }
  return keys === Object.keys(stored).length;
}
