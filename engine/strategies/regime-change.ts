import { checkNonNegative, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { RollingStd } from '../indicators/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { followView } from './bar-rule.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `regime_change`. */
export interface RegimeChangeParams {
  /** Previous log returns whose mean and sample deviation standardize the current one, >= 3. Default 50. */
  readonly window: number;
  /** Decision threshold h (> 0) of either CUSUM, in standard deviations. Default 4. */
  readonly threshold: number;
  /** Drift (reference value) k (>= 0) subtracted per bar, in standard deviations. Default 0.5. */
  readonly drift: number;
  /** Default `long_only`: a downward break is flat. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `regime_change` (each documented on {@link RegimeChangeParams}). */
export const REGIME_CHANGE_DEFAULTS: RegimeChangeParams = Object.freeze({
  window: 50,
  threshold: 4,
  drift: 0.5,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `regime_change` parameters with defaults applied. */
export function regimeChangeParams(params?: Partial<RegimeChangeParams>): RegimeChangeParams {
  const p = withDefaults('regime_change', REGIME_CHANGE_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 3) failParam('window', 'less than 3', p.window);
  if (typeof p.threshold !== 'number' || !Number.isFinite(p.threshold) || !(p.threshold > 0)) failParam('threshold', 'not a positive finite number', p.threshold);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    threshold: p.threshold,
    drift: checkNonNegative(p.drift, 'drift'),
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'regime_change' }),
    fractional,
  });
}

class CusumView extends SymbolView {
  prevClose = Number.NaN;
  /** The upward and downward CUSUMs (inspection too). */
  up = 0;
  down = 0;
  constructor(
    symbol: Symbol_,
    readonly returns: RollingStd,
  ) {
    super(symbol);
  }
}

/**
 * `regime_change`: a two-sided Page CUSUM on standardized log returns. On each close the bar's log
 * return r_t is standardized against the previous `window` returns (itself not included):
 * z_t = (r_t - mean) / sd (sample deviation; no update while sd is 0). Then, from S+ = S- = 0,
 *
 *   S+_t = max(0, S+_{t-1} + z_t - k)     S-_t = max(0, S-_{t-1} - z_t - k)
 *
 * with k = `drift`. S+_t > h (`threshold`) is an upward break: long; else S-_t > h a downward break:
 * short (`long_short`) or flat. Either break resets both sums to 0, and the position is held until
 * the opposite break. First decision on bar window + 2.
 *
 * Signal: strength min(1, S / (2h)) of the sum that broke, confidence 1.
 */
export class RegimeChangeStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: RegimeChangeParams;
  private readonly views: SymbolViews<CusumView>;
  private readonly longShort: boolean;
  private readonly reasonUp: string;
  private readonly reasonDown: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<RegimeChangeParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = regimeChangeParams(params);
    const p = this.params;
    this.views = new SymbolViews('regime_change', this.symbols.map((s) => new CusumView(s, new RollingStd(p.window))));
    this.longShort = p.mode === 'long_short';
    this.reasonUp = `CUSUM upward break (S+ above ${p.threshold}, drift ${p.drift})`;
    this.reasonDown = `CUSUM downward break (S- above ${p.threshold}, drift ${p.drift})`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const prev = v.prevClose;
    v.prevClose = close;
    if (!(prev > 0 && close > 0)) return;
    const r = Math.log(close / prev);
    const stats = v.returns;
    const ready = stats.ready;
    const mean = stats.mean;
    const sd = stats.value;
    stats.update(r);
    if (!ready || !(sd > 0)) return;
    const p = this.params;
    const z = (r - mean) / sd;
    const up = Math.max(0, v.up + z - p.drift);
    const down = Math.max(0, v.down - z - p.drift);
    if (up > p.threshold) {
      v.up = 0;
      v.down = 0;
      if (v.direction !== 1) followView(ctx, v, p, 1, bars, up / (2 * p.threshold), this.reasonUp);
    } else if (down > p.threshold) {
      v.up = 0;
      v.down = 0;
      const want = this.longShort ? -1 : 0;
      if (v.direction !== want) followView(ctx, v, p, want, bars, down / (2 * p.threshold), this.reasonDown);
    } else {
      v.up = up;
      v.down = down;
    }
  }
}

/** The built-in `regime_change` (scenario `"type": "regime_change"`). */
export const regimeChange = defineStrategy({
  name: 'regime_change',
  description:
    'Regime change: two-sided Page CUSUM (drift k, threshold h) on log returns standardized by the previous window; an upward break goes long, a downward one short (long_short) or flat, and resets both sums.',
  defaults: REGIME_CHANGE_DEFAULTS,
  params: regimeChangeParams,
  // `window` returns before the standardized one: window + 2 closes.
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.window + 2 ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.window + 2, because: `window=${p.window}` };
  },
  create: ({ id, symbols, params }) => new RegimeChangeStrategy(id, symbols, params),
});

export default regimeChange;
