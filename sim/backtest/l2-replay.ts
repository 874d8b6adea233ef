import { InvalidArgumentError, InvariantError, RandomStreams, formatIsoUs } from '../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../engine/core/index.js';
import { ExecutionEngine } from '../../engine/execution/index.js';
import { describeWarmup } from '../../engine/kernel/index.js';
import { ArrayBatchSource, EventMerge, EventSequencer, MergeSignal, SequencerStep, SimulatedClock, TimerQueue } from '../../engine/kernel/index.js';
import type { TimeBatch } from '../../engine/kernel/index.js';
import { TradingEngine } from '../../engine/kernel/trading-engine.js';
import type { EquityWatcher } from '../../engine/kernel/trading-engine.js';
import { Portfolio } from '../../engine/portfolio/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { strategySourceLines } from '../../engine/strategies/strategy-source.js';
import { createLatencyModel, L2Venue, LatencyLink, OrderBook } from '../venue/l2/index.js';
import type { BookRepairCounters, L2VenueConfig, LatencyConfig, LatencyModel, TakerExecution } from '../venue/l2/index.js';
import type { VenueRequestRejection } from '../venue/index.js';
import type { BacktestResult, RunRisk } from './backtest.js';
import type { TradeBatch } from './batches.js';
import { collectRunResult } from './run-result.js';
import type { AlgorithmConfig } from '../../engine/execution/index.js';
import { composeDecisionPipeline } from '../../engine/kernel/decision-pipeline.js';
import { RunRecorder } from './run-recorder.js';

/** Book rows in the canonical `book` columns plus the symbol index of each row. */
export interface BookBatch extends TimeBatch {
  readonly symbol: Int32Array;
  /** 1 bid, -1 ask. */
  readonly side: Int8Array | Int32Array | Float64Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** 0 update, 1 delete, 2 snapshot. */
  readonly action: Int8Array | Int32Array | Float64Array;
  /** 1 snapshot begin, 2 snapshot end. */
  readonly flags: Int8Array | Int32Array | Float64Array;
}

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

export interface L2ReplayConfig {
  readonly symbols: readonly string[];
  readonly initialCash: number;
  /** Equity sampling interval, microseconds. */
  readonly equityEveryUs: number;
  readonly lookback?: number;
  readonly venue: L2VenueConfig;
  readonly latency?: L2LatencyConfig;
  /** Seed of the latency streams (`latency.feed.book`, `latency.feed.trades`, `latency.entry`, `latency.response`). */
  readonly seed: number;
  /** Run key of the latency streams; default 'run'. */
  readonly runKey?: string;
  /** Builds fresh strategies for a run; they may keep `books` to read depth. */
  readonly createStrategies: (books: L2BookView) => Strategy[];
  readonly createRisk?: (() => RunRisk) | null;
  /** Per strategy: the execution algorithm its market targets go through, or null to trade directly. */
  readonly algorithms?: readonly (AlgorithmConfig | null)[];
  /**
   * Start of trading, microseconds (the scenario's `engine.tradeFrom`): before it strategies see
   * every event (their indicators warm up) but their orders, targets and signals are dropped and
   * counted (see TradeGate; `warmup` of the result). Absent: trading from the first event, the run
   * unchanged to the bit.
   */
  readonly tradeFromUs?: number;
}

export interface L2Feeds {
  readonly book: AsyncIterable<BookBatch>;
  readonly trades?: AsyncIterable<TradeBatch>;
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

export interface L2ReplayResult extends BacktestResult {
  readonly l2: L2RunSummary;
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
 * Replays L2 book rows (and optionally trade prints) through an {@link L2Venue} behind a
 * {@link LatencyLink} and the trading engine, and returns the run's result.
 *
 * Each row is seen twice: by the venue at its exchange time, and by the strategies at
 * tsLocal = tsEvent + feed latency, through a strategy-side replica of the book; each change of its
 * top of book reaches the strategies as a quote (`onQuote`), prints as trades (`onTrade`), and the full
 * depth through the {@link L2BookView} given to `createStrategies`. Orders travel through the link's
 * two queues (entry and response latency), whose next due times are timers in the kernel's timer
 * queue, so one clock orders everything and never goes backwards. At equal timestamps: exchange-side
 * rows, then in-flight messages and strategy timers, then strategy-side rows. When the data ends,
 * the messages still in flight are delivered (against the last book). Equity is sampled every
 * `equityEveryUs`.
 */
export async function runL2Replay(config: L2ReplayConfig, feeds: L2Feeds): Promise<L2ReplayResult> {
  const symbols = config.symbols as readonly Symbol_[];
  if (symbols.length === 0) throw new InvalidArgumentError("invalid 'symbols': no symbol to replay");
  const symbolIndex = new Map<string, number>(symbols.map((s, i) => [s, i]));
  const localBooks = symbols.map(
    (s) => new OrderBook({ tickSize: config.venue.tickSizes[s] ?? config.venue.tickSize, fullDepth: config.venue.fullDepth, repair: config.venue.repair, name: `book:${s} (strategy side)` }),
  );
  const view: L2BookView = {
    book(symbol: string): OrderBook {
      const i = symbolIndex.get(symbol);
      if (i === undefined) throw new InvalidArgumentError(`unknown symbol '${symbol}': not in this run's data (${symbols.join(', ')})`);
      return localBooks[i]!;
    },
  };
  const strategies = config.createStrategies(view);
  const strategyIds = strategies.map((s) => s.id as StrategyId);
  if (new Set(strategyIds).size !== strategyIds.length) throw new InvalidArgumentError(`duplicate strategy id in ${strategyIds.join(', ')}`);

  const latency = config.latency ?? ZERO_LATENCY;
  const streams = new RandomStreams(config.seed, config.runKey ?? 'run');
  const model = (c: LatencyConfig, name: string): LatencyModel => createLatencyModel(c, c.kind === 'constant' ? null : streams.stream(name), `latency.${name.split('.')[1]}`);
  const feedBook = model(latency.feed, 'latency.feed.book');
  const feedTrades = model(latency.feed, 'latency.feed.trades');
  const zeroFeed = latency.feed.kind === 'constant' && latency.feed.us === 0;

  const recorder = new RunRecorder();
  const portfolio = new Portfolio(symbols.length, strategies.length, config.initialCash);
  const risk = config.createRisk ? config.createRisk() : null;
  const execution = new ExecutionEngine(symbols, strategyIds, portfolio, recorder, risk);
  const clock = new SimulatedClock();
  const link = new LatencyLink(model(latency.entry, 'latency.entry'), model(latency.response, 'latency.response'), execution, clock);
  const venue = new L2Venue(config.venue, link, symbols);
  link.connect(venue);
  execution.connect(link);
  const timers = new TimerQueue({ clock });
  const watchers: EquityWatcher[] = [];
  if (risk !== null) {
    watchers.push({
      onEquity(ts, equity) {
        const entries = risk.onEquity(ts, equity);
        if (entries) for (const e of entries) recorder.onAudit(e);
      },
    });
  }
  const algoRouter = composeDecisionPipeline(config.algorithms !== undefined ? { algorithms: config.algorithms } : {}, { symbols, strategyIds, execution, portfolio, recorder }).algorithms;
  const engine = new TradingEngine({
    symbols,
    strategies,
    portfolio,
    execution,
    clock,
    timers,
    recorder,
    lookback: config.lookback ?? 1024,
    equityWatchers: watchers,
    books: view,
    ...(algoRouter !== null ? { router: algoRouter } : {}),
    ...(config.tradeFromUs !== undefined ? { tradeFromUs: config.tradeFromUs } : {}),
  });

  // Each feed is two merge sources over the same batches: exchange time and strategy time.
  type AnyBatch = BookBatch | TradeBatch;
  const exBook = new ArrayBatchSource<BookBatch>('book', PRIORITY_EXCHANGE_BOOK);
  const lcBook = new ArrayBatchSource<BookBatch>('book (strategy side)', PRIORITY_LOCAL_BOOK);
  const exTrades = feeds.trades ? new ArrayBatchSource<TradeBatch>('trades', PRIORITY_EXCHANGE_TRADES) : null;
  const lcTrades = feeds.trades ? new ArrayBatchSource<TradeBatch>('trades (strategy side)', PRIORITY_LOCAL_TRADES) : null;
  const sources: ArrayBatchSource<AnyBatch>[] = [exBook as ArrayBatchSource<AnyBatch>, lcBook as ArrayBatchSource<AnyBatch>];
  if (exTrades && lcTrades) sources.push(exTrades as ArrayBatchSource<AnyBatch>, lcTrades as ArrayBatchSource<AnyBatch>);
  const bookReader = feeds.book[Symbol.asyncIterator]();
  const tradeReader = feeds.trades ? feeds.trades[Symbol.asyncIterator]() : null;
  const lastLocalBook = { ts: -Infinity };
  const lastLocalTrade = { ts: -Infinity };
  const refill = async (k: number): Promise<void> => {
    if (k < 2) {
      const r = await bookReader.next();
      if (r.done) {
        exBook.end();
        lcBook.end();
        return;
      }
      exBook.push(r.value);
      lcBook.push(localBatch(r.value, feedBook, zeroFeed, lastLocalBook));
    } else {
      const r = await tradeReader!.next();
      if (r.done) {
        exTrades!.end();
        lcTrades!.end();
        return;
      }
      exTrades!.push(r.value);
      lcTrades!.push(localBatch(r.value, feedTrades, zeroFeed, lastLocalTrade));
    }
  };

  const merge = new EventMerge(sources);
  const sequencer = new EventSequencer(merge, timers, clock, { timerPriority: PRIORITY_TIMERS });
  const n = symbols.length;
  const firstPrice = new Float64Array(n).fill(Number.NaN);
  const topBid = new Float64Array(n).fill(Number.NaN);
  const topBidSize = new Float64Array(n);
  const topAsk = new Float64Array(n).fill(Number.NaN);
  const topAskSize = new Float64Array(n);
  let scheduledArrivals = Infinity;
  let scheduledResponses = Infinity;
  let bookRows = 0;
  let quotes = 0;
  let tradeCount = 0;
  let nextSample = Number.NaN;
  const every = config.equityEveryUs;

  const syncTimers = (): void => {
    const a = link.nextArrivalTs();
    if (a < scheduledArrivals) {
      timers.schedule(TIMER_ARRIVALS, a, 0);
      scheduledArrivals = a;
    }
    const r = link.nextResponseTs();
    if (r < scheduledResponses) {
      timers.schedule(TIMER_RESPONSES, r, 0);
      scheduledResponses = r;
    }
  };
  const sample = (ts: number): void => {
    if (nextSample !== nextSample) nextSample = Math.floor(ts / every) * every + every;
    else if (ts >= nextSample) {
      engine.sampleEquity(nextSample - every);
      nextSample = Math.floor(ts / every) * every + every;
    }
  };

  engine.start();
  for (;;) {
    const step = sequencer.next();
    if (step === 0) {
      const b = exBook.batch!;
      const r = exBook.row;
      const ts = b.ts[r]!;
      venue.onTimeAdvance(ts);
      venue.onBookDelta(b.symbol[r]!, ts, b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, bookRows);
      bookRows++; // exchange-side rows are consumed in feed order: this counts the feed's row index
    } else if (step === 1) {
      const b = lcBook.batch!;
      const r = lcBook.row;
      const i = b.symbol[r]!;
      const ts = b.ts[r]!;
      const book = localBooks[i]!;
      book.apply(b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, ts, -1);
      if (!book.snapshotPending && book.levelCount(1) > 0 && book.levelCount(-1) > 0) {
        const bid = book.bestBid;
        const bidSize = book.bestBidSize;
        const ask = book.bestAsk;
        const askSize = book.bestAskSize;
        if (bid !== topBid[i] || ask !== topAsk[i] || bidSize !== topBidSize[i] || askSize !== topAskSize[i]) {
          topBid[i] = bid;
          topBidSize[i] = bidSize;
          topAsk[i] = ask;
          topAskSize[i] = askSize;
          if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = (bid + ask) / 2;
          engine.onQuote(i, ts, bid, bidSize, ask, askSize);
          quotes++;
        }
      }
      sample(ts);
    } else if (step === 2) {
      const b = exTrades!.batch!;
      const r = exTrades!.row;
      const ts = b.ts[r]!;
      venue.onTimeAdvance(ts);
      venue.onTrade(b.symbol[r]!, ts, b.price[r]!, b.size[r]!, b.side[r]!);
    } else if (step === 3) {
      const b = lcTrades!.batch!;
      const r = lcTrades!.row;
      const i = b.symbol[r]!;
      const ts = b.ts[r]!;
      if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = b.price[r]!;
      engine.onTrade(i, ts, b.price[r]!, b.size[r]!, b.side[r]!);
      tradeCount++;
      sample(ts);
    } else if (step === SequencerStep.Timer) {
      const name = timers.firedName;
      if (name === TIMER_ARRIVALS) {
        scheduledArrivals = Infinity;
        link.deliverArrivals(timers.firedTs);
      } else if (name === TIMER_RESPONSES) {
        scheduledResponses = Infinity;
        link.deliverResponses(timers.firedTs);
      } else {
        engine.onTimer(name);
      }
    } else if (step === MergeSignal.Starved) {
      await refill(merge.starvedSource);
      continue;
    } else {
      break;
    }
    syncTimers();
  }
  // The data has ended: deliver what is still in flight, in time order.
  for (let k = 0; link.inFlight > 0; k++) {
    if (k >= MAX_DRAIN) throw new InvariantError(`L2 replay: more than ${MAX_DRAIN} order messages after the end of the data (a strategy answering every event with a new request?)`);
    const a = link.nextArrivalTs();
    const r = link.nextResponseTs();
    clock.advanceTo(Math.min(a, r));
    if (a <= r) link.deliverArrivals(a);
    else link.deliverResponses(r);
  }
  engine.stop();
  if (bookRows + tradeCount > 0) engine.sampleEquity(clock.now());

  const assumptions = [
    ...link.assumptions(),
    `Feed latency: ${feedBook.describe()} from the exchange event to the strategy (tsLocal = tsEvent + latency; book rows and prints each in order)`,
    'Strategies see the book through a replica updated at tsLocal; each change of its top of book is delivered as a quote',
    'At equal timestamps the venue sees market data first, then orders arriving and responses, then the strategies see market data',
    ...(algoRouter !== null ? algoRouter.summary().algorithms : []),
    ...(engine.gate !== null ? [describeWarmup(engine.gate.counts(), formatIsoUs(engine.gate.tradeFromUs))] : []),
  ];
  return {
    ...collectRunResult({
      symbols,
      strategyIds,
      ledgerIds: strategyIds,
      strategySources: strategySourceLines(strategies),
      initialCash: config.initialCash,
      barIntervalUs: null,
      execution,
      portfolio,
      recorder,
      keepOrders: true,
      firstPrice,
      assumptions,
      barCount: 0,
      quoteCount: quotes,
      tradeCount,
    }),
    ...(algoRouter !== null ? { execution: algoRouter.summary() } : {}),
    ...(engine.gate !== null ? { warmup: engine.gate.counts() } : {}),
    l2: {
      bookRows,
      quotes,
      repairs: venue.repairCounters(),
      takerExecutions: venue.takerExecutions(),
      requestRejections: venue.requestRejections(),
      messagesSent: link.sent,
      messagesReturned: link.returned,
    },
  };
}
