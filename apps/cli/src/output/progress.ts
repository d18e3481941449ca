/**
 * A progress bar on stderr for long runs: only on a terminal, and only once the run has taken
 * more than a second (so quick runs print nothing). Uses cli-progress. The wall clock here times
 * the user's wait; it never reaches the simulation or the recording.
 */
import cliProgress from 'cli-progress';
import type { TextOutput } from './io.js';

/** Reports progress of a run of `total` steps. */
export interface Progress {
  /** `done` of `total` steps are finished. */
  update(done: number, total: number): void;
  /** Removes the bar, if it was shown. */
  stop(): void;
}

/** How long a run goes before the bar appears, in milliseconds. */
export const PROGRESS_DELAY_MS = 1000;

/** Options of `createProgress`. */
export interface ProgressOptions {
  /** What is counted (`steps` by default; `inputs` for replays). */
  readonly unit?: string;
  /** The clock in milliseconds (performance.now by default; tests pass their own). */
  readonly now?: () => number;
}

/** A progress reporter for `stream` (does nothing unless it is a terminal). */
export function createProgress(stream: TextOutput, label: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'steps';
  if (stream.isTTY !== true) return { update: () => undefined, stop: () => undefined };
  const started = now();
  let bar: cliProgress.SingleBar | undefined;
  let lastDraw = 0;
  return {
    update(done, total) {
      const time = now();
      if (!bar) {
        if (time - started < PROGRESS_DELAY_MS || done >= total) return;
        bar = new cliProgress.SingleBar(
          { stream: stream as NodeJS.WritableStream, format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`, hideCursor: true, clearOnComplete: true, fps: 10 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
        lastDraw = time;
        return;
      }
      if (time - lastDraw < 100 && done < total) return;
      lastDraw = time;
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
