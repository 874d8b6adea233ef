import { InvalidArgumentError, InvariantError, formatIsoUs } from '../../engine/core/index.js';
import type { Calendar, StrategyId, Symbol_ } from '../../engine/core/index.js';
import { ExecutionEngine } from '../../engine/execution/index.js';
import type { AlgorithmConfig, PreTradeRisk } from '../../engine/execution/index.js';
import { describeWarmup, DirectRouter, EventMerge, EventSequencer, MergeSignal, RegimeAdaptiveRouter, SequencerStep, SimulatedClock, TimerQueue } from '../../engine/kernel/index.js';
import type { ArrayBatchSource, RegimeAdaptiveConfig, TimeBatch } from '../../engine/kernel/index.js';
import { TradingEngine } from '../../engine/kernel/trading-engine.js';
import type { EquityWatcher } from '../../engine/kernel/trading-engine.js';
import type { TimeframeBars } from '../../engine/kernel/bar-cache.js';
import type { PredictiveFiltersConfig } from '../../engine/kernel/predictive-filter-gate.js';
import { isFuture } from '../../engine/model/index.js';
import type { AuditEntry, BarBatch, BookBatch, ChainBatch, InstrumentSpec, QuoteBatch, SentimentBatch, TradeBatch } from '../../engine/model/index.js';
import { Account, CASH_ACCOUNT, Portfolio } from '../../engine/portfolio/index.js';
import type { AccountConfig } from '../../engine/portfolio/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import type { ExecutionClient } from '../../engine/ports/execution-client.js';
import type { Recorder } from '../../engine/ports/recorder.js';
import { strategySourceLines } from '../../engine/strategies/strategy-source.js';
import type { VenueConfig } from '../venue/index.js';
import type { L2VenueConfig } from '../venue/l2/index.js';
import { L1Side } from './l1-side.js';
import { composeRouter } from './compose-router.js';
import { DailyStopFlatten } from './daily-stop.js';
import type { BacktestRouting } from './compose-router.js';
import { L2Side } from './l2-side.js';
import type { L2BookView, L2LatencyConfig } from './l2-side.js';
import { OptionReplay } from './option-replay.js';
import type { OptionReplayConfig } from './option-replay.js';
import { collectRunResult } from './run-result.js';
import type { RunResult } from './run-result.js';
import { RunRecorder } from './run-recorder.js';
import type { EquitySink } from './run-recorder.js';

/** A pre-trade risk gate that also watches equity (daily loss, drawdown) and reports halts. */
export interface RunRisk extends PreTradeRisk {
  onEquity(ts: number, equity: number): readonly AuditEntry[] | void;
}

/**
 * The venue side of a replay and its settings. 'l1': bars, quotes, trades and option chains fill
 * against the {@link SimulatedVenue} with zero latency (the venue sees each event, then the engine).
 * 'l2': book deltas and trade prints drive an {@link L2Venue} behind a {@link LatencyLink}; strategies
 * see the data through replica books after the feed latency.
 */
export type ReplayVenue =
  | {
      readonly kind: 'l1';
      readonly config: VenueConfig;
      /** The trading calendar: DAY orders expire at its first session close after submission instead of UTC midnight. */
      readonly calendar?: Calendar;
    }
  | {
      readonly kind: 'l2';
      readonly config: L2VenueConfig;
      readonly latency?: L2LatencyConfig;
      /** Seed of the latency streams (`latency.feed.book`, `latency.feed.trades`, `latency.entry`, `latency.response`). */
      readonly seed: number;
      /** Run key of the latency streams; default 'run'. */
      readonly runKey?: string;
    };

/** What every replay takes, whichever venue the data calls for. */
export interface ReplayConfig {
  readonly symbols: readonly string[];
  readonly initialCash: number;
  /**
   * Bar interval in microseconds (bar data), or null for tick-only runs. With symbols of different
   * intervals (each bar's `ts` is its own close), the shortest: equity is sampled at each bar close
   * and stamped one such interval before it, never before the bar's open (for one interval, the
   * bar's open time, as always; a bar's close, BarBatch.ts, is its open + its interval or its
   * symbol's next bar's open when sooner: see cli/compose/bar-timing.ts).
   */
  readonly barIntervalUs: number | null;
  /** Equity sampling interval for runs without bars, microseconds. */
  readonly equityEveryUs: number;
  readonly lookback: number;
  readonly venue: ReplayVenue;
  /**
   * Builds fresh strategies for a run (reruns must not share indicator state). On an L2 replay it is
   * given the books as the strategies see them (they may keep it to read depth); null otherwise.
   */
  readonly createStrategies: (books: L2BookView | null) => Strategy[];
  /** Builds the risk gate for a run, or null for none. */
  readonly createRisk: (() => RunRisk) | null;
  /**
   * When given, strategies do not trade the account directly: the account trades under
   * `accountIds` (its Portfolio ledgers and order owners) and the router built here decides its
   * targets from the strategies' requests (e.g. an ensemble). Absent: each strategy trades its own ledger.
   */
  readonly routing?: BacktestRouting;
  /**
   * Seed 003's regime-adaptive parameters: an HMM regime detector and per-regime multipliers of the
   * strategies' targets and protective stop distances, decorating the router (engine/kernel
   * RegimeAdaptiveRouter). Absent: none.
   */
  readonly regimeAdaptive?: RegimeAdaptiveConfig;
  /**
   * Units per unit of price per symbol (100 for equity option contracts); default 1 each. A symbol
   * with an instrument in `instruments` takes the instrument's multiplier (the one source of truth);
   * a different value here for it is refused.
   */
  readonly multipliers?: readonly number[];
  /**
   * Per symbol, its instrument (null: a spot unit at the venue's tick and lot size): its multiplier
   * (point value) goes to the Portfolio, a future settles by variation margin there, its tick and lot
   * size replace the venue's for the symbol, and targets are rounded toward zero to its lot; the
   * account reads futures and per-unit initial/maintenance margins from it.
   */
  readonly instruments?: readonly (InstrumentSpec | null)[];
  /**
   * The account's daily stop in currency (`portfolio.constraints.dailyStopLoss`) on a run without
   * `routing`: a loss of this much since the day start flattens every ledger until the next UTC day
   * (see DailyStopFlatten; give the risk gate the same `dailyLossLimit` to refuse new risk meanwhile).
   * Under a routing the router keeps its own stop.
   */
  readonly dailyStopLoss?: number;
  /**
   * Per strategy: the execution algorithm its market targets go through, or null to trade directly.
   * Not with `routing` (strategies then trade shadow books; the account's algorithm is `routing.algorithm`).
   */
  readonly algorithms?: readonly (AlgorithmConfig | null)[];
  /** The option contracts among the symbols; with `feeds.chains`. */
  readonly options?: OptionReplayConfig;
  /**
   * What the result keeps. 'report' (the default) keeps everything report.json shows. 'metrics' keeps
   * what the metrics and the runHash need (fills, trades, equity curve, audit) and leaves `orders` and
   * `signals` empty (`orderCount` and `signalCount` still count them; the runHash covers every order
   * either way). Sweep trials use it: they report metrics, not orders, and a trial of a few thousand
   * orders spends a sixth of its time recording and collecting what it would throw away. Only 'report'
   * keeps what strategies plot (ctx.plot; the result's `indicators`).
   */
  readonly recording?: 'report' | 'metrics';
  /**
   * Stream the equity curve to this sink as the run goes (the result keeps none of it; its curve is read
   * back from the sink, see RunResultBase.equityStream): memory flat in the tape's length.
   */
  readonly equitySink?: EquitySink;
  /**
   * How many equity samples the run will take, at most or about (a bar replay takes at most one a row of its
   * feeds: their rows are a bound). Without a sink the curve is kept in memory: it is allocated at this many rows
   * at once (up to its reserve, see RunRecorder), instead of growing to the reserve of a long run (96 MiB of
   * address space) as soon as it passes 16,384 rows. Only memory: a wrong count changes no result (the curve grows
   * past it as without one). A sweep's trials give it: each reserve counts as external memory in V8, which starts
   * a full collection when a trial allocates one.
   */
  readonly expectedSamples?: number;
  /**
   * Start of trading, microseconds (the scenario's `engine.tradeFrom`): before it strategies see
   * every event (their indicators warm up) but their orders, targets and signals are dropped and
   * counted (see TradeGate; `warmup` of the result). Absent: trading from the first event, the run
   * unchanged to the bit.
   */
  readonly tradeFromUs?: number;
  /**
   * The account's rules (scenario `account`): buying power at fill time, margin, borrow cost, margin
   * calls and ruin (see engine/portfolio/account.ts). Absent: a cash account that denies what it
   * cannot pay for (CASH_ACCOUNT).
   */
  readonly account?: AccountConfig;
  /**
   * Predictive filters per strategy (by index) and for the routing's account (scenario
   * `strategies[i].filters`, `ensemble.filters`; see PredictiveFilterStage). They read bars: a run
   * with filters needs bars. Absent: no filter stage, the run unchanged to the bit.
   */
  readonly filters?: PredictiveFiltersConfig;
  /** Coarser bar intervals strategies read with `ctx.bars(symbol, '1d')` (scenario `data.timeframes`); passed to the TradingEngine. */
  readonly timeframes?: readonly TimeframeBars[];
  /** A live session's adapters (see {@link LiveHooks}); absent in a backtest. */
  readonly live?: LiveHooks;
}

/** A run's parts, once built: what a live session reads (status, snapshots) and acts on (its kill switch). */
export interface AttachedRun {
  readonly symbols: readonly Symbol_[];
  /** The strategies as built (in `createStrategies` order). */
  readonly strategies: readonly Strategy[];
  /** Ledgers of the portfolio: the strategies', or the routing's accounts. */
  readonly accountIds: readonly StrategyId[];
  readonly engine: TradingEngine;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly clock: SimulatedClock;
  readonly recorder: Recorder;
}

/**
 * A live session's hold on a run (live/session): the replay loop is the same, only the adapters
 * change. Absent in a backtest.
 */
export interface LiveHooks {
  /**
   * Wraps the client the execution engine sends orders to (the simulated venue, or the L2 latency
   * link in front of it): a live session puts its kill switch and its broker mirror there.
   */
  routeOrders?(client: ExecutionClient, execution: ExecutionEngine): ExecutionClient;
  /** Told the run's parts once they are built, before the first event. */
  attach?(run: AttachedRun): void;
}

/** Time-ordered feeds of column batches; each may be absent. Book data calls for the L2 venue. */
export interface ReplayFeeds {
  readonly bars?: AsyncIterable<BarBatch>;
  readonly quotes?: AsyncIterable<QuoteBatch>;
  readonly trades?: AsyncIterable<TradeBatch>;
  /** Book deltas (L2); with `venue.kind` 'l2'. */
  readonly book?: AsyncIterable<BookBatch>;
  /** Option chain rows (contracts indexed in the run's symbols); needs `config.options`. */
  readonly chains?: AsyncIterable<ChainBatch>;
  /** Sentiment scores (data kind `sentiment`), delivered to the strategies' onSentiment; bar/L1 runs. */
  readonly sentiment?: AsyncIterable<SentimentBatch>;
}

/** What the lanes of a run write to besides the engine: first prices and event counts. */
export class ReplayTally {
  /** First price seen per symbol (NaN until one), for buy and hold. */
  readonly firstPrice: Float64Array;
  barCount = 0;
  /** Quotes delivered to the strategies (on L2, changes of the replica's top of book). */
  quoteCount = 0;
  /** Trade prints delivered to the strategies. */
  tradeCount = 0;
  /** Book rows taken in by the venue (L2). */
  bookRows = 0;

  constructor(symbolCount: number) {
    this.firstPrice = new Float64Array(symbolCount).fill(Number.NaN);
  }
}

/** The time columns of a bar batch the sampler reads: close time (`ts`) and open time (`barTs`). */
interface BarTimes {
  readonly ts: Float64Array;
  readonly barTs: Float64Array;
}

/**
 * When the equity curve is sampled: at every bar close time when the run has bars (stamped one bar
 * interval before it, the bars' open time), else every `equityEveryUs` of data time (stamped at the
 * start of the interval that just ended). One rule for every venue.
 */
export class EquitySampler {
  /**
   * The sampler's times, in one typed array so that the per-bar path stores and passes no boxed
   * number: [0] the close time of the bars being replayed (-Infinity before the first bar), [1] the
   * time the current bar close's equity sample is stamped at (and the venue's time then), [2] the
   * next tick sample's time (NaN before the first tick).
   */
  private readonly t = new Float64Array([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]);
  private readonly barIntervalUs: number;
  private readonly hasBarInterval: boolean;

  constructor(
    private readonly engine: TradingEngine,
    /** True: sample by bar close (ticks do not sample). */
    readonly byBars: boolean,
    barIntervalUs: number | null,
    private readonly every: number,
  ) {
    this.barIntervalUs = barIntervalUs ?? 0;
    this.hasBarInterval = barIntervalUs !== null;
  }

  /** Close time of the bars being replayed; -Infinity before the first bar. */
  get lastBarClose(): number {
    return this.t[0]!;
  }

  /** The time the current bar close's equity sample is stamped at (and the venue's time then). */
  get barStamp(): number {
    return this.t[1]!;
  }

  /**
   * A bar closing at `closeTs` (open time `barTs`) is about to be replayed. Returns true when it starts
   * a new close time: the previous close time was sampled and `barStamp` moved on.
   */
  onBar(closeTs: number, barTs: number): boolean {
    const one = this.one;
    one.ts[0] = closeTs;
    one.barTs[0] = barTs;
    return this.onBarRow(one, 0);
  }

  /**
   * {@link onBar} for row `row` of a bar batch (its `ts` and `barTs`): the replay's path. The times are
   * read from the columns, not passed, at every call that V8 may not inline (a boxed number each).
   */
  onBarRow(cols: BarTimes, row: number): boolean {
    if (cols.ts[row]! === this.t[0]) return false;
    return this.newClose(cols, row);
  }

  /** A one-row BarTimes for {@link onBar}. */
  private readonly one: BarTimes = { ts: new Float64Array(1), barTs: new Float64Array(1) };

  private newClose(cols: BarTimes, row: number): boolean {
    const t = this.t;
    const closeTs = cols.ts[row]!;
    const barTs = cols.barTs[row]!;
    // Equity is sampled once per bar close time (`ts`), after every bar closing then, and stamped
    // `ts - barIntervalUs` (or the bar's open when later): the bars' open time when all have one interval. With several intervals the
    // bars' open times are not in replay order (a daily bar closes after the hourly bars it spans),
    // their close times are.
    if (closeTs < t[0]!) throw new InvariantError(`bar time went backwards: a bar closing at ${closeTs} after one closing at ${t[0]}`);
    if (t[0] !== Number.NEGATIVE_INFINITY) this.sampleBar();
    t[0] = closeTs;
    // A bar shorter than the interval (a 28-day month, cut by its symbol's next bar) is stamped at its
    // open, never before it; stamps never go back.
    let stamp = this.hasBarInterval ? closeTs - this.barIntervalUs : barTs;
    if (stamp < barTs) stamp = barTs;
    if (stamp > t[1]!) t[1] = stamp;
    return true;
  }

  /**
   * Samples the bar close time that just ended, stamped `barStamp` and decided at `lastBarClose`,
   * through the engine's sample array (TradingEngine.takeSample): no number passed per bar.
   */
  private sampleBar(): void {
    const engine = this.engine;
    const s = engine.sample;
    const t = this.t;
    // EquitySample.ts and .decisionTs, as numbers: an `EquitySample.x` read is ten bytes of bytecode,
    // and this call inlines the whole sample path within TurboFan's budget (see TradingEngine.takeSample).
    s[0] = t[1]!;
    s[6] = t[0]!;
    engine.takeSample();
  }

  /** A tick event the strategies saw at `ts` (runs without bars sample on them). */
  onTick(ts: number): void {
    if (this.byBars) return;
    const every = this.every;
    const t = this.t;
    const next = t[2]!;
    if (next !== next) t[2] = Math.floor(ts / every) * every + every;
    else if (ts >= next) {
      this.engine.sampleEquity(next - every);
      t[2] = Math.floor(ts / every) * every + every;
    }
  }

  /** Takes the last sample once the data has ended (and, on L2, the messages in flight delivered). */
  finish(now: number, tally: ReplayTally): void {
    if (this.byBars) {
      if (this.t[0] !== Number.NEGATIVE_INFINITY) this.sampleBar();
    } else if (tally.bookRows + tally.quoteCount + tally.tradeCount > 0) {
      this.engine.sampleEquity(now);
    }
  }
}

/** What a lane's rows are delivered to. */
export interface ReplayRun {
  readonly engine: TradingEngine;
  readonly portfolio: Portfolio;
  readonly tally: ReplayTally;
  readonly sampler: EquitySampler;
  readonly options: OptionReplay | null;
}

/**
 * One source of the merge and what happens at each of its rows. A feed may be one lane (the L1 venue
 * and then the engine see each row) or two over the same batches (L2: the venue at exchange time, the
 * strategies at exchange time plus the feed latency).
 */
export interface ReplayLane {
  readonly source: ArrayBatchSource<TimeBatch>;
  /** Handles the source's current row: the clock is at its `ts`. */
  onRow(): void;
  /** Reads the lane's feed on: pushes its next batch (into every lane over that feed) or ends it. */
  refill(): Promise<void>;
}

/**
 * The venue side of the one replay loop: the venue (or the link in front of it), the lanes the data
 * becomes, and how it orders and finishes the run. Chosen by the data (see {@link replay}); every
 * difference between the venues is here, never in the loop.
 */
export interface VenueSide {
  /** Books the strategies may read (L2), or null; given to `createStrategies` and the engine. */
  readonly books: L2BookView | null;
  /** Timers (strategy timers and the side's own) at a data event's timestamp fire before data sources of this priority or higher. */
  readonly timerPriority: number;
  /** Builds the venue and connects it to the execution engine. */
  connect(execution: ExecutionEngine, clock: SimulatedClock, timers: TimerQueue): void;
  /** Builds the lanes of the feeds, in merge-source order. */
  lanes(feeds: ReplayFeeds, run: ReplayRun): ReplayLane[];
  /** A timer fired: returns true when it was the side's own (then not the engine's). */
  onTimer(name: string, ts: number): boolean;
  /** After every data event and timer: e.g. schedules the timers of messages now in flight. */
  afterStep(): void;
  /** After the data has ended: delivers what is still in flight. */
  drain(clock: SimulatedClock): void;
  /** The venue's assumptions, for the report. */
  assumptions(): string[];
  /** Result fields of this venue (the `l2` figures). */
  summary(tally: ReplayTally): Partial<RunResult>;
}

/** Returns the venue side the data and the venue settings call for; refuses combinations no side replays. */
function venueSide(config: ReplayConfig, feeds: ReplayFeeds, symbols: readonly Symbol_[]): VenueSide {
  const v = config.venue;
  if (v.kind === 'l2') {
    if (feeds.book === undefined) throw new InvalidArgumentError('an L2 replay needs book data (feeds.book)');
    for (const k of ['bars', 'quotes', 'chains', 'sentiment'] as const) {
      if (feeds[k] !== undefined) throw new InvalidArgumentError(`an L2 replay takes book rows and trade prints only; ${k} are not supported with book data`);
    }
    if (config.routing !== undefined) throw new InvalidArgumentError('an ensemble routing is not supported on an L2 replay (book data)');
    if (config.options !== undefined || config.multipliers !== undefined) throw new InvalidArgumentError('options and multipliers are not supported on an L2 replay (book data)');
    if (config.instruments !== undefined) throw new InvalidArgumentError('instruments are not supported on an L2 replay (book data): its tick sizes are venue.tickSizes');
    if (config.timeframes !== undefined) throw new InvalidArgumentError('timeframes (coarser bars) are not supported on an L2 replay (book data)');
    return new L2Side(v.config, v.latency, v.seed, v.runKey, symbols);
  }
  if (v.kind !== 'l1') throw new InvalidArgumentError(`invalid 'venue.kind': expected 'l1' or 'l2', was ${JSON.stringify((v as { kind: unknown }).kind)}`);
  if (feeds.book !== undefined) throw new InvalidArgumentError("book data (feeds.book) needs the L2 venue (venue.kind 'l2')");
  return new L1Side(v.config, symbols, config.instruments, v.calendar);
}

/** Per symbol the multiplier the Portfolio uses: the instrument's, else `multipliers`' entry, else 1; refuses two different values for a symbol. */
function multipliersOf(config: ReplayConfig, symbols: readonly Symbol_[]): readonly number[] | undefined {
  const specs = config.instruments;
  if (specs === undefined) return config.multipliers;
  if (specs.length !== symbols.length) throw new InvalidArgumentError(`invalid 'instruments': ${specs.length} entries for ${symbols.length} symbols`);
  return symbols.map((s, i) => {
    const spec = specs[i] ?? null;
    const given = config.multipliers?.[i];
    if (spec === null) return given ?? 1;
    if (spec.symbol !== s) throw new InvalidArgumentError(`invalid 'instruments[${i}]': the instrument of '${spec.symbol}' at the place of symbol '${s}'`);
    if (given !== undefined && given !== spec.multiplier) throw new InvalidArgumentError(`invalid 'multipliers[${i}]': ${s} has the instrument multiplier ${spec.multiplier}, was ${given} (give it once, in its instrument)`);
    return spec.multiplier;
  });
}

/**
 * A run of rows of one lane (see {@link replay}): the event's row, then the rows of its source that come
 * next in the total order (EventSequencer.nextInRun), each with the clock at its time, the venue side
 * told after each. Out of `replay` and small: V8 optimizes a function after a number of budget ticks that
 * grows with its bytecode, spent by its own loop; inside the big async `replay` the loop of a 62k-bar run
 * ended before it was compiled, here it reaches TurboFan (on stack) partway through.
 */
function runRows(lane: ReplayLane, step: number, side: VenueSide, sequencer: EventSequencer, options: OptionReplay | null, clock: SimulatedClock): void {
  if (options !== null) options.settle(clock.now());
  lane.onRow();
  side.afterStep();
  sequencer.startRun(step, lane.source);
  while (sequencer.nextInRun()) {
    if (options !== null) options.settle(clock.now());
    lane.onRow();
    side.afterStep();
  }
}

/**
 * The replay loop: replays the feeds through the venue side the data calls for and the trading engine,
 * and returns the run's result. Bars, quotes, trades, book deltas, option chains and sentiment scores are sources of one
 * {@link EventMerge}; an {@link EventSequencer} interleaves them with the timers (the strategies' and
 * the venue side's) in one total order on one clock: (visible time, source priority, seq). Each data
 * event is handed to its lane (see {@link ReplayLane}), each timer to the venue side or the engine. After
 * a data event the rows of its source that come next in that order are handed to the lane one after the
 * other, the clock at each row's time, without the merge (a run of rows: EventSequencer.nextInRun): with
 * one data source, a whole batch up to the next timer.
 * Equity is sampled by {@link EquitySampler}. When the data ends the venue side drains what it still
 * holds, the last equity sample is taken and the result is collected (see collectRunResult).
 */
export async function replay(config: ReplayConfig, feeds: ReplayFeeds): Promise<RunResult> {
  const symbols = config.symbols as readonly Symbol_[];
  if (symbols.length === 0) throw new InvalidArgumentError("invalid 'symbols': no symbol to replay");
  const side = venueSide(config, feeds, symbols);
  const strategies = config.createStrategies(side.books);
  const strategyIds = strategies.map((s) => s.id as StrategyId);
  const ids = new Set<string>();
  for (const id of strategyIds) {
    if (ids.has(id)) throw new InvalidArgumentError(`duplicate strategy id '${id}'`);
    ids.add(id);
  }
  const recording = config.recording ?? 'report';
  if (recording !== 'report' && recording !== 'metrics') throw new InvalidArgumentError(`invalid 'recording': expected 'report' or 'metrics', was ${JSON.stringify(recording)}`);
  const keepEverything = recording === 'report';
  const recorder = new RunRecorder(keepEverything ? undefined : 0, config.equitySink ?? null, config.expectedSamples);
  const accountIds = config.routing ? (config.routing.accountIds as readonly StrategyId[]) : strategyIds;
  const specs = config.instruments;
  const portfolio = new Portfolio(symbols.length, accountIds.length, config.initialCash, multipliersOf(config, symbols), specs?.map((x) => isFuture(x)));
  const risk = config.createRisk ? config.createRisk() : null;
  const execution = new ExecutionEngine(symbols, accountIds, portfolio, recorder, risk);
  const account = new Account(config.account ?? CASH_ACCOUNT, portfolio, config.instruments);
  execution.useAccount(account);
  if (specs !== undefined) execution.useLotSizes(specs.map((x) => x?.lotSize ?? 0));
  const clock = new SimulatedClock();
  const timers = new TimerQueue({ clock });
  side.connect(execution, clock, timers);
  const routeOrders = config.live?.routeOrders;
  if (routeOrders !== undefined) execution.connect(routeOrders.call(config.live, execution.connectedClient!, execution));
  const watchers: EquityWatcher[] = [];
  if (risk !== null) {
    watchers.push({
      onEquity(ts, equity) {
        const entries = risk.onEquity(ts, equity);
        if (entries) for (const e of entries) recorder.onAudit(e);
      },
    });
  }
  if (config.dailyStopLoss !== undefined) {
    if (config.routing !== undefined) throw new InvalidArgumentError("invalid 'dailyStopLoss': a routing keeps its own daily stop (an ensemble's portfolio.constraints.dailyStopLoss)");
    watchers.push(new DailyStopFlatten(config.dailyStopLoss, execution, portfolio, recorder, config.venue.kind === 'l1' ? config.venue.calendar : undefined));
  }
  // The decision pipeline: strategies -> [ensemble] -> [execution algorithm] -> venue.
  const routed = composeRouter(config.routing, config.algorithms, { symbols, strategyIds, execution, portfolio, recorder }, config.filters);
  const adaptive =
    config.regimeAdaptive !== undefined
      ? new RegimeAdaptiveRouter(routed.router ?? new DirectRouter(execution, portfolio, recorder), config.regimeAdaptive, symbols, recorder)
      : undefined;
  if (feeds.chains !== undefined && config.options === undefined) throw new InvalidArgumentError('option chains need config.options (the contracts among the symbols)');
  const options = config.options !== undefined ? new OptionReplay(config.options, portfolio, symbols, accountIds, recorder) : null;
  if (options !== null) {
    execution.useOptionBook(options.book, () => clock.now());
    watchers.push(options.watcher());
  }
  const engine = new TradingEngine({
    symbols,
    strategies,
    portfolio,
    execution,
    clock,
    timers,
    recorder,
    lookback: config.lookback,
    equityWatchers: watchers,
    ...(side.books !== null ? { books: side.books } : {}),
    ...(adaptive !== undefined ? { router: adaptive } : routed.router !== undefined ? { router: routed.router } : {}),
    ...(options !== null ? { chains: options.cache } : {}),
    ...(config.tradeFromUs !== undefined ? { tradeFromUs: config.tradeFromUs } : {}),
    ...(config.timeframes !== undefined ? { timeframes: config.timeframes } : {}),
    ...(config.instruments !== undefined ? { instruments: config.instruments } : {}),
    // Plots are for the report: a run recording 'metrics' (a sweep trial) keeps none and ctx.plotting is false.
    plots: keepEverything,
  });

  config.live?.attach?.({ symbols, strategies, accountIds, engine, execution, portfolio, clock, recorder });
  const tally = new ReplayTally(symbols.length);
  const sampler = new EquitySampler(engine, feeds.bars !== undefined, config.barIntervalUs, config.equityEveryUs);
  const lanes = side.lanes(feeds, { engine, portfolio, tally, sampler, options });
  if (lanes.length === 0) throw new InvalidArgumentError('no data to replay: give bars, quotes or trades');
  const merge = new EventMerge(lanes.map((l) => l.source));
  const sequencer = new EventSequencer(merge, timers, clock, { timerPriority: side.timerPriority });

  engine.start();
  for (;;) {
    const step = sequencer.next();
    if (step >= 0) {
      // A run of rows: the event's row, then the rows of its source that come next in the total order
      // (see EventSequencer.nextInRun), each with the clock at its time, with no merge in between.
      runRows(lanes[step]!, step, side, sequencer, options, clock);
      continue;
    } else if (step === SequencerStep.Timer) {
      const name = timers.firedName;
      if (!side.onTimer(name, timers.firedTs)) engine.onTimer(name);
    } else if (step === MergeSignal.Starved) {
      // A pause for data: let a streamed equity curve write what it staged.
      if (recorder.wantsDrain) await recorder.drain();
      await lanes[merge.starvedSource]!.refill();
      continue;
    } else {
      break;
    }
    side.afterStep();
  }
  side.drain(clock);
  engine.stop();
  sampler.finish(clock.now(), tally);

  const algorithms = routed.algorithms;
  return Object.assign(collectRunResult({
      symbols,
      strategyIds,
      ledgerIds: accountIds,
      strategySources: strategySourceLines(strategies),
      initialCash: config.initialCash,
      barIntervalUs: config.barIntervalUs,
      execution,
      portfolio,
      recorder,
      keepOrders: keepEverything,
      firstPrice: tally.firstPrice,
      ruin: account.ruin,
      assumptions: [
        ...account.assumptions(),
        ...side.assumptions(),
        ...(options !== null ? options.assumptions() : []),
        ...(algorithms !== null ? algorithms.summary().algorithms : []),
        ...(engine.gate !== null ? [describeWarmup(engine.gate.counts(), formatIsoUs(engine.gate.tradeFromUs))] : []),
        ...(routed.filters !== null ? routed.filters.assumptions() : []),
      ],
      barCount: tally.barCount,
      quoteCount: tally.quoteCount,
      tradeCount: tally.tradeCount,
      indicators: engine.plotSeries(),
    }), {
    ...(routed.combined !== null ? { ensemble: routed.combined.summary() } : {}),
    ...(algorithms !== null ? { execution: algorithms.summary() } : {}),
    ...(options !== null ? { options: options.summary(clock.now()) } : {}),
    ...(engine.gate !== null ? { warmup: engine.gate.counts() } : {}),
    ...side.summary(tally),
  });
}
