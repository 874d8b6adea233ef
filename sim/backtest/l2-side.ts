import { InvalidArgumentError, InvariantError, RandomStreams } from '../../engine/core/index.js';
import type { Symbol_ } from '../../engine/core/index.js';
import type { ExecutionEngine } from '../../engine/execution/index.js';
import { ArrayBatchSource } from '../../engine/kernel/index.js';
import type { SimulatedClock, TimeBatch, TimerQueue } from '../../engine/kernel/index.js';
import type { BookBatch, TradeBatch } from '../../engine/model/index.js';
import { createLatencyModel, L2Venue, LatencyLink, OrderBook } from '../venue/l2/index.js';
import type { BookRepairCounters, L2VenueConfig, LatencyConfig, LatencyModel, TakerExecution } from '../venue/l2/index.js';
import type { VenueRequestRejection } from '../venue/index.js';
import type { ReplayFeeds, ReplayLane, ReplayRun, ReplayTally, VenueSide } from './replay.js';
import type { RunResult } from './run-result.js';

/** The three latencies of an L2 replay. */
export interface L2LatencyConfig {
  /** Exchange event -> strategy (tsLocal = tsEvent + feed latency), per book row and per print. */
  readonly feed: LatencyConfig;
  /** Strategy request -> venue. */
  readonly entry: LatencyConfig;
  /** Venue event -> strategy. */
  readonly response: LatencyConfig;
}

export const ZERO_LATENCY: L2LatencyConfig = Object.freeze({
  feed: Object.freeze({ kind: 'constant', us: 0 }),
  entry: Object.freeze({ kind: 'constant', us: 0 }),
  response: Object.freeze({ kind: 'constant', us: 0 }),
} as const);

/**
 * Returns the latency configuration with every default (zero) applied, each part checked by building
 * its model; unknown keys and invalid values throw InvalidArgumentError naming `path.<part>`.
 */
export function l2LatencyConfig(input: Partial<Record<keyof L2LatencyConfig, LatencyConfig>> = {}, path = 'latency'): L2LatencyConfig {
  for (const key of Object.keys(input)) {
    if (key !== 'feed' && key !== 'entry' && key !== 'response') throw new InvalidArgumentError(`invalid '${path}.${key}': unknown key (allowed: feed, entry, response)`);
  }
  const probe = new RandomStreams(0, 'check');
  const part = (k: keyof L2LatencyConfig): LatencyConfig => {
    const c = structuredClone(input[k] ?? ZERO_LATENCY[k]);
    createLatencyModel(c, probe.stream(k), `${path}.${k}`);
    return Object.freeze(c);
  };
  return Object.freeze({ feed: part('feed'), entry: part('entry'), response: part('response') });
}

/** What strategies of an L2 run may read besides their StrategyContext: the books as they see them. */
export interface L2BookView {
  /** Returns the strategy-side replica of `symbol`'s book, as of the strategy's now (feed latency applied). Read it, never apply rows to it. */
  book(symbol: string): OrderBook;
}

/** The book-specific figures of an L2 run. */
export interface L2RunSummary {
  readonly bookRows: number;
  /** Top-of-book changes delivered to strategies as quotes. */
  readonly quotes: number;
  /** What the repair policy did, per symbol (exchange-side book). */
  readonly repairs: Readonly<Record<string, BookRepairCounters>>;
  readonly takerExecutions: readonly TakerExecution[];
  /** Cancel and replace requests the venue refused, e.g. cancels that arrived after the fill. */
  readonly requestRejections: readonly VenueRequestRejection[];
  /** Requests sent to the venue and events returned from it. */
  readonly messagesSent: number;
  readonly messagesReturned: number;
}

// Exchange-side sources come first at equal timestamps, then in-flight messages and strategy
// timers (the sequencer's timer priority), then what the strategies see.
const PRIORITY_EXCHANGE_BOOK = 0;
const PRIORITY_EXCHANGE_TRADES = 1;
const PRIORITY_TIMERS = 2;
const PRIORITY_LOCAL_BOOK = 3;
const PRIORITY_LOCAL_TRADES = 4;
/** Timer names of the two latency queues; they sort before strategy timers and are not the engine's. */
const TIMER_ARRIVALS = '\u0001l2.arrivals';
const TIMER_RESPONSES = '\u0001l2.responses';
const MAX_DRAIN = 1_000_000;

/** Returns a copy of `batch` whose `ts` is the strategy-side time (feed latency applied, FIFO). */
function localBatch<B extends TimeBatch>(batch: B, feed: LatencyModel, zero: boolean, last: { ts: number }): B {
  if (zero) return batch;
  const n = batch.length;
  const ts = new Float64Array(n);
  let prev = last.ts;
  for (let i = 0; i < n; i++) {
    const t = Math.max(batch.ts[i]! + feed.next(), prev);
    ts[i] = t;
    prev = t;
  }
  last.ts = prev;
  return { ...batch, ts };
}

/**
 * One feed seen twice: an exchange-side source (the rows at their exchange time) and a strategy-side
 * source (the same rows at tsLocal = tsEvent + feed latency, FIFO). Either one starving reads the
 * feed on for both.
 */
class TwoSidedFeed<B extends TimeBatch> {
  readonly exchange: ArrayBatchSource<B>;
  readonly local: ArrayBatchSource<B>;
  private readonly reader: AsyncIterator<B>;
  private readonly last = { ts: -Infinity };

  constructor(
    name: string,
    exchangePriority: number,
    localPriority: number,
    feed: AsyncIterable<B>,
    private readonly latency: LatencyModel,
    private readonly zero: boolean,
  ) {
    this.exchange = new ArrayBatchSource<B>(name, exchangePriority);
    this.local = new ArrayBatchSource<B>(`${name} (strategy side)`, localPriority);
    this.reader = feed[Symbol.asyncIterator]();
  }

  async refill(): Promise<void> {
    const r = await this.reader.next();
    if (r.done) {
      this.exchange.end();
      this.local.end();
      return;
    }
    this.exchange.push(r.value);
    this.local.push(localBatch(r.value, this.latency, this.zero, this.last));
  }
}

/** Book rows at exchange time: the venue's book (and the queues of own orders). */
class ExchangeBookLane implements ReplayLane {
  readonly source: ArrayBatchSource<BookBatch>;

  constructor(
    private readonly feed: TwoSidedFeed<BookBatch>,
    private readonly venue: L2Venue,
    private readonly run: ReplayRun,
  ) {
    this.source = feed.exchange;
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const ts = b.ts[r]!;
    const tally = this.run.tally;
    this.venue.onTimeAdvance(ts);
    this.venue.onBookDelta(b.symbol[r]!, ts, b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, tally.bookRows);
    tally.bookRows++; // exchange-side rows are consumed in feed order: this counts the feed's row index
  }

  refill(): Promise<void> {
    return this.feed.refill();
  }
}

/** Book rows at strategy time: the replica books; each change of a replica's top of book is a quote to the engine. */
class LocalBookLane implements ReplayLane {
  readonly source: ArrayBatchSource<BookBatch>;
  private readonly topBid: Float64Array;
  private readonly topBidSize: Float64Array;
  private readonly topAsk: Float64Array;
  private readonly topAskSize: Float64Array;

  constructor(
    private readonly feed: TwoSidedFeed<BookBatch>,
    private readonly books: readonly OrderBook[],
    private readonly run: ReplayRun,
  ) {
    this.source = feed.local;
    const n = books.length;
    this.topBid = new Float64Array(n).fill(Number.NaN);
    this.topBidSize = new Float64Array(n);
    this.topAsk = new Float64Array(n).fill(Number.NaN);
    this.topAskSize = new Float64Array(n);
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const i = b.symbol[r]!;
    const ts = b.ts[r]!;
    const book = this.books[i]!;
    book.apply(b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, ts, -1);
    if (!book.snapshotPending && book.levelCount(1) > 0 && book.levelCount(-1) > 0) {
      const bid = book.bestBid;
      const bidSize = book.bestBidSize;
      const ask = book.bestAsk;
      const askSize = book.bestAskSize;
      if (bid !== this.topBid[i] || ask !== this.topAsk[i] || bidSize !== this.topBidSize[i] || askSize !== this.topAskSize[i]) {
        this.topBid[i] = bid;
        this.topBidSize[i] = bidSize;
        this.topAsk[i] = ask;
        this.topAskSize[i] = askSize;
        const firstPrice = run.tally.firstPrice;
        if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = (bid + ask) / 2;
        run.engine.onQuote(i, ts, bid, bidSize, ask, askSize);
        run.tally.quoteCount++;
      }
    }
    run.sampler.onTick(ts);
  }

  refill(): Promise<void> {
    return this.feed.refill();
  }
}

/** Trade prints at exchange time: the venue (queue advancement at own prices). */
class ExchangeTradeLane implements ReplayLane {
  readonly source: ArrayBatchSource<TradeBatch>;

  constructor(
    private readonly feed: TwoSidedFeed<TradeBatch>,
    private readonly venue: L2Venue,
  ) {
    this.source = feed.exchange;
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const ts = b.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.venue.onTrade(b.symbol[r]!, ts, b.price[r]!, b.size[r]!, b.side[r]!);
  }

  refill(): Promise<void> {
    return this.feed.refill();
  }
}

/** Trade prints at strategy time: the engine. */
class LocalTradeLane implements ReplayLane {
  readonly source: ArrayBatchSource<TradeBatch>;

  constructor(
    private readonly feed: TwoSidedFeed<TradeBatch>,
    private readonly run: ReplayRun,
  ) {
    this.source = feed.local;
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const i = b.symbol[r]!;
    const ts = b.ts[r]!;
    const firstPrice = run.tally.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = b.price[r]!;
    run.engine.onTrade(i, ts, b.price[r]!, b.size[r]!, b.side[r]!);
    run.tally.tradeCount++;
    run.sampler.onTick(ts);
  }

  refill(): Promise<void> {
    return this.feed.refill();
  }
}

/**
 * The L2 venue side: an {@link L2Venue} behind a {@link LatencyLink}. Each book row and print is seen
 * twice: by the venue at its exchange time, and by the strategies at tsLocal = tsEvent + feed latency,
 * through a strategy-side replica of the book; each change of its top of book reaches the strategies
 * as a quote (`onQuote`), prints as trades (`onTrade`), and the full depth through the
 * {@link L2BookView} given to `createStrategies`. Orders travel through the link's two queues (entry
 * and response latency), whose next due times are timers in the kernel's timer queue, so one clock
 * orders everything and never goes backwards. At equal timestamps: exchange-side rows, then in-flight
 * messages and strategy timers, then strategy-side rows. When the data ends, the messages still in
 * flight are delivered (against the last book).
 */
export class L2Side implements VenueSide {
  readonly books: L2BookView;
  readonly timerPriority = PRIORITY_TIMERS;
  private readonly localBooks: OrderBook[];
  private readonly latency: L2LatencyConfig;
  private readonly feedBook: LatencyModel;
  private readonly feedTrades: LatencyModel;
  private readonly entry: LatencyModel;
  private readonly response: LatencyModel;
  private readonly zeroFeed: boolean;
  private link: LatencyLink | null = null;
  private venue: L2Venue | null = null;
  private timers: TimerQueue | null = null;
  private scheduledArrivals = Infinity;
  private scheduledResponses = Infinity;

  constructor(
    private readonly config: L2VenueConfig,
    latency: L2LatencyConfig | undefined,
    seed: number,
    runKey: string | undefined,
    private readonly symbols: readonly Symbol_[],
  ) {
    const symbolIndex = new Map<string, number>(symbols.map((s, i) => [s, i]));
    const localBooks = symbols.map(
      (s) => new OrderBook({ tickSize: config.tickSizes[s] ?? config.tickSize, fullDepth: config.fullDepth, repair: config.repair, name: `book:${s} (strategy side)` }),
    );
    this.localBooks = localBooks;
    this.books = {
      book(symbol: string): OrderBook {
        const i = symbolIndex.get(symbol);
        if (i === undefined) throw new InvalidArgumentError(`unknown symbol '${symbol}': not in this run's data (${symbols.join(', ')})`);
        return localBooks[i]!;
      },
    };
    this.latency = latency ?? ZERO_LATENCY;
    const streams = new RandomStreams(seed, runKey ?? 'run');
    const model = (c: LatencyConfig, name: string): LatencyModel => createLatencyModel(c, c.kind === 'constant' ? null : streams.stream(name), `latency.${name.split('.')[1]}`);
    this.feedBook = model(this.latency.feed, 'latency.feed.book');
    this.feedTrades = model(this.latency.feed, 'latency.feed.trades');
    this.entry = model(this.latency.entry, 'latency.entry');
    this.response = model(this.latency.response, 'latency.response');
    this.zeroFeed = this.latency.feed.kind === 'constant' && this.latency.feed.us === 0;
  }

  connect(execution: ExecutionEngine, clock: SimulatedClock, timers: TimerQueue): void {
    const link = new LatencyLink(this.entry, this.response, execution, clock);
    const venue = new L2Venue(this.config, link, this.symbols);
    link.connect(venue);
    execution.connect(link);
    this.link = link;
    this.venue = venue;
    this.timers = timers;
  }

  lanes(feeds: ReplayFeeds, run: ReplayRun): ReplayLane[] {
    const venue = this.venue!;
    const book = new TwoSidedFeed<BookBatch>('book', PRIORITY_EXCHANGE_BOOK, PRIORITY_LOCAL_BOOK, feeds.book!, this.feedBook, this.zeroFeed);
    const lanes: ReplayLane[] = [new ExchangeBookLane(book, venue, run), new LocalBookLane(book, this.localBooks, run)];
    if (feeds.trades) {
      const trades = new TwoSidedFeed<TradeBatch>('trades', PRIORITY_EXCHANGE_TRADES, PRIORITY_LOCAL_TRADES, feeds.trades, this.feedTrades, this.zeroFeed);
      lanes.push(new ExchangeTradeLane(trades, venue), new LocalTradeLane(trades, run));
    }
    return lanes;
  }

  onTimer(name: string, ts: number): boolean {
    if (name === TIMER_ARRIVALS) {
      this.scheduledArrivals = Infinity;
      this.link!.deliverArrivals(ts);
      return true;
    }
    if (name === TIMER_RESPONSES) {
      this.scheduledResponses = Infinity;
      this.link!.deliverResponses(ts);
      return true;
    }
    return false;
  }

  /** Schedules the link's next arrival and response as timers when they are due before what is scheduled. */
  afterStep(): void {
    const link = this.link!;
    const a = link.nextArrivalTs();
    if (a < this.scheduledArrivals) {
      this.timers!.schedule(TIMER_ARRIVALS, a, 0);
      this.scheduledArrivals = a;
    }
    const r = link.nextResponseTs();
    if (r < this.scheduledResponses) {
      this.timers!.schedule(TIMER_RESPONSES, r, 0);
      this.scheduledResponses = r;
    }
  }

  /** The data has ended: delivers what is still in flight, in time order. */
  drain(clock: SimulatedClock): void {
    const link = this.link!;
    for (let k = 0; link.inFlight > 0; k++) {
      if (k >= MAX_DRAIN) throw new InvariantError(`L2 replay: more than ${MAX_DRAIN} order messages after the end of the data (a strategy answering every event with a new request?)`);
      const a = link.nextArrivalTs();
      const r = link.nextResponseTs();
      clock.advanceTo(Math.min(a, r));
      if (a <= r) link.deliverArrivals(a);
      else link.deliverResponses(r);
    }
  }

  assumptions(): string[] {
    return [
      ...this.link!.assumptions(),
      `Feed latency: ${this.feedBook.describe()} from the exchange event to the strategy (tsLocal = tsEvent + latency; book rows and prints each in order)`,
      'Strategies see the book through a replica updated at tsLocal; each change of its top of book is delivered as a quote',
      'At equal timestamps the venue sees market data first, then orders arriving and responses, then the strategies see market data',
    ];
  }

  summary(tally: ReplayTally): Partial<RunResult> {
    const venue = this.venue!;
    const link = this.link!;
    return {
      l2: {
        bookRows: tally.bookRows,
        quotes: tally.quoteCount,
        repairs: venue.repairCounters(),
        takerExecutions: venue.takerExecutions(),
        requestRejections: venue.requestRejections(),
        messagesSent: link.sent,
        messagesReturned: link.returned,
      },
    };
  }
}
