import { ConfigError, InvalidArgumentError } from '../core/errors.js';
import { parseDurationUs } from '../core/time.js';
import type { OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { ExecutionEngine } from '../execution/execution-engine.js';
import type { OrderChanges, OrderEvent, Signal } from '../model/events.js';
import type { InstrumentSpec } from '../model/instruments.js';
import type { QuoteTick, SentimentEvent, TradeTick } from '../model/market-data.js';
import { BarRow } from '../model/market-batches.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Clock } from '../ports/clock.js';
import type { MarketDataHandler } from '../ports/data-feed.js';
import { EquitySample } from '../ports/recorder.js';
import type { Recorder } from '../ports/recorder.js';
import type { OptionChainView } from '../model/option-chain.js';
import { NO_PLOT_LINE } from '../strategies/context.js';
import type { BarSeries, BookView, PlotLine, PlotOptions, Strategy, StrategyContext, TargetOptions } from '../strategies/context.js';
import { strategyFailure, strategySourceOf } from '../strategies/strategy-source.js';
import type { StrategySource } from '../strategies/strategy-source.js';
import { BarRing, CoarseBarView } from './bar-cache.js';
import type { BarColumns, TimeframeBars } from './bar-cache.js';
import { StrategyPlots } from './plots.js';
import type { PlotHost } from './plots.js';
import type { PlotSeriesResult } from './run-result.js';
import { DirectRouter } from './strategy-router.js';
import { TradeGate } from './trade-gate.js';
import type { StrategyRouter } from './strategy-router.js';
import type { TimerQueue } from './timer-queue.js';

/** Receives equity samples for limits that depend on equity (daily loss, drawdown). */
export interface EquityWatcher {
  onEquity(ts: number, equity: number): void;
}

export interface TradingEngineOptions {
  readonly symbols: readonly Symbol_[];
  readonly strategies: readonly Strategy[];
  readonly portfolio: Portfolio;
  readonly execution: ExecutionEngine;
  readonly clock: Clock;
  readonly timers: TimerQueue;
  readonly recorder: Recorder;
  /** Bars kept per symbol for strategies to read back (default 1024). */
  readonly lookback?: number;
  readonly equityWatchers?: readonly EquityWatcher[];
  /**
   * Where strategies' targets, signals and orders go; default a {@link DirectRouter} to `execution`
   * and `portfolio` (each strategy trades its own ledger of the account).
   */
  readonly router?: StrategyRouter;
  /**
   * Start of trading, microseconds (scenario `engine.tradeFrom`): before it every order, target and
   * signal of the strategies is dropped and counted (see {@link TradeGate}) while they still see the
   * data. Absent: strategies trade from the first event.
   */
  readonly tradeFromUs?: number;
  /** Order books strategies may read (`ctx.book`), on runs that replay L2 data. */
  readonly books?: { book(symbol: string): BookView };
  /** Option chains strategies may read (`ctx.chain`), on runs that replay chains. */
  readonly chains?: { chain(underlying: string): OptionChainView | null };
  /**
   * Coarser intervals of the bar symbols, resampled before the run (scenario `data.timeframes`),
   * that strategies read with `ctx.bars(symbol, '1d')`; each bar is readable once its bucket closed
   * (see CoarseBarView). Absent: only `ctx.bars(symbol)`.
   */
  readonly timeframes?: readonly TimeframeBars[];
  /** Per symbol, the instrument the scenario declares (null: none), read by strategies with `ctx.instrument`. */
  readonly instruments?: readonly (InstrumentSpec | null)[];
  /** Keep what strategies plot (`ctx.plot`, see {@link TradingEngine.plotSeries}); default false: `ctx.plotting` is false and ctx.plot does nothing. */
  readonly plots?: boolean;
}

const TIMER_SEP = '\u0000';
/** Prefix of timers owned by the router (execution algorithms); strategy timers never start with it. */
const ROUTER_TIMER = '\u0002r:';

/**
 * The trading system shared by live and simulation: keeps the data caches, marks the portfolio,
 * calls strategies with a StrategyContext, routes their orders through execution and risk, and
 * samples equity. It is driven by a data feed (MarketDataHandler) and a timer queue; whether the
 * fills come from a simulated venue or a broker is decided by what the ExecutionEngine is connected to.
 */
export class TradingEngine implements MarketDataHandler, PlotHost {
  readonly symbols: readonly Symbol_[];
  readonly strategies: readonly Strategy[];
  readonly portfolio: Portfolio;
  readonly execution: ExecutionEngine;
  private readonly clock: Clock;
  private readonly timers: TimerQueue;
  private readonly recorder: Recorder;
  private readonly watchers: readonly EquityWatcher[];
  private readonly bars: BarRing[];
  private readonly trades: (TradeTick | null)[];
  private readonly quotes: (QuoteTick | null)[];
  private readonly sentiments: (SentimentEvent | null)[];
  /** For each symbol, the strategies that receive its data. */
  private readonly subscribers: Int32Array[];
  private readonly contexts: StrategyRuntime[];
  /** Where each strategy's code came from (undefined for a built-in), to name it when it fails. */
  private readonly sources: (StrategySource | undefined)[];
  private readonly symbolIndex = new Map<string, number>();
  /** @internal read by StrategyRuntime */
  readonly router: StrategyRouter;
  /** The warm-up gate in front of the router when `tradeFromUs` is set, else null. */
  readonly gate: TradeGate | null;
  private readonly barHooks: boolean;
  /** @internal read by StrategyRuntime */
  readonly books: { book(symbol: string): BookView } | null;
  /** @internal read by StrategyRuntime */
  readonly chains: { chain(underlying: string): OptionChainView | null } | null;
  /** Per timeframe label, the coarse view of each symbol (null: a symbol without bars). */
  private readonly coarse = new Map<string, (CoarseBarView | null)[]>();
  /** Per timeframe length (µs), its views: `ctx.bars(s, '24h')` finds the `1d` of data.timeframes. */
  private readonly coarseByUs = new Map<number, (CoarseBarView | null)[]>();
  private readonly timeframeLabels: readonly string[];
  /** @internal read by StrategyRuntime: frozen instruments per symbol. */
  readonly instruments: readonly (Readonly<InstrumentSpec> | null)[];
  /** Read-only views of the books, per symbol, made on first use (see bookView). */
  private readonly bookViews: BookView[] = [];
  /** The open time of the bar being delivered to the strategies, NaN outside onBar: what a plot is stamped at. */
  private barPlotTs = Number.NaN;
  /** @internal read by the strategies' plots (PlotHost): the portfolio's marks. */
  readonly plotMarks: Float64Array;
  /** The equity sample being taken (EquitySample indexes), reused for every sample: see {@link takeSample}. */
  readonly sample = new Float64Array(EquitySample.size);
  /** The signals recordSignal writes again when the router keeps none (StrategyRouter.keepsSignals false): without and with a reason. */
  private readonly plainSignal: WritableSignal = { ts: 0, strategyId: '' as StrategyId, symbol: '' as Symbol_, direction: 0, strength: 0, confidence: 0 };
  private readonly reasonSignal: WritableSignal = { ts: 0, strategyId: '' as StrategyId, symbol: '' as Symbol_, direction: 0, strength: 0, confidence: 0, reason: '' };

  constructor(o: TradingEngineOptions) {
    this.symbols = o.symbols;
    this.strategies = o.strategies;
    this.portfolio = o.portfolio;
    this.execution = o.execution;
    this.clock = o.clock;
    this.timers = o.timers;
    this.recorder = o.recorder;
    const router = o.router ?? new DirectRouter(o.execution, o.portfolio, o.recorder);
    if (o.tradeFromUs !== undefined && !Number.isSafeInteger(o.tradeFromUs)) throw new InvalidArgumentError(`invalid 'tradeFromUs': not an integer number of microseconds, was ${o.tradeFromUs}`);
    this.gate = o.tradeFromUs !== undefined ? new TradeGate(router, o.tradeFromUs) : null;
    this.router = this.gate ?? router;
    this.barHooks = this.router.beforeBar !== undefined || this.router.afterBar !== undefined;
    this.books = o.books ?? null;
    this.chains = o.chains ?? null;
    const routerWatch = this.router.onEquity !== undefined ? [{ onEquity: (ts: number, eq: number) => this.router.onEquity!(ts, eq) }] : [];
    this.watchers = [...(o.equityWatchers ?? []), ...routerWatch];
    this.symbols.forEach((s, i) => this.symbolIndex.set(s, i));
    const lookback = o.lookback ?? 1024;
    this.bars = this.symbols.map((s) => new BarRing(s, lookback));
    for (const tf of o.timeframes ?? []) {
      const views = this.symbols.map((s) => {
        const cols = tf.bars.get(s);
        return cols !== undefined ? new CoarseBarView(s, cols, lookback) : null;
      });
      this.coarse.set(tf.label, views);
      this.coarseByUs.set(tf.intervalUs, views);
    }
    this.timeframeLabels = (o.timeframes ?? []).map((tf) => tf.label);
    this.instruments = this.symbols.map((_, i) => {
      const spec = o.instruments?.[i] ?? null;
      return spec === null ? null : Object.freeze({ ...spec });
    });
    this.trades = this.symbols.map(() => null);
    this.quotes = this.symbols.map(() => null);
    this.sentiments = this.symbols.map(() => null);
    const subs: number[][] = this.symbols.map(() => []);
    this.strategies.forEach((st, k) => {
      for (const s of st.symbols) {
        const i = this.symbolIndex.get(s);
        if (i === undefined) throw new InvalidArgumentError(`strategy '${st.id}' trades '${s}', which is not in this run's data (${this.symbols.join(', ')})`);
        subs[i]!.push(k);
      }
    });
    this.subscribers = subs.map((a) => Int32Array.from(a));
    this.plotMarks = this.portfolio.mark;
    this.contexts = this.strategies.map((st, k) => new StrategyRuntime(this, k, st.id, st.symbols, o.plots === true ? new StrategyPlots(this, st.id, st.symbols) : null));
    this.sources = this.strategies.map((st) => strategySourceOf(st));
    if (this.router.attach !== undefined) {
      const timers = this.timers;
      this.router.attach({
        now: () => this.clock.now(),
        schedule: (name, ts) => timers.schedule(ROUTER_TIMER + name, ts, 0),
        cancel: (name) => void timers.cancel(ROUTER_TIMER + name),
        lastQuote: (i) => this.quotes[i] ?? null,
        mark: (i) => this.portfolio.mark[i]!,
      });
    }
    if (this.router.deliversOrderEvents) {
      this.execution.onStrategyOrderEvent(
        (k, ev) => {
          const st = this.strategies[k];
          try {
            if (st?.onOrderEvent) st.onOrderEvent(this.contexts[k]!, ev);
          } catch (err) {
            throw this.failed(k, 'onOrderEvent', err);
          }
        },
        (k) => this.strategies[k]?.onOrderEvent !== undefined,
      );
    }
  }

  /** Calls every strategy's onStart. */
  start(): void {
    this.strategies.forEach((st, k) => {
      try {
        st.onStart?.(this.contexts[k]!);
      } catch (err) {
        throw this.failed(k, 'onStart', err);
      }
    });
  }

  /** Calls every strategy's onStop. */
  stop(): void {
    this.strategies.forEach((st, k) => {
      try {
        st.onStop?.(this.contexts[k]!);
      } catch (err) {
        throw this.failed(k, 'onStop', err);
      }
    });
    this.router.onStop?.();
  }

  /** Clears caches for a rerun (strategies are recreated by the caller). */
  reset(): void {
    for (const b of this.bars) b.reset();
    for (const views of this.coarse.values()) for (const v of views) v?.reset();
    this.trades.fill(null);
    this.quotes.fill(null);
    this.sentiments.fill(null);
  }

  get now(): number {
    return this.clock.now();
  }

  indexOf(symbol: string): number {
    const i = this.symbolIndex.get(symbol);
    if (i === undefined) throw new InvalidArgumentError(`unknown symbol '${symbol}': not in this run's data (${this.symbols.join(', ')})`);
    return i;
  }

  barSeries(symbolIndex: number): BarSeries {
    return this.bars[symbolIndex]!;
  }

  /**
   * @internal used by StrategyRuntime: the bars of symbol `symbolIndex` at `timeframe`, closed by
   * now. Throws a ConfigError at data.timeframes naming strategy `strategyIndex` when the scenario
   * did not ask for that timeframe, or when the symbol has no bars to resample.
   */
  coarseSeries(strategyIndex: number, symbolIndex: number, timeframe: string): BarSeries {
    let views = this.coarse.get(timeframe);
    if (views === undefined) {
      views = this.timeframeAlias(strategyIndex, symbolIndex, timeframe);
      this.coarse.set(timeframe, views);
    }
    const view = views[symbolIndex];
    if (view === null || view === undefined) {
      throw new ConfigError('data.timeframes', `strategy '${this.strategies[strategyIndex]!.id}' reads ctx.bars('${this.symbols[symbolIndex]}', '${timeframe}'), but ${this.symbols[symbolIndex]} has no bars to resample`);
    }
    return view.sync(this.clock.now());
  }

  /** The views of `timeframe` written another way (`24h` for `1d`), else the refusal. */
  private timeframeAlias(strategyIndex: number, symbolIndex: number, timeframe: string): (CoarseBarView | null)[] {
    let us: number | null = null;
    try {
      us = parseDurationUs(String(timeframe), 'timeframe');
    } catch {
      us = null;
    }
    const views = us !== null ? this.coarseByUs.get(us) : undefined;
    if (views !== undefined) return views;
    const has = this.timeframeLabels.length > 0 ? `it has ${this.timeframeLabels.map((t) => `'${t}'`).join(', ')}` : 'the scenario gives none';
    throw new ConfigError(
      'data.timeframes',
      `strategy '${this.strategies[strategyIndex]!.id}' reads ctx.bars('${this.symbols[symbolIndex]}', '${String(timeframe)}'), which needs '${String(timeframe)}' in data.timeframes (${has})`,
    );
  }

  /**
   * @internal used by StrategyRuntime: the read-only BookView of a symbol's book (null without L2
   * data), made once per symbol. The book behind it is the strategy-side replica the run keeps
   * (sim/backtest/l2-side.ts), whose methods can change it; the view hands out only the readers
   * of BookView, so a strategy sees the live book (it changes as the feed moves: that is what a
   * book is) but cannot write to it.
   */
  bookView(symbolIndex: number): BookView | null {
    const books = this.books;
    if (books === null) return null;
    let view = this.bookViews[symbolIndex];
    if (view === undefined) {
      const b = books.book(this.symbols[symbolIndex]!);
      view = Object.freeze({
        get bestBid() {
          return b.bestBid;
        },
        get bestAsk() {
          return b.bestAsk;
        },
        get bestBidSize() {
          return b.bestBidSize;
        },
        get bestAskSize() {
          return b.bestAskSize;
        },
        get mid() {
          return b.mid;
        },
        levelCount: (side: number) => b.levelCount(side),
        depth: (side: number, n: number, prices: Float64Array, sizes: Float64Array) => b.depth(side, n, prices, sizes),
      });
      this.bookViews[symbolIndex] = view;
    }
    return view;
  }

  lastTrade(symbolIndex: number): TradeTick | null {
    return this.trades[symbolIndex]!;
  }

  lastQuote(symbolIndex: number): QuoteTick | null {
    return this.quotes[symbolIndex]!;
  }

  lastSentiment(symbolIndex: number): SentimentEvent | null {
    return this.sentiments[symbolIndex]!;
  }

  /**
   * A bar of symbol `symbolIndex` opening at `ts`, as numbers: the same as {@link onBarRow} (it is written into a
   * one-row column set and goes that way).
   */
  onBar(symbolIndex: number, ts: number, open: number, high: number, low: number, close: number, volume: number): void {
    this.onBarRow(symbolIndex, this.oneBar.set(ts, open, high, low, close, volume), 0);
  }

  /** The row {@link onBar} writes its bar into. */
  private readonly oneBar = new BarRow();

  /**
   * The replay path's onBar: the bar is row `row` of column arrays, read from the typed arrays here rather than
   * passed as arguments, so V8 never boxes them when the call is not inlined (an allocation per bar otherwise). The
   * bar joins its symbol's ring and marks the portfolio; the strategies' onBar follow, between the router's bar
   * hooks when it has any.
   */
  onBarRow(symbolIndex: number, cols: BarColumns, row: number): void {
    const ring = this.bars[symbolIndex]!;
    ring.pushRow(cols, row);
    this.portfolio.mark[symbolIndex] = cols.close[row]!;
    this.barPlotTs = cols.barTs[row]!;
    if (this.barHooks) this.onBarRouted(symbolIndex, ring, cols, row);
    else this.deliverBar(symbolIndex, ring);
    this.barPlotTs = Number.NaN;
  }

  /** onBarRow's strategies with the router's bar hooks around them (kept out of the direct path). */
  private onBarRouted(symbolIndex: number, ring: BarRing, cols: BarColumns, row: number): void {
    const ts = cols.barTs[row]!;
    this.router.beforeBar?.(symbolIndex, ts, cols.open[row]!, cols.high[row]!, cols.low[row]!, cols.close[row]!, cols.volume[row]!);
    this.deliverBar(symbolIndex, ring);
    this.router.afterBar?.(symbolIndex, ts);
  }

  /** Calls the onBar of every strategy subscribed to the symbol, with its bar ring. */
  private deliverBar(symbolIndex: number, ring: BarRing): void {
    const subs = this.subscribers[symbolIndex]!;
    for (let j = 0; j < subs.length; j++) {
      const k = subs[j]!;
      const st = this.strategies[k]!;
      if (st.onBar !== undefined) {
        try {
          st.onBar(this.contexts[k]!, ring);
        } catch (err) {
          throw this.failed(k, `onBar for the ${ring.symbol} bar`, err, ring.ts());
        }
      }
    }
  }

  onTrade(symbolIndex: number, ts: number, price: number, size: number, side: number): void {
    // Frozen: the same object is ctx.lastTrade() and the onTrade argument; a strategy cannot change what others read.
    const t: TradeTick = Object.freeze({ ts, price, size, side: side > 0 ? 1 : side < 0 ? -1 : 0 });
    this.trades[symbolIndex] = t;
    this.portfolio.markPrice(symbolIndex, price);
    this.router.onTrade?.(symbolIndex, ts, price, size);
    const subs = this.subscribers[symbolIndex]!;
    for (let j = 0; j < subs.length; j++) {
      const k = subs[j]!;
      try {
        this.strategies[k]!.onTrade?.(this.contexts[k]!, this.symbols[symbolIndex]!, t);
      } catch (err) {
        throw this.failed(k, 'onTrade', err);
      }
    }
  }

  onQuote(symbolIndex: number, ts: number, bid: number, bidSize: number, ask: number, askSize: number): void {
    // Frozen: the same object is ctx.lastQuote(), the onQuote argument and what execution algorithms price against.
    const q: QuoteTick = Object.freeze({ ts, bid, bidSize, ask, askSize });
    this.quotes[symbolIndex] = q;
    if (bid > 0 && ask > 0) this.portfolio.markPrice(symbolIndex, (bid + ask) / 2);
    const subs = this.subscribers[symbolIndex]!;
    for (let j = 0; j < subs.length; j++) {
      const k = subs[j]!;
      try {
        this.strategies[k]!.onQuote?.(this.contexts[k]!, this.symbols[symbolIndex]!, q);
      } catch (err) {
        throw this.failed(k, 'onQuote', err);
      }
    }
  }

  /**
   * A sentiment score of symbol `symbolIndex` became known at `ts` (`mentions` NaN when the data has
   * none): delivered to the symbol's strategies' onSentiment as one frozen event, also ctx.lastSentiment.
   * It marks nothing and reaches no venue: a score is information, not a price.
   */
  onSentiment(symbolIndex: number, ts: number, score: number, mentions: number): void {
    const symbol = this.symbols[symbolIndex]!;
    const e: SentimentEvent = Object.freeze({ ts, symbol, score, mentions });
    this.sentiments[symbolIndex] = e;
    const subs = this.subscribers[symbolIndex]!;
    for (let j = 0; j < subs.length; j++) {
      const k = subs[j]!;
      try {
        this.strategies[k]!.onSentiment?.(this.contexts[k]!, e);
      } catch (err) {
        throw this.failed(k, 'onSentiment', err);
      }
    }
  }

  /** Dispatches a fired timer (`timers.firedName`) to the strategy that set it. */
  onTimer(firedName: string): void {
    if (firedName.startsWith(ROUTER_TIMER)) {
      this.router.onTimer?.(firedName.slice(ROUTER_TIMER.length), this.clock.now());
      return;
    }
    const sep = firedName.indexOf(TIMER_SEP);
    if (sep < 0) return;
    const k = Number(firedName.slice(0, sep));
    const st = this.strategies[k];
    try {
      st?.onTimer?.(this.contexts[k]!, firedName.slice(sep + 1));
    } catch (err) {
      throw this.failed(k, 'onTimer', err);
    }
  }

  /**
   * What a strategy's callback threw, to rethrow: for a user strategy (one with a StrategySource) a
   * StrategyError naming it, its module, the callback, the time and the user's frame; a built-in's
   * errors pass unchanged (they are the engine's own, already worded). `ts` is the bar's time in
   * onBar (the bar the user looks at), the clock's otherwise.
   */
  private failed(k: number, callback: string, err: unknown, ts: number = this.clock.now()): unknown {
    const source = this.sources[k];
    if (source === undefined) return err;
    return strategyFailure(this.strategies[k]!, source, callback, ts, err);
  }

  /**
   * Applies the account's rules at the sample (borrow cost, ruin, margin call: see
   * ExecutionEngine.onAccountSample; orders they send are decided at `decisionTs`, default now),
   * records an equity sample stamped `ts` with margin in use and buying power (0 and cash without an
   * account), and tells the watchers (risk limits that depend on equity).
   */
  sampleEquity(ts: number, decisionTs: number = this.clock.now()): void {
    const s = this.sample;
    s[EquitySample.ts] = ts;
    s[EquitySample.decisionTs] = decisionTs;
    this.takeSample();
  }

  /**
   * {@link sampleEquity} with `ts` and `decisionTs` already written into {@link sample}: the per-bar
   * path (EquitySampler) passes no number to a call V8 may not inline (each would be a boxed
   * allocation), and the sample's fields travel to the account and the recorder in the same array.
   */
  takeSample(): void {
    // Small enough for V8 to inline it, with the account's, the portfolio's and the recorder's parts,
    // into the sampler's per-bar call as one compiled unit (within TurboFan's 920 bytes of inlined
    // bytecode): what a run without an account or with watchers does is a call apart.
    const s = this.sample;
    const execution = this.execution;
    const account = execution.accountInUse;
    if (account === null) this.sampleWithoutAccount(s);
    else {
      // The account's rules sample the portfolio first; when they leave it unchanged that sample stands.
      if (!execution.onAccountSample(s)) this.portfolio.sampleInto(s);
      account.sampleInto(s);
    }
    this.recorder.onEquity(s);
    if (this.watchers.length !== 0) this.tellWatchers(s);
  }

  /** {@link takeSample}'s portfolio sample without an account: no margin in use, cash to spend. */
  private sampleWithoutAccount(s: Float64Array): void {
    const p = this.portfolio;
    p.sampleInto(s);
    s[EquitySample.marginInUse] = 0;
    s[EquitySample.buyingPower] = p.cash;
  }

  /** Tells the watchers (risk limits that depend on equity) the sample's time and equity. */
  private tellWatchers(s: Float64Array): void {
    for (let i = 0; i < this.watchers.length; i++) this.watchers[i]!.onEquity(s[EquitySample.ts]!, s[EquitySample.equity]!);
  }

  /**
   * @internal read by the strategies' plots: the time a value plotted now is stamped at. In onBar the
   * bar's open time (`bars.ts(0)`: where the price pane draws the bar and the equity curve samples it),
   * so an indicator computed on a bar's close is drawn on that bar; elsewhere the clock's now.
   */
  plotTime(): number {
    const t = this.barPlotTs;
    return t === t ? t : this.clock.now();
  }

  /**
   * Every series the strategies plotted (ctx.plot), in strategy order and, within a strategy, in the
   * order of their first points; empty when the engine does not keep plots (TradingEngineOptions.plots).
   */
  plotSeries(): PlotSeriesResult[] {
    const out: PlotSeriesResult[] = [];
    for (const c of this.contexts) out.push(...c.plotResults());
    return out;
  }

  /** @internal used by StrategyRuntime */
  scheduleTimer(strategyIndex: number, name: string, ts: number, intervalUs: number): void {
    this.timers.schedule(`${strategyIndex}${TIMER_SEP}${name}`, ts, intervalUs);
  }

  /** @internal used by StrategyRuntime */
  cancelTimer(strategyIndex: number, name: string): void {
    this.timers.cancel(`${strategyIndex}${TIMER_SEP}${name}`);
  }

  /** @internal used by StrategyRuntime */
  recordSignal(strategyIndex: number, strategyId: StrategyId, symbol: Symbol_, direction: -1 | 0 | 1, strength: number, confidence: number, reason: string | undefined): void {
    const ts = this.clock.now();
    if (this.router.keepsSignals === false) {
      // Nothing keeps the object past the call: one per shape, written again (the keys and key order of the literals below).
      const s = reason !== undefined ? this.reasonSignal : this.plainSignal;
      s.ts = ts;
      s.strategyId = strategyId;
      s.symbol = symbol;
      s.direction = direction;
      s.strength = strength;
      s.confidence = confidence;
      if (reason !== undefined) s.reason = reason;
      this.router.signal(strategyIndex, s);
      return;
    }
    // One literal per shape (no spread of a temporary object): the same keys, in the same order.
    this.router.signal(
      strategyIndex,
      reason !== undefined ? { ts, strategyId, symbol, direction, strength, confidence, reason } : { ts, strategyId, symbol, direction, strength, confidence },
    );
  }
}

/** A signal recordSignal writes again (see TradingEngine.plainSignal). */
type WritableSignal = { -readonly [K in keyof Signal]: Signal[K] };

/** The StrategyContext one strategy sees. */
class StrategyRuntime implements StrategyContext {
  constructor(
    private readonly engine: TradingEngine,
    private readonly index: number,
    readonly strategyId: StrategyId,
    readonly symbols: readonly Symbol_[],
    /** Null when the run keeps no plots. */
    private readonly plots: StrategyPlots | null,
  ) {
    this.plotting = plots !== null;
  }

  readonly plotting: boolean;
  /**
   * The value of the {@link plot} call being handled. A double stored in a field is written into the
   * field's own box, while a double passed to a call V8 does not inline is boxed anew: plot stays small
   * enough (V8 inlines a function of up to 27 bytes of bytecode wherever it is called, whatever its
   * caller's inlining budget) to hand the value over here and call {@link recordPlot} with none, so a
   * strategy plotting on every bar allocates nothing for it.
   */
  private plotValue = Number.NaN;

  get now(): number {
    return this.engine.now;
  }
  plot(series: string, value: number, options?: PlotOptions): void {
    this.plotValue = value;
    this.recordPlot(series, options);
  }
  plotSeries(series: string, options?: PlotOptions): PlotLine {
    return this.plots === null ? NO_PLOT_LINE : this.plots.line(series, options);
  }
  /** The rest of {@link plot}: a non-number goes the checked way, which refuses it. */
  private recordPlot(series: string, options: PlotOptions | undefined): void {
    const plots = this.plots;
    if (plots === null) return;
    const value = this.plotValue;
    if (typeof value !== 'number') return plots.record(series, value, options);
    // The value travels in the plots' array, not as an argument (see StrategyPlots.valueIn).
    plots.valueIn[0] = value;
    plots.recordValue(series, options);
  }
  /** @internal what this strategy plotted (see TradingEngine.plotSeries). */
  plotResults(): PlotSeriesResult[] {
    return this.plots === null ? [] : this.plots.results();
  }
  bars(symbol: string, timeframe?: string): BarSeries {
    const i = this.engine.indexOf(symbol);
    return timeframe === undefined ? this.engine.barSeries(i) : this.engine.coarseSeries(this.index, i, timeframe);
  }
  lastTrade(symbol: string): TradeTick | null {
    return this.engine.lastTrade(this.engine.indexOf(symbol));
  }
  lastQuote(symbol: string): QuoteTick | null {
    return this.engine.lastQuote(this.engine.indexOf(symbol));
  }
  lastSentiment(symbol: string): SentimentEvent | null {
    return this.engine.lastSentiment(this.engine.indexOf(symbol));
  }
  position(symbol: string): number {
    return this.engine.router.position(this.index, this.engine.indexOf(symbol));
  }
  cash(): number {
    return this.engine.router.cash(this.index);
  }
  equity(): number {
    return this.engine.router.equity(this.index);
  }
  setTarget(symbol: string, units: number, options?: TargetOptions): void {
    // Refused here, whatever the router: an ensemble would otherwise take a NaN target as a signal.
    if (!Number.isFinite(units)) throw new InvalidArgumentError(`invalid target 'units' for ${symbol}: not a finite number, was ${units}`);
    this.engine.router.setTarget(this.index, this.engine.indexOf(symbol), units, this.engine.now, options);
  }
  emitSignal(symbol: string, direction: -1 | 0 | 1, strength = 1, confidence = 1, reason?: string): void {
    this.engine.recordSignal(this.index, this.strategyId, this.engine.symbols[this.engine.indexOf(symbol)]!, direction, strength, confidence, reason);
  }
  submitOrder(request: OrderRequest): OrderId {
    return this.engine.router.submitOrder(this.index, request, this.engine.now);
  }
  submitBracket(request: BracketRequest): BracketIds {
    const router = this.engine.router;
    if (router.submitBracket === undefined) {
      throw new InvalidArgumentError(`strategy '${this.strategyId}' submits a bracket, which an ensemble does not route: use setTarget`);
    }
    return router.submitBracket(this.index, request, this.engine.now);
  }
  cancelOrder(orderId: OrderId): void {
    this.engine.router.cancelOrder(this.index, orderId, this.engine.now);
  }
  replaceOrder(orderId: OrderId, changes: OrderChanges): void {
    this.engine.router.replaceOrder(this.index, orderId, changes, this.engine.now);
  }
  openOrders(symbol?: string): readonly OrderSnapshot[] {
    return this.engine.router.openOrders(this.index, symbol === undefined ? undefined : this.engine.indexOf(symbol));
  }
  setTimer(name: string, ts: number, intervalUs = 0): void {
    this.engine.scheduleTimer(this.index, name, ts, intervalUs);
  }
  cancelTimer(name: string): void {
    this.engine.cancelTimer(this.index, name);
  }
  book(symbol: string): BookView | null {
    return this.engine.bookView(this.engine.indexOf(symbol));
  }
  chain(underlying: string): OptionChainView | null {
    return this.engine.chains === null ? null : this.engine.chains.chain(underlying);
  }
  instrument(symbol: string): Readonly<InstrumentSpec> | null {
    return this.engine.instruments[this.engine.indexOf(symbol)] ?? null;
  }
}

