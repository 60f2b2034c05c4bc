import type { CliIO } from "./io";

/** What a command tells the person waiting: the phase it is in, and news from inside it. */
export interface Progress {
  /** A new phase, e.g. "planning 300 tasks on 12 environments". */
  phase(label: string): void;
  /** News within the phase (the optimizer's onProgress). */
  update(message: string): void;
  /** Clears the line: the result follows. */
  done(): void;
}

const SILENT: Progress = { phase: () => undefined, update: () => undefined, done: () => undefined };

/** How often the line is redrawn, at most: often enough to look alive, rarely enough to cost nothing. */
const REDRAW_MS = 100;

/** How often the elapsed time is redrawn while a phase says nothing new: the seconds count visibly. */
const TICK_MS = 250;

/** Terminal width when the stream does not say (a pipe to a terminal emulator), and the least a line is cut to. */
const DEFAULT_COLUMNS = 100;
const MIN_WIDTH = 20;

/**
 * One status line on stderr, redrawn in place, with the time spent in the phase: only when
 * stderr is a terminal (never in pipes, CI logs or `2>file`), and not with TIERPLAN_NO_PROGRESS.
 * The elapsed time ticks while the event loop is free (a solve that awaits HiGHS, the mock
 * engine registering resources); a synchronous stretch shows its last message until it ends.
 */
export function progressPrinter(io: CliIO): Progress {
  if (!io.stderr.isTTY || io.env.TIERPLAN_NO_PROGRESS || io.env.TERM === "dumb") return SILENT;
  let label = "";
  let news = "";
  let started = performance.now();
  let drawn = 0;
  let shown = false;
  const draw = (force: boolean) => {
    const now = performance.now();
    if (!force && now - drawn < REDRAW_MS) return;
    drawn = now;
    const seconds = (now - started) / 1000;
    const time = seconds >= 1 ? ` (${seconds.toFixed(seconds < 10 ? 1 : 0)} s)` : "";
    const width = Math.max(MIN_WIDTH, ((io.stderr as { columns?: number }).columns ?? DEFAULT_COLUMNS) - 1);
    const text = `… ${label}${news ? `: ${news}` : ""}${time}`;
    io.stderr.write(`\r\u001b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    shown = true;
  };
  const ticker = setInterval(() => label && draw(true), TICK_MS);
  ticker.unref();
  return {
    phase(next) {
      label = next;
      news = "";
      started = performance.now();
      draw(true);
    },
    update(message) {
      news = message;
      draw(false);
    },
    done() {
      clearInterval(ticker);
      label = "";
      if (shown) io.stderr.write("\r\u001b[2K");
      shown = false;
    },
  };
}
