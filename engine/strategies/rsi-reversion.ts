import { checkFinite, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { Rsi } from '../indicators/index.js';
import type { BarSeries, PlotLine, PlotOptions, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `rsi_reversion`. */
export interface RsiReversionParams {
  /** RSI period (Wilder smoothing), bars. Default 14. */
  readonly period: number;
  /** RSI strictly below this goes long. Default 30. */
  readonly oversold: number;
  /** RSI strictly above this exits a long (`long_only`) or goes short (`long_short`). Default 70. */
  readonly overbought: number;
  /**
   * RSI strictly above this exits a long, strictly below it exits a short (a return to the mean);
   * null exits only at the opposite threshold. Must lie in [oversold, overbought]. Default 50.
   */
  readonly exitLevel: number | null;
  /** Default `long_only`. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `rsi_reversion` (each documented on {@link RsiReversionParams}). */
export const RSI_REVERSION_DEFAULTS: RsiReversionParams = Object.freeze({
  period: 14,
  oversold: 30,
  overbought: 70,
  exitLevel: 50,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `rsi_reversion` parameters with defaults applied. */
export function rsiReversionParams(params?: Partial<RsiReversionParams>): RsiReversionParams {
  const p = withDefaults('rsi_reversion', RSI_REVERSION_DEFAULTS, params);
  checkPeriod(p.period, 'period');
  checkFinite(p.oversold, 'oversold');
  checkFinite(p.overbought, 'overbought');
  if (!(p.oversold > 0 && p.oversold < 100)) failParam('oversold', 'outside (0, 100)', p.oversold);
  if (!(p.overbought > p.oversold && p.overbought < 100)) {
    failParam('overbought', `outside ('oversold' = ${p.oversold}, 100)`, p.overbought);
  }
  if (p.exitLevel !== null) {
    checkFinite(p.exitLevel, 'exitLevel');
    if (p.exitLevel < p.oversold || p.exitLevel > p.overbought) {
      failParam('exitLevel', `outside ['oversold' = ${p.oversold}, 'overbought' = ${p.overbought}]`, p.exitLevel);
    }
  }
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    period: p.period,
    oversold: p.oversold,
    overbought: p.overbought,
    exitLevel: p.exitLevel,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'rsi_reversion' }),
    fractional,
  });
}

class RsiView extends SymbolView {
  /** The RSI is plotted in a pane of its own under this symbol's price. */
  readonly plotOptions: PlotOptions;
  /** The RSI's plot line (ctx.plotSeries), asked of `plotContext`: each run's context gives its own. */
  plotContext: StrategyContext | null = null;
  line: PlotLine | null = null;
  constructor(
    symbol: Symbol_,
    readonly rsi: Rsi,
  ) {
    super(symbol);
    this.plotOptions = Object.freeze({ symbol, overlay: false });
  }
}

/**
 * `rsi_reversion`: mean reversion on the RSI of closes, decided on each bar's close once the RSI is
 * ready (after `period + 1` bars).
 *
 * Flat: RSI < oversold goes long; RSI > overbought goes short in `long_short`. Long: RSI >
 * overbought goes short (`long_short`) or flat (`long_only`); otherwise RSI > exitLevel goes flat.
 * Short: RSI < oversold goes long; otherwise RSI < exitLevel goes flat.
 *
 * Signal: strength is how far past its threshold the RSI is, as a fraction of the room left
 * (long: `(oversold - rsi) / oversold`, short: `(rsi - overbought) / (100 - overbought)`), 0 when
 * flat; confidence is 1.
 */
export class RsiReversionStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: RsiReversionParams;
  private readonly views: SymbolViews<RsiView>;
  private readonly longShort: boolean;
  private readonly exitLevel: number;
  private readonly reasonLong: string;
  private readonly reasonShort: string;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;
  /** The plotted series' name: `RSI(14)`. */
  private readonly plotName: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<RsiReversionParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = rsiReversionParams(params);
    const p = this.params;
    this.views = new SymbolViews('rsi_reversion', this.symbols.map((s) => new RsiView(s, new Rsi(p.period))));
    this.longShort = p.mode === 'long_short';
    // NaN disables the exit-level comparisons (every comparison with NaN is false).
    this.exitLevel = p.exitLevel ?? Number.NaN;
    this.reasonLong = `RSI(${p.period}) below ${p.oversold}`;
    this.reasonShort = `RSI(${p.period}) above ${p.overbought}`;
    this.reasonExitLong = p.exitLevel === null ? this.reasonShort : `RSI(${p.period}) above ${p.exitLevel}`;
    this.reasonExitShort = p.exitLevel === null ? this.reasonLong : `RSI(${p.period}) below ${p.exitLevel}`;
    this.plotName = `RSI(${p.period})`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    // The RSI reads the close from the series and the plot line reads the RSI (updateFrom, setFrom): no
    // double crosses a call V8 may leave out of onBar's code, where `update(close)` boxed the close and
    // the result on every bar in some processes (bench/RESULTS.md, s15-bar).
    v.rsi.updateFrom(bars);
    if (!v.rsi.ready) return;
    const rsi = v.rsi.value;
    if (ctx.plotting) this.plotRsi(ctx, v);
    const { oversold, overbought } = this.params;
    if (rsi < oversold) {
      if (v.direction !== 1) this.enter(ctx, v, 1, bars, (oversold - rsi) / oversold, this.reasonLong);
    } else if (rsi > overbought) {
      if (this.longShort) {
        if (v.direction !== -1) this.enter(ctx, v, -1, bars, (rsi - overbought) / (100 - overbought), this.reasonShort);
      } else if (v.direction === 1) {
        v.change(ctx, 0, 0, 0, this.reasonShort);
      }
    } else if (v.direction === 1 && rsi > this.exitLevel) {
      v.change(ctx, 0, 0, 0, this.reasonExitLong);
    } else if (v.direction === -1 && rsi < this.exitLevel) {
      v.change(ctx, 0, 0, 0, this.reasonExitShort);
    }
  }

  /** Plots the RSI (the view, not the value, is passed: no double boxed on the way). */
  private plotRsi(ctx: StrategyContext, v: RsiView): void {
    if (v.plotContext !== ctx) {
      v.line = ctx.plotSeries(this.plotName, v.plotOptions);
      v.plotContext = ctx;
    }
    v.line!.setFrom(v.rsi);
  }

  private enter(ctx: StrategyContext, v: RsiView, direction: 1 | -1, bars: BarSeries, strength: number, reason: string): void {
    const size = positionSize(this.params.sizing, this.params.fractional, ctx.equity(), bars.close(0), bars, Number.NaN, ctx.instrument?.(bars.symbol)?.multiplier ?? 1);
    v.change(ctx, direction, direction * size, Math.min(1, strength), reason);
  }
}

/** The built-in `rsi_reversion` (scenario `"type": "rsi_reversion"`). */
export const rsiReversion = defineStrategy({
  name: 'rsi_reversion',
  description:
    'RSI mean reversion: long below oversold; exit above exitLevel, and above overbought exit (long_only) or go short (long_short).',
  defaults: RSI_REVERSION_DEFAULTS,
  params: rsiReversionParams,
  // RSI(period) is ready after period changes, that is period + 1 closes.
  warmup: (p) => (sizingWarmupBars(p.sizing) > p.period + 1 ? { bars: sizingWarmupBars(p.sizing), because: `sizing.kind=${p.sizing.kind}` } : { bars: p.period + 1, because: `period=${p.period}` }),
  create: ({ id, symbols, params }) => new RsiReversionStrategy(id, symbols, params),
});

export default rsiReversion;
