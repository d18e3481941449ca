/**
 * `${…}` substitutions in `expect` blocks: `${var}`, `${var+0x1000}`, `${var+0x1000:08x}`. The
 * inside is an expression of the step grammar; after `:` comes a format: an optional `0` (pad
 * with zeros), a width, and a base (`x`, `X`, `d`, `o`, `b`). Numbers without a format print in
 * decimal; strings print as they are. `$${` writes a literal `${`.
 */
import type { Expression, SubstitutionFormat, TemplatePart } from './ast.js';
import { ScenarioError } from './scenarioError.js';
import { parseSubstitutionBody } from './stepParser.js';
import type { Locator } from './tokenCursor.js';

/** Splits a block into lines of text and substitutions; `locate` maps block offsets to file positions. */
export function parseTemplate(block: string, locate: Locator, file: string): TemplatePart[][] {
  const lines: TemplatePart[][] = [];
  let lineStart = 0;
  for (const line of block.split('\n')) {
    lines.push(parseTemplateLine(line, lineStart, locate, file));
    lineStart += line.length + 1;
  }
  if (block.endsWith('\n')) lines.pop();
  return lines;
}

function parseTemplateLine(line: string, lineStart: number, locate: Locator, file: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < line.length) {
    if (line.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (!line.startsWith('${', i)) {
      text += line[i];
      i++;
      continue;
    }
    const close = line.indexOf('}', i + 2);
    if (close < 0) throw new ScenarioError(file, locate(lineStart + i), "unterminated substitution: expected '}' to close '${'");
    const bodyStart = lineStart + i + 2;
    const body = line.slice(i + 2, close);
    if (body.trim() === '') throw new ScenarioError(file, locate(lineStart + i), 'empty substitution: expected an expression inside ${…}');
    const { expression, format } = parseSubstitutionBody(body, (offset) => locate(bodyStart + offset), file);
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
    parts.push({ kind: 'substitution', expression, ...(format ? { format } : {}), at: locate(lineStart + i) });
    i = close + 1;
  }
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** Formats a substituted value: numbers in the format's base and width, strings as they are. */
export function formatValue(value: number | string, format?: SubstitutionFormat): string {
  if (typeof value === 'string') return format ? value.padStart(format.width, ' ') : value;
  if (!format) return String(value);
  const radix = { x: 16, X: 16, d: 10, o: 8, b: 2 }[format.base];
  const digits = Math.abs(value).toString(radix);
  const cased = format.base === 'X' ? digits.toUpperCase() : digits;
  const sign = value < 0 ? '-' : '';
  const width = Math.max(0, format.width - sign.length);
  return sign + cased.padStart(width, format.zeroPad ? '0' : ' ');
}

/** Renders template lines to text, evaluating each substitution with `evaluate`. */
export function renderTemplate(lines: readonly (readonly TemplatePart[])[], evaluate: (expression: Expression) => number | string): string {
  return lines
    .map((parts) => parts.map((part) => (part.kind === 'text' ? part.text : formatValue(evaluate(part.expression), part.format))).join(''))
    .join('\n');
}
