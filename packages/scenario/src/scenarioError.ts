/**
 * The one error a bad scenario file gives: where (file, line, column), what was expected, and a
 * hint ("did you mean mmap?"). The CLI turns it into exit code 2; nothing runs on a bad file.
 */

/** A position in a scenario file, 1-based line and column. */
export interface SourcePosition {
  /** Line number, from 1. */
  readonly line: number;
  /** Column number, from 1. */
  readonly column: number;
}

/** A scenario file that cannot run: names the file, line and column, and why. */
export class ScenarioError extends Error {
  /** Always `ScenarioError`. */
  override readonly name = 'ScenarioError';
  /** The file, as given to the parser. */
  readonly file: string;
  /** Line of the problem, from 1. */
  readonly line: number;
  /** Column of the problem, from 1. */
  readonly column: number;
  /** What is wrong and what was expected, without the location. */
  readonly reason: string;
  /** A suggestion such as `did you mean mmap?`, when there is one. */
  readonly hint?: string;

  /** Creates the error; the message reads `file:line:column: reason; hint`. */
  constructor(file: string, at: SourcePosition, reason: string, hint?: string) {
    super(`${file}:${at.line}:${at.column}: ${reason}${hint ? `; ${hint}` : ''}`);
    this.file = file;
    this.line = at.line;
    this.column = at.column;
    this.reason = reason;
    if (hint !== undefined) this.hint = hint;
  }
}

/** True when `error` is a ScenarioError. */
export function isScenarioError(error: unknown): error is ScenarioError {
  return error instanceof ScenarioError;
}
