import { checkFinite, checkPeriod, checkPositive, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { ZScore } from '../indicators/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `mean_reversion`. */
export interface MeanReversionParams {
  /** Closes in the rolling mean and (population, as Bollinger bands) standard deviation, the current one included; >= 3. Default 20. */
  readonly window: number;
  /** A z-score strictly below `-entryZ` goes long; strictly above `entryZ` goes short (`long_short`). Default 2. */
  readonly entryZ: number;
  /** A long exits once the z-score is >= `-exitZ`, a short once it is <= `exitZ`; in [0, entryZ). Default 0 (the mean). */
  readonly exitZ: number;
  /**
   * Estimates the half-life of mean reversion when an entry is due: the OLS slope `b` of
   * `close[t] - close[t-1]` on `close[t-1]` over the window's `window - 1` consecutive pairs, half-life
   * `-ln 2 / ln |1 + b|` bars for -2 < b < 0, infinite otherwise (the window does not revert). An
   * entry (never an exit) is then taken only while the half-life is finite, and its signal reason
   * reports it. Default false.
   */
  readonly halfLife: boolean;
  /** With `halfLife`: entries are taken only while the half-life is at most this many bars as well. null: any finite half-life. Default null. */
  readonly maxHalfLife: number | null;
  /** Default `long_only`. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `mean_reversion` (each documented on {@link MeanReversionParams}). */
export const MEAN_REVERSION_DEFAULTS: MeanReversionParams = Object.freeze({
  window: 20,
  entryZ: 2,
  exitZ: 0,
  halfLife: false,
  maxHalfLife: null,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `mean_reversion` parameters with defaults applied. */
export function meanReversionParams(params?: Partial<MeanReversionParams>): MeanReversionParams {
  const p = withDefaults('mean_reversion', MEAN_REVERSION_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 3) failParam('window', 'less than 3', p.window);
  checkPositive(p.entryZ, 'entryZ');
  checkFinite(p.exitZ, 'exitZ');
  if (!(p.exitZ >= 0 && p.exitZ < p.entryZ)) failParam('exitZ', `outside [0, 'entryZ' = ${p.entryZ})`, p.exitZ);
  const halfLife = checkBoolean(p.halfLife, 'halfLife');
  if (p.maxHalfLife !== null) {
    checkPositive(p.maxHalfLife, 'maxHalfLife');
    if (!halfLife) failParam('maxHalfLife', 'gates entries on the half-life estimate, which needs halfLife true', p.maxHalfLife);
  }
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    entryZ: p.entryZ,
    exitZ: p.exitZ,
    halfLife,
    maxHalfLife: p.maxHalfLife,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'mean_reversion' }),
    fractional,
  });
}

/**
 * The half-life in bars of mean reversion in `closes` (a ring buffer whose oldest value is at
 * `oldest`): the OLS slope `b` of `closes[i] - closes[i-1]` on `closes[i-1]` over its consecutive
 * pairs, then `-ln 2 / ln |1 + b|` for -2 < b < 0 (0 at b = -1), Infinity otherwise (including a
 * constant window, where the slope is undefined).
 */
export function meanReversionHalfLife(closes: Float64Array, oldest = 0): number {
  const n = closes.length;
  const pairs = n - 1;
  let mx = 0;
  let my = 0;
  for (let k = 1, i = oldest; k < n; k++) {
    const prev = closes[i]!;
    i = i + 1 === n ? 0 : i + 1;
    mx += prev;
    my += closes[i]! - prev;
  }
  mx /= pairs;
  my /= pairs;
  let sxx = 0;
  let sxy = 0;
  for (let k = 1, i = oldest; k < n; k++) {
    const prev = closes[i]!;
    i = i + 1 === n ? 0 : i + 1;
    const dx = prev - mx;
    sxx += dx * dx;
    sxy += dx * (closes[i]! - prev - my);
  }
  const b = sxy / sxx;
  if (!(b < 0 && b > -2)) return Number.POSITIVE_INFINITY;
  return -Math.LN2 / Math.log(Math.abs(1 + b));
}

class MeanReversionView extends SymbolView {
  /** The last `window` closes (only kept with `halfLife`), oldest at `pos`. */
  readonly closes: Float64Array;
  pos = 0;
  constructor(
    symbol: Symbol_,
    readonly z: ZScore,
    window: number,
  ) {
    super(symbol);
    this.closes = new Float64Array(window);
  }
}

/**
 * `mean_reversion`: Bollinger-style mean reversion on the z-score of the close,
 * `z = (close - mean) / sd` over the last `window` closes (the current one included; population
 * deviation, z = 0 on a constant window), decided on each bar's close from bar `window` on.
 *
 * Entries: z < -entryZ goes long; z > entryZ goes short in `long_short` (from a long, a reversal). With
 * `halfLife`, an entry is taken only while the half-life estimate (see
 * {@link MeanReversionParams.halfLife}) is finite and at most `maxHalfLife` bars (when set). Exits: a long goes flat once
 * z >= -exitZ, a short once z <= exitZ (in `long_only` a z above entryZ is such an exit).
 *
 * Signal: strength `|z| / (2 x entryZ)` capped at 1 (0 when flat); the entry's reason names the
 * z-score and, with `halfLife`, the half-life estimate (`half-life 6.20 bars`).
 */
export class MeanReversionStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: MeanReversionParams;
  private readonly views: SymbolViews<MeanReversionView>;
  private readonly longShort: boolean;
  private readonly maxHalfLife: number;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<MeanReversionParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = meanReversionParams(params);
    const p = this.params;
    this.views = new SymbolViews('mean_reversion', this.symbols.map((s) => new MeanReversionView(s, new ZScore(p.window, { sample: false }), p.halfLife ? p.window : 1)));
    this.longShort = p.mode === 'long_short';
    // Any finite half-life passes without a bound (an infinite one is no reversion).
    this.maxHalfLife = p.maxHalfLife ?? Number.MAX_VALUE;
    this.reasonExitLong = `z-score(${p.window}) at or above ${-p.exitZ}`;
    this.reasonExitShort = `z-score(${p.window}) at or below ${p.exitZ}`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const z = v.z.update(close);
    const p = this.params;
    if (p.halfLife) {
      v.closes[v.pos] = close;
      v.pos = v.pos + 1 === p.window ? 0 : v.pos + 1;
    }
    if (!v.z.ready) return;
    const { entryZ, exitZ } = p;
    const want: -1 | 1 | 0 = z < -entryZ ? 1 : z > entryZ && this.longShort ? -1 : 0;
    if (want !== 0 && want !== v.direction) {
      const halfLife = p.halfLife ? meanReversionHalfLife(v.closes, v.pos) : Number.NaN;
      if (!p.halfLife || halfLife <= this.maxHalfLife) {
        followView(ctx, v, p, want, bars, Math.abs(z) / (2 * entryZ), this.entryReason(z, halfLife));
        return;
      }
    }
    if (v.direction === 1 && z >= -exitZ) followView(ctx, v, p, 0, bars, 0, this.reasonExitLong);
    else if (v.direction === -1 && z <= exitZ) followView(ctx, v, p, 0, bars, 0, this.reasonExitShort);
  }

  private entryReason(z: number, halfLife: number): string {
    const p = this.params;
    const side = z < 0 ? `below ${-p.entryZ}` : `above ${p.entryZ}`;
    const estimate = p.halfLife ? `; half-life ${halfLife.toFixed(2)} bars` : '';
    return `z-score(${p.window}) ${z.toFixed(2)} ${side}${estimate}`;
  }
}

/** The built-in `mean_reversion` (scenario `"type": "mean_reversion"`). */
export const meanReversion = defineStrategy({
  name: 'mean_reversion',
  description:
    'Bollinger-style mean reversion: z-score of the close over a rolling window; long below -entryZ, short (long_short) above entryZ, exit back inside +/-exitZ; optional OLS half-life estimate: entries only while it is finite (and at most maxHalfLife), reported in the signal.',
  defaults: MEAN_REVERSION_DEFAULTS,
  params: meanReversionParams,
  // The z-score is defined once the window holds `window` closes.
  warmup: (p) => barRuleWarmup(p.window, `window=${p.window}`, p.sizing),
  create: ({ id, symbols, params }) => new MeanReversionStrategy(id, symbols, params),
});

export default meanReversion;
