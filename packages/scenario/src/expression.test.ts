import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOperator, evaluate, EvaluationError } from './expression.js';
import { parseExpression } from './expressionParser.js';

const locate = (offset: number) => ({ line: 1, column: offset + 1 });
const constants: Record<string, number> = { PROT_READ: 1, PROT_WRITE: 2, MAP_PRIVATE: 2, MAP_ANONYMOUS: 0x20 };
const value = (text: string) => evaluate(parseExpression(text, locate, 'f'), (name) => constants[name]);

describe('evaluate', () => {
  it('computes flags, sizes and arithmetic', () => {
    expect(value('PROT_READ|PROT_WRITE')).toBe(3);
    expect(value('MAP_PRIVATE|MAP_ANONYMOUS')).toBe(0x22);
    expect(value('16KiB + 0x10')).toBe(16400);
    expect(value('2 * (3 + 4) - 1')).toBe(13);
    expect(value('-1')).toBe(-1);
    expect(value('"name"')).toBe('name');
  });

  it('ors values above 32 bits exactly', () => {
    expect(applyOperator('|', 2 ** 40, 1)).toBe(2 ** 40 + 1);
    fc.assert(
      fc.property(fc.nat(2 ** 31), fc.nat(2 ** 31), (a, b) => {
        expect(applyOperator('|', a, b)).toBe((a | b) >>> 0);
        expect(applyOperator('|', a * 2 ** 20, b * 2 ** 20)).toBe(Number((BigInt(a) | BigInt(b)) << 20n));
      }),
    );
  });

  it('refuses unknown names and arithmetic on strings', () => {
    expect(() => value('nothing + 1')).toThrow(EvaluationError);
    expect(() => value('"a" + 1')).toThrow('cannot apply + to a string');
  });
});
