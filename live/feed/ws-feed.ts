import WebSocket from 'ws';
import { randomStream } from '../../engine/core/index.js';
import type { RandomStream } from '../../engine/core/index.js';
import { wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';
import { batchesOf, FeedAssembler } from './feed-assembler.js';
import type { FeedBatches, FeedStats, GapReport } from './feed-assembler.js';
import { encodeMessage, FEED_KINDS } from './protocol.js';
import type { DataMessage, FeedKind, FeedMessage } from './protocol.js';

/** Reconnect backoff: the n-th consecutive failed attempt waits min(maxMs, initialMs * factor^(n-1)), times 1 ± jitter. */
export interface BackoffConfig {
  /** Default 250. */
  readonly initialMs?: number;
  /** Default 10000. */
  readonly maxMs?: number;
  /** Default 2. */
  readonly factor?: number;
  /** Fraction in [0, 1): each delay is scaled by a uniform draw in [1 - jitter, 1 + jitter]; default 0. */
  readonly jitter?: number;
  /** Seed of the jitter's random stream (`live/feed.backoff`); default 0. */
  readonly seed?: number;
}

/**
 * Returns the delay before reconnect attempt `attempt` (1 = the first after a loss), milliseconds;
 * `u` is a uniform draw in [0, 1) used only with jitter.
 */
export function backoffDelayMs(attempt: number, config: BackoffConfig = {}, u = 0.5): number {
  const initial = config.initialMs ?? 250;
  const max = config.maxMs ?? 10_000;
  const factor = config.factor ?? 2;
  const jitter = config.jitter ?? 0;
  const base = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  return jitter > 0 ? base * (1 + jitter * (2 * u - 1)) : base;
}

export interface WsFeedOptions {
  /** ws:// URL of a feed server (e.g. `tapedeck feed serve`). */
  readonly url: string;
  /** The run's symbols: subscribed to, and the index of each row's `symbol` in the batches. */
  readonly symbols: readonly string[];
  /** Kinds subscribed to; default all four. */
  readonly kinds?: readonly FeedKind[];
  /** A link with no message at all (data or heartbeat) for this long is dead; default 3 heartbeats of the server's hello (5000 before it). */
  readonly heartbeatTimeoutMs?: number;
  readonly backoff?: BackoffConfig;
  /** Consecutive failed connection attempts before the feed gives up (fails); default unlimited. */
  readonly maxAttempts?: number;
  readonly timers?: LiveTimers;
  /** Called after each accepted row (push mode; the batches are also readable as async iterables). */
  readonly onRows?: (kind: FeedKind) => void;
  /** Called with the text of each accepted data message, as received (a live session journals it). */
  readonly onAccepted?: (text: string, message: DataMessage) => void;
}

/** What a feed ends with: its counts, its gaps and why it failed (null when it did not). */
export interface FeedReport {
  readonly stats: FeedStats;
  readonly gaps: GapReport;
  readonly failure: string | null;
}

/**
 * The WebSocket feed adapter: connects, subscribes, watches the link (no message within the heartbeat
 * timeout: dead), reconnects with exponential backoff and resumes after the last seq received, so a
 * drop loses and repeats nothing (the gap report says what happened). Rows come out as the replay's
 * column batches ({@link WsFeed.batches}, one async iterable per kind). Bad messages are refused and
 * counted by the {@link FeedAssembler}; nothing a server sends makes it throw. It fails (ending the
 * batches with an error and {@link WsFeed.done} with `failure`) only when the server refuses it, the
 * server's stream changes under a resume, or `maxAttempts` connections in a row fail.
 */
export class WsFeed {
  readonly batches: FeedBatches;
  private readonly assembler: FeedAssembler;
  private readonly timers: LiveTimers;
  private readonly kinds: readonly FeedKind[];
  private readonly jitter: RandomStream;
  private socket: WebSocket | null = null;
  private watchdog: TimerHandle | null = null;
  private retry: TimerHandle | null = null;
  private stream: string | null = null;
  private timeoutMs: number;
  private attempts = 0;
  private connections = 0;
  private finished = false;
  private preloading = false;
  private failure: string | null = null;
  private resolveDone!: (report: FeedReport) => void;
  /** Resolves when the stream ended (`end`), the feed was closed, or it failed; never rejects. */
  readonly done: Promise<FeedReport>;

  constructor(private readonly options: WsFeedOptions) {
    this.timers = options.timers ?? wallTimers;
    this.kinds = options.kinds ?? FEED_KINDS;
    this.assembler = new FeedAssembler(options.symbols, this.kinds, this.timers, options.onRows);
    const journal = options.onAccepted;
    if (journal !== undefined) {
      this.assembler.onAccepted = (text, m) => {
        if (!this.preloading) journal(text, m);
      };
    }
    this.batches = batchesOf(this.assembler, this.kinds);
    this.timeoutMs = options.heartbeatTimeoutMs ?? 5000;
    this.jitter = randomStream(options.backoff?.seed ?? 0, 'live', 'feed.backoff');
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get stats(): FeedStats {
    return this.assembler.stats;
  }

  get gaps(): GapReport {
    return this.assembler.gaps;
  }

  /** The server's stream id (from its hello, or given to {@link preload}); null before either. */
  get streamId(): string | null {
    return this.stream;
  }

  /**
   * Before {@link start}: hands the feed the messages an earlier run of this session accepted (its
   * journal), as if received again (the same checks, counted again; not passed to `onAccepted`). The
   * first connection then resumes `stream` after the last seq among them, and a server whose stream
   * is another one is refused.
   */
  preload(texts: Iterable<string>, stream: string): void {
    if (this.connections > 0 || this.socket !== null) throw new Error('preload before start()');
    this.stream = stream;
    this.preloading = true;
    try {
      for (const t of texts) this.assembler.handleText(t);
    } finally {
      this.preloading = false;
    }
  }

  /** Connects (once; reconnects are the feed's own business). */
  start(): this {
    if (this.connections === 0 && this.socket === null) this.connect();
    return this;
  }

  /** Stops the feed: closes the link and ends the batches normally. */
  close(): void {
    this.finish(null);
  }

  private connect(): void {
    this.retry = null;
    this.attempts++;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.options.url);
    } catch (err) {
      this.finish(`invalid feed URL ${JSON.stringify(this.options.url)}: ${(err as Error).message}`);
      return;
    }
    this.socket = ws;
    this.arm();
    let reason = 'connection closed';
    ws.on('message', (data) => {
      if (ws !== this.socket) return;
      this.arm();
      let handled: FeedMessage | null;
      try {
        handled = this.assembler.handleText(String(data));
      } catch (err) {
        // The assembler does not throw; if it ever did, the feed fails rather than passing on a row.
        this.finish(`feed adapter error: ${(err as Error).message}`);
        return;
      }
      if (handled !== null) this.onControl(handled);
    });
    ws.on('error', (err) => {
      reason = err.message;
    });
    ws.on('close', (code) => {
      if (ws !== this.socket) return;
      this.socket = null;
      this.lost(code === 1006 || code === 1005 ? reason : `closed by the server (${code})`);
    });
  }

  /** (Re)arms the dead-link watchdog. */
  private arm(): void {
    this.watchdog?.cancel();
    const ws = this.socket;
    this.watchdog = this.timers.after(this.timeoutMs, () => {
      if (ws !== this.socket || ws === null || this.finished) return;
      this.assembler.gaps.heartbeatTimeouts++;
      this.socket = null;
      ws.terminate();
      this.lost(`no message for ${this.timeoutMs} ms (heartbeat timeout)`);
    });
  }

  private onControl(m: FeedMessage): void {
    switch (m.type) {
      case 'hello': {
        if (this.stream !== null && m.stream !== this.stream) {
          this.finish(`the server's stream changed from ${this.stream} to ${m.stream}: cannot resume`);
          return;
        }
        this.stream = m.stream;
        if (this.options.heartbeatTimeoutMs === undefined) this.timeoutMs = 3 * m.heartbeatMs;
        this.arm();
        this.attempts = 0;
        this.connections++;
        if (this.connections > 1) this.assembler.gaps.reconnects++;
        this.assembler.linkUp();
        const filter = { symbols: [...this.options.symbols], kinds: [...this.kinds] };
        const lastSeq = this.assembler.gaps.lastSeq;
        this.socket?.send(encodeMessage(lastSeq > 0 ? { type: 'resume', stream: m.stream, lastSeq, ...filter } : { type: 'subscribe', ...filter }));
        return;
      }
      case 'end':
        this.finish(null);
        return;
      case 'error':
        this.finish(`the server refused the feed: ${m.message}`);
        return;
      default:
        return;
    }
  }

  /** The link is gone: count it and try again after the backoff. */
  private lost(reason: string): void {
    if (this.finished) return;
    this.watchdog?.cancel();
    this.assembler.linkDown(reason);
    const max = this.options.maxAttempts ?? Number.POSITIVE_INFINITY;
    if (this.attempts >= max) {
      this.finish(`gave up after ${this.attempts} failed connection attempts to ${this.options.url} (last: ${reason})`);
      return;
    }
    const jitter = this.options.backoff?.jitter ?? 0;
    const delay = backoffDelayMs(Math.max(1, this.attempts), this.options.backoff, jitter > 0 ? this.jitter.next() : 0.5);
    this.retry = this.timers.after(delay, () => {
      if (!this.finished) this.connect();
    });
  }

  private finish(failure: string | null): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    this.watchdog?.cancel();
    this.retry?.cancel();
    const ws = this.socket;
    this.socket = null;
    if (ws !== null) {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      else ws.terminate();
    }
    this.assembler.finish(failure !== null ? new Error(failure) : undefined);
    this.resolveDone({ stats: this.assembler.stats, gaps: this.assembler.gaps, failure });
  }
}
