import { checkPeriod, strategyId, type OrderId, type StrategyId, type Symbol_ } from '../core/index.js';
import { Atr, type CloseSeries, type ScalarIndicator, type SeriesIndicator } from '../indicators/index.js';
import type { OrderEvent } from '../model/index.js';
import type { BarSeries, PlotLine, PlotOptions, Strategy, StrategyContext } from './context.js';
import type { StrategyWarmup } from './define-strategy.js';
import { checkSizing, positionSize, sizingWarmupBars, stopDistance, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of the moving-average crossover strategies (`sma_cross`, `ema_cross`). */
export interface MovingAverageCrossParams {
  /** Fast average period, bars; smaller than `slow`. Default 10. */
  readonly fast: number;
  /** Slow average period, bars. Default 20. */
  readonly slow: number;
  /** `long_short` reverses on every cross; `long_only` goes long or flat. Default `long_short`. */
  readonly mode: TradeMode;
  /**
   * Position size (see PositionSizing). Default 100 units. With `risk` sizing the strategy places
   * the protective stop: each fill of its entry puts a reduce-only stop order for the whole
   * position at the fill price -/+ the stop distance measured at the decision (replacing the
   * previous one), and the next cross cancels it before trading.
   */
  readonly sizing: PositionSizing;
  /** Allows fractional units (equity_fraction sizing is otherwise floored). Default false. */
  readonly fractional: boolean;
}

/** Defaults of the crossovers: periods 10 / 20, long/short reversal, 100 units, whole units. */
export const MOVING_AVERAGE_CROSS_DEFAULTS: MovingAverageCrossParams = Object.freeze({
  fast: 10,
  slow: 20,
  mode: 'long_short',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/**
 * Returns the frozen, validated parameters of a crossover strategy named `strategy`, defaults
 * applied. Throws InvalidArgumentError naming the parameter and its value.
 */
export function qualifyMovingAverageCrossParams(
  strategy: string,
  params?: Partial<MovingAverageCrossParams>,
): MovingAverageCrossParams {
  const p = withDefaults(strategy, MOVING_AVERAGE_CROSS_DEFAULTS, params);
  checkPeriod(p.fast, 'fast');
  checkPeriod(p.slow, 'slow');
  if (p.fast >= p.slow) failParam('fast', `not smaller than 'slow' (${p.slow})`, p.fast);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    fast: p.fast,
    slow: p.slow,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { placesStops: true, strategy }),
    fractional,
  });
}

/**
 * The warm-up of a crossover (its StrategyWarmup): a cross needs both averages ready on this bar
 * and on the one before, so `slow + 1` bars, or what the sizing needs when more (see sizingWarmupBars).
 */
export function movingAverageCrossWarmup(params: Pick<MovingAverageCrossParams, 'slow'> & Partial<Pick<MovingAverageCrossParams, 'sizing'>>): StrategyWarmup {
  const sizing = params.sizing !== undefined ? sizingWarmupBars(params.sizing) : 0;
  if (sizing > params.slow + 1) return { bars: sizing, because: `sizing.kind=${params.sizing!.kind}` };
  return { bars: params.slow + 1, because: `slow=${params.slow}` };
}

/**
 * An average given as a bare ScalarIndicator (no `updateFrom`) fed through `update`: the built-in
 * averages (Sma, Ema) have `updateFrom` and are used as they are.
 */
class UpdateFrom implements SeriesIndicator {
  constructor(private readonly average: ScalarIndicator) {}
  get value(): number {
    return this.average.value;
  }
  get ready(): boolean {
    return this.average.ready;
  }
  get warmUp(): number {
    return this.average.warmUp;
  }
  get count(): number {
    return this.average.count;
  }
  update(x: number): number {
    return this.average.update(x);
  }
  updateFrom(series: CloseSeries): void {
    this.average.update(series.close(0));
  }
  reset(): void {
    this.average.reset();
  }
}

function seriesIndicator(average: ScalarIndicator): SeriesIndicator {
  return typeof (average as Partial<SeriesIndicator>).updateFrom === 'function' ? (average as SeriesIndicator) : new UpdateFrom(average);
}

class CrossView extends SymbolView {
  /**
   * The averages on the previous bar on which both were ready (fast, slow); NaN before that. Kept in a
   * Float64Array rather than two number fields: in some processes V8 boxed every write of those fields
   * in onBar's optimized code (two heap numbers a bar on the trading tape; bench/RESULTS.md, s14-sma).
   */
  readonly previous = new Float64Array([Number.NaN, Number.NaN]);
  /** `risk` sizing: the stop distance of the current position (price units) and its working stop order. */
  stopDistance = Number.NaN;
  stopId: OrderId | null = null;
  /** Both averages are plotted over this symbol's price, with these options made once. */
  readonly plotOptions: PlotOptions;
  /** The averages' plot lines (ctx.plotSeries), asked of `plotContext`: each run's context gives its own. */
  plotContext: StrategyContext | null = null;
  fastLine: PlotLine | null = null;
  slowLine: PlotLine | null = null;
  constructor(
    symbol: Symbol_,
    readonly fast: SeriesIndicator,
    readonly slow: SeriesIndicator,
    /** The ATR of `risk` sizing with `stopAtr`; null otherwise. */
    readonly atr: Atr | null,
  ) {
    super(symbol);
    this.plotOptions = Object.freeze({ symbol, overlay: true });
  }
}

/**
 * Moving-average crossover, decided on each bar's close. A cross above is backtesting.py's
 * `crossover(fast, slow)`: `fast < slow` on the previous bar and `fast > slow` on this bar, both
 * strict, so a bar on which the averages are equal is neither side and a touch-then-continue is no
 * cross. The strategy acts only once both averages are ready and a previous ready bar exists;
 * starting flat it does nothing until the first cross.
 *
 * On a cross above it targets `+size` units; on a cross below `-size` (`long_short`, a reversal)
 * or 0 (`long_only`). Size follows `sizing` at the close of the crossing bar.
 *
 * Signal: direction is the new view; strength is the fraction of the full size the strategy now
 * targets (1 in a position, 0 flat: a crossover is all-or-nothing); confidence is 1 (the rule has
 * no model of its own uncertainty; quality and filter layers may lower it).
 */
export class MovingAverageCrossStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: MovingAverageCrossParams;
  private readonly views: SymbolViews<CrossView>;
  private readonly reasonAbove: string;
  private readonly reasonBelow: string;
  /** The plotted series' names: `SMA(10)`, `SMA(20)`. */
  private readonly fastName: string;
  private readonly slowName: string;

  /**
   * @param name the strategy name used in messages (e.g. `sma_cross`)
   * @param label the average's short name used in signal reasons (e.g. `SMA`)
   * @param createAverage returns a fresh average of the given period
   */
  constructor(
    name: string,
    label: string,
    createAverage: (period: number) => ScalarIndicator,
    id: StrategyId | string,
    symbols: readonly string[],
    params: MovingAverageCrossParams,
  ) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = params;
    const sizing = params.sizing;
    const atr = (): Atr | null => (sizing.kind === 'risk' && sizing.atrPeriod !== null ? new Atr(sizing.atrPeriod) : null);
    this.views = new SymbolViews(name, this.symbols.map((s) => new CrossView(s, seriesIndicator(createAverage(params.fast)), seriesIndicator(createAverage(params.slow)), atr())));
    if (sizing.kind !== 'risk') this.onOrderEvent = undefined;
    this.reasonAbove = `${label}(${params.fast}) crossed above ${label}(${params.slow})`;
    this.reasonBelow = `${label}(${params.fast}) crossed below ${label}(${params.slow})`;
    this.fastName = `${label}(${params.fast})`;
    this.slowName = `${label}(${params.slow})`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    // The averages read the bar from the series and leave their value in a field: no double crosses
    // these calls, so a call V8 leaves out of onBar's code (which ones depends on when each function is
    // compiled) boxes nothing (see CloseSeries).
    v.fast.updateFrom(bars);
    v.slow.updateFrom(bars);
    if (v.atr !== null) v.atr.updateFrom(bars);
    if (ctx.plotting) this.plotAverages(ctx, v);
    if (!(v.fast.ready && v.slow.ready)) return;
    const fast = v.fast.value;
    const slow = v.slow.value;
    const previous = v.previous;
    const prevFast = previous[0]!;
    const prevSlow = previous[1]!;
    previous[0] = fast;
    previous[1] = slow;
    // NaN (no previous ready bar) compares false both ways, so the first ready bar never crosses.
    if (prevFast < prevSlow && fast > slow) this.onCross(ctx, v, 1, bars);
    else if (prevFast > prevSlow && fast < slow) this.onCross(ctx, v, -1, bars);
  }

  /** Plots each average once it is ready (the view and the averages, not the values, are passed: no double boxed on the way). */
  private plotAverages(ctx: StrategyContext, v: CrossView): void {
    if (v.plotContext !== ctx) this.askLines(ctx, v);
    if (v.fast.ready) v.fastLine!.setFrom(v.fast);
    if (v.slow.ready) v.slowLine!.setFrom(v.slow);
  }

  /** Asks this run's context for the averages' plot lines (on the first plotted bar of a run). */
  private askLines(ctx: StrategyContext, v: CrossView): void {
    v.fastLine = ctx.plotSeries(this.fastName, v.plotOptions);
    v.slowLine = ctx.plotSeries(this.slowName, v.plotOptions);
    v.plotContext = ctx;
  }

  /**
   * Acts on a cross. Kept out of onBar, and given the series rather than the close, so that onBar
   * stays small enough for V8 to inline the indicator updates and passes no double to a call that
   * is not inlined: either would box a number on the heap, an allocation per bar (measured with
   * --trace-gc: ~30 scavenges per 8M bars before, none after).
   */
  private onCross(ctx: StrategyContext, v: CrossView, direction: 1 | -1, bars: BarSeries): void {
    const p = this.params;
    const close = bars.close(0);
    let stop = Number.NaN;
    if (p.sizing.kind === 'risk') {
      // The old position's stop goes before the target moves (it would count as working toward it).
      if (v.stopId !== null) ctx.cancelOrder(v.stopId);
      v.stopId = null;
      stop = stopDistance(p.sizing, close, v.atr !== null ? v.atr.value : Number.NaN);
      v.stopDistance = stop;
    }
    if (direction === 1) {
      v.change(ctx, 1, positionSize(p.sizing, p.fractional, ctx.equity(), close, bars, stop, ctx.instrument?.(bars.symbol)?.multiplier ?? 1), 1, this.reasonAbove);
    } else if (p.mode === 'long_only') {
      v.change(ctx, 0, 0, 0, this.reasonBelow);
    } else {
      v.change(ctx, -1, -positionSize(p.sizing, p.fractional, ctx.equity(), close, bars, stop, ctx.instrument?.(bars.symbol)?.multiplier ?? 1), 1, this.reasonBelow);
    }
  }

  /**
   * `risk` sizing only (left undefined otherwise): after each fill of an entry, (re)places the
   * protective stop for the whole position at the fill price -/+ the stop distance; forgets the stop
   * once it finished.
   */
  onOrderEvent?(ctx: StrategyContext, event: OrderEvent): void {
    if (event.kind !== 'OrderFilled') {
      if (event.kind === 'OrderCancelled' || event.kind === 'OrderExpired' || event.kind === 'OrderRejected') {
        for (const s of this.symbols) {
          const v = this.views.get(s);
          if (v.stopId === event.orderId) v.stopId = null;
        }
      }
      return;
    }
    const fill = event.fill;
    const v = this.views.get(fill.symbol);
    const pos = ctx.position(fill.symbol);
    if (event.orderId === v.stopId) {
      if (pos === 0) v.stopId = null;
      return;
    }
    if (v.stopId !== null) ctx.cancelOrder(v.stopId);
    v.stopId = null;
    if (pos === 0 || !(v.stopDistance > 0)) return;
    const stopPrice = pos > 0 ? fill.price - v.stopDistance : fill.price + v.stopDistance;
    if (!(stopPrice > 0)) return;
    v.stopId = ctx.submitOrder({ symbol: fill.symbol, side: pos > 0 ? 'sell' : 'buy', qty: Math.abs(pos), type: 'stop', stopPrice, reduceOnly: true, tag: 'stop' });
  }
}
