/**
 * The value grammar, by recursive descent:
 *
 * ```text
 * expr     := sum {'|' sum}
 * sum      := product {('+' | '-') product}
 * product  := unary {'*' unary}
 * unary    := '-' unary | primary
 * primary  := NUMBER [SIZE_SUFFIX] | STRING | NAME | '(' expr ')'
 * ```
 *
 * so `*` binds tighter than `+ -`, and those tighter than `|` (`PROT_READ|PROT_WRITE`,
 * `buf + 4 * 1KiB`). Numbers are read by `numberLiteral.ts`.
 */
import type { Expression } from './ast.js';
import { isSizeSuffix, readNumber } from './numberLiteral.js';
import { ScenarioError } from './scenarioError.js';
import { TokenCursor, type Locator } from './tokenCursor.js';

/** Parses values; the step parser extends it. */
export class ExpressionParser extends TokenCursor {
  /** Parses a whole text as one value. */
  expressionOnly(): Expression {
    const expression = this.expression();
    this.expectEnd('the end of the value');
    return expression;
  }

  /** Parses one value at the cursor. */
  protected expression(): Expression {
    let left = this.sum();
    while (this.peek().kind === '|') {
      const token = this.advance();
      left = { kind: 'binary', operator: '|', left, right: this.sum(), at: this.locate(token.offset) };
    }
    return left;
  }

  protected sum(): Expression {
    let left = this.product();
    for (let kind = this.peek().kind; kind === '+' || kind === '-'; kind = this.peek().kind) {
      const token = this.advance();
      left = { kind: 'binary', operator: kind, left, right: this.product(), at: this.locate(token.offset) };
    }
    return left;
  }

  protected product(): Expression {
    let left = this.unary();
    while (this.peek().kind === '*') {
      const token = this.advance();
      left = { kind: 'binary', operator: '*', left, right: this.unary(), at: this.locate(token.offset) };
    }
    return left;
  }

  protected unary(): Expression {
    if (this.peek().kind === '-') {
      const token = this.advance();
      return { kind: 'negate', operand: this.unary(), at: this.locate(token.offset) };
    }
    return this.primary();
  }

  protected primary(): Expression {
    const token = this.peek();
    const at = this.locate(token.offset);
    switch (token.kind) {
      case 'number': {
        this.index++;
        let text = token.text;
        const suffix = this.peek();
        if (suffix.kind === 'name' && isSizeSuffix(suffix.text) && /^\d+$/.test(text)) {
          this.index++;
          text = `${text}${suffix.text}`;
        }
        const reading = readNumber(text);
        if (!reading.ok) throw new ScenarioError(this.file, at, reading.reason, reading.hint);
        return { kind: 'number', value: reading.value, text, at };
      }
      case 'string':
        this.index++;
        return { kind: 'string', value: token.value ?? '', at };
      case 'name':
        this.index++;
        return { kind: 'name', name: token.text, at };
      case '(': {
        this.index++;
        const inner = this.expression();
        this.expect(')', "')' to close the parenthesis");
        return inner;
      }
      default:
        throw this.error(token, 'a value (a number, a size, a name, a "string" or a parenthesis)');
    }
  }
}

/** Parses a lone expression (used for `repeat` counts and tests). */
export function parseExpression(text: string, locate: Locator, file: string): Expression {
  return new ExpressionParser(text, locate, file).expressionOnly();
}
