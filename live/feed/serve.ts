import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { sleep, wallTimers } from '../clock.js';
import type { LiveTimers, TimerHandle } from '../clock.js';
import { DatasetFrames } from './dataset-frames.js';
import type { DataFrame, FrameFilter } from './dataset-frames.js';
import { encodeMessage, parseFeedMessage, PROTOCOL_VERSION } from './protocol.js';
import type { FeedKind, HelloMessage, ResumeMessage, SubscribeMessage } from './protocol.js';

/**
 * Faults a test asks the server to commit. Stream faults are part of the stream: every connection
 * subscribed to the same rows meets them at the same place, each with its own `seq`, so a resume
 * stays exact. Link faults happen once per server, on the first connection to send that `seq`.
 */
export interface FeedFaults {
  /** After data row k (1-based, of the subscribed rows), the same row again (a new seq). */
  readonly duplicateAfterRow?: readonly number[];
  /** After data row k, a copy of it stamped one second earlier (a new seq). */
  readonly outOfOrderAfterRow?: readonly number[];
  /** Cut the connection (no close handshake) right after sending this seq. */
  readonly dropAfterSeq?: readonly number[];
  /** Send a text that is not JSON right after this seq. */
  readonly malformedAfterSeq?: readonly number[];
  /** Send nothing at all, heartbeats included, for `ms` after this seq. */
  readonly pauseAfterSeq?: readonly { readonly seq: number; readonly ms: number }[];
}

export interface FeedServerOptions {
  /** A dataset directory (see `tapedeck data generate` and `data import`). */
  readonly dataset: string;
  /** Default 127.0.0.1: nothing listens beyond this machine unless asked. */
  readonly host?: string;
  /** Default 0: a free port (see FeedServer.port). */
  readonly port?: number;
  /** Data time per wall time (60: a minute of data per second), or 'max': as fast as the client reads. */
  readonly speed: number | 'max';
  /** Interval of heartbeats while no other message is sent, milliseconds; default 1000. */
  readonly heartbeatMs?: number;
  readonly timers?: LiveTimers;
  readonly faults?: FeedFaults;
  /** Receives one line per connection event (connected, subscribed, resumed, finished, closed). */
  readonly log?: (line: string) => void;
}

export interface FeedServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly frames: DatasetFrames;
  /** Connections open now. */
  readonly connections: number;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

/** Bytes buffered on a socket above which a `max`-speed stream waits for the client. */
const HIGH_WATER = 1 << 20;
/** Messages a `max`-speed stream sends before it lets the event loop turn. */
const YIELD_EVERY = 64;
const MALFORMED = '{"type":"bar","symbol":';

/**
 * Serves a dataset over the feed protocol (protocol.ts): a `hello` on connect, then after the client's
 * `subscribe` (or `resume` from its last seq) the rows in the replay's time order, paced by their
 * timestamps divided by `speed`, heartbeats while nothing else is sent, and `end` after the last row
 * (then the connection is closed normally). Resolves once listening.
 */
export async function serveFeed(options: FeedServerOptions): Promise<FeedServer> {
  const timers = options.timers ?? wallTimers;
  const heartbeatMs = options.heartbeatMs ?? 1000;
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => {});
  const frames = await DatasetFrames.open(options.dataset);
  const faults = options.faults ?? {};
  const linkFaultsDone = new Set<string>();
  const once = (key: string): boolean => {
    if (linkFaultsDone.has(key)) return false;
    linkFaultsDone.add(key);
    return true;
  };
  const wss = new WebSocketServer({ host, port: options.port ?? 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  wss.on('error', (err) => log(`server error: ${err.message}`));
  const address = wss.address() as AddressInfo;
  const url = `ws://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  let nextId = 1;
  const live = new Set<Connection>();

  wss.on('connection', (ws: WebSocket) => {
    const conn = new Connection(nextId++, ws, frames, timers, heartbeatMs, options.speed, faults, once, log);
    live.add(conn);
    ws.on('close', () => {
      conn.stop();
      live.delete(conn);
    });
    conn.start();
  });

  return {
    url,
    host: address.address,
    port: address.port,
    frames,
    get connections() {
      return live.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of live) c.stop(true);
        wss.close(() => resolve());
      }),
  };
}

/** One client: handshake, the paced stream, heartbeats and the link faults. */
class Connection {
  private stopped = false;
  private paused = false;
  private started = false;
  private heartbeat: TimerHandle | null = null;
  private lastSentUs: number;
  /** The last data seq sent and the data time vouched for (heartbeat `ts`). */
  private lastSeq = 0;
  private watermarkUs: number;

  constructor(
    private readonly id: number,
    private readonly ws: WebSocket,
    private readonly frames: DatasetFrames,
    private readonly timers: LiveTimers,
    private readonly heartbeatMs: number,
    private readonly speed: number | 'max',
    private readonly faults: FeedFaults,
    private readonly once: (key: string) => boolean,
    private readonly log: (line: string) => void,
  ) {
    this.lastSentUs = timers.nowUs();
    this.watermarkUs = frames.manifest.startUs ?? 0;
  }

  start(): void {
    const hello: HelloMessage = { type: 'hello', protocol: PROTOCOL_VERSION, stream: this.frames.stream, symbols: [...this.frames.symbols], kinds: [...this.frames.kinds], heartbeatMs: this.heartbeatMs };
    this.send(encodeMessage(hello));
    this.log(`connection ${this.id}: connected`);
    this.armHeartbeat();
    this.ws.on('message', (data) => {
      const parsed = parseFeedMessage(String(data));
      if (!parsed.ok || (parsed.message.type !== 'subscribe' && parsed.message.type !== 'resume')) {
        this.refuse(parsed.ok ? `expected subscribe or resume, was ${parsed.message.type}` : parsed.reason);
        return;
      }
      if (this.started) {
        this.refuse('already subscribed');
        return;
      }
      const m = parsed.message as SubscribeMessage | ResumeMessage;
      if (m.type === 'resume' && m.stream !== this.frames.stream) {
        this.refuse(`cannot resume stream ${m.stream}: this server serves ${this.frames.stream}`);
        return;
      }
      this.started = true;
      const filter: FrameFilter = { ...(m.symbols ? { symbols: new Set(m.symbols) } : {}), ...(m.kinds ? { kinds: new Set<FeedKind>(m.kinds) } : {}) };
      const from = m.type === 'resume' ? m.lastSeq : 0;
      this.log(`connection ${this.id}: ${m.type === 'resume' ? `resumed after seq ${from}` : 'subscribed'}`);
      this.pump(filter, from).catch((err: unknown) => {
        this.log(`connection ${this.id}: ${(err as Error).message}`);
        this.refuse(`server failed: ${(err as Error).message}`);
      });
    });
  }

  /** Stops the stream; `close`: also closes the socket (server shutdown). */
  stop(close = false): void {
    this.stopped = true;
    this.heartbeat?.cancel();
    if (close) this.ws.terminate();
  }

  private refuse(message: string): void {
    this.send(encodeMessage({ type: 'error', message }));
    this.stop();
    this.ws.close(1008, message.slice(0, 100));
  }

  private send(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(text);
    this.lastSentUs = this.timers.nowUs();
  }

  private armHeartbeat(): void {
    this.heartbeat = this.timers.after(this.heartbeatMs, () => {
      if (this.stopped) return;
      const idleMs = (this.timers.nowUs() - this.lastSentUs) / 1000;
      if (!this.paused && idleMs >= this.heartbeatMs * 0.9) this.send(encodeMessage({ type: 'heartbeat', ts: this.watermarkUs, seq: this.lastSeq }));
      this.armHeartbeat();
    });
  }

  /** Sends the rows after seq `from`, paced, with the faults; then `end`. */
  private async pump(filter: FrameFilter, from: number): Promise<void> {
    const f = this.faults;
    const dup = new Set(f.duplicateAfterRow ?? []);
    const late = new Set(f.outOfOrderAfterRow ?? []);
    let seq = 0;
    let row = 0;
    let sinceYield = 0;
    let startWallUs = Number.NaN;
    let firstTs = Number.NaN;
    const speed = this.speed;
    const stream = this.frames.frames(filter);
    try {
      for await (const frame of stream) {
        row++;
        const out: DataFrame[] = [frame];
        if (dup.has(row)) out.push({ ...frame });
        if (late.has(row)) out.push(frame.type === 'bar' ? { ...frame, ts: frame.ts - 1_000_000, barTs: Math.min(frame.barTs, frame.ts - 1_000_000) } : { ...frame, ts: frame.ts - 1_000_000 });
        for (const m of out) {
          seq++;
          if (seq <= from) continue;
          if (this.stopped) return;
          if (speed === 'max') {
            // Let the event loop turn (other clients, heartbeats, reads) and the client catch up.
            if (++sinceYield >= YIELD_EVERY) {
              sinceYield = 0;
              await sleep(this.timers, 0);
            }
            while (this.ws.bufferedAmount > HIGH_WATER && !this.stopped) await sleep(this.timers, 5);
          } else {
            if (startWallUs !== startWallUs) {
              startWallUs = this.timers.nowUs();
              firstTs = m.ts;
            }
            // Wait until the row's time has come at `speed`; heartbeats go out meanwhile.
            const dueUs = startWallUs + (m.ts - firstTs) / speed;
            for (;;) {
              const waitMs = (dueUs - this.timers.nowUs()) / 1000;
              if (waitMs <= 0 || this.stopped) break;
              const streamTime = firstTs + (this.timers.nowUs() - startWallUs) * speed;
              if (streamTime > this.watermarkUs && streamTime <= m.ts) this.watermarkUs = Math.floor(streamTime);
              await sleep(this.timers, Math.min(waitMs, this.heartbeatMs));
            }
            if (this.stopped) return;
          }
          this.send(encodeMessage({ ...m, seq }));
          this.lastSeq = seq;
          if (m.ts > this.watermarkUs) this.watermarkUs = m.ts;
          if (await this.linkFaults(seq)) return;
        }
      }
      if (this.stopped) return;
      this.send(encodeMessage({ type: 'end', seq }));
      this.log(`connection ${this.id}: end of stream after seq ${seq}`);
      this.stop();
      this.ws.close(1000, 'end of stream');
    } finally {
      await stream.return(undefined);
    }
  }

  /** Commits the link faults due after `seq`; returns true when the connection was cut. */
  private async linkFaults(seq: number): Promise<boolean> {
    const f = this.faults;
    if (f.malformedAfterSeq?.includes(seq) && this.once(`malformed ${seq}`)) this.send(MALFORMED);
    const pause = f.pauseAfterSeq?.find((p) => p.seq === seq);
    if (pause !== undefined && this.once(`pause ${seq}`)) {
      this.paused = true;
      await sleep(this.timers, pause.ms);
      this.paused = false;
    }
    if (f.dropAfterSeq?.includes(seq) && this.once(`drop ${seq}`)) {
      this.log(`connection ${this.id}: dropped after seq ${seq} (fault)`);
      this.stop();
      this.ws.terminate();
      return true;
    }
    return false;
  }
}
