import { InvalidArgumentError, InvariantError, formatIsoUs } from '../../engine/core/index.js';
import type { StrategyId, Symbol_ } from '../../engine/core/index.js';
import { ExecutionEngine } from '../../engine/execution/index.js';
import type { PreTradeRisk } from '../../engine/execution/index.js';
import { describeWarmup } from '../../engine/kernel/index.js';
import type { WarmupCounts } from '../../engine/kernel/index.js';
import { ArrayBatchSource, EventMerge, EventSequencer, MergeSignal, SequencerStep, SimulatedClock, TimerQueue } from '../../engine/kernel/index.js';
import { TradingEngine } from '../../engine/kernel/trading-engine.js';
import type { EquityWatcher } from '../../engine/kernel/trading-engine.js';
import type { TimeframeBars } from '../../engine/kernel/bar-cache.js';
import type { RouterDeps, StrategyRouter } from '../../engine/kernel/index.js';
import type { EnsembleSummary } from '../../engine/ensemble/index.js';
import type { AuditEntry, Fill, OrderRecord, Signal } from '../../engine/model/index.js';
import { Portfolio } from '../../engine/portfolio/index.js';
import type { ClosedTrade } from '../../engine/portfolio/index.js';
import type { Strategy } from '../../engine/strategies/context.js';
import { strategySourceLines } from '../../engine/strategies/strategy-source.js';
import { SimulatedVenue } from '../venue/index.js';
import type { VenueConfig } from '../venue/index.js';
import type { BarBatch, QuoteBatch, TradeBatch } from './batches.js';
import { collectRunResult } from './run-result.js';
import { RunRecorder } from './run-recorder.js';
import type { AlgorithmConfig, ExecutionSummary } from '../../engine/execution/index.js';
import { composeDecisionPipeline } from '../../engine/kernel/decision-pipeline.js';
import { CHAIN_QUOTE_SIZE, OptionReplay } from './option-replay.js';
import type { ChainBatch, OptionReplayConfig, OptionsRunSummary } from './option-replay.js';

/** A pre-trade risk gate that also watches equity (daily loss, drawdown) and reports halts. */
export interface RunRisk extends PreTradeRisk {
  onEquity(ts: number, equity: number): readonly AuditEntry[] | void;
}

export interface BacktestConfig {
  readonly symbols: readonly string[];
  readonly initialCash: number;
  /**
   * Bar interval in microseconds (bar data), or null for tick-only runs. With symbols of different
   * intervals (each bar's `ts` is its own close), the shortest: equity is sampled at each bar close
   * and stamped one such interval before it (for one interval, the bar's open time, as always).
   */
  readonly barIntervalUs: number | null;
  /** Equity sampling interval for tick-only runs, microseconds. */
  readonly equityEveryUs: number;
  readonly lookback: number;
  readonly venue: VenueConfig;
  /** Builds fresh strategies for a run (reruns must not share indicator state). */
  readonly createStrategies: () => Strategy[];
  /** Builds the risk gate for a run, or null for none. */
  readonly createRisk: (() => RunRisk) | null;
  /**
   * When given, strategies do not trade the account directly: the account trades under
   * `accountIds` (its Portfolio ledgers and order owners) and the router built here decides its
   * targets from the strategies' requests (e.g. an ensemble). Absent: each strategy trades its own ledger.
   */
  readonly routing?: BacktestRouting;
  /** Units per unit of price per symbol (100 for equity option contracts); default 1 each. */
  readonly multipliers?: readonly number[];
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
   * orders spends a sixth of its time recording and collecting what it would throw away.
   */
  readonly recording?: 'report' | 'metrics';
  /**
   * Start of trading, microseconds (the scenario's `engine.tradeFrom`): before it strategies see
   * every event (their indicators warm up) but their orders, targets and signals are dropped and
   * counted (see TradeGate; `warmup` of the result). Absent: trading from the first event, the run
   * unchanged to the bit.
   */
  readonly tradeFromUs?: number;
  /** Coarser bar intervals strategies read with `ctx.bars(symbol, '1d')` (scenario `data.timeframes`); passed to the TradingEngine. */
  readonly timeframes?: readonly TimeframeBars[];
}

/** A router that replaces direct strategy trading, and the account ids it trades under. */
export interface BacktestRouting {
  readonly accountIds: readonly string[];
  create(deps: RouterDeps): StrategyRouter & { summary(): EnsembleSummary };
  /**
   * The account's execution algorithm: each change of the account's target becomes a parent order
   * worked by child orders (engine/kernel/decision-pipeline.ts); absent: one order at once.
   */
  readonly algorithm?: AlgorithmConfig;
}

/** Time-ordered feeds of column batches; each may be absent. */
export interface BacktestFeeds {
  readonly bars?: AsyncIterable<BarBatch>;
  readonly quotes?: AsyncIterable<QuoteBatch>;
  readonly trades?: AsyncIterable<TradeBatch>;
  /** Option chain rows (contracts indexed in the run's symbols); needs `config.options`. */
  readonly chains?: AsyncIterable<ChainBatch>;
}

/** An order as the report lists it. */
export type { OrderRecord } from '../../engine/model/index.js';

/** Everything a run produced, as plain data. */
export interface BacktestResult {
  readonly symbols: readonly string[];
  readonly strategyIds: readonly string[];
  readonly initialCash: number;
  readonly barIntervalUs: number | null;
  readonly fills: readonly Fill[];
  /** Every order, in submission order (empty when run with `recording: 'metrics'`). */
  readonly orders: readonly OrderRecord[];
  /** Number of orders submitted (denied ones included). */
  readonly orderCount: number;
  readonly trades: readonly (ClosedTrade & { readonly symbol: string; readonly strategyId: string })[];
  readonly equity: { readonly ts: Float64Array; readonly equity: Float64Array; readonly cash: Float64Array; readonly grossExposure: Float64Array };
  readonly audit: readonly AuditEntry[];
  readonly signals: readonly Signal[];
  readonly signalCount: number;
  readonly assumptions: readonly string[];
  readonly finalEquity: number;
  readonly finalCash: number;
  /** Net position per symbol at the end. */
  readonly finalPositions: Readonly<Record<string, number>>;
  /** First and last close (or mid) per symbol, for buy and hold. */
  readonly firstPrice: Readonly<Record<string, number>>;
  readonly lastPrice: Readonly<Record<string, number>>;
  readonly barCount: number;
  readonly quoteCount: number;
  readonly tradeCount: number;
  readonly tradedNotional: number;
  readonly totalCommission: number;
  readonly runHash: string;
  /** Parent orders of the execution algorithms, when strategies used them. */
  readonly execution?: ExecutionSummary;
  /** Option chains, Greeks and settlements, on runs with options. */
  readonly options?: OptionsRunSummary;
  /** What the router recorded (weights over time, decisions, per-strategy shadow results), when one ran. */
  readonly ensemble?: EnsembleSummary;
  /** What the strategies did before `tradeFromUs` (dropped, not traded), when the run had one. */
  readonly warmup?: WarmupCounts;
}

const PRIORITY_QUOTES = 0;
const PRIORITY_TRADES = 1;
const PRIORITY_BARS = 2;
const PRIORITY_CHAINS = 3;

/**
 * Replays the feeds through the venue and the trading engine and returns the run's result.
 *
 * Per event, in the kernel's total order (visible time, source priority, seq): the venue sees the
 * data first (fills of working orders at that bar's open, stops and limits along the intrabar
 * path, quotes crossing resting limits), then the engine marks the portfolio and calls the
 * strategies, whose new orders can first fill on the next event. Equity is sampled once per bar
 * timestamp (after every symbol's bar of that time) or every `equityEveryUs` on tick-only runs.
 */
export async function runBacktest(config: BacktestConfig, feeds: BacktestFeeds): Promise<BacktestResult> {
  const symbols = config.symbols as readonly Symbol_[];
  if (symbols.length === 0) throw new InvalidArgumentError("invalid 'symbols': no symbol to replay");
  const strategies = config.createStrategies();
  const strategyIds = strategies.map((s) => s.id as StrategyId);
  const ids = new Set<string>();
  for (const id of strategyIds) {
    if (ids.has(id)) throw new InvalidArgumentError(`duplicate strategy id '${id}'`);
    ids.add(id);
  }
  const recording = config.recording ?? 'report';
  if (recording !== 'report' && recording !== 'metrics') throw new InvalidArgumentError(`invalid 'recording': expected 'report' or 'metrics', was ${JSON.stringify(recording)}`);
  const keepEverything = recording === 'report';
  const recorder = new RunRecorder(keepEverything ? undefined : 0);
  const accountIds = config.routing ? (config.routing.accountIds as readonly StrategyId[]) : strategyIds;
  const portfolio = new Portfolio(symbols.length, accountIds.length, config.initialCash, config.multipliers);
  const risk = config.createRisk ? config.createRisk() : null;
  const execution = new ExecutionEngine(symbols, accountIds, portfolio, recorder, risk);
  const venue = new SimulatedVenue(config.venue, execution, symbols);
  execution.connect(venue);
  const clock = new SimulatedClock();
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
  // The decision pipeline (engine/kernel/decision-pipeline.ts): strategies -> [ensemble] -> [execution algorithm] -> venue.
  if (config.algorithms !== undefined && config.routing !== undefined) {
    throw new InvalidArgumentError("per-strategy execution algorithms do not apply under a routing (its strategies trade shadow books, not the account): give the account's algorithm as routing.algorithm");
  }
  const accountAlgorithm = config.routing?.algorithm;
  const pipeline = composeDecisionPipeline(
    {
      ...(config.routing !== undefined ? { combine: config.routing.create } : {}),
      ...(config.algorithms !== undefined ? { algorithms: config.algorithms } : accountAlgorithm !== undefined ? { algorithms: [accountAlgorithm] } : {}),
    },
    { symbols, strategyIds, execution, portfolio, recorder },
  );
  const router = pipeline.combined ?? undefined;
  const algoRouter = pipeline.algorithms;
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
    ...(pipeline.router !== undefined ? { router: pipeline.router } : {}),
    ...(options !== null ? { chains: options.cache } : {}),
    ...(config.tradeFromUs !== undefined ? { tradeFromUs: config.tradeFromUs } : {}),
    ...(config.timeframes !== undefined ? { timeframes: config.timeframes } : {}),
  });

  // Sources and their readers.
  const barSrc = feeds.bars ? new ArrayBatchSource<BarBatch>('bars', PRIORITY_BARS) : null;
  const quoteSrc = feeds.quotes ? new ArrayBatchSource<QuoteBatch>('quotes', PRIORITY_QUOTES) : null;
  const tradeSrc = feeds.trades ? new ArrayBatchSource<TradeBatch>('trades', PRIORITY_TRADES) : null;
  const chainSrc = feeds.chains ? new ArrayBatchSource<ChainBatch>('chains', PRIORITY_CHAINS) : null;
  const sources: ArrayBatchSource<BarBatch | QuoteBatch | TradeBatch | ChainBatch>[] = [];
  const readers: AsyncIterator<BarBatch | QuoteBatch | TradeBatch | ChainBatch>[] = [];
  const kinds: number[] = [];
  if (quoteSrc && feeds.quotes) {
    sources.push(quoteSrc as ArrayBatchSource<BarBatch | QuoteBatch | TradeBatch>);
    readers.push(feeds.quotes[Symbol.asyncIterator]());
    kinds.push(PRIORITY_QUOTES);
  }
  if (tradeSrc && feeds.trades) {
    sources.push(tradeSrc as ArrayBatchSource<BarBatch | QuoteBatch | TradeBatch>);
    readers.push(feeds.trades[Symbol.asyncIterator]());
    kinds.push(PRIORITY_TRADES);
  }
  if (barSrc && feeds.bars) {
    sources.push(barSrc as ArrayBatchSource<BarBatch | QuoteBatch | TradeBatch>);
    readers.push(feeds.bars[Symbol.asyncIterator]());
    kinds.push(PRIORITY_BARS);
  }
  if (chainSrc && feeds.chains) {
    sources.push(chainSrc as ArrayBatchSource<BarBatch | QuoteBatch | TradeBatch | ChainBatch>);
    readers.push(feeds.chains[Symbol.asyncIterator]());
    kinds.push(PRIORITY_CHAINS);
  }
  if (sources.length === 0) throw new InvalidArgumentError('no data to replay: give bars, quotes or trades');
  const refill = async (k: number): Promise<void> => {
    const r = await readers[k]!.next();
    if (r.done) sources[k]!.end();
    else sources[k]!.push(r.value);
  };

  const merge = new EventMerge(sources);
  const sequencer = new EventSequencer(merge, timers, clock);
  const firstPrice = new Float64Array(symbols.length).fill(Number.NaN);
  const hasBars = barSrc !== null;
  const equityEvery = config.equityEveryUs;
  // Equity is sampled once per bar close time (`ts`), after every bar closing then, and stamped
  // `ts - barIntervalUs`: the bars' open time when all have one interval. With several intervals the
  // bars' open times are not in replay order (a daily bar closes after the hourly bars it spans),
  // their close times are.
  let lastBarClose = Number.NEGATIVE_INFINITY;
  let lastBarStamp = Number.NEGATIVE_INFINITY;
  let nextTickSample = Number.NaN;
  let barCount = 0;
  let quoteCount = 0;
  let tradeCount = 0;

  engine.start();
  for (;;) {
    const step = sequencer.next();
    if (step >= 0) {
      const kind = kinds[step]!;
      if (options !== null) options.settle(clock.now());
      if (kind === PRIORITY_BARS) {
        const b = barSrc!.batch!;
        const r = barSrc!.row;
        const i = b.symbol[r]!;
        const barTs = b.barTs[r]!;
        const closeTs = b.ts[r]!;
        if (closeTs !== lastBarClose) {
          if (closeTs < lastBarClose) throw new InvariantError(`bar time went backwards: a bar closing at ${closeTs} after one closing at ${lastBarClose}`);
          if (lastBarClose !== Number.NEGATIVE_INFINITY) engine.sampleEquity(lastBarStamp);
          lastBarClose = closeTs;
          lastBarStamp = config.barIntervalUs !== null ? closeTs - config.barIntervalUs : barTs;
          venue.onTimeAdvance(lastBarStamp);
        }
        const o = b.open[r]!;
        const h = b.high[r]!;
        const l = b.low[r]!;
        const c = b.close[r]!;
        const v = b.volume[r]!;
        venue.onBar(i, barTs, o, h, l, c, v, closeTs);
        if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = c;
        engine.onBarRow(i, b, r);
        barCount++;
      } else if (kind === PRIORITY_QUOTES) {
        const q = quoteSrc!.batch!;
        const r = quoteSrc!.row;
        const i = q.symbol[r]!;
        const ts = q.ts[r]!;
        venue.onTimeAdvance(ts);
        venue.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
        engine.onQuote(i, ts, q.bid[r]!, q.bidSize[r]!, q.ask[r]!, q.askSize[r]!);
        if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = (q.bid[r]! + q.ask[r]!) / 2;
        quoteCount++;
        if (!hasBars) nextTickSample = sampleTicks(engine, ts, nextTickSample, equityEvery);
      } else if (kind === PRIORITY_CHAINS) {
        const c = chainSrc!.batch!;
        const r = chainSrc!.row;
        const i = c.symbol[r]!;
        const ts = c.ts[r]!;
        venue.onTimeAdvance(ts);
        if (options!.onRow(c, r)) {
          venue.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
          engine.onQuote(i, ts, c.bid[r]!, CHAIN_QUOTE_SIZE, c.ask[r]!, CHAIN_QUOTE_SIZE);
        }
        if (firstPrice[i] !== firstPrice[i] && portfolio.mark[i]! > 0) firstPrice[i] = portfolio.mark[i]!;
        if (!hasBars) nextTickSample = sampleTicks(engine, ts, nextTickSample, equityEvery);
      } else {
        const t = tradeSrc!.batch!;
        const r = tradeSrc!.row;
        const i = t.symbol[r]!;
        const ts = t.ts[r]!;
        venue.onTimeAdvance(ts);
        venue.onTrade(i, ts, t.price[r]!, t.size[r]!, Math.sign(t.side[r]!) as -1 | 0 | 1);
        engine.onTrade(i, ts, t.price[r]!, t.size[r]!, t.side[r]!);
        if (firstPrice[i] !== firstPrice[i]) firstPrice[i] = t.price[r]!;
        tradeCount++;
        if (!hasBars) nextTickSample = sampleTicks(engine, ts, nextTickSample, equityEvery);
      }
    } else if (step === SequencerStep.Timer) {
      engine.onTimer(timers.firedName);
    } else if (step === MergeSignal.Starved) {
      await refill(merge.starvedSource);
    } else {
      break;
    }
  }
  engine.stop();
  if (hasBars && lastBarClose !== Number.NEGATIVE_INFINITY) engine.sampleEquity(lastBarStamp);
  else if (!hasBars && clock.now() > Number.NEGATIVE_INFINITY && quoteCount + tradeCount > 0) engine.sampleEquity(clock.now());

  return {
    ...collectRunResult({
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
      firstPrice,
      assumptions: [
        ...venue.assumptions(),
        ...(options !== null ? options.assumptions() : []),
        ...(algoRouter !== null ? algoRouter.summary().algorithms : []),
        ...(engine.gate !== null ? [describeWarmup(engine.gate.counts(), formatIsoUs(engine.gate.tradeFromUs))] : []),
      ],
      barCount,
      quoteCount,
      tradeCount,
    }),
    ...(router !== undefined ? { ensemble: router.summary() } : {}),
    ...(algoRouter !== null ? { execution: algoRouter.summary() } : {}),
    ...(options !== null ? { options: options.summary(clock.now()) } : {}),
    ...(engine.gate !== null ? { warmup: engine.gate.counts() } : {}),
  };
}

function sampleTicks(engine: TradingEngine, ts: number, next: number, every: number): number {
  if (next !== next) return Math.floor(ts / every) * every + every;
  if (ts >= next) {
    engine.sampleEquity(next - every);
    return Math.floor(ts / every) * every + every;
  }
  return next;
}
