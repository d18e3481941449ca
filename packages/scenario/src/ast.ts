/**
 * The parsed form of a scenario: the machine, files, processes and steps, each with the position
 * it came from in the file. Expressions are a small tree (numbers, strings, names, `| + - *`).
 */
import type { SourcePosition } from './scenarioError.js';

/** A number as written (`42`, `0x1000`, `16KiB`), with its value. */
export interface NumberLiteral {
  /** Tells the expression kinds apart. */
  readonly kind: 'number';
  /** Its value in bytes or units. */
  readonly value: number;
  /** How it was written, kept for printing. */
  readonly text: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A double-quoted string. */
export interface StringLiteral {
  /** Tells the expression kinds apart. */
  readonly kind: 'string';
  /** The decoded text. */
  readonly value: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A variable, a registry constant, or one of the language's own names (`NULL`, `FALSE`, `TRUE`). */
export interface NameReference {
  /** Tells the expression kinds apart. */
  readonly kind: 'name';
  /** The name as written. */
  readonly name: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** The binary operators of values, lowest precedence first: `|`, then `+ -`, then `*`. */
export type BinaryOperator = '|' | '+' | '-' | '*';

/** `left op right`. */
export interface BinaryExpression {
  /** Tells the expression kinds apart. */
  readonly kind: 'binary';
  /** The operator. */
  readonly operator: BinaryOperator;
  /** The left operand. */
  readonly left: Expression;
  /** The right operand. */
  readonly right: Expression;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** `-operand`. */
export interface NegateExpression {
  /** Tells the expression kinds apart. */
  readonly kind: 'negate';
  /** The negated value. */
  readonly operand: Expression;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A value in a step. */
export type Expression = NumberLiteral | StringLiteral | NameReference | BinaryExpression | NegateExpression;

/** A name with the position it was written at. */
export interface Named {
  /** The name as written. */
  readonly name: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** What every step has: where it is and how it was written. */
export interface StepBase {
  /** The position of the step's first character. */
  readonly at: SourcePosition;
  /** The step as written (`shell: mmap(…) -> buf`), for messages. */
  readonly source: string;
}

/** `P: call(args…) [-> var] [== expected [ERROR]] [=> FAULT]`, or `kernel: call(…)`. */
export interface CallStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'call';
  /** The calling process, or `kernel`. */
  readonly process: Named;
  /** The call's name. */
  readonly call: Named;
  /** The arguments, in order. */
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
  /** The expected value. */
  readonly value: Expression;
  /** `EINVAL`, `ERROR_INVALID_PARAMETER`. */
  readonly error?: Named;
}

/** The kinds of memory access. */
export type AccessKind = 'read' | 'write' | 'exec';

/** `P: read ADDR [== v]`, `P: write ADDR = v`, `P: exec ADDR`, each optionally `=> FAULT`. */
export interface AccessStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'access';
  /** The process. */
  readonly process: Named;
  /** Read, write or execute. */
  readonly access: AccessKind;
  /** Bytes accessed: 1 (plain `read`), 2, 4 or 8 (`read16` … `read64` in bits). */
  readonly size: 1 | 2 | 4 | 8;
  /** Whether the size was written (`read32`) or implied (`read`), kept for printing. */
  readonly sizeWritten: boolean;
  /** The virtual address accessed. */
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
  /** Tells the step kinds apart. */
  readonly kind: 'spawn';
  /** The process. */
  readonly process: Named;
  /** `posix` unless written. */
  readonly personality: string;
  /** Whether the personality was written, kept for printing. */
  readonly personalityWritten: boolean;
}

/** `show VIEW [P]`. */
export interface ShowStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'show';
  /** The view's name. */
  readonly view: Named;
  /** The process, for process views. */
  readonly process?: Named;
}

/** One line of an `expect` block: literal text and `${…}` substitutions. */
export type TemplatePart = TemplateText | Substitution;

/** Literal text of a template line. */
export interface TemplateText {
  /** Tells the template parts apart. */
  readonly kind: 'text';
  /** The text, as it must appear. */
  readonly text: string;
}

/** `${expr}` or `${expr:08x}`. */
export interface Substitution {
  /** Tells the template parts apart. */
  readonly kind: 'substitution';
  /** The value substituted. */
  readonly expression: Expression;
  /** The format after `:` (`08x`, `x`, `d`), if any. */
  readonly format?: SubstitutionFormat;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** `[0][width](x|X|d|o|b)`: pad with zeros or spaces to width, in that base. */
export interface SubstitutionFormat {
  /** Pad with zeros (else spaces). */
  readonly zeroPad: boolean;
  /** The minimum width, 0 for none. */
  readonly width: number;
  /** Hex (lower or upper case), decimal, octal or binary. */
  readonly base: 'x' | 'X' | 'd' | 'o' | 'b';
  /** As written. */
  readonly text: string;
}

/** `expect VIEW [P]: |` + a text block. */
export interface ExpectStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'expect';
  /** The view's name. */
  readonly view: Named;
  /** The process, for process views. */
  readonly process?: Named;
  /** The block as written. */
  readonly block: string;
  /** The block parsed into lines of text and substitutions. */
  readonly lines: readonly (readonly TemplatePart[])[];
}

/** `label NAME`. */
export interface LabelStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'label';
  /** The label's name. */
  readonly label: Named;
}

/** `repeat N: [steps]`. */
export interface RepeatStep extends StepBase {
  /** Tells the step kinds apart. */
  readonly kind: 'repeat';
  /** How many times (a number or constant). */
  readonly count: Expression;
  /** The steps repeated. */
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
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A file of the `files:` section. */
export interface FileSpec {
  /** The absolute path processes open it by. */
  readonly path: string;
  /** Its size in bytes (for `{ size: 64KiB }`). */
  readonly size?: number;
  /** The real file its content comes from (for `{ host: /usr/bin/cat }`), read-only. */
  readonly host?: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A process of the `processes:` section. */
export interface ProcessSpec {
  /** The name as written. */
  readonly name: string;
  /** `posix` or `win32`. */
  readonly personality: string;
  /** Where it was written. */
  readonly at: SourcePosition;
}

/** A parsed and validated scenario. */
export interface Scenario {
  /** The file it was read from. */
  readonly file: string;
  /** The machine it runs on. */
  readonly machine: MachineSpec;
  /** Files processes can open and map. */
  readonly files: readonly FileSpec[];
  /** Processes that exist at the start. */
  readonly processes: readonly ProcessSpec[];
  /** The steps repeated. */
  readonly steps: readonly Step[];
}
