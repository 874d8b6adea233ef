import { checkFinite, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { RollingHurst } from '../models/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `fractal`. */
export interface FractalParams {
  /**
   * Log returns the Hurst exponent is computed over (rescaled range, see hurstExponent); it must have
   * at least two divisors between `minWindow` and window / 2 (the R/S block lengths). Default 128.
   */
  readonly window: number;
  /** The smallest R/S block length. Default 8 (with window 128: blocks 8, 16, 32, 64). */
  readonly minWindow: number;
  /**
   * 'anis-lloyd' (default) fits the Anis-Lloyd/Peters corrected R/S (pracma's Hal), which is about 0.5
   * for independent returns; 'none' the empirical R/S (pracma's He), biased upward in small blocks (about
   * 0.55-0.6 for independent returns with blocks of 8-64), so it follows trends that are not there.
   */
  readonly correction: 'none' | 'anis-lloyd';
  /** Dead band around 0.5: H > 0.5 + margin follows the trend, H < 0.5 - margin fades it, between is flat. Default 0.05. */
  readonly margin: number;
  /** Bars of the price change whose sign is followed (persistent) or faded (anti-persistent). Default 20. */
  readonly lookback: number;
  /** Default `long_only` (a short view is flat). */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `fractal` (each documented on {@link FractalParams}). */
export const FRACTAL_DEFAULTS: FractalParams = Object.freeze({
  window: 128,
  minWindow: 8,
  correction: 'anis-lloyd',
  margin: 0.05,
  lookback: 20,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `fractal` parameters with defaults applied. */
export function fractalParams(params?: Partial<FractalParams>): FractalParams {
  const p = withDefaults('fractal', FRACTAL_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  checkPeriod(p.minWindow, 'minWindow');
  if (p.minWindow < 2) failParam('minWindow', 'below 2', p.minWindow);
  let blocks = 0;
  for (let d = p.minWindow; d <= p.window / 2; d++) if (p.window % d === 0) blocks++;
  if (blocks < 2) failParam('window', `has fewer than 2 divisors between 'minWindow' = ${p.minWindow} and window / 2 (the R/S block lengths)`, p.window);
  if (p.correction !== 'none' && p.correction !== 'anis-lloyd') failParam('correction', "not 'none' or 'anis-lloyd'", p.correction);
  checkFinite(p.margin, 'margin');
  if (!(p.margin >= 0 && p.margin < 0.5)) failParam('margin', 'outside [0, 0.5)', p.margin);
  checkPeriod(p.lookback, 'lookback');
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    minWindow: p.minWindow,
    correction: p.correction,
    margin: p.margin,
    lookback: p.lookback,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'fractal' }),
    fractional,
  });
}

class FractalView extends SymbolView {
  readonly closes: Float64Array;
  pos = 0;
  seen = 0;
  constructor(
    symbol: Symbol_,
    readonly hurst: RollingHurst,
    lookback: number,
  ) {
    super(symbol);
    this.closes = new Float64Array(lookback + 1);
  }
}

/**
 * `fractal`: the Hurst exponent H of the last `window` log returns (rescaled-range analysis, as
 * engine/models' RollingHurst, Anis-Lloyd corrected unless `correction` is 'none') decides between trend following and fading, on each bar's close.
 *
 * H > 0.5 + margin (persistent): take the direction of the close's change over `lookback` bars.
 * H < 0.5 - margin (anti-persistent): take the opposite direction. Otherwise, or when the change is 0
 * or H is undefined (a constant block), flat. In `long_only` a short view is flat.
 *
 * Signal strength is how far H is beyond its band, (|H - 0.5| - margin) / (0.5 - margin), clipped to
 * [0, 1]; confidence 1. Warm-up: max(window, lookback) + 1 bars.
 */
export class FractalStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: FractalParams;
  private readonly views: SymbolViews<FractalView>;
  private readonly reasons: { follow: [string, string]; fade: [string, string]; flat: string; undefinedH: string };

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<FractalParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = fractalParams(params);
    const p = this.params;
    this.views = new SymbolViews(
      'fractal',
      this.symbols.map((s) => new FractalView(s, new RollingHurst(p.window, { minWindow: p.minWindow, correction: p.correction }), p.lookback)),
    );
    const hi = (0.5 + p.margin).toString();
    const lo = (0.5 - p.margin).toString();
    this.reasons = {
      follow: [`Hurst(${p.window}) above ${hi}: following the ${p.lookback}-bar rise`, `Hurst(${p.window}) above ${hi}: following the ${p.lookback}-bar fall`],
      fade: [`Hurst(${p.window}) below ${lo}: fading the ${p.lookback}-bar fall`, `Hurst(${p.window}) below ${lo}: fading the ${p.lookback}-bar rise`],
      flat: `Hurst(${p.window}) within [${lo}, ${hi}]`,
      undefinedH: `Hurst(${p.window}) undefined (a constant block)`,
    };
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const n = v.closes.length;
    const previous = v.seen > 0 ? v.closes[(v.pos + n - 1) % n]! : Number.NaN;
    v.closes[v.pos] = close;
    v.pos = v.pos + 1 === n ? 0 : v.pos + 1;
    v.seen++;
    const ago = v.closes[v.pos]!; // the oldest close in the ring: `lookback` bars back once it is full
    if (v.seen === 1) return;
    const h = v.hurst.update(Math.log(close / previous));
    if (!v.hurst.ready || v.seen < n) return;
    const p = this.params;
    if (Number.isNaN(h)) {
      followView(ctx, v, p, 0, bars, 0, this.reasons.undefinedH);
      return;
    }
    const move = close - ago;
    const strength = (Math.abs(h - 0.5) - p.margin) / (0.5 - p.margin);
    if (h > 0.5 + p.margin && move !== 0) {
      const d = move > 0 ? 1 : -1;
      followView(ctx, v, p, d, bars, strength, this.reasons.follow[d > 0 ? 0 : 1]);
    } else if (h < 0.5 - p.margin && move !== 0) {
      const d = move > 0 ? -1 : 1;
      followView(ctx, v, p, d, bars, strength, this.reasons.fade[d > 0 ? 0 : 1]);
    } else {
      followView(ctx, v, p, 0, bars, 0, this.reasons.flat);
    }
  }
}

/** The built-in `fractal` (scenario `"type": "fractal"`). */
export const fractal = defineStrategy({
  name: 'fractal',
  description:
    'Hurst exponent (rescaled range) of the last window log returns: above 0.5 + margin follows the lookback-bar move, below 0.5 - margin fades it, between is flat.',
  defaults: FRACTAL_DEFAULTS,
  params: fractalParams,
  warmup: (p) => barRuleWarmup(Math.max(p.window, p.lookback) + 1, `window=${p.window}, lookback=${p.lookback}`, p.sizing),
  create: ({ id, symbols, params }) => new FractalStrategy(id, symbols, params),
});

export default fractal;
