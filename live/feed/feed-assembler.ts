import { BOOK_ACTION, BOOK_SIDE, TRADE_SIDE } from '../../datasets/schema.js';
import type { LiveTimers } from '../clock.js';
import { BatchBuilder, BatchQueue, KIND_COLUMNS } from './batch-builder.js';
import type { KindBatch } from './batch-builder.js';
import { FEED_KINDS, kindOf, parseFeedMessage } from './protocol.js';
import type { DataMessage, FeedKind, FeedMessage } from './protocol.js';

/**
 * What a feed refused and repaired, counted. Every message received is counted once in `received`
 * and then either passed on (`accepted` data rows, `heartbeats`, `control`) or refused under exactly
 * one of the other counters; `refusals` keeps the first reasons, one line each.
 */
export interface FeedStats {
  received: number;
  /** Data rows passed on to the batches. */
  accepted: number;
  heartbeats: number;
  /** hello, end and error messages. */
  control: number;
  /** Not JSON, or not a JSON object. */
  malformed: number;
  /** A `type` the protocol does not have. */
  unknownType: number;
  /** A missing or bad field (named in the reason). */
  invalid: number;
  /** A symbol or kind the client did not subscribe to. */
  unsubscribed: number;
  /** A `seq` at or below the last one seen: sent twice (e.g. again after a resume). */
  duplicateSeq: number;
  /** A timestamp before the last row of its kind (the replay's sources never go back in time). */
  outOfOrder: number;
  /** A bar at the close time of the symbol's previous bar, or a tick equal in every field to the symbol's previous one of its kind. */
  duplicateTs: number;
  /** The first 20 refusals, one line each. */
  refusals: string[];
}

/** A jump in `seq`: messages `after + 1` to `next - 1` never arrived. */
export interface SeqGap {
  readonly after: number;
  readonly next: number;
  readonly missing: number;
}

/** A time the link was down: from the moment it was found dead to the next `hello`. */
export interface Outage {
  readonly startUs: number;
  /** NaN while still down. */
  endUs: number;
  readonly reason: string;
}

/** Gaps in the stream: what was lost, how often the link broke, and how long data was silent. */
export interface GapReport {
  /** The last `seq` received (0 before the first). */
  lastSeq: number;
  seqGaps: SeqGap[];
  /** Sum of `missing` over the seq gaps. */
  missedMessages: number;
  /** Connections made after the first. */
  reconnects: number;
  /** Links found dead because nothing (not even a heartbeat) arrived within the timeout. */
  heartbeatTimeouts: number;
  outages: Outage[];
  /** Wall time spent down, milliseconds (closed outages). */
  downtimeMs: number;
  /** Longest wall time between two data rows (or from the start to the first), milliseconds. */
  longestSilenceMs: number;
  /** Latest data time the stream vouched for (data rows and heartbeats), microseconds; NaN before any. */
  watermarkUs: number;
  /** True once the server said the stream is over (`end`). */
  ended: boolean;
}

/** Numeric codes of the string enums, as the dataset columns hold them. */
const SIDE_CODE = { buy: TRADE_SIDE.buy, sell: TRADE_SIDE.sell, unknown: TRADE_SIDE.unknown, bid: BOOK_SIDE.bid, ask: BOOK_SIDE.ask } as const;
const MAX_REFUSALS = 20;

/** What the transport is told after a message: a control message to act on, or nothing. */
export type Handled = FeedMessage | null;

/**
 * Turns protocol messages into the replay's column batches, refusing what would corrupt a run:
 * - malformed JSON, an unknown `type`, a missing or bad field: refused (the reason names the field);
 * - a symbol or kind not subscribed: refused;
 * - a `seq` not above the last one: refused as a duplicate; a jump: accepted, the gap recorded;
 * - a row stamped before the last row of its kind: refused (out of order; the replay's merge needs each
 *   kind in time order across its symbols);
 * - a bar at its symbol's previous bar close time, or a tick (trade, quote, book row) equal in every
 *   field, `ts` included, to the previous one of its symbol and kind: refused as a repeat. Ticks of one
 *   symbol at the same microsecond with different values are kept, in arrival order.
 * Every refusal is counted in {@link FeedStats}; nothing is repaired by changing a value. The
 * assembler is transport-free: the WebSocket and JSON-lines adapters feed it text.
 */
export class FeedAssembler {
  readonly stats: FeedStats = {
    received: 0,
    accepted: 0,
    heartbeats: 0,
    control: 0,
    malformed: 0,
    unknownType: 0,
    invalid: 0,
    unsubscribed: 0,
    duplicateSeq: 0,
    outOfOrder: 0,
    duplicateTs: 0,
    refusals: [],
  };
  readonly gaps: GapReport = {
    lastSeq: 0,
    seqGaps: [],
    missedMessages: 0,
    reconnects: 0,
    heartbeatTimeouts: 0,
    outages: [],
    downtimeMs: 0,
    longestSilenceMs: 0,
    watermarkUs: Number.NaN,
    ended: false,
  };
  /** Called with the text of each accepted data message (a live session journals it); null: none. */
  onAccepted: ((text: string, message: DataMessage) => void) | null = null;
  /** Per kind the batches of accepted rows; only the subscribed kinds are read. */
  readonly queues: { readonly [K in FeedKind]: BatchQueue<K> };
  private readonly index: Map<string, number>;
  private readonly subscribed: ReadonlySet<FeedKind>;
  private readonly lastTs: Record<FeedKind, number>;
  /** Per kind, per symbol: the previous accepted row's ts and values (NaN none). */
  private readonly previous: Record<FeedKind, Float64Array>;
  private readonly values = new Float64Array(6);
  private lastDataWallUs: number;

  constructor(
    readonly symbols: readonly string[],
    kinds: readonly FeedKind[],
    private readonly timers: LiveTimers,
    private readonly onRows?: (kind: FeedKind) => void,
  ) {
    this.index = new Map(symbols.map((s, i) => [s, i]));
    this.subscribed = new Set(kinds);
    this.queues = {
      bars: new BatchQueue(new BatchBuilder('bars')),
      trades: new BatchQueue(new BatchBuilder('trades')),
      quotes: new BatchQueue(new BatchBuilder('quotes')),
      book: new BatchQueue(new BatchBuilder('book')),
    };
    const per = (k: FeedKind): Float64Array => new Float64Array(symbols.length * (1 + KIND_COLUMNS[k].length)).fill(Number.NaN);
    this.previous = { bars: per('bars'), trades: per('trades'), quotes: per('quotes'), book: per('book') };
    this.lastTs = { bars: -Infinity, trades: -Infinity, quotes: -Infinity, book: -Infinity };
    this.lastDataWallUs = timers.nowUs();
  }

  /** Handles one received text; returns the control message (hello, heartbeat, end, error, ...) for the transport, or null. Never throws. */
  handleText(text: string): Handled {
    this.stats.received++;
    const parsed = parseFeedMessage(text);
    if (!parsed.ok) {
      this.refuse(parsed.refusal, parsed.reason);
      // A refused message that carried a valid seq still used it: the next one is not a gap.
      const seq = rawSeq(text);
      if (seq !== null && seq > this.gaps.lastSeq) this.advanceSeq(seq);
      return null;
    }
    const m = parsed.message;
    const kind = kindOf(m.type);
    if (kind === null) {
      if (m.type === 'heartbeat') {
        this.stats.heartbeats++;
        if (m.seq !== undefined) this.sentUpTo(m.seq);
        this.raiseWatermark(m.ts);
      } else {
        this.stats.control++;
        if (m.type === 'end') {
          this.sentUpTo(m.seq);
          this.gaps.ended = true;
        }
      }
      return m;
    }
    if (this.onData(m as DataMessage, kind)) this.onAccepted?.(text, m as DataMessage);
    return null;
  }

  /** Ends every kind's batches (with `error` when the feed failed). */
  finish(error?: Error): void {
    for (const k of FEED_KINDS) this.queues[k].end(error);
  }

  /** Records that the link went down (`reason`), now. */
  linkDown(reason: string): void {
    const last = this.gaps.outages[this.gaps.outages.length - 1];
    if (last !== undefined && Number.isNaN(last.endUs)) return;
    this.gaps.outages.push({ startUs: this.timers.nowUs(), endUs: Number.NaN, reason });
  }

  /** Records that the link is up again (a `hello` arrived). */
  linkUp(): void {
    const last = this.gaps.outages[this.gaps.outages.length - 1];
    if (last === undefined || !Number.isNaN(last.endUs)) return;
    last.endUs = this.timers.nowUs();
    this.gaps.downtimeMs += (last.endUs - last.startUs) / 1000;
  }

  /** Takes one data message; returns true when it was accepted. */
  private onData(m: DataMessage, kind: FeedKind): boolean {
    if (m.seq !== undefined) {
      if (m.seq <= this.gaps.lastSeq) {
        this.refuse('duplicateSeq', `${m.type} of ${m.symbol}: seq ${m.seq} already received (last ${this.gaps.lastSeq})`);
        return false;
      }
      this.advanceSeq(m.seq);
    }
    const sym = this.index.get(m.symbol);
    if (sym === undefined || !this.subscribed.has(kind)) {
      this.refuse('unsubscribed', `${m.type} of ${m.symbol}${m.seq !== undefined ? ` (seq ${m.seq})` : ''}: ${sym === undefined ? 'symbol' : 'kind'} not subscribed`);
      return false;
    }
    const ts = m.ts;
    if (ts < this.lastTs[kind]) {
      this.refuse('outOfOrder', `${m.type} of ${m.symbol}${m.seq !== undefined ? ` (seq ${m.seq})` : ''}: ts ${ts} is before the last ${m.type}'s ${this.lastTs[kind]}`);
      return false;
    }
    const v = this.values;
    switch (m.type) {
      case 'bar':
        v[0] = m.barTs;
        v[1] = m.open;
        v[2] = m.high;
        v[3] = m.low;
        v[4] = m.close;
        v[5] = m.volume;
        break;
      case 'trade':
        v[0] = m.price;
        v[1] = m.size;
        v[2] = SIDE_CODE[m.side];
        break;
      case 'quote':
        v[0] = m.bid;
        v[1] = m.bidSize;
        v[2] = m.ask;
        v[3] = m.askSize;
        break;
      case 'book':
        v[0] = SIDE_CODE[m.side];
        v[1] = m.price;
        v[2] = m.size;
        v[3] = BOOK_ACTION[m.action];
        v[4] = m.flags;
        break;
    }
    const width = 1 + KIND_COLUMNS[kind].length;
    const prev = this.previous[kind];
    const at = sym * width;
    if (kind === 'bars' ? prev[at] === ts : sameRow(prev, at, ts, v, width)) {
      this.refuse('duplicateTs', kind === 'bars' ? `bar of ${m.symbol}: a second bar closing at ts ${ts}` : `${m.type} of ${m.symbol}: a repeat of the previous ${m.type} (ts ${ts}, every field equal)`);
      return false;
    }
    prev[at] = ts;
    for (let c = 1; c < width; c++) prev[at + c] = v[c - 1]!;
    this.lastTs[kind] = ts;
    this.queues[kind].builder.push(ts, sym, v);
    this.stats.accepted++;
    const now = this.timers.nowUs();
    const silence = (now - this.lastDataWallUs) / 1000;
    if (silence > this.gaps.longestSilenceMs) this.gaps.longestSilenceMs = silence;
    this.lastDataWallUs = now;
    this.raiseWatermark(ts);
    this.queues[kind].notify();
    this.onRows?.(kind);
    return true;
  }

  private advanceSeq(seq: number): void {
    const g = this.gaps;
    if (seq > g.lastSeq + 1) {
      const missing = seq - g.lastSeq - 1;
      g.seqGaps.push({ after: g.lastSeq, next: seq, missing });
      g.missedMessages += missing;
    }
    g.lastSeq = seq;
  }

  /** A heartbeat or `end` says the server sent every seq up to `seq`: the ones not received are a gap. */
  private sentUpTo(seq: number): void {
    if (seq <= this.gaps.lastSeq) return;
    this.advanceSeq(seq + 1);
    this.gaps.lastSeq = seq;
  }

  private raiseWatermark(ts: number): void {
    if (!(ts <= this.gaps.watermarkUs)) this.gaps.watermarkUs = ts;
  }

  private refuse(counter: 'malformed' | 'unknownType' | 'invalid' | 'unsubscribed' | 'duplicateSeq' | 'outOfOrder' | 'duplicateTs', reason: string): void {
    this.stats[counter]++;
    if (this.stats.refusals.length < MAX_REFUSALS) this.stats.refusals.push(`${counter}: ${reason}`);
  }
}

function sameRow(prev: Float64Array, at: number, ts: number, v: Float64Array, width: number): boolean {
  if (prev[at] !== ts) return false;
  for (let c = 1; c < width; c++) if (prev[at + c] !== v[c - 1]) return false;
  return true;
}

/** The `seq` of a refused message when it has a usable one (a positive safe integer), else null. */
function rawSeq(text: string): number | null {
  try {
    const raw = JSON.parse(text) as { seq?: unknown } | null;
    const s = raw !== null && typeof raw === 'object' ? raw.seq : undefined;
    return typeof s === 'number' && Number.isSafeInteger(s) && s >= 1 ? s : null;
  } catch {
    return null;
  }
}

/** The batches of every subscribed kind, as ReplayFeeds takes them. */
export type FeedBatches = { readonly [K in FeedKind]?: AsyncIterable<KindBatch[K]> };

/** Returns the async iterables of `kinds` of an assembler. */
export function batchesOf(assembler: FeedAssembler, kinds: readonly FeedKind[]): FeedBatches {
  const out: { [K in FeedKind]?: AsyncIterable<KindBatch[K]> } = {};
  for (const k of kinds) (out as Record<FeedKind, unknown>)[k] = assembler.queues[k];
  return out;
}
