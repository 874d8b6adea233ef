import { readManifest, openReader } from '../../datasets/index.js';
import type { DatasetReader, Manifest } from '../../datasets/index.js';
import { barIntervals, bookFeed, codeMap, openBarFeed, quoteFeed, tradeFeed } from '../../cli/compose/data-sources.js';
import type { OpenedData } from '../../cli/compose/data-sources.js';
import type { TimeBatch } from '../../engine/model/index.js';
import { FEED_KINDS } from './protocol.js';
import type { BarMessage, BookMessage, FeedKind, QuoteMessage, TradeMessage } from './protocol.js';

/** A data message before the server numbers it. */
export type DataFrame = Omit<BarMessage, 'seq'> | Omit<TradeMessage, 'seq'> | Omit<QuoteMessage, 'seq'> | Omit<BookMessage, 'seq'>;

/** Which rows a connection subscribed to; absent: all. */
export interface FrameFilter {
  readonly symbols?: ReadonlySet<string>;
  readonly kinds?: ReadonlySet<FeedKind>;
}

/**
 * At equal timestamps the replay's order of kinds: book rows, quotes, trades, bars (sim/backtest
 * l1-side.ts: quotes, trades, bars; l2-side.ts: book, trades; no replay has both book and quotes).
 */
const KIND_ORDER: readonly FeedKind[] = ['book', 'quotes', 'trades', 'bars'];

const TRADE_SIDES = new Map<number, 'buy' | 'sell' | 'unknown'>([
  [1, 'buy'],
  [-1, 'sell'],
  [0, 'unknown'],
]);
const BOOK_ACTIONS = ['update', 'delete', 'snapshot'] as const;

/**
 * A dataset as a stream of data messages in the replay's time order: each kind read by the run
 * assembly's own feeds (cli/compose/data-sources.ts, so bars carry the close time the replay uses as
 * `ts` and their open as `barTs`), merged by (ts, kind order above, row order within the kind).
 * Every connection opens its own readers; memory stays flat in the tape's length.
 */
export class DatasetFrames {
  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    /** Symbols with at least one served kind, sorted. */
    readonly symbols: readonly string[],
    /** Served kinds, in FEED_KINDS order. */
    readonly kinds: readonly FeedKind[],
    /** Kinds of the dataset that are not served (options, sentiment, closes). */
    readonly skipped: readonly string[],
    private readonly intervals: ReadonlyMap<string, number>,
  ) {}

  /** Opens dataset directory `dir`; throws when it is not a dataset or has nothing to serve. */
  static async open(dir: string): Promise<DatasetFrames> {
    const manifest = await readManifest(dir);
    const kinds = FEED_KINDS.filter((k) => manifest.kinds.includes(k));
    const skipped = manifest.kinds.filter((k) => !(FEED_KINDS as readonly string[]).includes(k));
    if (kinds.length === 0) throw new Error(`dataset ${dir} has no bars, trades, quotes or book to serve (it has ${manifest.kinds.join(', ') || 'nothing'})`);
    const symbols = [...new Set(manifest.files.filter((f) => (kinds as readonly string[]).includes(f.kind)).map((f) => f.symbol))].sort();
    const intervals = kinds.includes('bars') ? await barIntervals(opened(dir, manifest), symbolsOf(manifest, 'bars')) : new Map<string, number>();
    return new DatasetFrames(dir, manifest, symbols, kinds, skipped, intervals);
  }

  /** The stream's identity: the dataset's content hash (a resume is valid only against the same data). */
  get stream(): string {
    return this.manifest.contentHash.slice(0, 16);
  }

  /** Data rows served to a connection subscribed to everything. */
  get rows(): number {
    let n = 0;
    for (const k of this.kinds) for (const c of Object.values(this.manifest.rows[k] ?? {})) n += c;
    return n;
  }

  /** Returns the rows of `filter` in the replay's order; returning early closes the readers. */
  async *frames(filter: FrameFilter = {}): AsyncGenerator<DataFrame> {
    const kinds = KIND_ORDER.filter((k) => this.kinds.includes(k) && (filter.kinds === undefined || filter.kinds.has(k)));
    const readers: DatasetReader[] = [];
    const names = this.symbols;
    try {
      const cursors: Cursor[] = [];
      for (const kind of kinds) {
        const symbols = symbolsOf(this.manifest, kind).filter((s) => filter.symbols === undefined || filter.symbols.has(s));
        if (symbols.length === 0) continue;
        let feed: AsyncIterable<TimeBatch & { symbol: Int32Array }>;
        if (kind === 'bars') {
          const b = await openBarFeed(opened(this.dir, this.manifest), symbols, names, this.intervals, {}, 'open');
          readers.push(...b.readers);
          feed = b.feed;
        } else {
          const r = await openReader(this.dir, { kind, symbols });
          readers.push(r);
          const map = codeMap(r, names);
          feed = kind === 'quotes' ? quoteFeed(r, map) : kind === 'trades' ? tradeFeed(r, map) : bookFeed(r, map);
        }
        cursors.push({ kind, it: feed[Symbol.asyncIterator](), batch: null, row: 0 });
      }
      for (const c of cursors) await step(c, true);
      for (;;) {
        let best: Cursor | null = null;
        for (const c of cursors) if (c.batch !== null && (best === null || c.batch.ts[c.row]! < best.batch!.ts[best.row]!)) best = c;
        if (best === null) return;
        yield frameOf(best.kind, best.batch!, best.row, names);
        await step(best, false);
      }
    } finally {
      for (const r of readers) r.close();
    }
  }
}

interface Cursor {
  readonly kind: FeedKind;
  readonly it: AsyncIterator<TimeBatch & { symbol: Int32Array }>;
  batch: (TimeBatch & { symbol: Int32Array }) | null;
  row: number;
}

/** Moves a cursor to its next row (`first`: to its first), loading batches as needed. */
async function step(c: Cursor, first: boolean): Promise<void> {
  if (!first) {
    if (c.batch === null) return;
    c.row++;
  }
  while (c.batch === null || c.row >= c.batch.length) {
    const next = await c.it.next();
    if (next.done) {
      c.batch = null;
      return;
    }
    c.batch = next.value;
    c.row = 0;
  }
}

function frameOf(kind: FeedKind, batch: TimeBatch & { symbol: Int32Array }, r: number, names: readonly string[]): DataFrame {
  const b = batch as unknown as Record<string, Float64Array>;
  const symbol = names[batch.symbol[r]!]!;
  const ts = batch.ts[r]!;
  switch (kind) {
    case 'bars':
      return { type: 'bar', symbol, ts, barTs: b['barTs']![r]!, open: b['open']![r]!, high: b['high']![r]!, low: b['low']![r]!, close: b['close']![r]!, volume: b['volume']![r]! };
    case 'trades':
      return { type: 'trade', symbol, ts, price: b['price']![r]!, size: b['size']![r]!, side: TRADE_SIDES.get(b['side']![r]!) ?? 'unknown' };
    case 'quotes':
      return { type: 'quote', symbol, ts, bid: b['bid']![r]!, bidSize: b['bidSize']![r]!, ask: b['ask']![r]!, askSize: b['askSize']![r]! };
    case 'book':
      return { type: 'book', symbol, ts, side: b['side']![r]! === 1 ? 'bid' : 'ask', price: b['price']![r]!, size: b['size']![r]!, action: BOOK_ACTIONS[b['action']![r]!]!, flags: b['flags']![r]! };
  }
}

function opened(dir: string, manifest: Manifest): OpenedData {
  return { dir, manifest, source: dir, cleanup: async () => {} };
}

function symbolsOf(manifest: Manifest, kind: FeedKind): string[] {
  return manifest.files.filter((f) => f.kind === kind).map((f) => f.symbol).sort();
}
