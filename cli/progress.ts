import type { SingleBar } from 'cli-progress';
import { createRequire } from 'node:module';
import type { SweepProgress } from '../sim/research/index.js';

/**
 * Progress bars of long-running commands: always on stderr (stdout carries results and --json), quiet
 * with --quiet, and readable when stderr is not a terminal (a CI log gets one plain line every few
 * seconds instead of cursor movements).
 */

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** What is progressing, shown first on the line ("replay", "generate"). */
  readonly label: string;
  /** Unit of the counts ("events", "tables"). */
  readonly unit: string;
  /** No output at all. */
  readonly quiet?: boolean;
  /** Where the bar goes (default process.stderr; never stdout). */
  readonly stream?: NodeJS.WriteStream;
  /** Least time between two lines when the stream is not a terminal, in milliseconds (default 2000). */
  readonly notTtyIntervalMs?: number;
}

/** A progress bar; every method is a no-op on a quiet one. */
export interface Progress {
  /** Shows the bar at `done` of `total`; `detail` is shown after the counts (e.g. the current step). */
  start(total: number, done?: number, detail?: string): void;
  update(done: number, detail?: string): void;
  increment(by?: number, detail?: string): void;
  setTotal(total: number): void;
  /** Draws the final state and ends the line; later calls do nothing. */
  stop(): void;
  /** Whether the bar writes anything. */
  readonly active: boolean;
}

const QUIET: Progress = { start() {}, update() {}, increment() {}, setTotal() {}, stop() {}, active: false };

/** Returns a count with thousands separators ("1,234,567"). */
function grouped(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Returns a progress bar on stderr (cli-progress with `noTTYOutput`), or a silent one when `quiet`.
 * On a terminal it redraws in place at most 5 times a second; otherwise (a CI log, a pipe) it prints a
 * line at start, one whenever another 5% of the total is done or `notTtyIntervalMs` has passed
 * (also during synchronous work, which starves the library's own timer), and one at the end: at
 * most about 20 lines for the work itself however fast it goes, and a heartbeat when it is slow.
 */
export function createProgress(options: ProgressOptions): Progress {
  if (options.quiet === true) return QUIET;
  const stream = options.stream ?? process.stderr;
  const interval = options.notTtyIntervalMs ?? 2000;
  const tty = stream.isTTY === true;
  const barOptions: ConstructorParameters<typeof SingleBar>[0] = {
    // Off a terminal the library redraws on a timer whether or not anything changed; repeats are dropped.
    stream: tty ? stream : dedupedLines(stream),
    noTTYOutput: true,
    notTTYSchedule: interval,
    fps: 5,
    hideCursor: false,
    gracefulExit: false,
    // Off a terminal every drawn line already ends with a newline; the library's closing one would be a blank line.
    clearOnComplete: !tty,
    barsize: 24,
    format: (opts, params, payload: { detail?: string }) => {
      const size = opts.barsize ?? 24;
      const filled = Math.round(params.progress * size);
      const eta = params.value >= params.total ? '0s' : Number.isFinite(params.eta) && params.eta > 0 ? formatEta(params.eta) : '-';
      const detail = payload.detail ? ` | ${payload.detail}` : '';
      return `${options.label} [${'='.repeat(filled)}${'-'.repeat(size - filled)}] ${Math.floor(params.progress * 100)}% | ${grouped(params.value)}/${grouped(params.total)} ${options.unit} | ETA ${eta}${detail}`;
    },
  };
  let state: 'new' | 'running' | 'stopped' = 'new';
  // Made when the bar starts: a command that never starts its bar (a short run) never loads cli-progress.
  let bar!: SingleBar;
  let lastLine = 0;
  let lastValue = 0;
  let step = 1;
  // cli-progress draws on a timer when the stream is not a terminal; synchronous work never lets it run.
  const maybeRender = (): void => {
    if (tty) return;
    const now = Date.now();
    const value = bar.getProgress() * bar.getTotal();
    if (now - lastLine >= interval || value - lastValue >= step) {
      lastLine = now;
      lastValue = value;
      (bar as unknown as { render(): void }).render();
    }
  };
  return {
    active: true,
    start(total, done = 0, detail) {
      if (state !== 'new') return;
      state = 'running';
      lastLine = Date.now();
      lastValue = done;
      step = Math.max(1, Math.ceil(total / 20));
      bar = new (loadCliProgress().SingleBar)(barOptions);
      bar.start(total, done, { detail: detail ?? '' });
    },
    update(done, detail) {
      if (state !== 'running') return;
      bar.update(done, detail !== undefined ? { detail } : {});
      maybeRender();
    },
    increment(by = 1, detail) {
      if (state !== 'running') return;
      bar.increment(by, detail !== undefined ? { detail } : {});
      maybeRender();
    },
    setTotal(total) {
      if (state !== 'running') return;
      step = Math.max(1, Math.ceil(total / 20));
      bar.setTotal(total);
    },
    stop() {
      if (state !== 'running') return;
      state = 'stopped';
      bar.stop();
    },
  };
}

/**
 * cli-progress, loaded when the first bar starts. Imported at the top, it was initialised by every run
 * (~2 ms, node:readline included), and most runs draw no bar (--quiet, or fewer events than
 * REPLAY_PROGRESS_THRESHOLD). Through a require, which stays synchronous as the bars' callers are; in
 * the CLI's bundle it is read from node_modules then.
 */
function loadCliProgress(): typeof import('cli-progress') {
  return createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
}

/**
 * Returns a minimal stream for cli-progress off a terminal: it collects each drawn line and writes it
 * unless it repeats the previous one (the library only calls write() when the stream is not a TTY).
 */
function dedupedLines(out: NodeJS.WritableStream): NodeJS.WriteStream {
  let line = '';
  let last: string | null = null;
  const sink = {
    isTTY: false,
    write(chunk: string | Uint8Array): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const ch of text.split(/(\n)/)) {
        if (ch !== '\n') {
          line += ch;
          continue;
        }
        if (line !== last) out.write(`${line}\n`);
        last = line;
        line = '';
      }
      return true;
    },
  };
  return sink as unknown as NodeJS.WriteStream;
}

/** Returns seconds as "42s", "3m05s" or "1h02m". */
export function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Events a replay must have before `tapedeck run` shows a progress bar: small runs stay quiet. */
export const REPLAY_PROGRESS_THRESHOLD = 200_000;

/** A progress bar over the trials of a sweep (or of one walk-forward fold): done/total, failed, best so far. */
export interface TrialProgress {
  update(p: SweepProgress): void;
  stop(): void;
}

/** Returns the trial bar of `tapedeck sweep` and of each `tapedeck walkforward` fold, labelled `label`. */
export function trialProgress(label: string, quiet: boolean): TrialProgress {
  const bar = createProgress({ label, unit: 'trials', quiet, notTtyIntervalMs: 1000 });
  let started = false;
  return {
    update(p) {
      const detail = `failed ${p.failed} | best ${p.best ? `${p.best.fitness.toFixed(4)} (${p.best.key})` : '-'}`;
      if (!started) {
        bar.start(p.total, p.done, detail);
        started = true;
      } else {
        bar.setTotal(p.total);
        bar.update(p.done, detail);
      }
    },
    stop() {
      bar.stop();
    },
  };
}
