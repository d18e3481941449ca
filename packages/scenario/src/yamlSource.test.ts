import { isMap, isSeq, type Scalar } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readYamlSource, scalarLocator } from './yamlSource.js';

/** The scalar of the `index`-th step (a string step) or of its map value. */
function stepScalar(text: string, index: number, part: 'item' | 'value' = 'item'): { source: ReturnType<typeof readYamlSource>; scalar: Scalar } {
  const source = readYamlSource(text, 't.yaml');
  const steps = source.document.get('steps', true);
  if (!isSeq(steps)) throw new Error('no steps');
  const item = steps.items[index];
  const scalar = part === 'item' ? item : isMap(item) ? item.items[0]!.value : undefined;
  return { source, scalar: scalar as Scalar };
}

describe('scalarLocator', () => {
  it('maps plain scalars one to one', () => {
    const { source, scalar } = stepScalar('steps:\n  - show maps shell\n', 0);
    expect(scalarLocator(source, scalar)(5)).toEqual({ line: 2, column: 10 });
  });

  it('skips the quote and escapes of double-quoted scalars', () => {
    const { source, scalar } = stepScalar('steps:\n  - "a\\"b c"\n', 0);
    expect(scalar.value).toBe('a"b c');
    expect(scalarLocator(source, scalar)(4)).toEqual({ line: 2, column: 11 });
  });

  it("skips doubled quotes of single-quoted scalars", () => {
    const { source, scalar } = stepScalar("steps:\n  - 'it''s x'\n", 0);
    expect(scalar.value).toBe("it's x");
    expect(scalarLocator(source, scalar)(5)).toEqual({ line: 2, column: 12 });
  });

  it('maps block scalars line by line past their indentation', () => {
    const { source, scalar } = stepScalar('steps:\n  - expect maps shell: |\n      first\n      second ${x}\n', 0, 'value');
    expect(scalar.value).toBe('first\nsecond ${x}\n');
    expect(scalarLocator(source, scalar)(6 + 7)).toEqual({ line: 4, column: 14 });
  });

  it('keeps the spaces an indentation indicator leaves in', () => {
    const { source, scalar } = stepScalar('steps:\n  - expect tasks: |2\n        PID\n          ${x}\n', 0, 'value');
    expect(scalar.value).toBe('  PID\n    ${x}\n');
    expect(scalarLocator(source, scalar)(6 + 4)).toEqual({ line: 4, column: 11 });
  });

  it('follows folded plain scalars across lines', () => {
    const { source, scalar } = stepScalar('steps:\n  - shell: mmap(0,\n      4KiB)\n', 0, 'value');
    expect(scalar.value).toBe('mmap(0, 4KiB)');
    expect(scalarLocator(source, scalar)(8)).toEqual({ line: 3, column: 7 });
  });
});

describe('readYamlSource', () => {
  it('reports the first syntax error with its position', () => {
    expect(() => readYamlSource('steps:\n  - "open\n', 'q.yaml')).toThrow(/^q\.yaml:3:1: bad YAML: Missing closing "quote/);
    expect(() => readYamlSource('{ "steps": [ }', 'q.json')).toThrow('q.json:1:14: bad JSON: expected a value (an object, an array, a "string", a number, true, false or null), found \'}\'');
  });
});
