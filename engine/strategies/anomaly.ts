import { checkOneOf, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { RobustWindow } from './robust-window.js';
import { followView } from './bar-rule.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** How `anomaly` answers an anomalous return: `fade` trades against it, `follow` with it. */
export type AnomalyStyle = 'fade' | 'follow';

/** Every AnomalyStyle, in the order messages list them. */
export const ANOMALY_STYLES = ['fade', 'follow'] as const satisfies readonly AnomalyStyle[];

/** Parameters of `anomaly`. */
export interface AnomalyParams {
  /** Previous bars whose log returns (and volumes) give the median and MAD, >= 3. Default 50. */
  readonly window: number;
  /** A return whose robust z-score is beyond this (> 0) in absolute value is an anomaly. Default 3. */
  readonly threshold: number;
  /**
   * When a number (> 0), a return anomaly counts only on a bar whose volume's robust z-score (against
   * the previous `window` volumes) is above it too; null ignores volume. Default null.
   */
  readonly volumeThreshold: number | null;
  /** `fade` (default) trades against the anomalous move, `follow` with it. */
  readonly style: AnomalyStyle;
  /** Bars a position is held after the anomaly that opened it (a new one restarts the count), >= 1. Default 5. */
  readonly holdBars: number;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `anomaly` (each documented on {@link AnomalyParams}). */
export const ANOMALY_DEFAULTS: AnomalyParams = Object.freeze({
  window: 50,
  threshold: 3,
  volumeThreshold: null,
  style: 'fade',
  holdBars: 5,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

function positiveFinite(v: number, name: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || !(v > 0)) failParam(name, 'not a positive finite number', v);
  return v;
}

/** Returns the validated `anomaly` parameters with defaults applied. */
export function anomalyParams(params?: Partial<AnomalyParams>): AnomalyParams {
  const p = withDefaults('anomaly', ANOMALY_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 3) failParam('window', 'less than 3', p.window);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    threshold: positiveFinite(p.threshold, 'threshold'),
    volumeThreshold: p.volumeThreshold === null ? null : positiveFinite(p.volumeThreshold, 'volumeThreshold'),
    style: checkOneOf(p.style, ANOMALY_STYLES, 'style'),
    holdBars: checkPeriod(p.holdBars, 'holdBars'),
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'anomaly' }),
    fractional,
  });
}

class AnomalyView extends SymbolView {
  prevClose = Number.NaN;
  /** Bars left before the position is closed (0 when flat). */
  holdLeft = 0;
  /** Inspection: the robust z-score of the last return (NaN before the window is full or with MAD 0). */
  z = Number.NaN;
  constructor(
    symbol: Symbol_,
    readonly returns: RobustWindow,
    readonly volumes: RobustWindow | null,
  ) {
    super(symbol);
  }
}

/**
 * `anomaly`: on each close, the bar's log return r is scored against the previous `window` returns
 * (the current one not included): z = (r - median) / (1.4826 x MAD), MAD the median absolute
 * deviation from the median (1.4826 x MAD estimates a normal deviation robustly). |z| > threshold
 * is an anomaly (none while the MAD is 0); with `volumeThreshold`, only when the bar's volume scores
 * above it against the previous `window` volumes too. `fade` goes against the move (long after a
 * drop, short or flat after a jump), `follow` with it; the position is held `holdBars` bars and
 * closed on the close of the `holdBars`-th bar after the anomaly unless a new anomaly restarts the
 * count (and may reverse it). First decision on bar window + 2.
 *
 * Signal: strength min(1, (|z| - threshold) / (2 x threshold)) (full at three times the threshold), confidence 1.
 */
export class AnomalyStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: AnomalyParams;
  private readonly views: SymbolViews<AnomalyView>;
  private readonly longShort: boolean;
  private readonly styleSign: 1 | -1;
  private readonly reasonUp: string;
  private readonly reasonDown: string;
  private readonly reasonExit: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<AnomalyParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = anomalyParams(params);
    const p = this.params;
    this.views = new SymbolViews(
      'anomaly',
      this.symbols.map((s) => new AnomalyView(s, new RobustWindow(p.window), p.volumeThreshold === null ? null : new RobustWindow(p.window))),
    );
    this.longShort = p.mode === 'long_short';
    this.styleSign = p.style === 'follow' ? 1 : -1;
    const volume = p.volumeThreshold === null ? '' : ` on volume z above ${p.volumeThreshold}`;
    this.reasonUp = `${p.style} an anomalous rise (robust z above ${p.threshold}${volume})`;
    this.reasonDown = `${p.style} an anomalous drop (robust z below -${p.threshold}${volume})`;
    this.reasonExit = `held ${p.holdBars} bars after the anomaly`;
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const prev = v.prevClose;
    v.prevClose = close;
    const p = this.params;
    let volumeOk = true;
    if (v.volumes !== null) {
      const volume = bars.volume(0);
      volumeOk = v.volumes.length === p.window && v.volumes.robustZ(volume) > p.volumeThreshold!;
      v.volumes.push(volume);
    }
    if (!(prev > 0 && close > 0)) return;
    const r = Math.log(close / prev);
    if (v.returns.length < p.window) {
      v.returns.push(r);
      return;
    }
    const z = v.returns.robustZ(r);
    v.returns.push(r);
    v.z = z;
    if (volumeOk && (z > p.threshold || z < -p.threshold)) {
      const moveSign = z > 0 ? 1 : -1;
      let want = (moveSign * this.styleSign) as -1 | 1 | 0;
      if (want === -1 && !this.longShort) want = 0;
      v.holdLeft = want === 0 ? 0 : p.holdBars;
      if (want !== v.direction) followView(ctx, v, p, want, bars, (Math.abs(z) - p.threshold) / (2 * p.threshold), moveSign > 0 ? this.reasonUp : this.reasonDown);
    } else if (v.direction !== 0 && --v.holdLeft <= 0) {
      followView(ctx, v, p, 0, bars, 0, this.reasonExit);
    }
  }
}

/** The built-in `anomaly` (scenario `"type": "anomaly"`). */
export const anomaly = defineStrategy({
  name: 'anomaly',
  description:
    'Return anomalies: a log return beyond a robust z-score (median/MAD of the previous window, MAD x 1.4826), optionally on a volume anomaly too, is faded or followed (style) and held holdBars bars.',
  defaults: ANOMALY_DEFAULTS,
  params: anomalyParams,
  // `window` returns before the scored one: window + 2 closes.
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.window + 2 ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.window + 2, because: `window=${p.window}` };
  },
  create: ({ id, symbols, params }) => new AnomalyStrategy(id, symbols, params),
});

export default anomaly;
