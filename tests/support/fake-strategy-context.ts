import { orderId, strategyId, symbolId, US_PER_DAY, type OrderId, type StrategyId, type Symbol_ } from '../../engine/core/index.js';
import type { Bar, BracketIds, BracketRequest, OrderChanges, OrderRequest, OrderSnapshot, QuoteTick, SentimentEvent, TradeTick } from '../../engine/model/index.js';
import type { BarSeries, PlotLine, PlotOptions, Strategy, StrategyContext, TargetOptions } from '../../engine/strategies/context.js';

/**
 * A BarSeries over an array of bars, revealing them one at a time. Reading `ago` outside
 * [0, length) throws, so a strategy that looks past the bars it was given (or into the future)
 * fails the test instead of reading undefined.
 */
export class FakeBarSeries implements BarSeries {
  readonly symbol: Symbol_;
  /** Bars delivered so far. */
  count = 0;
  private readonly bars: Bar[] = [];

  constructor(
    symbol: string,
    /** Most bars the view keeps (like the engine's lookback window). */
    private readonly lookback = Number.POSITIVE_INFINITY,
  ) {
    this.symbol = symbolId(symbol);
  }

  get length(): number {
    return Math.min(this.count, this.lookback);
  }

  push(bar: Bar): void {
    this.bars.push(bar);
    this.count++;
  }

  private at(ago: number): Bar {
    if (!Number.isInteger(ago) || ago < 0 || ago >= this.length) {
      throw new RangeError(`FakeBarSeries(${this.symbol}): read ago=${ago} outside [0, ${this.length})`);
    }
    return this.bars[this.count - 1 - ago]!;
  }

  ts(ago = 0): number {
    return this.at(ago).ts;
  }
  open(ago = 0): number {
    return this.at(ago).open;
  }
  high(ago = 0): number {
    return this.at(ago).high;
  }
  low(ago = 0): number {
    return this.at(ago).low;
  }
  close(ago = 0): number {
    return this.at(ago).close;
  }
  volume(ago = 0): number {
    return this.at(ago).volume;
  }
}

export interface TargetCall {
  readonly kind: 'setTarget';
  readonly ts: number;
  readonly symbol: string;
  readonly units: number;
  readonly options?: TargetOptions;
}

export interface SignalCall {
  readonly kind: 'emitSignal';
  readonly ts: number;
  readonly symbol: string;
  readonly direction: -1 | 0 | 1;
  readonly strength: number | undefined;
  readonly confidence: number | undefined;
  readonly reason: string | undefined;
}

export type ContextCall = TargetCall | SignalCall;

export interface FakeContextOptions {
  readonly strategyId?: string;
  /** Account equity (a number, or a function of the context called on every read). Default 100000. */
  readonly equity?: number | ((ctx: FakeStrategyContext) => number);
  readonly cash?: number;
  /** Bar length: a bar opening at ts is delivered at ts + barIntervalUs. Default one day. */
  readonly barIntervalUs?: number;
  /** When true (the default) a target fills at once, so position() returns the last target. */
  readonly fillTargets?: boolean;
  /** Lookback window of the bar views. Default unlimited. */
  readonly lookback?: number;
  /** `ctx.plotting`: when true, ctx.plot calls are recorded in `plots`. Default false. */
  readonly plotting?: boolean;
}

/**
 * A StrategyContext for tests: records setTarget and emitSignal calls in order, keeps a BarSeries
 * per symbol over bars the test feeds, and reports a configurable equity. Orders and timers are
 * recorded but never executed.
 */
export class FakeStrategyContext implements StrategyContext {
  now = 0;
  readonly strategyId: StrategyId;
  readonly symbols: readonly Symbol_[];
  /** Every setTarget and emitSignal call, in order. */
  readonly calls: ContextCall[] = [];
  readonly submitted: OrderRequest[] = [];
  readonly positions = new Map<string, number>();
  private readonly series = new Map<string, FakeBarSeries>();
  private readonly sentiments = new Map<string, SentimentEvent>();
  private readonly options: FakeContextOptions;
  private orderSeq = 0;

  constructor(symbols: readonly string[], options: FakeContextOptions = {}) {
    this.options = options;
    this.strategyId = strategyId(options.strategyId ?? 'test');
    this.symbols = symbols.map(symbolId);
    for (const s of this.symbols) this.series.set(s, new FakeBarSeries(s, options.lookback));
  }

  get targets(): TargetCall[] {
    return this.calls.filter((c): c is TargetCall => c.kind === 'setTarget');
  }

  get signals(): SignalCall[] {
    return this.calls.filter((c): c is SignalCall => c.kind === 'emitSignal');
  }

  /** Reveals `bar` for `symbol`, advances `now` to its close and calls `strategy.onBar`. */
  deliver(strategy: Strategy, symbol: string, bar: Bar): void {
    const series = this.bars(symbol);
    (series as FakeBarSeries).push(bar);
    this.now = bar.ts + (this.options.barIntervalUs ?? US_PER_DAY);
    strategy.onBar?.(this, series);
  }

  /** Advances `now` to the score's time and calls `strategy.onSentiment` with it (frozen, also lastSentiment). */
  deliverSentiment(strategy: Strategy, symbol: string, ts: number, score: number, mentions = Number.NaN): void {
    const e: SentimentEvent = Object.freeze({ ts, symbol, score, mentions });
    this.sentiments.set(symbol, e);
    this.now = ts;
    strategy.onSentiment?.(this, e);
  }

  /** Delivers every bar in order. */
  run(strategy: Strategy, symbol: string, bars: readonly Bar[]): this {
    for (const b of bars) this.deliver(strategy, symbol, b);
    return this;
  }

  bars(symbol: Symbol_ | string): BarSeries {
    const s = this.series.get(symbol);
    if (!s) throw new RangeError(`FakeStrategyContext: no bars for ${symbol}`);
    return s;
  }
  lastTrade(_symbol: Symbol_ | string): TradeTick | null {
    return null;
  }
  lastQuote(_symbol: Symbol_ | string): QuoteTick | null {
    return null;
  }
  lastSentiment(symbol: Symbol_ | string): SentimentEvent | null {
    return this.sentiments.get(symbol) ?? null;
  }
  position(symbol: Symbol_ | string): number {
    return this.positions.get(symbol) ?? 0;
  }
  cash(): number {
    return this.options.cash ?? 100_000;
  }
  equity(): number {
    const e = this.options.equity ?? 100_000;
    return typeof e === 'function' ? e(this) : e;
  }
  setTarget(symbol: Symbol_ | string, units: number, options?: TargetOptions): void {
    this.calls.push(options === undefined ? { kind: 'setTarget', ts: this.now, symbol, units } : { kind: 'setTarget', ts: this.now, symbol, units, options });
    if (this.options.fillTargets ?? true) this.positions.set(symbol, units);
  }
  emitSignal(symbol: Symbol_ | string, direction: -1 | 0 | 1, strength?: number, confidence?: number, reason?: string): void {
    this.calls.push({ kind: 'emitSignal', ts: this.now, symbol, direction, strength, confidence, reason });
  }
  submitOrder(request: OrderRequest): OrderId {
    this.submitted.push(request);
    return orderId(`F-${++this.orderSeq}`);
  }
  submitBracket(_request: BracketRequest): BracketIds {
    return { entry: orderId(`F-${++this.orderSeq}`), takeProfit: orderId(`F-${++this.orderSeq}`), stopLoss: orderId(`F-${++this.orderSeq}`) };
  }
  cancelOrder(_orderId: OrderId): void {}
  replaceOrder(_orderId: OrderId, _changes: OrderChanges): void {}
  openOrders(_symbol?: Symbol_ | string): readonly OrderSnapshot[] {
    return [];
  }
  setTimer(_name: string, _ts: number, _intervalUs?: number): void {}
  cancelTimer(_name: string): void {}
  get plotting(): boolean {
    return this.options.plotting === true;
  }
  /** Every ctx.plot call (when `plotting`), in order, with `now` at the call. */
  readonly plots: { series: string; value: number; options: PlotOptions | undefined; now: number }[] = [];
  plot(series: string, value: number, options?: PlotOptions): void {
    if (this.plotting) this.plots.push({ series, value, options, now: this.now });
  }
  /** A line whose `set` (and `setFrom`) is recorded in `plots` as `plot(series, value, options)` would be. */
  plotSeries(series: string, options?: PlotOptions): PlotLine {
    return { set: (value: number) => this.plot(series, value, options), setFrom: (source: { readonly value: number }) => this.plot(series, source.value, options) };
  }
}

/** Returns bars with the given closes (open = previous close, high/low bracketing both), one a day. */
export function barsFromCloses(closes: readonly number[], startTs = 1_704_067_200_000_000): Bar[] {
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return { ts: startTs + i * US_PER_DAY, open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume: 1000 };
  });
}
