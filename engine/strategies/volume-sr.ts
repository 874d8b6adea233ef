import { checkOneOf, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { followView } from './bar-rule.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** How `volume_sr` trades its levels: `breakout` through them, `bounce` off them. */
export type VolumeSrStyle = 'breakout' | 'bounce';

/** Every VolumeSrStyle, in the order messages list them. */
export const VOLUME_SR_STYLES = ['breakout', 'bounce'] as const satisfies readonly VolumeSrStyle[];

/** Parameters of `volume_sr`. */
export interface VolumeSrParams {
  /** Previous bars in the volume profile (the current one not included), >= 2. Default 50. */
  readonly lookback: number;
  /** Price bins of the profile, between the lowest and highest typical price of those bars, >= 2. Default 20. */
  readonly bins: number;
  /** A bin is a high-volume node when its volume is at least this multiple (> 0) of the mean bin volume. Default 1.5. */
  readonly nodeRatio: number;
  /** `breakout` (default): trade a close through a node; `bounce`: trade a reversal at a node. */
  readonly style: VolumeSrStyle;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `volume_sr` (each documented on {@link VolumeSrParams}). */
export const VOLUME_SR_DEFAULTS: VolumeSrParams = Object.freeze({
  lookback: 50,
  bins: 20,
  nodeRatio: 1.5,
  style: 'breakout',
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `volume_sr` parameters with defaults applied. */
export function volumeSrParams(params?: Partial<VolumeSrParams>): VolumeSrParams {
  const p = withDefaults('volume_sr', VOLUME_SR_DEFAULTS, params);
  checkPeriod(p.lookback, 'lookback');
  if (p.lookback < 2) failParam('lookback', 'less than 2', p.lookback);
  checkPeriod(p.bins, 'bins');
  if (p.bins < 2) failParam('bins', 'less than 2', p.bins);
  if (typeof p.nodeRatio !== 'number' || !Number.isFinite(p.nodeRatio) || !(p.nodeRatio > 0)) failParam('nodeRatio', 'not a positive finite number', p.nodeRatio);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    lookback: p.lookback,
    bins: p.bins,
    nodeRatio: p.nodeRatio,
    style: checkOneOf(p.style, VOLUME_SR_STYLES, 'style'),
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'volume_sr' }),
    fractional,
  });
}

class ProfileView extends SymbolView {
  readonly typical: Float64Array;
  readonly volumes: Float64Array;
  readonly bins: Float64Array;
  count = 0;
  prevClose = Number.NaN;
  /** The node the current position was taken at. */
  level = Number.NaN;
  /** Inspection: the last support and resistance (NaN when none). */
  support = Number.NaN;
  resistance = Number.NaN;
  constructor(symbol: Symbol_, lookback: number, bins: number) {
    super(symbol);
    this.typical = new Float64Array(lookback);
    this.volumes = new Float64Array(lookback);
    this.bins = new Float64Array(bins);
  }
}

/**
 * `volume_sr`: support and resistance from a rolling volume profile. On each close, the typical
 * prices (high + low + close) / 3 of the previous `lookback` bars are binned into `bins` equal bins
 * between their lowest and highest, each weighted by its bar's volume; a bin holding at least
 * `nodeRatio` x the mean bin volume is a high-volume node at the bin's centre (no profile while the
 * typical prices are all equal). Against the previous close c', support S is the highest node <= c'
 * and resistance R the lowest node >= c'.
 * - `breakout`: a close above R goes long, a close below S short (`long_short`) or flat;
 * - `bounce`: a bar whose low reaches S and closes above it goes long, one whose high reaches R and
 *   closes below it short or flat (neither when a bar does both).
 * Otherwise a position is closed when the close crosses back through the node it was taken at (a
 * failed breakout, a broken support or resistance). First decision on bar lookback + 1.
 *
 * Signal: strength min(1, distance of the close from the node in bin widths), confidence 1.
 */
export class VolumeSrStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: VolumeSrParams;
  private readonly views: SymbolViews<ProfileView>;
  private readonly longShort: boolean;
  private readonly breakout: boolean;
  private readonly reasonUp: string;
  private readonly reasonDown: string;
  private readonly reasonExitLong: string;
  private readonly reasonExitShort: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<VolumeSrParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = volumeSrParams(params);
    const p = this.params;
    this.views = new SymbolViews('volume_sr', this.symbols.map((s) => new ProfileView(s, p.lookback, p.bins)));
    this.longShort = p.mode === 'long_short';
    this.breakout = p.style === 'breakout';
    this.reasonUp = this.breakout ? 'close broke above a high-volume resistance node' : 'bounced off a high-volume support node';
    this.reasonDown = this.breakout ? 'close broke below a high-volume support node' : 'rejected at a high-volume resistance node';
    this.reasonExitLong = this.breakout ? 'close fell back below the broken node' : 'close broke the support node';
    this.reasonExitShort = this.breakout ? 'close rose back above the broken node' : 'close broke the resistance node';
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const high = bars.high(0);
    const low = bars.low(0);
    const close = bars.close(0);
    const lookback = this.params.lookback;
    if (v.count >= lookback) this.decide(ctx, v, bars, high, low, close);
    const slot = v.count % lookback;
    v.typical[slot] = (high + low + close) / 3;
    v.volumes[slot] = bars.volume(0);
    v.count++;
    v.prevClose = close;
  }

  private decide(ctx: StrategyContext, v: ProfileView, bars: BarSeries, high: number, low: number, close: number): void {
    const p = this.params;
    const n = p.lookback;
    const nb = p.bins;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const tp = v.typical[i]!;
      if (tp < lo) lo = tp;
      if (tp > hi) hi = tp;
    }
    if (!(hi > lo)) return;
    const width = (hi - lo) / nb;
    const bins = v.bins;
    bins.fill(0);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.min(nb - 1, Math.floor((v.typical[i]! - lo) / width));
      bins[k] = bins[k]! + v.volumes[i]!;
      total += v.volumes[i]!;
    }
    const cut = (p.nodeRatio * total) / nb;
    const prev = v.prevClose;
    let support = Number.NaN;
    let resistance = Number.NaN;
    for (let k = 0; k < nb; k++) {
      if (!(bins[k]! >= cut) || !(total > 0)) continue;
      const centre = lo + (k + 0.5) * width;
      if (centre <= prev) support = centre;
      if (centre >= prev && resistance !== resistance) resistance = centre;
    }
    v.support = support;
    v.resistance = resistance;
    let want: -1 | 0 | 1 = v.direction;
    let level = v.level;
    let reason = '';
    if (this.breakout) {
      if (close > resistance) {
        want = 1;
        level = resistance;
        reason = this.reasonUp;
      } else if (close < support) {
        want = -1;
        level = support;
        reason = this.reasonDown;
      }
    } else {
      const up = low <= support && close > support;
      const down = high >= resistance && close < resistance;
      if (up && !down) {
        want = 1;
        level = support;
        reason = this.reasonUp;
      } else if (down && !up) {
        want = -1;
        level = resistance;
        reason = this.reasonDown;
      }
    }
    if (reason === '') {
      if (v.direction === 1 && close < v.level) {
        want = 0;
        reason = this.reasonExitLong;
      } else if (v.direction === -1 && close > v.level) {
        want = 0;
        reason = this.reasonExitShort;
      }
    }
    if (want === -1 && !this.longShort) want = 0;
    if (want !== v.direction) {
      v.level = level;
      followView(ctx, v, p, want, bars, Math.abs(close - level) / width, reason);
    } else if (want !== 0) {
      v.level = level;
    }
  }
}

/** The built-in `volume_sr` (scenario `"type": "volume_sr"`). */
export const volumeSr = defineStrategy({
  name: 'volume_sr',
  description:
    'Volume support/resistance: high-volume nodes of a rolling volume profile (typical prices of the last lookback bars in bins, weighted by volume) are support below and resistance above the price; breakout (close through a node) or bounce (reversal at a node).',
  defaults: VOLUME_SR_DEFAULTS,
  params: volumeSrParams,
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.lookback + 1 ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.lookback + 1, because: `lookback=${p.lookback}` };
  },
  create: ({ id, symbols, params }) => new VolumeSrStrategy(id, symbols, params),
});

export default volumeSr;
