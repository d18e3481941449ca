/**
 * The step grammar, by recursive descent over the lexer's tokens:
 *
 * ```text
 * stringStep  := 'spawn' NAME [NAME] | 'show' NAME [NAME] | 'label' NAME {'-' (NAME | NUMBER)}
 *              | 'trace' …                               (refused: not yet supported)
 *              | NAME ':' action
 * stepKey     := 'repeat' expr | 'expect' NAME [NAME] | NAME      (the key of a one-key map)
 * action      := access | call
 * access      := READ expr ['==' expr] [fault] | WRITE expr '=' expr [fault] | 'exec' expr [fault]
 * call        := NAME '(' [expr {',' expr}] ')' ['->' NAME] ['==' expr [NAME]] [fault]
 * fault       := '=>' NAME
 * ```
 *
 * with `expr` the value grammar of `expressionParser.ts`.
 *
 * READ is `read`, `read8`, `read16`, `read32`, `read64` (likewise WRITE); a name followed by
 * `(` is always a call, so a call named `read` still works. Errors carry the exact position.
 */
import type { AccessKind, AccessStep, CallStep, Expression, LabelStep, Named, ShowStep, SpawnStep, SubstitutionFormat } from './ast.js';
import { visibleText } from './characters.js';
import { ExpressionParser } from './expressionParser.js';
import { ScenarioError, type SourcePosition } from './scenarioError.js';
import { didYouMean } from './suggest.js';
import type { Locator } from './tokenCursor.js';

/** The personalities a process may have. */
export const PERSONALITIES = ['posix', 'win32'] as const;

/** The words that start a step that is not a process's action. */
export const STEP_KEYWORDS = ['spawn', 'show', 'expect', 'label', 'repeat', 'trace'] as const;

/** Why a `trace` step is refused: this build cannot replay traces inside a scenario yet. */
const TRACE_NOT_SUPPORTED = '`trace FILE [format] as P` steps are not supported yet by this build: the scenario cannot run while it has one';

/** What a one-key map's key says the step is. */
export type StepKey =
  | { readonly kind: 'process'; readonly process: Named }
  | { readonly kind: 'repeat'; readonly count: Expression }
  | { readonly kind: 'expect'; readonly view: Named; readonly process?: Named };

const ACCESS_WORDS: Readonly<Record<string, { access: AccessKind; size: 1 | 2 | 4 | 8; sizeWritten: boolean }>> = {
  read: { access: 'read', size: 1, sizeWritten: false },
  read8: { access: 'read', size: 1, sizeWritten: true },
  read16: { access: 'read', size: 2, sizeWritten: true },
  read32: { access: 'read', size: 4, sizeWritten: true },
  read64: { access: 'read', size: 8, sizeWritten: true },
  write: { access: 'write', size: 1, sizeWritten: false },
  write8: { access: 'write', size: 1, sizeWritten: true },
  write16: { access: 'write', size: 2, sizeWritten: true },
  write32: { access: 'write', size: 4, sizeWritten: true },
  write64: { access: 'write', size: 8, sizeWritten: true },
  exec: { access: 'exec', size: 1, sizeWritten: false },
};

/** A process's action (`mmap(…) -> buf`, `read buf == 42`) as a step of `process`. */
export type ProcessStep = CallStep | AccessStep;

/** A step written as a string (`show maps shell`, `spawn app win32`, `shell: fork() -> child`). */
export type StringStep = SpawnStep | ShowStep | LabelStep | ProcessStep;

/** Parses a whole step written as a string. */
export function parseStringStep(text: string, locate: Locator, file: string): StringStep {
  const start = text.length - text.trimStart().length;
  if (text.startsWith('trace', start) && (text.length === start + 5 || /\s/.test(text[start + 5]!))) {
    throw new ScenarioError(file, locate(start), TRACE_NOT_SUPPORTED);
  }
  const parser = new StepParser(text, locate, file);
  return parser.stringStep();
}

/** Parses the key of a one-key map step (`shell`, `repeat 3`, `expect maps shell`). */
export function parseStepKey(text: string, locate: Locator, file: string): StepKey {
  return new StepParser(text, locate, file).stepKey();
}

/** Parses the action of a one-key map step (`mmap(0, 4KiB, …) -> buf`) for `process`. */
export function parseProcessAction(process: Named, text: string, locate: Locator, file: string, stepSource: string, stepAt: SourcePosition): ProcessStep {
  const parser = new StepParser(text, locate, file);
  return parser.actionOnly(process, stepSource, stepAt);
}

/** Parses `expr[:format]`, the inside of a `${…}` substitution. */
export function parseSubstitutionBody(text: string, locate: Locator, file: string): { expression: Expression; format?: SubstitutionFormat } {
  return new StepParser(text, locate, file).substitutionBody();
}

class StepParser extends ExpressionParser {
  stringStep(): StringStep {
    const first = this.peek();
    const at = this.locate(first.offset);
    if (first.kind !== 'name') throw this.error(first, 'a step (spawn, show, expect, label, repeat, or PROCESS: action)');
    const second = this.tokens[this.index + 1]!;
    if (second.kind === ':') {
      this.index += 2;
      const process = { name: first.text, at };
      return this.action(process, this.text.trim(), at);
    }
    switch (first.text) {
      case 'spawn':
        return this.spawn(at);
      case 'show':
        return this.show(at);
      case 'label':
        return this.labelStep(at);
      case 'trace':
        throw new ScenarioError(this.file, at, TRACE_NOT_SUPPORTED);
      case 'expect':
        throw new ScenarioError(this.file, at, 'expect needs a text block: write `expect VIEW [P]: |` followed by the expected lines');
      case 'repeat':
        throw new ScenarioError(this.file, at, 'repeat needs nested steps: write `repeat N:` followed by a list of steps');
      default: {
        const hint = didYouMean(first.text, STEP_KEYWORDS);
        throw new ScenarioError(
          this.file,
          at,
          `unknown step ${first.text}: expected spawn, show, expect, label, repeat, or PROCESS: action`,
          hint,
        );
      }
    }
  }

  stepKey(): StepKey {
    const first = this.expect('name', 'a process name, `repeat N` or `expect VIEW [P]`');
    const at = this.locate(first.offset);
    if (first.text === 'repeat') {
      const count = this.expression();
      this.expectEnd('the end of the repeat count');
      return { kind: 'repeat', count };
    }
    if (first.text === 'expect') {
      const view = this.name('a view name');
      const process = this.peek().kind === 'name' ? this.name('a process name') : undefined;
      this.expectEnd('the end of `expect VIEW [P]`');
      return { kind: 'expect', view, ...(process ? { process } : {}) };
    }
    if ((STEP_KEYWORDS as readonly string[]).includes(first.text)) {
      throw new ScenarioError(this.file, at, `${first.text} is a step keyword, not a process: write it as a string step (\`- ${first.text} …\`)`);
    }
    this.expectEnd("':' after the process name");
    return { kind: 'process', process: { name: first.text, at } };
  }

  actionOnly(process: Named, source: string, at: SourcePosition): ProcessStep {
    return this.action(process, source, at);
  }

  substitutionBody(): { expression: Expression; format?: SubstitutionFormat } {
    const expression = this.expression();
    if (this.peek().kind === ':') {
      // The format is read from the text itself, not from tokens: the lexer would take `#x` for a comment.
      const colon = this.advance();
      const raw = this.text.slice(colon.offset + 1);
      const formatText = raw.trim();
      const at = this.locate(colon.offset + 1 + (raw.length - raw.trimStart().length));
      if (formatText === '') throw new ScenarioError(this.file, at, `empty format after ':': ${FORMATS_ALLOWED} (or no ':' for decimal)`);
      const format = readFormat(formatText);
      if (!format) {
        const hint = formatText.includes('#') ? "there is no '#' flag: write 0x${…:x} for a 0x prefix" : undefined;
        throw new ScenarioError(this.file, at, `bad format '${visibleText(formatText)}': ${FORMATS_ALLOWED}`, hint);
      }
      return { expression, format };
    }
    this.expectEnd("'}' or ':format' after the expression");
    return { expression };
  }

  private spawn(at: SourcePosition): SpawnStep {
    this.index++;
    const process = this.name('the new process name');
    let personality = 'posix';
    let personalityWritten = false;
    if (this.peek().kind === 'name') {
      const token = this.advance();
      if (!(PERSONALITIES as readonly string[]).includes(token.text)) {
        throw new ScenarioError(this.file, this.locate(token.offset), `unknown personality ${token.text}: expected posix or win32`, didYouMean(token.text, PERSONALITIES));
      }
      personality = token.text;
      personalityWritten = true;
    }
    this.expectEnd('the end of `spawn NAME [posix|win32]`');
    return { kind: 'spawn', at, source: this.text.trim(), process, personality, personalityWritten };
  }

  private show(at: SourcePosition): ShowStep {
    this.index++;
    const view = this.name('a view name');
    const process = this.peek().kind === 'name' ? this.name('a process name') : undefined;
    this.expectEnd('the end of `show VIEW [P]`');
    return { kind: 'show', at, source: this.text.trim(), view, ...(process ? { process } : {}) };
  }

  private labelStep(at: SourcePosition): LabelStep {
    this.index++;
    const first = this.expect('name', 'a label name');
    let name = first.text;
    // Labels may join words with '-' written without spaces (`label after-fork`), as `--at` takes them.
    for (let end = first.offset + first.text.length; ; ) {
      const dash = this.peek();
      const word = this.tokens[this.index + 1]!;
      if (dash.kind !== '-' || dash.offset !== end || (word.kind !== 'name' && word.kind !== 'number') || word.offset !== end + 1) break;
      name += `-${word.text}`;
      end = word.offset + word.text.length;
      this.index += 2;
    }
    const label = { name, at: this.locate(first.offset) };
    this.expectEnd('the end of `label NAME`');
    return { kind: 'label', at, source: this.text.trim(), label };
  }

  private action(process: Named, source: string, at: SourcePosition): ProcessStep {
    const head = this.peek();
    if (head.kind !== 'name') throw this.error(head, 'a call like mmap(…) or a memory access (read, write, exec)');
    const next = this.tokens[this.index + 1]!;
    const access = ACCESS_WORDS[head.text];
    if (access && next.kind !== '(') return this.access(process, source, at, access);
    return this.call(process, source, at);
  }

  private access(process: Named, source: string, at: SourcePosition, word: { access: AccessKind; size: 1 | 2 | 4 | 8; sizeWritten: boolean }): AccessStep {
    this.index++;
    const address = this.expression();
    let value: Expression | undefined;
    let expect: Expression | undefined;
    if (word.access === 'write') {
      this.expect('=', "'= value' after the address");
      value = this.expression();
    } else if (word.access === 'read' && this.peek().kind === '==') {
      this.index++;
      expect = this.expression();
    }
    const fault = this.fault();
    this.expectEnd(word.access === 'read' ? "'== value', '=> FAULT' or the end of the step" : "'=> FAULT' or the end of the step");
    return {
      kind: 'access',
      at,
      source,
      process,
      access: word.access,
      size: word.size,
      sizeWritten: word.sizeWritten,
      address,
      ...(value ? { value } : {}),
      ...(expect ? { expect } : {}),
      ...(fault ? { fault } : {}),
    };
  }

  private call(process: Named, source: string, at: SourcePosition): CallStep {
    const call = this.name('a call name');
    this.expect('(', `'(' after ${call.name}`);
    const args: Expression[] = [];
    if (this.peek().kind !== ')') {
      args.push(this.expression());
      while (this.peek().kind === ',') {
        this.index++;
        args.push(this.expression());
      }
    }
    this.expect(')', "',' or ')' in the argument list");
    let assign: Named | undefined;
    if (this.peek().kind === '->') {
      this.index++;
      assign = this.name('a variable name after ->');
    }
    let expectedValue: Expression | undefined;
    let expectedError: Named | undefined;
    if (this.peek().kind === '==') {
      this.index++;
      expectedValue = this.expression();
      if (this.peek().kind === 'name') expectedError = this.name('an error name');
    }
    const fault = this.fault();
    this.expectEnd(assign || expectedValue ? "'=> FAULT' or the end of the step" : "'-> var', '== value', '=> FAULT' or the end of the step");
    return {
      kind: 'call',
      at,
      source,
      process,
      call,
      args,
      ...(assign ? { assign } : {}),
      ...(expectedValue ? { expect: { value: expectedValue, ...(expectedError ? { error: expectedError } : {}) } } : {}),
      ...(fault ? { fault } : {}),
    };
  }

  private fault(): Named | undefined {
    if (this.peek().kind !== '=>') return undefined;
    this.index++;
    return this.name('a fault name after => (SIGSEGV, EXCEPTION_ACCESS_VIOLATION …)');
  }

}

/** What a `${…:format}` may be, for messages. */
const FORMATS_ALLOWED = 'expected an optional 0 (pad with zeros), an optional width, then a base: x or X (hex), d (decimal), o (octal) or b (binary), like 08x';

function readFormat(text: string): SubstitutionFormat | undefined {
  if (text === '') return undefined;
  const base = text[text.length - 1]!;
  if (!'xXdob'.includes(base)) return undefined;
  const widthText = text.slice(0, -1);
  if (![...widthText].every((c) => c >= '0' && c <= '9')) return undefined;
  const zeroPad = widthText.startsWith('0');
  const width = widthText === '' ? 0 : Number.parseInt(widthText, 10);
  return { zeroPad, width, base: base as SubstitutionFormat['base'], text };
}
