import type { BarBatch, BookBatch, QuoteBatch, TradeBatch } from '../../engine/model/index.js';
import type { FeedKind } from './protocol.js';

/** The column batch each feed kind becomes: the replay's own batch types (engine/model). */
export interface KindBatch {
  bars: BarBatch;
  trades: TradeBatch;
  quotes: QuoteBatch;
  book: BookBatch;
}

/** The value columns of each kind after `ts` and `symbol`, in the order rows are appended. */
export const KIND_COLUMNS = {
  bars: ['barTs', 'open', 'high', 'low', 'close', 'volume'],
  trades: ['price', 'size', 'side'],
  quotes: ['bid', 'bidSize', 'ask', 'askSize'],
  book: ['side', 'price', 'size', 'action', 'flags'],
} as const satisfies Record<FeedKind, readonly string[]>;

/**
 * Rows of one kind accumulated as they arrive, taken as one column batch of the replay's type. Code
 * columns (trade side, book side/action/flags) are Float64 like the dataset reader's.
 */
export class BatchBuilder<K extends FeedKind> {
  length = 0;
  private ts: Float64Array;
  private symbol: Int32Array;
  private readonly cols: Float64Array[];

  constructor(
    readonly kind: K,
    private readonly capacity = 256,
  ) {
    this.ts = new Float64Array(capacity);
    this.symbol = new Int32Array(capacity);
    this.cols = KIND_COLUMNS[kind].map(() => new Float64Array(capacity));
  }

  /** Appends a row: `values` in {@link KIND_COLUMNS} order. */
  push(ts: number, symbol: number, values: ArrayLike<number>): void {
    const n = this.length;
    if (n === this.ts.length) this.grow(n * 2);
    this.ts[n] = ts;
    this.symbol[n] = symbol;
    const cols = this.cols;
    for (let c = 0; c < cols.length; c++) cols[c]![n] = values[c]!;
    this.length = n + 1;
  }

  /** Returns the rows appended since the last take as one batch (they are no longer held here). */
  take(): KindBatch[K] {
    const n = this.length;
    const out: Record<string, unknown> = { length: n, ts: this.ts.subarray(0, n), symbol: this.symbol.subarray(0, n) };
    KIND_COLUMNS[this.kind].forEach((name, c) => (out[name] = this.cols[c]!.subarray(0, n)));
    this.ts = new Float64Array(this.capacity);
    this.symbol = new Int32Array(this.capacity);
    for (let c = 0; c < this.cols.length; c++) this.cols[c] = new Float64Array(this.capacity);
    this.length = 0;
    return out as unknown as KindBatch[K];
  }

  private grow(cap: number): void {
    const ts = new Float64Array(cap);
    ts.set(this.ts);
    this.ts = ts;
    const symbol = new Int32Array(cap);
    symbol.set(this.symbol);
    this.symbol = symbol;
    for (let c = 0; c < this.cols.length; c++) {
      const a = new Float64Array(cap);
      a.set(this.cols[c]!);
      this.cols[c] = a;
    }
  }
}

/**
 * One kind's rows as an async iterable of column batches, the shape ReplayFeeds takes: each `next()`
 * returns every row that arrived since the previous one (waiting for at least one), ends when the feed
 * ends, and rejects with the feed's error when it failed (after the rows that came before it).
 */
export class BatchQueue<K extends FeedKind> implements AsyncIterable<KindBatch[K]> {
  private waiter: (() => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private iterating = false;

  constructor(readonly builder: BatchBuilder<K>) {}

  /** Wakes a waiting consumer: rows were appended. */
  notify(): void {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  }

  /** Ends the stream (with `error` when the feed failed). */
  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = error;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<KindBatch[K]> {
    if (this.iterating) throw new Error(`the ${this.builder.kind} feed is already being read (one reader per kind)`);
    this.iterating = true;
    for (;;) {
      if (this.builder.length > 0) {
        yield this.builder.take();
        continue;
      }
      if (this.ended) {
        if (this.failure !== null) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
