/**
 * What a run gives back: whether every check held, the failures (step, line, expected, actual,
 * and a diff for view blocks), and the views that `show` steps printed.
 */

/** A check that did not hold, or a step that could not be carried out. */
export interface CheckFailure {
  /** The step's number in the order steps ran (from 1; repeated steps count each time). */
  readonly step: number;
  /** The step's line in the file. */
  readonly line: number;
  /** The step's column in the file. */
  readonly column: number;
  /** The step as written. */
  readonly source: string;
  /** What the step expected. */
  readonly expected: string;
  /** What happened instead. */
  readonly actual: string;
  /** For `expect` blocks: the line diff, `-` expected and `+` actual. */
  readonly diff?: string;
  /** One sentence saying what went wrong. */
  readonly message: string;
}

/** A view printed by a `show` step. */
export interface ShownView {
  /** The step's number in the order steps ran (from 1). */
  readonly step: number;
  /** The step's line in the file. */
  readonly line: number;
  /** The view's name. */
  readonly view: string;
  /** The process it is about, as named in the step. */
  readonly process?: string;
  /** That process's pid. */
  readonly pid?: number;
  /** The timeline position it was rendered at (inputs executed so far). */
  readonly position: number;
  /** The text, as the real system prints it. */
  readonly text: string;
  /** The same as data. */
  readonly json: unknown;
}

/** How many checks held and how many failed. */
export interface CheckCounts {
  /** Checks that held. */
  readonly passed: number;
  /** Checks that failed, and steps that could not be carried out. */
  readonly failed: number;
}

/** The outcome of running a scenario. */
export interface ScenarioResult {
  /** True when every check held and every step could be carried out. */
  readonly ok: boolean;
  /** Steps run (repeated steps count each time). */
  readonly steps: number;
  /** Checks that held and that failed. */
  readonly checks: CheckCounts;
  /** Every failure, in order. */
  readonly failures: readonly CheckFailure[];
  /** Every shown view, in order. */
  readonly views: readonly ShownView[];
}

/** Optional callbacks while a scenario runs. */
export interface RunHooks {
  /** Called for each `show` step's view as it is printed. */
  onShow?(view: ShownView): void;
  /** Called after each step with the number done and the total. */
  onStep?(done: number, total: number): void;
}
