/**
 * The lexer of step text: numbers (with size suffixes), names, double-quoted strings and the
 * punctuation of the step grammar. Every token keeps its offset in the step text, so the parser
 * can report the exact column.
 */
import { characterAt, describeCharacter } from './characters.js';

/** The kinds of token. */
export type TokenKind =
  | 'number'
  | 'name'
  | 'string'
  | '('
  | ')'
  | ','
  | '|'
  | '+'
  | '-'
  | '*'
  | '='
  | '=='
  | '->'
  | '=>'
  | ':'
  | 'end';

/** One token: its kind, the text it covers, its offset, and for strings the decoded value. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly offset: number;
  /** The decoded value of a string token. */
  readonly value?: string;
}

/** A lexing error at an offset of the step text (the parser turns it into a ScenarioError). */
export class LexError extends Error {
  /** Creates the error at `offset`. */
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const PUNCTUATION: readonly TokenKind[] = ['==', '->', '=>', '(', ')', ',', '|', '+', '-', '*', '=', ':'];

/** Splits step text into tokens, ending with an `end` token; throws LexError on a bad character or string. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    if (isDigit(c)) {
      const start = i;
      while (i < text.length && isWordChar(text[i]!)) i++;
      tokens.push({ kind: 'number', text: text.slice(start, i), offset: start });
      continue;
    }
    if (isNameStart(c)) {
      const start = i;
      while (i < text.length && isWordChar(text[i]!)) i++;
      tokens.push({ kind: 'name', text: text.slice(start, i), offset: start });
      continue;
    }
    if (c === '"') {
      const { value, end } = readString(text, i);
      tokens.push({ kind: 'string', text: text.slice(i, end), offset: i, value });
      i = end;
      continue;
    }
    const punctuation = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punctuation === undefined) throw new LexError(`unexpected character ${describeCharacter(characterAt(text, i))}`, i);
    tokens.push({ kind: punctuation, text: punctuation, offset: i });
    i += punctuation.length;
  }
  tokens.push({ kind: 'end', text: '', offset: text.length });
  return tokens;
}

function readString(text: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\') {
      const next = text[i + 1];
      const escapes: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };
      if (next === undefined || escapes[next] === undefined) throw new LexError(`bad escape in string: expected \\" \\\\ \\n or \\t`, i);
      value += escapes[next];
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw new LexError('unterminated string: expected a closing "', start);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isNameStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
}

function isWordChar(c: string): boolean {
  return isNameStart(c) || isDigit(c);
}
