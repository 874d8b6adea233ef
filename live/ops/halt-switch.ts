import { existsSync, readFileSync } from 'node:fs';
import { wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';

/**
 * The live session's kill switch. It halts the session once, from whichever comes first:
 * - a file (`--halt-file PATH`) appearing, checked every `pollMs` (default 500 ms); its content says
 *   what to do: `flatten` halts and flattens, empty or `cancel` halts cancel-only (anything else is
 *   taken as `cancel`, the safer reading, and said so in the reason). A file present at the start
 *   halts the session at once: remove it before restarting.
 * - a signal: SIGUSR1 halts cancel-only, SIGUSR2 halts and flattens (`kill -USR2 <pid>`).
 * - the program: {@link HaltSwitch.trigger}.
 * A cancel-only halt cancels the working orders and sends no new ones; a flatten halt does that and
 * closes the positions. `onHalt` is called once; a later flatten request upgrades a cancel-only halt
 * (a second call, with mode 'flatten'), and nothing after that calls it again.
 */

export type HaltMode = 'cancel' | 'flatten';
export type HaltSource = 'file' | 'signal' | 'api';

/** What {@link HaltSwitchOptions.onHalt} receives. */
export interface HaltRequest {
  readonly mode: HaltMode;
  readonly reason: string;
  readonly source: HaltSource;
}

/** What the switch listens on for signals (process, or a stand-in in tests). */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

/** Options of {@link HaltSwitch}. */
export interface HaltSwitchOptions {
  readonly onHalt: (request: HaltRequest) => void;
  /** The halt file; none when absent. */
  readonly file?: string;
  /** Between two checks of the file, ms (default 500). */
  readonly pollMs?: number;
  /** Listen for SIGUSR1 (cancel) and SIGUSR2 (flatten) (default true). */
  readonly signals?: boolean;
  readonly timers?: LiveTimers;
  /** Default process. */
  readonly signalSource?: SignalSource;
}

/** The signal of each halt mode. */
export const HALT_SIGNALS: Readonly<Record<HaltMode, NodeJS.Signals>> = { cancel: 'SIGUSR1', flatten: 'SIGUSR2' };

/** Returns the mode a halt file's content asks for, and a note when the content was not understood. */
export function haltFileMode(content: string): { mode: HaltMode; note: string } {
  const word = content.trim().toLowerCase();
  if (word === 'flatten') return { mode: 'flatten', note: '' };
  if (word === '' || word === 'cancel') return { mode: 'cancel', note: '' };
  return { mode: 'cancel', note: ` (content '${word.slice(0, 40)}' is neither 'flatten' nor 'cancel': cancel-only)` };
}

/** The kill switch of a live session. */
export class HaltSwitch {
  private current: HaltMode | null = null;
  private poll: TimerHandle | null = null;
  private closed = false;
  private started = false;
  private readonly timers: LiveTimers;
  private readonly pollMs: number;
  private readonly source: SignalSource;
  private readonly listeners: [NodeJS.Signals, () => void][] = [];

  constructor(private readonly options: HaltSwitchOptions) {
    this.timers = options.timers ?? wallTimers;
    this.pollMs = options.pollMs ?? 500;
    this.source = options.signalSource ?? process;
    if (!(this.pollMs > 0)) throw new Error(`halt switch: pollMs must be positive, was ${this.pollMs}`);
  }

  /** The mode the session is halted in, or null while it trades. */
  get mode(): HaltMode | null {
    return this.current;
  }

  /** Starts listening for the signals and checking the file (once now, then every `pollMs`). */
  start(): this {
    if (this.started || this.closed) return this;
    this.started = true;
    if (this.options.signals !== false) {
      for (const mode of ['cancel', 'flatten'] as const) {
        const signal = HALT_SIGNALS[mode];
        const listener = (): void => {
          this.trigger(mode, `${signal} received`, 'signal');
        };
        this.source.on(signal, listener);
        this.listeners.push([signal, listener]);
      }
    }
    if (this.options.file !== undefined) this.check();
    return this;
  }

  /**
   * Halts in `mode` (or upgrades a cancel-only halt to flatten). Returns true when `onHalt` was
   * called, false when the request changes nothing.
   */
  trigger(mode: HaltMode, reason: string, source: HaltSource = 'api'): boolean {
    if (this.closed || this.current === 'flatten' || this.current === mode) return false;
    this.current = mode;
    if (mode === 'flatten') this.stopPolling();
    this.options.onHalt({ mode, reason, source });
    return true;
  }

  /** Stops the polling and removes the signal listeners. */
  close(): void {
    this.closed = true;
    this.stopPolling();
    for (const [signal, listener] of this.listeners) this.source.off(signal, listener);
    this.listeners.length = 0;
  }

  /** Checks the file and re-arms; a cancel-only halt keeps checking, so `flatten` written later upgrades it. */
  private check(): void {
    this.poll = null;
    if (!this.watching()) return;
    const file = this.options.file!;
    if (existsSync(file)) {
      let content = '';
      try {
        content = readFileSync(file, 'utf8');
      } catch {
        // Removed between the two calls, or unreadable: it appeared, which is the request to halt.
      }
      const { mode, note } = haltFileMode(content);
      this.trigger(mode, `halt file ${file} found${note}`, 'file');
    }
    if (this.watching()) this.poll = this.timers.after(this.pollMs, () => this.check());
  }

  /** Whether the file still matters: open, and not halted to flatten yet. */
  private watching(): boolean {
    return !this.closed && this.current !== 'flatten';
  }

  private stopPolling(): void {
    this.poll?.cancel();
    this.poll = null;
  }
}
