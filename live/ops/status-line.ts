import { wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';
import type { LogStream } from './live-log.js';

/**
 * The live session's status line on a terminal: one line redrawn in place (`\r`, the text, clear to
 * the end of the line) with the session's state, equity, cash, positions, the lag of the last event,
 * events per second and the feed's refusals. Log lines written through {@link StatusLine.stream} clear
 * it first and it is redrawn after them, so a log line is never glued to it. Off a terminal it draws
 * nothing: the log and the session's final summary say it all.
 */

export type SessionState = 'connecting' | 'live' | 'reconnecting' | 'halted' | 'ended';

/** One position on the status line (a zero quantity is not shown). */
export interface StatusPosition {
  readonly symbol: string;
  readonly qty: number;
}

/** What {@link formatStatus} shows. */
export interface StatusView {
  readonly state: SessionState;
  readonly equity: number;
  readonly cash: number;
  readonly positions: readonly StatusPosition[];
  /** Wall time now minus the data time of the last event, ms; null before the first event. */
  readonly lagMs: number | null;
  readonly eventsPerSec: number;
  /** Feed messages refused so far. */
  readonly refusals: number;
}

/** What the session reports to {@link StatusLine.update}; the line derives the lag and the rate. */
export interface StatusInput {
  readonly state: SessionState;
  readonly equity: number;
  readonly cash: number;
  readonly positions: readonly StatusPosition[];
  /** Data time of the last event, microseconds since the epoch; NaN before the first. */
  readonly lastEventTsUs: number;
  /** Events processed since the start. */
  readonly events: number;
  readonly refusals: number;
}

/** The writable a status line draws on (process.stderr). */
export interface StatusStream extends LogStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Options of {@link StatusLine}. */
export interface StatusLineOptions {
  /** Default process.stderr. */
  readonly stream?: StatusStream;
  readonly timers?: LiveTimers;
  /** Least time between two draws, ms (default 250). */
  readonly minIntervalMs?: number;
  /** Redraw at least this often while open, so the lag of a silent feed is seen growing, ms (default 1000). */
  readonly refreshMs?: number;
}

const CLEAR_LINE = '\r\x1b[K';
/** Window of the events-per-second rate, microseconds. */
const RATE_WINDOW_US = 5_000_000;
const SAMPLE_SPACING_US = 100_000;

/** Returns a quantity with its sign (`+10`, `-5`, `+0.25`). */
function signed(qty: number): string {
  const text = Number.isInteger(qty) ? String(qty) : String(Number(qty.toFixed(6)));
  return qty > 0 ? `+${text}` : text;
}

/** Returns a lag as milliseconds below one second (`120ms`), else seconds with one decimal (`3.4s`). */
function lagText(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '-';
  return Math.abs(ms) < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * Returns the status line for a terminal `width` columns wide (at most `width` characters; a longer
 * line ends in `…`), e.g. `[live] equity 100250.00 cash 60100.00 | SPY +10 / QQQ -5 | lag 120ms | 35.2 ev/s | refused 2`.
 */
export function formatStatus(status: StatusView, width: number): string {
  const held = status.positions.filter((p) => p.qty !== 0);
  const positions = held.length === 0 ? 'flat' : held.map((p) => `${p.symbol} ${signed(p.qty)}`).join(' / ');
  const line = [
    `[${status.state}] equity ${status.equity.toFixed(2)} cash ${status.cash.toFixed(2)}`,
    positions,
    `lag ${lagText(status.lagMs)}`,
    `${status.eventsPerSec.toFixed(1)} ev/s`,
    `refused ${status.refusals}`,
  ].join(' | ');
  if (width <= 0) return '';
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
}

/** The status line of a live session on a terminal. */
export class StatusLine {
  /** Whether anything is drawn at all (the stream is a terminal). */
  readonly active: boolean;
  private readonly out: StatusStream;
  private readonly timers: LiveTimers;
  private readonly minIntervalUs: number;
  private readonly refreshMs: number;
  private input: StatusInput | null = null;
  private shown = false;
  private closed = false;
  private lastDrawUs = Number.NEGATIVE_INFINITY;
  private pending: TimerHandle | null = null;
  private refresh: TimerHandle | null = null;
  /** (time, events) samples of the last {@link RATE_WINDOW_US}, oldest first. */
  private samples: { tUs: number; events: number }[] = [];

  /** Log lines written here clear the status line first and have it redrawn after them. */
  readonly stream: LogStream;

  constructor(options: StatusLineOptions = {}) {
    this.out = options.stream ?? process.stderr;
    this.active = this.out.isTTY === true;
    this.timers = options.timers ?? wallTimers;
    this.minIntervalUs = (options.minIntervalMs ?? 250) * 1000;
    this.refreshMs = options.refreshMs ?? 1000;
    this.stream = {
      write: (text: string) => {
        this.clear();
        const r = this.out.write(text);
        if (this.input !== null) this.schedule();
        return r;
      },
    };
  }

  /** Records the session's state (as often as it likes); drawn now, or when 250 ms have passed since the last draw. */
  update(input: StatusInput): void {
    if (this.closed) return;
    this.input = input;
    const t = this.timers.nowUs();
    const n = this.samples.length;
    // Samples about 100 ms apart (the newest one moves), so an update per event keeps some 50 of them.
    if (n >= 2 && t - this.samples[n - 2]!.tUs < SAMPLE_SPACING_US) this.samples[n - 1] = { tUs: t, events: input.events };
    else this.samples.push({ tUs: t, events: input.events });
    // The oldest sample older than the window goes, unless only it and the new one are left.
    while (this.samples.length > 2 && this.samples[0]!.tUs < t - RATE_WINDOW_US) this.samples.shift();
    this.schedule();
  }

  /** Returns what the line shows now (the lag and rate at the timers' current time). */
  view(): StatusView | null {
    const s = this.input;
    if (s === null) return null;
    const now = this.timers.nowUs();
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const dt = (last.tUs - first.tUs) / 1e6;
    return {
      state: s.state,
      equity: s.equity,
      cash: s.cash,
      positions: s.positions,
      lagMs: Number.isFinite(s.lastEventTsUs) ? (now - s.lastEventTsUs) / 1000 : null,
      eventsPerSec: dt > 0 ? (last.events - first.events) / dt : 0,
      refusals: s.refusals,
    };
  }

  /** Erases the line (before other output, and on exit). */
  clear(): void {
    if (!this.shown) return;
    this.shown = false;
    this.write(CLEAR_LINE);
  }

  /** Erases the line and stops drawing; later updates are ignored. */
  close(): void {
    this.clear();
    this.closed = true;
    this.pending?.cancel();
    this.refresh?.cancel();
    this.pending = this.refresh = null;
  }

  private schedule(): void {
    if (!this.active || this.closed || this.pending !== null) return;
    const wait = this.lastDrawUs + this.minIntervalUs - this.timers.nowUs();
    if (wait <= 0) return this.draw();
    this.pending = this.timers.after(Math.ceil(wait / 1000), () => {
      this.pending = null;
      this.draw();
    });
  }

  private draw(): void {
    const view = this.view();
    if (view === null || this.closed) return;
    // One column short of the width: writing the last column makes some terminals wrap.
    const width = Math.max(0, (this.out.columns ?? 80) - 1);
    this.write(`\r${formatStatus(view, width)}\x1b[K`);
    this.shown = true;
    this.lastDrawUs = this.timers.nowUs();
    this.refresh?.cancel();
    this.refresh = this.timers.after(this.refreshMs, () => {
      this.refresh = null;
      this.schedule();
    });
  }

  private write(text: string): void {
    try {
      this.out.write(text);
    } catch {
      // a closed terminal: nothing to draw on
    }
  }
}
