/**
 * Whether a message payload is about an address, for `vmlab log --addr`: an address field
 * (`address`, `addr`, `va`, `vaddr`, `start`, `base`, `ptr`, `obj`) equal to it, or a range
 * containing it (`start`..`end`, or an address field with `size` / `length` / `len`), at any depth.
 */

const ADDRESS_FIELDS = ['address', 'addr', 'va', 'vaddr', 'start', 'base', 'ptr', 'obj'] as const;
const LENGTH_FIELDS = ['size', 'length', 'len'] as const;

/** Parses an address typed by a user: decimal or 0x hex; undefined when it is neither. */
export function parseAddress(text: string): number | undefined {
  const t = text.trim().replace(/_/g, '');
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

/** True when `payload` mentions `address` (see the module comment for the rule). */
export function mentionsAddress(payload: unknown, address: number, depth = 0): boolean {
  if (depth > 4 || typeof payload !== 'object' || payload === null) return false;
  if (Array.isArray(payload)) return payload.some((item) => mentionsAddress(item, address, depth + 1));
  const record = payload as Record<string, unknown>;
  const num = (key: string): number | undefined => (typeof record[key] === 'number' ? (record[key] as number) : undefined);
  const end = num('end');
  for (const field of ADDRESS_FIELDS) {
    const at = num(field);
    if (at === undefined) continue;
    if (at === address) return true;
    if (field === 'start' && end !== undefined && at <= address && address < end) return true;
    for (const lengthField of LENGTH_FIELDS) {
      const length = num(lengthField);
      if (length !== undefined && at <= address && address < at + length) return true;
    }
  }
  return Object.values(record).some((value) => mentionsAddress(value, address, depth + 1));
}
