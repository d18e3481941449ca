/**
 * The parsed form of a scenario: the machine, files, processes and steps, each with the position
 * it came from in the file. Expressions are a small tree (numbers, strings, names, `| + - *`).
 */
import type { SourcePosition } from './scenarioError.js';

/** A number as written (`42`, `0x1000`, `16KiB`), with its value. */
export interface NumberLiteral {
  readonly kind: 'number';
  /** Its value in bytes or units. */
  readonly value: number;
  /** How it was written, kept for printing. */
  readonly text: string;
  readonly at: SourcePosition;
}

/** A double-quoted string. */
export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly at: SourcePosition;
}

/** A variable, a registry constant, or one of the language's own names (`NULL`, `FALSE`, `TRUE`). */
export interface NameReference {
  readonly kind: 'name';
  readonly name: string;
  readonly at: SourcePosition;
}

/** The binary operators of values, lowest precedence first: `|`, then `+ -`, then `*`. */
export type BinaryOperator = '|' | '+' | '-' | '*';

/** `left op right`. */
export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly at: SourcePosition;
}

/** `-operand`. */
export interface NegateExpression {
  readonly kind: 'negate';
  readonly operand: Expression;
  readonly at: SourcePosition;
}

/** A value in a step. */
export type Expression = NumberLiteral | StringLiteral | NameReference | BinaryExpression | NegateExpression;

/** A name with the position it was written at. */
export interface Named {
  readonly name: string;
  readonly at: SourcePosition;
}

/** What every step has: where it is and how it was written. */
interface StepBase {
  /** The position of the step's first character. */
  readonly at: SourcePosition;
  /** The step as written (`shell: mmap(…) -> buf`), for messages. */
  readonly source: string;
}

/** `P: call(args…) [-> var] [== expected [ERROR]] [=> FAULT]`, or `kernel: call(…)`. */
export interface CallStep extends StepBase {
  readonly kind: 'call';
  /** The calling process, or `kernel`. */
  readonly process: Named;
  readonly call: Named;
  readonly args: readonly Expression[];
  /** `-> var`. */
  readonly assign?: Named;
  /** `== value [ERROR]`. */
  readonly expect?: ExpectedResult;
  /** `=> SIGSEGV`. */
  readonly fault?: Named;
}

/** `== value [ERROR]`: the value a call or read must give, and for calls the error name. */
export interface ExpectedResult {
  readonly value: Expression;
  /** `EINVAL`, `ERROR_INVALID_PARAMETER`. */
  readonly error?: Named;
}

/** The kinds of memory access. */
export type AccessKind = 'read' | 'write' | 'exec';

/** `P: read ADDR [== v]`, `P: write ADDR = v`, `P: exec ADDR`, each optionally `=> FAULT`. */
export interface AccessStep extends StepBase {
  readonly kind: 'access';
  readonly process: Named;
  readonly access: AccessKind;
  /** Bytes accessed: 1 (plain `read`), 2, 4 or 8 (`read16` … `read64` in bits). */
  readonly size: 1 | 2 | 4 | 8;
  /** Whether the size was written (`read32`) or implied (`read`), kept for printing. */
  readonly sizeWritten: boolean;
  readonly address: Expression;
  /** The value written. */
  readonly value?: Expression;
  /** `== v` after a read. */
  readonly expect?: Expression;
  /** `=> SIGSEGV`. */
  readonly fault?: Named;
}

/** `spawn NAME [posix|win32]`. */
export interface SpawnStep extends StepBase {
  readonly kind: 'spawn';
  readonly process: Named;
  /** `posix` unless written. */
  readonly personality: string;
  /** Whether the personality was written, kept for printing. */
  readonly personalityWritten: boolean;
}

/** `show VIEW [P]`. */
export interface ShowStep extends StepBase {
  readonly kind: 'show';
  readonly view: Named;
  readonly process?: Named;
}

/** One line of an `expect` block: literal text and `${…}` substitutions. */
export type TemplatePart = { readonly kind: 'text'; readonly text: string } | Substitution;

/** `${expr}` or `${expr:08x}`. */
export interface Substitution {
  readonly kind: 'substitution';
  readonly expression: Expression;
  /** The format after `:` (`08x`, `x`, `d`), if any. */
  readonly format?: SubstitutionFormat;
  readonly at: SourcePosition;
}

/** `[0][width](x|X|d|o|b)`: pad with zeros or spaces to width, in that base. */
export interface SubstitutionFormat {
  readonly zeroPad: boolean;
  readonly width: number;
  readonly base: 'x' | 'X' | 'd' | 'o' | 'b';
  /** As written. */
  readonly text: string;
}

/** `expect VIEW [P]: |` + a text block. */
export interface ExpectStep extends StepBase {
  readonly kind: 'expect';
  readonly view: Named;
  readonly process?: Named;
  /** The block as written. */
  readonly block: string;
  /** The block parsed into lines of text and substitutions. */
  readonly lines: readonly (readonly TemplatePart[])[];
}

/** `label NAME`. */
export interface LabelStep extends StepBase {
  readonly kind: 'label';
  readonly label: Named;
}

/** `repeat N: [steps]`. */
export interface RepeatStep extends StepBase {
  readonly kind: 'repeat';
  readonly count: Expression;
  readonly steps: readonly Step[];
}

/** A step of a scenario. */
export type Step = CallStep | AccessStep | SpawnStep | ShowStep | ExpectStep | LabelStep | RepeatStep;

/** The machine section: a profile and the fields that override it. */
export interface MachineSpec {
  /** The profile name (`linux-x86_64` when the file gives none). */
  readonly profile: string;
  /** Overridden fields, sizes already in bytes (`ram`, `swap`, `tlb`, `policy`, `seed`). */
  readonly overrides: Readonly<Record<string, unknown>>;
  readonly at: SourcePosition;
}

/** A file of the `files:` section. */
export interface FileSpec {
  readonly path: string;
  /** Its size in bytes (for `{ size: 64KiB }`). */
  readonly size?: number;
  /** The real file its content comes from (for `{ host: /usr/bin/cat }`), read-only. */
  readonly host?: string;
  readonly at: SourcePosition;
}

/** A process of the `processes:` section. */
export interface ProcessSpec {
  readonly name: string;
  readonly personality: string;
  readonly at: SourcePosition;
}

/** A parsed and validated scenario. */
export interface Scenario {
  /** The file it was read from. */
  readonly file: string;
  readonly machine: MachineSpec;
  readonly files: readonly FileSpec[];
  readonly processes: readonly ProcessSpec[];
  readonly steps: readonly Step[];
}
