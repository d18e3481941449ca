/**
 * A progress bar on stderr for long runs: only on a terminal, and only once the run has taken
 * more than a second (so quick runs print nothing), drawn by cli-progress and erased when the run
 * ends; text the run prints meanwhile on the same terminal goes through `around`, which erases
 * the bar first and draws it again below.
 * The wall clock here times the user's wait; it never reaches the simulation or the recording.
 */
import cliProgress from 'cli-progress';
import { sameTerminal, type TextOutput } from './io.js';

/** Reports progress of a run of `total` steps. */
export interface Progress {
  /** `done` of `total` steps are finished. */
  update(done: number, total: number): void;
  /** Removes the bar, if it was shown. */
  stop(): void;
  /**
   * `out` as the run should write to it while the bar is up: when `out` is the terminal the bar is
   * drawn on (stdout and stderr on one terminal), each write first erases the bar's line and then
   * redraws the bar below the text; otherwise `out` itself.
   */
  around(out: TextOutput): TextOutput;
}

/** How long a run goes before the bar appears, in milliseconds. */
export const PROGRESS_DELAY_MS = 1000;

/** The least time between two redraws, in milliseconds. */
const REDRAW_MS = 100;

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** What is counted (`steps` by default; `inputs` for replays). */
  readonly unit?: string;
  /** The clock in milliseconds (performance.now by default; tests pass their own). */
  readonly now?: () => number;
}

/**
 * A progress reporter for `stream` (does nothing unless it is a terminal), drawn by cli-progress.
 * cli-progress saves the cursor when a bar starts and restores it when the bar stops, so text
 * written to the same terminal while a bar is up would be overdrawn when it stops: `around` stops
 * (erases) the bar before such text and starts a new one below it.
 */
export function createProgress(stream: TextOutput, label: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'steps';
  if (stream.isTTY !== true) return { update: () => undefined, stop: () => undefined, around: (out) => out };
  const started = now();
  let bar: cliProgress.SingleBar | undefined;
  let lastDraw = 0;
  let done = 0;
  let total = 0;
  const start = (time: number): void => {
    bar = new cliProgress.SingleBar(
      {
        stream: stream as NodeJS.WritableStream,
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
        hideCursor: true,
        clearOnComplete: true,
        // The run never yields to the event loop: every redraw comes from `update`.
        fps: 10,
        synchronousUpdate: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, done);
    lastDraw = time;
  };
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    update(d, t) {
      done = d;
      total = t;
      const time = now();
      if (!bar) {
        if (time - started >= PROGRESS_DELAY_MS && done < total) start(time);
        return;
      }
      if (time - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = time;
      bar.setTotal(total);
      bar.update(done);
    },
    stop,
    around(out) {
      if (!sameTerminal(out, stream)) return out;
      return {
        isTTY: out.isTTY,
        ...(out.columns === undefined ? {} : { columns: out.columns }),
        write(text: string) {
          if (!bar) return out.write(text);
          stop();
          const result = out.write(text);
          start(now());
          return result;
        },
      };
    },
  };
}
