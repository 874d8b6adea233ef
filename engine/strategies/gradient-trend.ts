import { checkFinite, checkPeriod, checkPositive, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `gradient_trend`. */
export interface GradientTrendParams {
  /** Closes in the rolling least-squares fit, the current one included; >= 3. Default 20. */
  readonly window: number;
  /** A trend score strictly above this goes long, strictly below its negative short (`long_short`) or flat. Default 1. */
  readonly entryThreshold: number;
  /** A long exits when the score falls strictly below this, a short when it rises strictly above its negative; in (-entryThreshold, entryThreshold). Default 0.25. */
  readonly exitThreshold: number;
  /** Default `long_only`. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `gradient_trend` (each documented on {@link GradientTrendParams}). */
export const GRADIENT_TREND_DEFAULTS: GradientTrendParams = Object.freeze({
  window: 20,
  entryThreshold: 1,
  exitThreshold: 0.25,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `gradient_trend` parameters with defaults applied. */
export function gradientTrendParams(params?: Partial<GradientTrendParams>): GradientTrendParams {
  const p = withDefaults('gradient_trend', GRADIENT_TREND_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 3) failParam('window', 'less than 3', p.window);
  checkPositive(p.entryThreshold, 'entryThreshold');
  checkFinite(p.exitThreshold, 'exitThreshold');
  if (!(p.exitThreshold > -p.entryThreshold && p.exitThreshold < p.entryThreshold)) {
    failParam('exitThreshold', `outside (-'entryThreshold', 'entryThreshold') = (${-p.entryThreshold}, ${p.entryThreshold})`, p.exitThreshold);
  }
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    entryThreshold: p.entryThreshold,
    exitThreshold: p.exitThreshold,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'gradient_trend' }),
    fractional,
  });
}

/**
 * The trend score of `ys` (a ring buffer whose oldest value is at `oldest`): the least-squares slope
 * `b` of y on its bar index, times sqrt(n), over the sample standard deviation of its n - 1
 * first differences. On a driftless Gaussian random walk the score has mean 0 and variance about
 * 1.2 for long windows (the slope of a fitted random walk has variance about 6 sd^2 / (5 n)), more
 * for short ones as sd is estimated (simulated: 1.6 at n = 10, 1.34 at 20, 1.27 at 40, 1.22 at 100).
 * Differences without spread give 0 when the slope is 0, else +/-Infinity.
 */
export function gradientTrendScore(ys: Float64Array, oldest = 0): number {
  const n = ys.length;
  const centre = (n - 1) / 2;
  const first = ys[oldest]!;
  let last = first;
  let sty = 0;
  for (let t = 0, i = oldest; t < n; t++, i = i + 1 === n ? 0 : i + 1) {
    last = ys[i]!;
    sty += (t - centre) * last;
  }
  const slope = sty / ((n * (n * n - 1)) / 12);
  const meanStep = (last - first) / (n - 1);
  let ss = 0;
  let previous = first;
  for (let t = 1, i = oldest + 1 === n ? 0 : oldest + 1; t < n; t++, i = i + 1 === n ? 0 : i + 1) {
    const y = ys[i]!;
    const d = y - previous - meanStep;
    ss += d * d;
    previous = y;
  }
  const sd = Math.sqrt(ss / (n - 2));
  if (!(sd > 0)) return slope === 0 ? 0 : slope > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return (slope * Math.sqrt(n)) / sd;
}

class GradientTrendView extends SymbolView {
  /** The last `window` log closes; `pos` is the next slot written (the oldest once full). */
  readonly ys: Float64Array;
  pos = 0;
  seen = 0;
  constructor(symbol: Symbol_, window: number) {
    super(symbol);
    this.ys = new Float64Array(window);
  }
}

/**
 * `gradient_trend`: trend following on the slope of a rolling least-squares line through the last
 * `window` log closes, normalized by volatility: `score = slope x sqrt(window) / sd`, sd the sample
 * deviation of the window's log returns (the fit is on logs so that the slope is a rate; the
 * normalization makes the score nearly the same on the closes themselves, so that is not a setting) (see {@link gradientTrendScore}; mean 0, variance
 * about 1.2 to 1.6 when there is no trend). Decided on each bar's close from bar `window` on.
 *
 * score > entryThreshold goes long; score < -entryThreshold goes short (`long_short`) or flat.
 * A long exits once score < exitThreshold, a short once score > -exitThreshold.
 *
 * Signal strength `abs(score) / (2 x entryThreshold)` capped at 1; flat signals 0.
 */
export class GradientTrendStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: GradientTrendParams;
  private readonly views: SymbolViews<GradientTrendView>;
  private readonly reasonLong: string;
  private readonly reasonShort: string;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<GradientTrendParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = gradientTrendParams(params);
    const p = this.params;
    this.views = new SymbolViews('gradient_trend', this.symbols.map((s) => new GradientTrendView(s, p.window)));
    const score = `trend score(${p.window})`;
    this.reasonLong = `${score} above ${p.entryThreshold}`;
    this.reasonShort = `${score} below ${-p.entryThreshold}`;
    this.reasonExitLong = `${score} below ${p.exitThreshold}`;
    this.reasonExitShort = `${score} above ${-p.exitThreshold}`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const p = this.params;
    const close = bars.close(0);
    v.ys[v.pos] = Math.log(close);
    v.pos = v.pos + 1 === p.window ? 0 : v.pos + 1;
    if (++v.seen < p.window) return;
    const score = gradientTrendScore(v.ys, v.pos);
    const strength = Math.abs(score) / (2 * p.entryThreshold);
    if (score > p.entryThreshold) followView(ctx, v, p, 1, bars, strength, this.reasonLong);
    else if (score < -p.entryThreshold) followView(ctx, v, p, -1, bars, strength, this.reasonShort);
    else if (v.direction === 1 && score < p.exitThreshold) followView(ctx, v, p, 0, bars, 0, this.reasonExitLong);
    else if (v.direction === -1 && score > -p.exitThreshold) followView(ctx, v, p, 0, bars, 0, this.reasonExitShort);
  }
}

/** The built-in `gradient_trend` (scenario `"type": "gradient_trend"`). */
export const gradientTrend = defineStrategy({
  name: 'gradient_trend',
  description:
    'Gradient trend: slope of a rolling least-squares line through the last window log closes, times sqrt(window) over the deviation of the log returns; long above entryThreshold, short (long_short) or flat below its negative, exit inside exitThreshold.',
  defaults: GRADIENT_TREND_DEFAULTS,
  params: gradientTrendParams,
  // The fit needs `window` closes.
  warmup: (p) => barRuleWarmup(p.window, `window=${p.window}`, p.sizing),
  create: ({ id, symbols, params }) => new GradientTrendStrategy(id, symbols, params),
});

export default gradientTrend;
