/**
 * Naming a character in an error message: a visible one in quotes (`'^'`), an invisible one —
 * a control or format character, a space other than ' ', a byte order mark — by its code point,
 * `U+FEFF (byte order mark)`, so that a message never shows a character the reader cannot see.
 */

/** Names of the invisible characters most often met in text files. */
const NAMES: Readonly<Record<number, string>> = {
  0x09: 'tab',
  0x0a: 'line feed',
  0x0d: 'carriage return',
  0x20: 'space',
  0xa0: 'no-break space',
  0xad: 'soft hyphen',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x2060: 'word joiner',
  0x3000: 'ideographic space',
  0xfeff: 'byte order mark',
};

/** True when the character (one code point) shows nothing, or nothing one can tell apart, when printed. */
export function isInvisible(character: string): boolean {
  return /^[\p{Cc}\p{Cf}\p{Z}\p{Co}\p{Cn}\p{Cs}]$/u.test(character);
}

/** `U+FEFF` style: the code point in hex, at least four digits. */
export function codePoint(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A character for a message: `'x'` when visible, `U+FEFF (byte order mark)` when not. */
export function describeCharacter(character: string): string {
  if (!isInvisible(character)) return `'${character}'`;
  const name = NAMES[character.codePointAt(0) ?? 0];
  return name === undefined ? codePoint(character) : `${codePoint(character)} (${name})`;
}

/** The code point at `offset` of `text` as a string (both halves of a surrogate pair). */
export function characterAt(text: string, offset: number): string {
  return String.fromCodePoint(text.codePointAt(offset) ?? 0);
}

/** `text` with each invisible character but the plain space written as `<U+XXXX>`, for quoting in a message. */
export function visibleText(text: string): string {
  return [...text].map((c) => (c !== ' ' && isInvisible(c) ? `<${codePoint(c)}>` : c)).join('');
}
