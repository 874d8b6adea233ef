import { checkFinite, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { entropyOfCounts } from '../models/index.js';
import { barRuleWarmup, followView } from './bar-rule.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { checkSizing, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView, SymbolViews } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `entropy`. */
export interface EntropyParams {
  /** Log returns in the window whose entropy is measured. Default 50. */
  readonly window: number;
  /** Number of equal-width return bins between -binRange and +binRange window standard deviations (outer bins open). Default 5. */
  readonly bins: number;
  /** Half-width of the binned range, in standard deviations of the window's returns. Default 2. */
  readonly binRange: number;
  /** Normalized entropy (H / ln bins, in [0, 1]) at or below which a trend entry is taken. Default 0.85. */
  readonly entryEntropy: number;
  /** Normalized entropy above which the position is flattened; must be >= entryEntropy. Default 0.92. */
  readonly exitEntropy: number;
  /** Default `long_only` (a short view is flat). */
  readonly mode: TradeMode;
  /** Position size. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `entropy` (each documented on {@link EntropyParams}). */
export const ENTROPY_DEFAULTS: EntropyParams = Object.freeze({
  window: 50,
  bins: 5,
  binRange: 2,
  entryEntropy: 0.85,
  exitEntropy: 0.92,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `entropy` parameters with defaults applied. */
export function entropyParams(params?: Partial<EntropyParams>): EntropyParams {
  const p = withDefaults('entropy', ENTROPY_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  if (p.window < 3) failParam('window', 'below 3', p.window);
  checkPeriod(p.bins, 'bins');
  if (p.bins < 2) failParam('bins', 'below 2', p.bins);
  checkFinite(p.binRange, 'binRange');
  if (!(p.binRange > 0)) failParam('binRange', 'not positive', p.binRange);
  checkFinite(p.entryEntropy, 'entryEntropy');
  if (!(p.entryEntropy > 0 && p.entryEntropy < 1)) failParam('entryEntropy', 'outside (0, 1)', p.entryEntropy);
  checkFinite(p.exitEntropy, 'exitEntropy');
  if (!(p.exitEntropy >= p.entryEntropy && p.exitEntropy <= 1)) failParam('exitEntropy', `outside ['entryEntropy' = ${p.entryEntropy}, 1]`, p.exitEntropy);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({
    window: p.window,
    bins: p.bins,
    binRange: p.binRange,
    entryEntropy: p.entryEntropy,
    exitEntropy: p.exitEntropy,
    mode: checkTradeMode(p.mode),
    sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'entropy' }),
    fractional,
  });
}

class EntropyView extends SymbolView {
  /** The last `window` log returns (ring). */
  readonly returns: Float64Array;
  readonly counts: Float64Array;
  pos = 0;
  seen = 0;
  previous = Number.NaN;
  constructor(symbol: Symbol_, window: number, bins: number) {
    super(symbol);
    this.returns = new Float64Array(window);
    this.counts = new Float64Array(bins);
  }
}

/**
 * `entropy`: the Shannon entropy of the binned last `window` log returns (engine/models'
 * entropyOfCounts), normalized by ln(bins), on each bar's close. The bins are `bins` equal-width
 * intervals over [-binRange s, +binRange s] around 0, s the window's sample standard deviation, the
 * outer two open-ended; so a drift piles returns into the bins on one side and lowers the entropy.
 *
 * Normalized entropy <= entryEntropy (structure): take the direction of the window's summed return
 * (flat if it is 0). Above exitEntropy (noise): flat. Between: hold. A constant window (s = 0) is
 * flat. In `long_only` a short view is flat. Signal strength (entryEntropy - H) / entryEntropy;
 * confidence 1. Warm-up: window + 1 bars.
 */
export class EntropyStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: EntropyParams;
  private readonly views: SymbolViews<EntropyView>;
  private readonly logBins: number;
  private readonly reasonUp: string;
  private readonly reasonDown: string;
  private readonly reasonExit: string;
  private readonly reasonFlat: string;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<EntropyParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols);
    this.params = entropyParams(params);
    const p = this.params;
    this.views = new SymbolViews('entropy', this.symbols.map((s) => new EntropyView(s, p.window, p.bins)));
    this.logBins = Math.log(p.bins);
    this.reasonUp = `return entropy(${p.window}) at or below ${p.entryEntropy}, window rising`;
    this.reasonDown = `return entropy(${p.window}) at or below ${p.entryEntropy}, window falling`;
    this.reasonExit = `return entropy(${p.window}) above ${p.exitEntropy}`;
    this.reasonFlat = `return entropy(${p.window}): constant window`;
  }

  /** Returns the normalized entropy of the window's binned returns and leaves their sum in `sum` (NaN when constant). */
  private measure(v: EntropyView): { h: number; sum: number } {
    const w = this.params.window;
    const r = v.returns;
    let sum = 0;
    for (let i = 0; i < w; i++) sum += r[i]!;
    const mean = sum / w;
    let ss = 0;
    for (let i = 0; i < w; i++) ss += (r[i]! - mean) * (r[i]! - mean);
    const sd = Math.sqrt(ss / (w - 1));
    if (!(sd > 0)) return { h: Number.NaN, sum };
    const k = this.params.bins;
    const lo = -this.params.binRange * sd;
    const width = (2 * this.params.binRange * sd) / k;
    v.counts.fill(0);
    for (let i = 0; i < w; i++) {
      let b = Math.floor((r[i]! - lo) / width);
      if (b < 0) b = 0;
      else if (b >= k) b = k - 1;
      v.counts[b]! += 1;
    }
    return { h: entropyOfCounts(v.counts) / this.logBins, sum };
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const v = this.views.get(bars.symbol);
    const close = bars.close(0);
    const previous = v.previous;
    v.previous = close;
    if (Number.isNaN(previous)) return;
    const w = this.params.window;
    v.returns[v.pos] = Math.log(close / previous);
    v.pos = v.pos + 1 === w ? 0 : v.pos + 1;
    if (++v.seen < w) return;
    const { h, sum } = this.measure(v);
    const p = this.params;
    if (Number.isNaN(h)) {
      followView(ctx, v, p, 0, bars, 0, this.reasonFlat);
    } else if (h <= p.entryEntropy && sum !== 0) {
      const d = sum > 0 ? 1 : -1;
      followView(ctx, v, p, d, bars, (p.entryEntropy - h) / p.entryEntropy, d > 0 ? this.reasonUp : this.reasonDown);
    } else if (h > p.exitEntropy) {
      followView(ctx, v, p, 0, bars, 0, this.reasonExit);
    }
  }
}

/** The built-in `entropy` (scenario `"type": "entropy"`). */
export const entropyStrategy = defineStrategy({
  name: 'entropy',
  description:
    'Shannon entropy of the last window log returns in equal-width bins (±binRange standard deviations): at or below entryEntropy (normalized) trades the window’s direction, above exitEntropy flattens.',
  defaults: ENTROPY_DEFAULTS,
  params: entropyParams,
  warmup: (p) => barRuleWarmup(p.window + 1, `window=${p.window}`, p.sizing),
  create: ({ id, symbols, params }) => new EntropyStrategy(id, symbols, params),
});

export default entropyStrategy;
