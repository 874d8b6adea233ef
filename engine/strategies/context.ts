import type { OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { OrderChanges, OrderEvent } from '../model/events.js';
import type { QuoteTick, SentimentEvent, TradeTick } from '../model/market-data.js';
import type { InstrumentSpec } from '../model/instruments.js';
import type { OptionChainView } from '../model/option-chain.js';
import type { BracketIds, BracketRequest, OrderRequest } from '../model/orders.js';
import type { OrderSnapshot } from '../model/order-snapshot.js';

/**
 * A read-only view of one symbol's bars up to now, newest last. `ago` counts back from the latest
 * bar (0 = the bar that just closed). Only bars already delivered are in it, so a strategy cannot
 * read the future: there is no index that reaches past now.
 *
 * It is a live view by design, the one accessor of the context that is not a snapshot: the object
 * is the engine's own ring of the symbol's last bars (no copy per bar), so `close(0)`, `length` and
 * `count` move when the next bar arrives. Read what you need inside the callback (copy numbers to
 * keep them); an object kept to read later shows the bars of that later time. Only the readers
 * below are part of the contract: write to nothing else on it.
 */
export interface BarSeries {
  readonly symbol: Symbol_;
  /** Bars available in the view (at most the lookback window). */
  readonly length: number;
  /** Bars delivered since the start of the run. */
  readonly count: number;
  ts(ago?: number): number;
  open(ago?: number): number;
  high(ago?: number): number;
  low(ago?: number): number;
  close(ago?: number): number;
  volume(ago?: number): number;
}

/**
 * A read-only view of one symbol's order book (L2 runs): the touch and the depth by price level.
 * Sides are 1 (bids) and -1 (asks). It is the book as the strategy sees it now (feed latency applied).
 */
export interface BookView {
  /** Best bid price; NaN when the bid side is empty. */
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly bestBidSize: number;
  readonly bestAskSize: number;
  readonly mid: number;
  /** Returns the number of non-empty price levels on `side`. */
  levelCount(side: number): number;
  /**
   * Writes up to `n` levels of `side`, best first, into `prices` and `sizes` (which must hold `n`)
   * and returns how many it wrote.
   */
  depth(side: number, n: number, prices: Float64Array, sizes: Float64Array): number;
}

/** Options for a target position. */
export interface TargetOptions {
  /** Order type used to reach the target; market by default. */
  readonly type?: 'market' | 'limit';
  readonly limitPrice?: number;
  readonly tag?: string;
}

/** Options of a plotted series (see StrategyContext.plot). */
export interface PlotOptions {
  /** The symbol whose price pane the series belongs to; default the strategy's first symbol. */
  readonly symbol?: Symbol_ | string;
  /**
   * true: drawn over the symbol's price (a moving average); false: in a pane of its own (an RSI).
   * Left out: over the price when more than 60% of its finite values lie within 0.6 to 1.4 times the
   * symbol's price at the time, else its own pane.
   */
  readonly overlay?: boolean;
  /** Line colour: `#rgb`, `#rrggbb`, `#rrggbbaa`, a CSS colour name or `rgb()`/`rgba()`; default the chart's palette. */
  readonly color?: string;
}

/**
 * One plotted series, asked for once with {@link StrategyContext.plotSeries} and recorded through on
 * every bar: `line.set(value)` is `ctx.plot(name, value, options)` with the name and options the line
 * was asked for, the same series and the same rules (the last value per timestamp wins, NaN is a gap,
 * +-Infinity and non-numbers are refused), without finding the series by name on each call. Like a
 * backtrader line or a LEAN `Series`: made in `onStart` (or on the first bar), kept in the strategy.
 */
export interface PlotLine {
  /**
   * Records `value` at the time of the data the strategy is looking at (in onBar the bar's timestamp,
   * elsewhere `now`), as {@link StrategyContext.plot} does. Throws after the run the line was asked for
   * in has ended: ask each run's context for its own lines (in onStart), not a line kept from another run.
   */
  set(value: number): void;
  /**
   * Records `source.value`, as `set(source.value)` (an indicator can be passed as it is): no number
   * crosses the call, so a call V8 leaves out of the caller's code boxes nothing.
   */
  setFrom(source: { readonly value: number }): void;
}

/**
 * The line of a context that keeps no plots ({@link StrategyContext.plotting} false): `set` does
 * nothing, as `plot` does there.
 */
export const NO_PLOT_LINE: PlotLine = Object.freeze({
  set(_value: number): void {},
  setFrom(_source: { readonly value: number }): void {},
});

/**
 * Everything a strategy may see and do. Positions are the strategy's own (the portfolio keeps one
 * ledger per strategy and symbol); cash and equity are the account's.
 */
export interface StrategyContext {
  /** Current data time, microseconds. */
  readonly now: number;
  readonly strategyId: StrategyId;
  readonly symbols: readonly Symbol_[];
  /**
   * The bars of `symbol` up to now. With `timeframe` (a duration such as `'4h'` or `'1d'`, one of
   * the scenario's `data.timeframes`), its bars resampled to that interval in UTC epoch buckets
   * (first open, highest high, lowest low, last close, summed volume): a bucket is readable from
   * the first event at or after its end, never before, so a partial bucket (the day still running,
   * or the last one when the data ends inside it) is never seen. `ts` is the bucket's open time.
   * Throws for a timeframe not in `data.timeframes`.
   */
  bars(symbol: Symbol_ | string, timeframe?: string): BarSeries;
  /** The last trade print of `symbol` (null before the first): a frozen object, the one onTrade received. */
  lastTrade(symbol: Symbol_ | string): TradeTick | null;
  /** The last quote of `symbol` (null before the first): a frozen object, the one onQuote received. */
  lastQuote(symbol: Symbol_ | string): QuoteTick | null;
  /**
   * The last sentiment score of `symbol` (null before the first, and on runs without `data.sentiment`):
   * a frozen object, the one onSentiment received. Optional: contexts without sentiment data may leave it out.
   */
  lastSentiment?(symbol: Symbol_ | string): SentimentEvent | null;
  /** This strategy's signed position in units. */
  position(symbol: Symbol_ | string): number;
  /** Account cash. */
  cash(): number;
  /** Account equity: cash plus positions marked to the last price. */
  equity(): number;
  /**
   * Asks for a signed target position in units; the engine sends the difference (net of this
   * strategy's working orders in the symbol) through risk and execution.
   */
  setTarget(symbol: Symbol_ | string, units: number, options?: TargetOptions): void;
  /** Records a signal (direction -1/0/1, strength and confidence in [0, 1]) for the ensemble and report. */
  emitSignal(symbol: Symbol_ | string, direction: -1 | 0 | 1, strength?: number, confidence?: number, reason?: string): void;
  /** Submits an order; returns its id (a denied order still gets an id and an OrderDenied event). */
  submitOrder(request: OrderRequest): OrderId;
  /**
   * Submits a bracket: an entry and a take-profit limit and stop-loss stop (reduce-only, OUO) that
   * work once the entry fills, sized to its fills. Returns the three ids. A malformed bracket (a
   * stop-loss on the wrong side of the entry, say) throws naming the field; runs whose router trades
   * targets only (an ensemble) refuse it.
   */
  submitBracket(request: BracketRequest): BracketIds;
  cancelOrder(orderId: OrderId): void;
  replaceOrder(orderId: OrderId, changes: OrderChanges): void;
  /**
   * This strategy's working orders, optionally for one symbol, in submission order: a snapshot (a
   * new frozen array of frozen copies, see OrderSnapshot), so a loop that cancels each order it
   * lists cancels them all, and writing to it throws instead of changing the engine. It does not
   * follow later fills or cancels: call it again, or follow onOrderEvent.
   */
  openOrders(symbol?: Symbol_ | string): readonly OrderSnapshot[];
  /** Schedules a timer at `ts` (repeating every `intervalUs` when given); names are per strategy. */
  setTimer(name: string, ts: number, intervalUs?: number): void;
  cancelTimer(name: string): void;
  /**
   * Returns the order book of `symbol` on runs that replay L2 data, else null: a frozen read-only
   * view of the live book (it follows the feed; none of the book's writers is reachable through it).
   * Optional: contexts without market-depth data may leave it out.
   */
  book?(symbol: Symbol_ | string): BookView | null;
  /**
   * Returns the latest option chain of `underlying` on runs that replay chains, else null: a frozen
   * snapshot (rows that join the chain later, or a newer chain, do not change it). Optional like `book`.
   */
  chain?(underlying: Symbol_ | string): OptionChainView | null;
  /**
   * Returns the instrument of `symbol` when the scenario declares one (`instruments.SYM` or
   * `instrumentsFile`: asset class, multiplier = point value, tick and lot size, margins), else null
   * (a plain unit of 1). A frozen object. Sizing uses its multiplier: one ES contract at 5000 is
   * 250,000 of exposure. Optional like `book`.
   */
  instrument?(symbol: Symbol_ | string): Readonly<InstrumentSpec> | null;
  /**
   * Whether this run keeps what {@link plot} records: true in `tapedeck run` and `backtest()`, false in
   * sweep trials and walk-forward folds (they report metrics). Test it to skip work done only to plot.
   */
  readonly plotting: boolean;
  /**
   * Records `value` of the series `series` at the time of the data the strategy is looking at (in onBar
   * the bar's timestamp, the time the price pane draws the bar at; elsewhere `now`), for the report's
   * price pane of `options.symbol` (default the strategy's first symbol); backtesting.py's `self.I`.
   * A series is (strategy, name, symbol). One value per timestamp: a second call at the same time
   * replaces the first. NaN is a gap (a warming-up indicator); +-Infinity is refused. The first call
   * fixes `overlay` and `color`: later calls may leave them out, and a different value is refused.
   * Plots never change the run (the runHash does not cover them, nothing reads them back); a run that
   * does not keep them ({@link plotting} false) ignores the call. A strategy plotting a series on every
   * bar records it faster through a line asked for once: see {@link plotSeries}.
   */
  plot(series: string, value: number, options?: PlotOptions): void;
  /**
   * The line of the series `series` (with `options.symbol`, default the strategy's first symbol), to
   * record through with `line.set(value)` instead of calling {@link plot} with the name on every bar:
   *
   * ```ts
   * onStart(ctx) { this.fast = ctx.plotSeries('SMA(10)', { overlay: true }); }
   * onBar(ctx, bars) { this.fast.set(this.sma.update(bars.close(0))); }
   * ```
   *
   * The same series as `plot(series, value, options)` records (the two may be mixed, and asking twice
   * gives the same line): asking for a line counts as the call that fixes `overlay` and `color`, so
   * options that differ from the series' first ones are refused, here or at the later call, and a name
   * or options `plot` would refuse are refused here. A series appears in the result from its first
   * point: a line never set plots nothing. In a run that keeps no plots ({@link plotting} false) the
   * line ignores every value and costs nothing. A line belongs to its run: `set` after the run ended
   * throws, so ask each run's context (onStart is called once per run).
   */
  plotSeries(series: string, options?: PlotOptions): PlotLine;
}

/** A trading strategy. Every callback is synchronous and sees only data up to `ctx.now`. */
export interface Strategy {
  readonly id: StrategyId;
  /** Symbols whose data the strategy receives. */
  readonly symbols: readonly Symbol_[];
  onStart?(ctx: StrategyContext): void;
  /** A bar closed for one of the strategy's symbols. */
  onBar?(ctx: StrategyContext, bars: BarSeries): void;
  onTrade?(ctx: StrategyContext, symbol: Symbol_, trade: TradeTick): void;
  onQuote?(ctx: StrategyContext, symbol: Symbol_, quote: QuoteTick): void;
  /**
   * A sentiment score of one of the strategy's symbols arrived (scenario `data.sentiment`). Scores
   * are replayed with the other data in time order; at the same timestamp after quotes, trades, bars
   * and option chains, so a score stamped at a bar's close follows that bar's onBar.
   */
  onSentiment?(ctx: StrategyContext, event: SentimentEvent): void;
  onTimer?(ctx: StrategyContext, name: string): void;
  onOrderEvent?(ctx: StrategyContext, event: OrderEvent): void;
  onStop?(ctx: StrategyContext): void;
  /**
   * The state the strategy chooses to persist across sessions (a learned table, a DCA schedule, a
   * counter): a JSON-serialisable value (numbers, strings, booleans, null, arrays, plain objects; no
   * NaN or Infinity, which JSON cannot hold). A live session saves it in the portfolio state
   * (`portfolio.json`, `strategies.<id>`) and hands it to {@link restore} of a fresh instance, built
   * with the same parameters, when the session resumes. Optional: a strategy without it starts fresh.
   * Called outside the callbacks (never in the middle of one), it must not change the strategy.
   */
  snapshot?(): unknown;
  /**
   * Puts back the state {@link snapshot} returned (after a JSON round trip), on a fresh instance, before
   * `onStart`, when a session resumes. Throw (naming what is wrong) on a state it cannot take; a
   * snapshot for a strategy without `restore` is refused by the session (see restoreStrategies).
   */
  restore?(state: unknown): void;
}
