import type { Calendar, Symbol_ } from '../../engine/core/index.js';
import type { ExecutionEngine } from '../../engine/execution/index.js';
import { ArrayBatchSource } from '../../engine/kernel/index.js';
import type { TimeBatch } from '../../engine/kernel/index.js';
import type { BarBatch, ChainBatch, InstrumentSpec, QuoteBatch, SentimentBatch, TradeBatch } from '../../engine/model/index.js';
import { SimulatedVenue } from '../venue/index.js';
import type { VenueConfig } from '../venue/index.js';
import { CHAIN_QUOTE_SIZE } from './option-replay.js';
import type { OptionReplay } from './option-replay.js';
import type { TradingEngine } from '../../engine/kernel/trading-engine.js';
import type { EquitySampler, ReplayFeeds, ReplayLane, ReplayRun, ReplayTally, VenueSide } from './replay.js';
import type { RunResult } from './run-result.js';

// At equal timestamps: quotes, then trades, then bars, then option chains, then sentiment scores
// (a score stamped at a bar's close follows the bar). Strategy timers fire before data of the same
// time (the sequencer's default timer priority, 0).
const PRIORITY_QUOTES = 0;
const PRIORITY_TRADES = 1;
const PRIORITY_BARS = 2;
const PRIORITY_CHAINS = 3;
const PRIORITY_SENTIMENT = 4;

/** A lane over one feed: its own source and reader. */
abstract class FeedLane<B extends TimeBatch> implements ReplayLane {
  readonly source: ArrayBatchSource<B>;
  private readonly reader: AsyncIterator<B>;
  // The parts of the run every row touches, held directly (one load each per row).
  protected readonly engine: TradingEngine;
  protected readonly tally: ReplayTally;
  protected readonly sampler: EquitySampler;
  protected readonly firstPrice: Float64Array;

  constructor(name: string, priority: number, feed: AsyncIterable<B>, protected readonly venue: SimulatedVenue, run: ReplayRun) {
    this.source = new ArrayBatchSource<B>(name, priority);
    this.reader = feed[Symbol.asyncIterator]();
    this.engine = run.engine;
    this.tally = run.tally;
    this.sampler = run.sampler;
    this.firstPrice = run.tally.firstPrice;
  }

  abstract onRow(): void;

  async refill(): Promise<void> {
    const r = await this.reader.next();
    if (r.done) this.source.end();
    else this.source.push(r.value);
  }
}

/** Bars: the venue fills working orders along the bar (after the time advance of a new close time), then the engine. */
class BarLane extends FeedLane<BarBatch> {
  constructor(feed: AsyncIterable<BarBatch>, venue: SimulatedVenue, run: ReplayRun) {
    super('bars', PRIORITY_BARS, feed, venue, run);
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const venue = this.venue;
    const sampler = this.sampler;
    const i = b.symbol[r]!;
    if (sampler.onBarRow(b, r)) venue.onTimeAdvance(sampler.barStamp);
    // The row, not its numbers: see SimulatedVenue.onBarRow.
    venue.onBarRow(i, b, r);
    const firstPrice = this.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = b.close[r]!;
    this.engine.onBarRow(i, b, r);
    this.tally.barCount++;
  }
}

/** Quotes: the venue (resting limits crossed by the quote), then the engine. */
class QuoteLane extends FeedLane<QuoteBatch> {
  constructor(feed: AsyncIterable<QuoteBatch>, venue: SimulatedVenue, run: ReplayRun) {
    super('quotes', PRIORITY_QUOTES, feed, venue, run);
  }

  onRow(): void {
    const q = this.source.batch!;
    const r = this.source.row;
    const i = q.symbol[r]!;
    const ts = q.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.venue.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
    this.engine.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
    const firstPrice = this.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = (q.bid[r]! + q.ask[r]!) / 2;
    this.tally.quoteCount++;
    this.sampler.onTick(ts);
  }
}

/** Trade prints: the venue, then the engine. */
class TradeLane extends FeedLane<TradeBatch> {
  constructor(feed: AsyncIterable<TradeBatch>, venue: SimulatedVenue, run: ReplayRun) {
    super('trades', PRIORITY_TRADES, feed, venue, run);
  }

  onRow(): void {
    const t = this.source.batch!;
    const r = this.source.row;
    const i = t.symbol[r]!;
    const ts = t.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.venue.onTrade(i, ts, t.price[r]!, t.size[r]!, Math.sign(t.side[r]!) as -1 | 0 | 1);
    this.engine.onTrade(i, ts, t.price[r]!, t.size[r]!, t.side[r]!);
    const firstPrice = this.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = t.price[r]!;
    this.tally.tradeCount++;
    this.sampler.onTick(ts);
  }
}

/** Option chain rows: the option book and chain view; two-sided rows are also quotes to the venue and the engine. */
class ChainLane extends FeedLane<ChainBatch> {
  private readonly options: OptionReplay;
  private readonly mark: Float64Array;

  constructor(feed: AsyncIterable<ChainBatch>, venue: SimulatedVenue, run: ReplayRun) {
    super('chains', PRIORITY_CHAINS, feed, venue, run);
    this.options = run.options!;
    this.mark = run.portfolio.mark;
  }

  onRow(): void {
    const c = this.source.batch!;
    const r = this.source.row;
    const i = c.symbol[r]!;
    const ts = c.ts[r]!;
    this.venue.onTimeAdvance(ts);
    if (this.options.onRow(c, r)) {
      this.venue.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
      this.engine.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
    }
    const firstPrice = this.firstPrice;
    const mark = this.mark;
    if (firstPrice[i] !== firstPrice[i] && mark[i]! > 0) firstPrice[i] = mark[i]!;
    this.sampler.onTick(ts);
  }
}

/**
 * Sentiment scores: the engine only (a score is no price: the venue and the marks do not see it). The
 * venue's clock advances to the score's time first, as for every event, so orders the strategies send
 * on it are submitted at that time.
 */
class SentimentLane extends FeedLane<SentimentBatch> {
  constructor(feed: AsyncIterable<SentimentBatch>, venue: SimulatedVenue, run: ReplayRun) {
    super('sentiment', PRIORITY_SENTIMENT, feed, venue, run);
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const ts = b.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.engine.onSentiment(b.symbol[r]!, ts, b.score[r]!, b.mentions[r]!);
    this.sampler.onTick(ts);
  }
}

/**
 * The bar/L1 venue side: a {@link SimulatedVenue} connected straight to the execution engine (zero
 * latency). Each event is one lane: the venue sees it (fills of working orders at that bar's open,
 * stops and limits along the intrabar path, quotes crossing resting limits), then the engine marks the
 * portfolio and calls the strategies, whose new orders can first fill on the next event.
 */
export class L1Side implements VenueSide {
  readonly books = null;
  readonly timerPriority = 0;
  private venue: SimulatedVenue | null = null;

  constructor(
    private readonly config: VenueConfig,
    private readonly symbols: readonly Symbol_[],
    /** Per symbol, the instrument whose tick and lot size replace the venue's (see SimulatedVenue.useInstruments). */
    private readonly instruments?: readonly (InstrumentSpec | null)[],
    /** The trading calendar: DAY orders expire at its session close. */
    private readonly calendar?: Calendar,
  ) {}

  connect(execution: ExecutionEngine): void {
    const venue = new SimulatedVenue(this.config, execution, this.symbols, this.calendar);
    if (this.instruments !== undefined) venue.useInstruments(this.instruments);
    execution.connect(venue);
    this.venue = venue;
  }

  lanes(feeds: ReplayFeeds, run: ReplayRun): ReplayLane[] {
    const venue = this.venue!;
    const lanes: ReplayLane[] = [];
    if (feeds.quotes) lanes.push(new QuoteLane(feeds.quotes, venue, run));
    if (feeds.trades) lanes.push(new TradeLane(feeds.trades, venue, run));
    if (feeds.bars) lanes.push(new BarLane(feeds.bars, venue, run));
    if (feeds.chains) lanes.push(new ChainLane(feeds.chains, venue, run));
    if (feeds.sentiment) lanes.push(new SentimentLane(feeds.sentiment, venue, run));
    return lanes;
  }

  onTimer(): boolean {
    return false;
  }

  afterStep(): void {}

  drain(): void {}

  assumptions(): string[] {
    return [...this.venue!.assumptions()];
  }

  summary(): Partial<RunResult> {
    return {};
  }
}
