/**
 * A progress bar on stderr for long runs: only on a terminal, and only once the run has taken
 * more than a second (so quick runs print nothing). One line, redrawn in place (carriage return,
 * erase to the end of the line) and erased when the run ends; text the run prints meanwhile on
 * the same terminal goes through `around`, which erases the bar first and redraws it below.
 * The wall clock here times the user's wait; it never reaches the simulation or the recording.
 */
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

/** Carriage return and erase the whole line. */
const ERASE_LINE = '\r\u001b[2K';

/** A progress reporter for `stream` (does nothing unless it is a terminal). */
export function createProgress(stream: TextOutput, label: string, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const unit = options.unit ?? 'steps';
  if (stream.isTTY !== true) return { update: () => undefined, stop: () => undefined, around: (out) => out };
  const started = now();
  let shown = false;
  let lastDraw = 0;
  let done = 0;
  let total = 0;
  const draw = (time: number): void => {
    stream.write(`\r${formatBar(label, done, total, unit, time - started, stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80)}\u001b[K`);
    shown = true;
    lastDraw = time;
  };
  return {
    update(d, t) {
      done = d;
      total = t;
      const time = now();
      if (!shown) {
        if (time - started < PROGRESS_DELAY_MS || done >= total) return;
      } else if (time - lastDraw < REDRAW_MS && done < total) return;
      draw(time);
    },
    stop() {
      if (shown) stream.write(ERASE_LINE);
      shown = false;
    },
    around(out) {
      if (!sameTerminal(out, stream)) return out;
      return {
        isTTY: out.isTTY,
        ...(out.columns === undefined ? {} : { columns: out.columns }),
        write(text: string) {
          if (!shown) return out.write(text);
          stream.write(ERASE_LINE);
          const result = out.write(text);
          draw(now());
          return result;
        },
      };
    },
  };
}

/** `label [████░░░░] 40% | 400/1000 steps | 3s left`, cut to the terminal's width. */
export function formatBar(label: string, done: number, total: number, unit: string, elapsedMs: number, columns: number): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const width = 40;
  const filled = Math.round(fraction * width);
  const left = done > 0 ? (elapsedMs / done) * (total - done) : NaN;
  const line = `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(fraction * 100)}% | ${done}/${total} ${unit} | ${formatDuration(left)} left`;
  // One character short of the width: a full line would wrap on some terminals.
  return line.length < columns ? line : line.slice(0, Math.max(0, columns - 1));
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}
