import type { Symbol_ } from '../../engine/core/index.js';
import type { ExecutionEngine } from '../../engine/execution/index.js';
import { ArrayBatchSource } from '../../engine/kernel/index.js';
import type { TimeBatch } from '../../engine/kernel/index.js';
import type { BarBatch, ChainBatch, QuoteBatch, TradeBatch } from '../../engine/model/index.js';
import { SimulatedVenue } from '../venue/index.js';
import type { VenueConfig } from '../venue/index.js';
import { CHAIN_QUOTE_SIZE } from './option-replay.js';
import type { ReplayFeeds, ReplayLane, ReplayRun, VenueSide } from './replay.js';
import type { RunResult } from './run-result.js';

// At equal timestamps: quotes, then trades, then bars, then option chains. Strategy timers fire
// before data of the same time (the sequencer's default timer priority, 0).
const PRIORITY_QUOTES = 0;
const PRIORITY_TRADES = 1;
const PRIORITY_BARS = 2;
const PRIORITY_CHAINS = 3;

/** A lane over one feed: its own source and reader. */
abstract class FeedLane<B extends TimeBatch> implements ReplayLane {
  readonly source: ArrayBatchSource<B>;
  private readonly reader: AsyncIterator<B>;

  constructor(name: string, priority: number, feed: AsyncIterable<B>) {
    this.source = new ArrayBatchSource<B>(name, priority);
    this.reader = feed[Symbol.asyncIterator]();
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
  constructor(
    feed: AsyncIterable<BarBatch>,
    private readonly venue: SimulatedVenue,
    private readonly run: ReplayRun,
  ) {
    super('bars', PRIORITY_BARS, feed);
  }

  onRow(): void {
    const b = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const venue = this.venue;
    const i = b.symbol[r]!;
    const barTs = b.barTs[r]!;
    const closeTs = b.ts[r]!;
    if (run.sampler.onBar(closeTs, barTs)) venue.onTimeAdvance(run.sampler.barStamp);
    const c = b.close[r]!;
    venue.onBar(i, barTs, b.open[r]!, b.high[r]!, b.low[r]!, c, b.volume[r]!, closeTs);
    const firstPrice = run.tally.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = c;
    run.engine.onBarRow(i, b, r);
    run.tally.barCount++;
  }
}

/** Quotes: the venue (resting limits crossed by the quote), then the engine. */
class QuoteLane extends FeedLane<QuoteBatch> {
  constructor(
    feed: AsyncIterable<QuoteBatch>,
    private readonly venue: SimulatedVenue,
    private readonly run: ReplayRun,
  ) {
    super('quotes', PRIORITY_QUOTES, feed);
  }

  onRow(): void {
    const q = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const i = q.symbol[r]!;
    const ts = q.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.venue.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
    run.engine.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
    const firstPrice = run.tally.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = (q.bid[r]! + q.ask[r]!) / 2;
    run.tally.quoteCount++;
    run.sampler.onTick(ts);
  }
}

/** Trade prints: the venue, then the engine. */
class TradeLane extends FeedLane<TradeBatch> {
  constructor(
    feed: AsyncIterable<TradeBatch>,
    private readonly venue: SimulatedVenue,
    private readonly run: ReplayRun,
  ) {
    super('trades', PRIORITY_TRADES, feed);
  }

  onRow(): void {
    const t = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const i = t.symbol[r]!;
    const ts = t.ts[r]!;
    this.venue.onTimeAdvance(ts);
    this.venue.onTrade(i, ts, t.price[r]!, t.size[r]!, Math.sign(t.side[r]!) as -1 | 0 | 1);
    run.engine.onTrade(i, ts, t.price[r]!, t.size[r]!, t.side[r]!);
    const firstPrice = run.tally.firstPrice;
    if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = t.price[r]!;
    run.tally.tradeCount++;
    run.sampler.onTick(ts);
  }
}

/** Option chain rows: the option book and chain view; two-sided rows are also quotes to the venue and the engine. */
class ChainLane extends FeedLane<ChainBatch> {
  constructor(
    feed: AsyncIterable<ChainBatch>,
    private readonly venue: SimulatedVenue,
    private readonly run: ReplayRun,
  ) {
    super('chains', PRIORITY_CHAINS, feed);
  }

  onRow(): void {
    const c = this.source.batch!;
    const r = this.source.row;
    const run = this.run;
    const i = c.symbol[r]!;
    const ts = c.ts[r]!;
    this.venue.onTimeAdvance(ts);
    if (run.options!.onRow(c, r)) {
      this.venue.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
      run.engine.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
    }
    const firstPrice = run.tally.firstPrice;
    const mark = run.portfolio.mark;
    if (firstPrice[i] !== firstPrice[i] && mark[i]! > 0) firstPrice[i] = mark[i]!;
    run.sampler.onTick(ts);
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
  ) {}

  connect(execution: ExecutionEngine): void {
    const venue = new SimulatedVenue(this.config, execution, this.symbols);
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
