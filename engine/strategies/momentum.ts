import { checkNonNegative, checkPeriod, checkPositive, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { RollingStd } from '../indicators/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `momentum`. */
export interface MomentumParams {
  /** Bars the rate of change spans: `close[t - skip] / close[t - skip - lookback] - 1`. Default 60. */
  readonly lookback: number;
  /** Most recent bars left out of the rate of change (e.g. 21 for the 12-1 month rule on daily bars), >= 0. Default 0. */
  readonly skip: number;
  /** Dead band: long when the rate of change is > threshold, short/flat when < -threshold, flat in between; >= 0 (a fraction, 0.05 = 5%). Default 0. */
  readonly threshold: number;
  /**
   * Annualized volatility the position aims at: a position is `sizing` times
   * `min(maxScale, targetVol / realized volatility)`, fixed when it is taken. null: `sizing` as it is.
   * Default 0.15.
   */
  readonly targetVol: number | null;
  /** Close-to-close log returns the realized volatility (sample deviation x sqrt(periodsPerYear)) is measured over, >= 2. Default 20. */
  readonly volLookback: number;
  /** Cap on the volatility scale `targetVol / realized volatility`. Default 2. */
  readonly maxScale: number;
  /** Bars per year that annualize the realized volatility. Default 252 (daily bars). */
  readonly periodsPerYear: number;
  /** Default `long_only`. */
  readonly mode: TradeMode;
  /** Position size before the volatility scale. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `momentum` (each documented on {@link MomentumParams}). */
export const MOMENTUM_DEFAULTS: MomentumParams = Object.freeze({
  lookback: 60,
  skip: 0,
  threshold: 0,
  targetVol: 0.15,
  volLookback: 20,
  maxScale: 2,
  periodsPerYear: 252,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `momentum` parameters with defaults applied. */
export function momentumParams(params?: Partial<MomentumParams>): MomentumParams {
  const p = withDefaults('momentum', MOMENTUM_DEFAULTS, params);
  checkPeriod(p.lookback, 'lookback');
  if (!Number.isSafeInteger(p.skip) || p.skip < 0) failParam('skip', 'not a whole number of bars >= 0', p.skip);
  checkPeriod(p.lookback + p.skip, 'lookback + skip');
  checkNonNegative(p.threshold, 'threshold');
  checkPeriod(p.volLookback, 'volLookback');
  if (p.volLookback < 2) failParam('volLookback', 'less than 2', p.volLookback);
  checkPositive(p.maxScale, 'maxScale');
  checkPositive(p.periodsPerYear, 'periodsPerYear');
  const fractional = checkBoolean(p.fractional, 'fractional');
  const sizing = checkSizing(p.sizing, fractional, 'sizing', { strategy: 'momentum' });
  if (p.targetVol !== null) {
    checkPositive(p.targetVol, 'targetVol');
    if (sizing.kind === 'volatility_target') failParam('targetVol', 'scales by volatility on top of volatility_target sizing, which already does; set one of them (targetVol null, or another sizing kind)', p.targetVol);
  }
  return Object.freeze({
    lookback: p.lookback,
    skip: p.skip,
    threshold: p.threshold,
    targetVol: p.targetVol,
    volLookback: p.volLookback,
    maxScale: p.maxScale,
    periodsPerYear: p.periodsPerYear,
    mode: checkTradeMode(p.mode),
    sizing,
    fractional,
  });
}

class MomentumView extends SymbolView {
  /** The last lookback + skip + 1 closes; `pos` is the next slot written (the oldest once full). */
  readonly closes: Float64Array;
  pos = 0;
  seen = 0;
  previousClose = Number.NaN;
  constructor(
    symbol: Symbol_,
    readonly returns: RollingStd,
    span: number,
  ) {
    super(symbol);
    this.closes = new Float64Array(span);
  }
}

/**
 * `momentum`: time-series momentum, decided on each bar's close. The rate of change
 * `roc = close[t - skip] / close[t - skip - lookback] - 1` (t the current bar) is long above
 * `threshold`, short (`long_short`) or flat below `-threshold`, flat in between.
 *
 * A position is sized when it is taken: `sizing`'s units times `min(maxScale, targetVol / vol)`
 * (floored unless `fractional`), vol the realized volatility (sample deviation of the last
 * `volLookback` log returns x sqrt(periodsPerYear); a zero vol takes maxScale); with targetVol null
 * the scale is 1. It is not resized while the direction holds.
 *
 * Signal strength: the lookback's log return in units of its expected deviation,
 * `abs(ln(close[t - skip] / close[t - skip - lookback])) / (sd x sqrt(lookback)) / 2` capped at 1
 * (sd the per-bar deviation of the log returns; a 2-sigma move is 1); flat signals 0.
 *
 * Decides from bar max(lookback + skip, volLookback) + 1.
 */
export class MomentumStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: MomentumParams;
  private readonly views: SymbolViews<MomentumView>;
  private readonly span: number;
  private readonly annualize: number;
  private readonly sqrtLookback: number;
  private readonly reasonLong: string;
  private readonly reasonShort: string;
  private readonly reasonFlat: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<MomentumParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = momentumParams(params);
    const p = this.params;
    this.span = p.lookback + p.skip + 1;
    this.views = new SymbolViews('momentum', this.symbols.map((s) => new MomentumView(s, new RollingStd(p.volLookback), this.span)));
    this.annualize = Math.sqrt(p.periodsPerYear);
    this.sqrtLookback = Math.sqrt(p.lookback);
    const roc = p.skip === 0 ? `ROC(${p.lookback})` : `ROC(${p.lookback}) skipping ${p.skip}`;
    this.reasonLong = `${roc} above ${p.threshold}`;
    this.reasonShort = `${roc} below ${-p.threshold}`;
    this.reasonFlat = `${roc} within +/-${p.threshold}`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const previous = v.previousClose;
    v.previousClose = close;
    if (previous === previous) v.returns.update(Math.log(close / previous));
    const span = this.span;
    const slot = v.pos;
    v.closes[slot] = close;
    v.pos = slot + 1 === span ? 0 : slot + 1;
    v.seen++;
    if (v.seen < span || !v.returns.ready) return;
    const p = this.params;
    // The oldest close (ago lookback + skip) is the next slot; ago skip is lookback slots after it.
    const from = v.closes[v.pos]!;
    let near = v.pos + p.lookback;
    if (near >= span) near -= span;
    const to = v.closes[near]!;
    const roc = to / from - 1;
    const want: -1 | 0 | 1 = roc > p.threshold ? 1 : roc < -p.threshold ? -1 : 0;
    if (want === 0) {
      followView(ctx, v, p, 0, bars, 0, this.reasonFlat);
      return;
    }
    const sd = v.returns.value;
    const move = Math.abs(Math.log(to / from));
    const strength = sd > 0 ? move / (sd * this.sqrtLookback) / 2 : 1;
    let scale = 1;
    if (p.targetVol !== null) {
      const vol = sd * this.annualize;
      scale = vol > 0 ? Math.min(p.maxScale, p.targetVol / vol) : p.maxScale;
    }
    followView(ctx, v, p, want, bars, strength, want === 1 ? this.reasonLong : this.reasonShort, scale);
  }
}

/** The built-in `momentum` (scenario `"type": "momentum"`). */
export const momentum = defineStrategy({
  name: 'momentum',
  description:
    'Time-series momentum: rate of change over lookback bars, skipping the most recent skip bars; long above threshold, short (long_short) or flat below -threshold; position scaled by targetVol / realized volatility (capped at maxScale).',
  defaults: MOMENTUM_DEFAULTS,
  params: momentumParams,
  // The rate of change needs lookback + skip + 1 closes, the realized volatility volLookback + 1.
  warmup: (p) =>
    barRuleWarmup(
      Math.max(p.lookback + p.skip, p.volLookback) + 1,
      p.lookback + p.skip >= p.volLookback ? `lookback=${p.lookback}, skip=${p.skip}` : `volLookback=${p.volLookback}`,
      p.sizing,
    ),
  create: ({ id, symbols, params }) => new MomentumStrategy(id, symbols, params),
});

export default momentum;
