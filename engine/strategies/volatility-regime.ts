import { checkOneOf, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { RollingStd, ZScore } from '../indicators/index.js';
import { followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { lowerBound, SortedWindow } from './microstructure.js';
import { checkSizing, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/**
 * What `volatility_regime` does in a regime: `trend` holds the side of the close against its
 * SMA(maPeriod); `mean_reversion` enters against a z-score beyond `entryZ` and leaves at the mean;
 * `flat` holds nothing.
 */
export type RegimeBehaviour = 'trend' | 'mean_reversion' | 'flat';

/** Every RegimeBehaviour, in the order messages list them. */
export const REGIME_BEHAVIOURS = ['trend', 'mean_reversion', 'flat'] as const satisfies readonly RegimeBehaviour[];

/** Parameters of `volatility_regime`. */
export interface VolatilityRegimeParams {
  /** Close-to-close log returns the realized volatility (their sample standard deviation) is measured over, >= 2. Default 20. */
  readonly volLookback: number;
  /** Realized-volatility values (the current one included) its percentile rank is taken in, >= 2. Default 100. */
  readonly regimeWindow: number;
  /** A rank strictly below this percentile (0-100) is the low regime. Default 25. */
  readonly lowPercentile: number;
  /** A rank strictly above this percentile is the high regime; in [lowPercentile, 100]. Default 75. */
  readonly highPercentile: number;
  /** Behaviour in the low regime. Default `trend`. */
  readonly lowRegime: RegimeBehaviour;
  /** Behaviour in the normal regime. Default `mean_reversion`. */
  readonly normalRegime: RegimeBehaviour;
  /** Behaviour in the high regime. Default `flat`. */
  readonly highRegime: RegimeBehaviour;
  /** Closes of the SMA and z-score (mean and sample deviation) the behaviours read, >= 2. Default 50. */
  readonly maPeriod: number;
  /** `mean_reversion` enters when the z-score is beyond this (> 0). Default 1.5. */
  readonly entryZ: number;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `volatility_regime` (each documented on {@link VolatilityRegimeParams}). */
export const VOLATILITY_REGIME_DEFAULTS: VolatilityRegimeParams = Object.freeze({
  volLookback: 20,
  regimeWindow: 100,
  lowPercentile: 25,
  highPercentile: 75,
  lowRegime: 'trend',
  normalRegime: 'mean_reversion',
  highRegime: 'flat',
  maPeriod: 50,
  entryZ: 1.5,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

function atLeast2(v: number, name: string): number {
  checkPeriod(v, name);
  if (v < 2) failParam(name, 'less than 2', v);
  return v;
}

function percentileParam(v: number, name: string, min: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > 100) failParam(name, `outside [${min}, 100]`, v);
  return v;
}

/** Returns the validated `volatility_regime` parameters with defaults applied. */
export function volatilityRegimeParams(params?: Partial<VolatilityRegimeParams>): VolatilityRegimeParams {
  const p = withDefaults('volatility_regime', VOLATILITY_REGIME_DEFAULTS, params);
  const lowPercentile = percentileParam(p.lowPercentile, 'lowPercentile', 0);
  const entryZ = p.entryZ;
  if (typeof entryZ !== 'number' || !(entryZ > 0) || !Number.isFinite(entryZ)) failParam('entryZ', 'not a positive finite number', entryZ);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    volLookback: atLeast2(p.volLookback, 'volLookback'),
    regimeWindow: atLeast2(p.regimeWindow, 'regimeWindow'),
    lowPercentile,
    highPercentile: percentileParam(p.highPercentile, 'highPercentile', lowPercentile),
    lowRegime: checkOneOf(p.lowRegime, REGIME_BEHAVIOURS, 'lowRegime'),
    normalRegime: checkOneOf(p.normalRegime, REGIME_BEHAVIOURS, 'normalRegime'),
    highRegime: checkOneOf(p.highRegime, REGIME_BEHAVIOURS, 'highRegime'),
    maPeriod: atLeast2(p.maPeriod, 'maPeriod'),
    entryZ,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'volatility_regime' }),
    fractional,
  });
}

class RegimeView extends SymbolView {
  prevClose = Number.NaN;
  /** Inspection: the last regime (0 low, 1 normal, 2 high; -1 before the window is full) and vol rank. */
  regime = -1;
  rank = Number.NaN;
  constructor(
    symbol: Symbol_,
    readonly vol: RollingStd,
    readonly vols: SortedWindow,
    readonly z: ZScore,
  ) {
    super(symbol);
  }
}

const REGIME_NAMES = ['low', 'normal', 'high'] as const;

/**
 * `volatility_regime`: on each close, the realized volatility (sample deviation of the last
 * `volLookback` log returns) is ranked among the last `regimeWindow` such values, the current one
 * included: rank = 100 x (values strictly below it) / (window - 1), so the window's minimum ranks 0
 * and its maximum 100. Below `lowPercentile` the regime is low, above `highPercentile` high, else
 * normal, and the regime's behaviour decides the side from z = (close - SMA(maPeriod)) / sample
 * deviation of the same closes:
 * - `trend`: long when z > 0 (close above its SMA), short (`long_short`) or flat when z < 0;
 * - `mean_reversion`: long when z < -entryZ, short or flat when z > entryZ; a long leaves at
 *   z >= 0, a short at z <= 0; otherwise it holds;
 * - `flat`: flat.
 * Nothing before the regime window is full and the z-score ready (the larger of `volLookback +
 * regimeWindow` and `maPeriod` bars).
 *
 * Signal: the reason names the regime and the behaviour; strength min(1, |z| / 3); confidence 1.
 */
export class VolatilityRegimeStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: VolatilityRegimeParams;
  private readonly views: SymbolViews<RegimeView>;
  private readonly behaviours: readonly RegimeBehaviour[];
  private readonly longShort: boolean;
  /** reasons[regime * 3 + direction + 1]. */
  private readonly reasons: readonly string[];

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<VolatilityRegimeParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = volatilityRegimeParams(params);
    const p = this.params;
    this.views = new SymbolViews(
      'volatility_regime',
      this.symbols.map((s) => new RegimeView(s, new RollingStd(p.volLookback), new SortedWindow(p.regimeWindow), new ZScore(p.maPeriod))),
    );
    this.behaviours = [p.lowRegime, p.normalRegime, p.highRegime];
    this.longShort = p.mode === 'long_short';
    const reasons: string[] = [];
    for (let r = 0; r < 3; r++) {
      const b = this.behaviours[r]!;
      const head = `${REGIME_NAMES[r]} volatility regime (${b})`;
      const side = (d: number): string => {
        if (b === 'flat') return 'flat';
        if (b === 'trend') return d > 0 ? `close above SMA(${p.maPeriod})` : d < 0 ? `close below SMA(${p.maPeriod})` : 'flat';
        return d > 0 ? `z-score below -${p.entryZ}` : d < 0 ? `z-score above ${p.entryZ}` : 'back at the mean';
      };
      for (let d = -1; d <= 1; d++) reasons.push(`${head}: ${side(d)}`);
    }
    this.reasons = reasons;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const z = v.z.update(close);
    const prev = v.prevClose;
    v.prevClose = close;
    if (!(prev > 0 && close > 0)) return;
    const vol = v.vol.update(Math.log(close / prev));
    if (!v.vol.ready) return;
    v.vols.push(vol);
    const n = v.vols.length;
    if (n < this.params.regimeWindow || !v.z.ready) return;
    const rank = (100 * lowerBound(v.vols.sorted, n, vol)) / (n - 1);
    const p = this.params;
    const regime = rank < p.lowPercentile ? 0 : rank > p.highPercentile ? 2 : 1;
    v.regime = regime;
    v.rank = rank;
    let want: -1 | 0 | 1 = v.direction;
    switch (this.behaviours[regime]!) {
      case 'flat':
        want = 0;
        break;
      case 'trend':
        if (z > 0) want = 1;
        else if (z < 0) want = -1;
        break;
      case 'mean_reversion':
        if (z < -p.entryZ) want = 1;
        else if (z > p.entryZ) want = -1;
        else if ((want === 1 && z >= 0) || (want === -1 && z <= 0)) want = 0;
        break;
    }
    if (want === -1 && !this.longShort) want = 0;
    if (want !== v.direction) followView(ctx, v, p, want, bars, Math.abs(z) / 3, this.reasons[regime * 3 + want + 1]!);
  }
}

/** The built-in `volatility_regime` (scenario `"type": "volatility_regime"`). */
export const volatilityRegime = defineStrategy({
  name: 'volatility_regime',
  description:
    'Volatility regimes: ranks realized volatility within a rolling window (low/normal/high by percentile); trend (close vs SMA) or mean reversion (z-score) per regime, flat in high volatility by default.',
  defaults: VOLATILITY_REGIME_DEFAULTS,
  params: volatilityRegimeParams,
  // The first regime needs volLookback returns (volLookback + 1 closes), then regimeWindow vol values.
  warmup: (p) => {
    const own = Math.max(p.volLookback + p.regimeWindow, p.maPeriod);
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > own ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: own, because: `volLookback=${p.volLookback}, regimeWindow=${p.regimeWindow}` };
  },
  create: ({ id, symbols, params }) => new VolatilityRegimeStrategy(id, symbols, params),
});

export default volatilityRegime;
