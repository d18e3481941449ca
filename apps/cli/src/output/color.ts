/**
 * Colour on a terminal only, and never when NO_COLOR is set to a non-empty value
 * (https://no-color.org). Plain ANSI SGR codes; no dependency.
 */
import type { TextOutput } from './io.js';

/** Text styles; each returns its argument unchanged when colour is off. */
export interface Colors {
  /** True when colour is on. */
  readonly enabled: boolean;
  /** Bold text. */
  bold(text: string): string;
  /** Dim text (headers, context). */
  dim(text: string): string;
  /** Red (failures, removed). */
  red(text: string): string;
  /** Green (success, added). */
  green(text: string): string;
  /** Yellow (changed, warnings). */
  yellow(text: string): string;
  /** Cyan (names, types). */
  cyan(text: string): string;
}

/** True when output to `stream` should be coloured. */
export function colorEnabled(stream: TextOutput, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env['NO_COLOR'];
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}

/** The styles for `stream`. */
export function colorsFor(stream: TextOutput, env: Readonly<Record<string, string | undefined>>): Colors {
  const enabled = colorEnabled(stream, env);
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { enabled, bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}
