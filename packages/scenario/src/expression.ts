/**
 * Values of expressions: numbers and strings, names looked up as variables, then the language's
 * own names (`NULL`, `FALSE`, `TRUE`), then registry constants. `|`, `+`, `-`, `*` work on
 * numbers; `|` is a bitwise or on values up to 2^53 (flags), done without 32-bit truncation.
 */
import type { BinaryOperator, Expression } from './ast.js';

/** A value in a scenario: a number (addresses, sizes, flags) or a string. */
export type ScenarioValue = number | string;

/** Names every scenario knows without a registry: Win32's `NULL`, `FALSE`, `TRUE`. */
export const BUILTIN_NAMES: Readonly<Record<string, number>> = { NULL: 0, FALSE: 0, TRUE: 1 };

/** Where names get their values when evaluating. */
export interface NameLookup {
  /** The value of a name, or undefined when it has none. */
  (name: string): ScenarioValue | undefined;
}

/** An expression that cannot be evaluated (an unknown name, arithmetic on a string). */
export class EvaluationError extends Error {
  /** Creates the error about `expression`. */
  constructor(
    message: string,
    readonly expression: Expression,
  ) {
    super(message);
  }
}

/** Evaluates an expression with `lookup` for names; throws EvaluationError. */
export function evaluate(expression: Expression, lookup: NameLookup): ScenarioValue {
  switch (expression.kind) {
    case 'number':
    case 'string':
      return expression.value;
    case 'name': {
      const value = lookup(expression.name);
      if (value === undefined) throw new EvaluationError(`${expression.name} has no value`, expression);
      return value;
    }
    case 'negate': {
      const operand = evaluate(expression.operand, lookup);
      if (typeof operand !== 'number') throw new EvaluationError('cannot negate a string', expression);
      return -operand;
    }
    case 'binary': {
      const left = evaluate(expression.left, lookup);
      const right = evaluate(expression.right, lookup);
      if (typeof left !== 'number' || typeof right !== 'number') {
        throw new EvaluationError(`cannot apply ${expression.operator} to a string`, expression);
      }
      return applyOperator(expression.operator, left, right);
    }
  }
}

/** Applies a binary operator to two numbers (`|` exact up to 2^53). */
export function applyOperator(operator: BinaryOperator, left: number, right: number): number {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '|':
      return bitwiseOr(left, right);
  }
}

function bitwiseOr(left: number, right: number): number {
  if (left >= 0 && right >= 0 && left <= 0xffffffff && right <= 0xffffffff) return (left | right) >>> 0;
  return Number(BigInt.asIntN(64, BigInt(Math.trunc(left)) | BigInt(Math.trunc(right))));
}

/** Every name an expression mentions, in order. */
export function namesIn(expression: Expression): Expression[] {
  switch (expression.kind) {
    case 'name':
      return [expression];
    case 'negate':
      return namesIn(expression.operand);
    case 'binary':
      return [...namesIn(expression.left), ...namesIn(expression.right)];
    default:
      return [];
  }
}

/** Whether an expression is sure to give a string, a number, or depends on a variable's value. */
export function staticType(expression: Expression, typeOfName: (name: string) => 'number' | 'string' | 'unknown'): 'number' | 'string' | 'unknown' {
  switch (expression.kind) {
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'name':
      return typeOfName(expression.name);
    default:
      return 'number';
  }
}
