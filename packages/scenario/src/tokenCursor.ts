/**
 * A cursor over the tokens of one piece of step text: look at the next token, take it, insist on
 * a kind, and report what was expected at the exact file position when the text does not fit.
 * The grammar's parsers (`ExpressionParser`, `StepParser`) build on it.
 */
import type { Named } from './ast.js';
import { LexError, tokenize, type Token, type TokenKind } from './lexer.js';
import { ScenarioError, type SourcePosition } from './scenarioError.js';

/** Turns an offset in the step text into a position in the file. */
export type Locator = (offset: number) => SourcePosition;

/** The tokens of one step text and a position among them. */
export class TokenCursor {
  /** The tokens, ending with an `end` token. */
  protected readonly tokens: Token[];
  /** The index of the next token. */
  protected index = 0;

  /** Tokenizes `text`; a lexing error becomes a ScenarioError at its position. */
  constructor(
    protected readonly text: string,
    protected readonly locate: Locator,
    protected readonly file: string,
  ) {
    try {
      this.tokens = tokenize(text);
    } catch (error) {
      if (error instanceof LexError) throw new ScenarioError(file, locate(error.offset), error.message);
      throw error;
    }
  }

  /** Takes a name token, or fails saying `what` was expected. */
  protected name(what: string): Named {
    const token = this.expect('name', what);
    return { name: token.text, at: this.locate(token.offset) };
  }

  /** Takes a token of `kind`, or fails saying `what` was expected. */
  protected expect(kind: TokenKind, what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, what);
    this.index++;
    return token;
  }

  /** Fails unless the text is used up. */
  protected expectEnd(what: string): void {
    const token = this.peek();
    if (token.kind !== 'end') throw this.error(token, what);
  }

  /** The next token, not taken. */
  protected peek(): Token {
    return this.tokens[this.index]!;
  }

  /** Takes the next token. */
  protected advance(): Token {
    return this.tokens[this.index++]!;
  }

  /** The error for finding `token` where `expected` was expected. */
  protected error(token: Token, expected: string): ScenarioError {
    return new ScenarioError(this.file, this.locate(token.offset), `expected ${expected}, found ${describeToken(token)}`);
  }
}

/** A token as messages name it: `name foo`, `number 12`, a quoted punctuation mark, `the end of the step`. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the step';
    case 'name':
      return `name ${token.text}`;
    case 'number':
      return `number ${token.text}`;
    case 'string':
      return `string ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}
