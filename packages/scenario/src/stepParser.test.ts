import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expression } from './ast.js';
import { printExpression, quoteString } from './printer.js';
import { ScenarioError } from './scenarioError.js';
import { parseExpression } from './expressionParser.js';
import { parseProcessAction, parseStepKey, parseStringStep, parseSubstitutionBody } from './stepParser.js';

/** Positions on line 1, column = offset + 1. */
const locate = (offset: number) => ({ line: 1, column: offset + 1 });
const shell = { name: 'shell', at: { line: 1, column: 1 } };

function strip(expression: Expression): unknown {
  switch (expression.kind) {
    case 'binary':
      return [expression.operator, strip(expression.left), strip(expression.right)];
    case 'negate':
      return ['neg', strip(expression.operand)];
    case 'name':
      return expression.name;
    default:
      return expression.value;
  }
}

function parseError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof ScenarioError) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('expressions', () => {
  it('binds * tighter than + and -, and those tighter than |', () => {
    expect(strip(parseExpression('A | B + C * 2', locate, 'f'))).toEqual(['|', 'A', ['+', 'B', ['*', 'C', 2]]]);
    expect(strip(parseExpression('a - b - c', locate, 'f'))).toEqual(['-', ['-', 'a', 'b'], 'c']);
    expect(strip(parseExpression('(A | B) * 2', locate, 'f'))).toEqual(['*', ['|', 'A', 'B'], 2]);
    expect(strip(parseExpression('-1', locate, 'f'))).toEqual(['neg', 1]);
    expect(strip(parseExpression('16 KiB + 0x10', locate, 'f'))).toEqual(['+', 16384, 16]);
  });

  it('prints back with only the parentheses it needs', () => {
    for (const text of ['A | B + C * 2', 'a - (b - c)', '(A | B) * 2', '-(a + 1)', '"s"', 'x * (y + 1) | 0x10']) {
      expect(printExpression(parseExpression(text, locate, 'f'))).toBe(text);
    }
  });

  it('reports a missing operand at its column', () => {
    expect(parseError(() => parseExpression('a +', locate, 'f'))).toBe('f:1:4: expected a value (a number, a size, a name, a "string" or a parenthesis), found the end of the step');
    expect(parseError(() => parseExpression('(a + 1', locate, 'f'))).toBe("f:1:7: expected ')' to close the parenthesis, found the end of the step");
  });
});

describe('process actions', () => {
  it('parses a call with a variable, an expected value and an error name', () => {
    const step = parseProcessAction(shell, 'munmap(buf, 4KiB) -> r == -1 EINVAL', locate, 'f', 's', shell.at);
    expect(step).toMatchObject({ kind: 'call', call: { name: 'munmap' }, assign: { name: 'r' }, expect: { error: { name: 'EINVAL' } } });
    if (step.kind !== 'call') throw new Error('not a call');
    expect(step.args.map(strip)).toEqual(['buf', 4096]);
    expect(strip(step.expect!.value)).toEqual(['neg', 1]);
  });

  it('parses sized memory accesses and fault expectations', () => {
    expect(parseProcessAction(shell, 'read32 buf+4 == 7', locate, 'f', 's', shell.at)).toMatchObject({ kind: 'access', access: 'read', size: 4, sizeWritten: true });
    expect(parseProcessAction(shell, 'write64 buf = 1 => SIGSEGV', locate, 'f', 's', shell.at)).toMatchObject({ kind: 'access', access: 'write', size: 8, fault: { name: 'SIGSEGV' } });
    expect(parseProcessAction(shell, 'exec 0x400000', locate, 'f', 's', shell.at)).toMatchObject({ kind: 'access', access: 'exec', size: 1, sizeWritten: false });
  });

  it('treats a name followed by ( as a call, even `read`', () => {
    expect(parseProcessAction(shell, 'read(3, buf, 10)', locate, 'f', 's', shell.at)).toMatchObject({ kind: 'call', call: { name: 'read' } });
  });

  it('refuses what the grammar does not allow, at the right column', () => {
    expect(parseError(() => parseProcessAction(shell, 'exec buf == 1', locate, 'f', 's', shell.at))).toBe("f:1:10: expected '=> FAULT' or the end of the step, found '=='");
    expect(parseError(() => parseProcessAction(shell, 'fork() -> 3', locate, 'f', 's', shell.at))).toBe('f:1:11: expected a variable name after ->, found number 3');
    expect(parseError(() => parseProcessAction(shell, '42', locate, 'f', 's', shell.at))).toBe('f:1:1: expected a call like mmap(…) or a memory access (read, write, exec), found number 42');
  });
});

describe('string steps and map keys', () => {
  it('parses spawn, show, label and process steps', () => {
    expect(parseStringStep('spawn app win32', locate, 'f')).toMatchObject({ kind: 'spawn', process: { name: 'app' }, personality: 'win32', personalityWritten: true });
    expect(parseStringStep('spawn worker', locate, 'f')).toMatchObject({ kind: 'spawn', personality: 'posix', personalityWritten: false });
    expect(parseStringStep('show maps shell', locate, 'f')).toMatchObject({ kind: 'show', view: { name: 'maps' }, process: { name: 'shell' } });
    expect(parseStringStep('label after_fork', locate, 'f')).toMatchObject({ kind: 'label', label: { name: 'after_fork' } });
    expect(parseStringStep('label after-fork-2', locate, 'f')).toMatchObject({ kind: 'label', label: { name: 'after-fork-2' } });
    expect(parseError(() => parseStringStep('label after - fork', locate, 'f'))).toBe("f:1:13: expected the end of `label NAME`, found '-'");
    expect(parseStringStep('shell: fork() -> child', locate, 'f')).toMatchObject({ kind: 'call', process: { name: 'shell' }, source: 'shell: fork() -> child' });
  });

  it('parses map keys', () => {
    expect(parseStepKey('repeat 3', locate, 'f')).toMatchObject({ kind: 'repeat', count: { value: 3 } });
    expect(parseStepKey('expect maps shell', locate, 'f')).toMatchObject({ kind: 'expect', view: { name: 'maps' }, process: { name: 'shell' } });
    expect(parseStepKey('shell', locate, 'f')).toMatchObject({ kind: 'process', process: { name: 'shell' } });
  });

  it('refuses trace steps clearly', () => {
    expect(parseError(() => parseStringStep('  trace t.txt addr as shell', locate, 'f'))).toBe('f:1:3: `trace FILE [format] as P` steps are not supported yet by this build: the scenario cannot run while it has one');
  });
});

describe('substitutions', () => {
  it('parses an expression and a format', () => {
    const { expression, format } = parseSubstitutionBody('buf+0x1000:08x', locate, 'f');
    expect(strip(expression)).toEqual(['+', 'buf', 4096]);
    expect(format).toEqual({ zeroPad: true, width: 8, base: 'x', text: '08x' });
    expect(parseSubstitutionBody('n', locate, 'f').format).toBeUndefined();
  });
});

describe('strings', () => {
  it('read back what the printer writes, for any text', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const expression = parseExpression(quoteString(text), locate, 'f');
        expect(expression).toMatchObject({ kind: 'string', value: text });
      }),
    );
  });
});
