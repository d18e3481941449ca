/**
 * Strict JSON for `.json` scenario files. The YAML parser reads JSON too (and keeps positions),
 * but it also accepts what JSON does not: trailing commas, comments, single quotes, bare words.
 * When `JSON.parse` refuses a file, this recursive-descent checker (RFC 8259's grammar) finds the
 * offset of the first error and says what was expected there.
 */
import { characterAt, describeCharacter } from './characters.js';

/** The first syntax error of a JSON text: where, and what was expected. */
export interface JsonSyntaxError {
  /** Offset of the offending character. */
  readonly offset: number;
  /** What was expected there and what was found. */
  readonly reason: string;
}

/** The first syntax error of `text` as JSON, or undefined when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // Locate the error with the checker below: JSON.parse's messages do not always give a position.
  }
  const checker = new JsonChecker(text);
  try {
    checker.document();
  } catch (error) {
    if (error instanceof JsonCheckFailure) return { offset: error.offset, reason: error.message };
    throw error;
  }
  return { offset: 0, reason: 'not valid JSON' };
}

class JsonCheckFailure extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class JsonChecker {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.value();
    this.space();
    if (this.i < this.text.length) this.fail('the end of the file');
  }

  private value(): void {
    this.space();
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail('a value (an object, an array, a "string", a number, true, false or null)');
  }

  private object(): void {
    this.i++;
    this.space();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.text[this.i] !== '"') this.fail('a "quoted" key');
      this.string();
      this.space();
      this.expect(':', "':' after the key");
      this.value();
      this.space();
      if (this.text[this.i] === ',') {
        this.i++;
        this.space();
        if (this.text[this.i] === '}') this.fail('another key after the comma (JSON allows no trailing comma)');
        continue;
      }
      this.expect('}', "',' or '}'");
      return;
    }
  }

  private array(): void {
    this.i++;
    this.space();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.value();
      this.space();
      if (this.text[this.i] === ',') {
        this.i++;
        this.space();
        if (this.text[this.i] === ']') this.fail('another value after the comma (JSON allows no trailing comma)');
        continue;
      }
      this.expect(']', "',' or ']'");
      return;
    }
  }

  private string(): void {
    this.i++;
    while (this.i < this.text.length) {
      const c = this.text[this.i]!;
      if (c === '"') {
        this.i++;
        return;
      }
      if (c === '\n') this.fail('a closing " before the end of the line');
      if (c === '\\') {
        const escape = this.text[this.i + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('four hex digits after \\u');
          this.i += 6;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) this.fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX');
        this.i += 2;
        continue;
      }
      this.i++;
    }
    this.fail('a closing "');
  }

  private number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!match) this.fail('a number');
    this.i += match![0].length;
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  private expect(c: string, what: string): void {
    if (this.text[this.i] !== c) this.fail(what);
    this.i++;
  }

  private fail(expected: string): never {
    const c = this.text[this.i];
    const found = c === undefined ? 'the end of the file' : c === '\n' ? 'the end of the line' : describeCharacter(characterAt(this.text, this.i));
    throw new JsonCheckFailure(`expected ${expected}, found ${found}`, this.i);
  }
}
