import { checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { RollingCorrelation } from '../models/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { AlignedWindow, TimestampSync } from './multi-symbol.js';
import { checkSizing, positionSize, sizingWarmupBars, type PositionSizing } from './position-sizing.js';
import { checkBoolean, failParam, withDefaults } from './strategy-params.js';
import { checkSymbols, SymbolView } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `correlation_matrix`. */
export interface CorrelationMatrixParams {
  /** Log returns of the long window: each pair's usual correlation, > shortWindow. Default 60. */
  readonly longWindow: number;
  /** Log returns of the short window: each pair's current correlation and the returns compared, >= 3. Default 10. */
  readonly shortWindow: number;
  /** A symbol decouples when its average correlation with the others drops by more than this (long minus short), in (0, 2]. Default 0.5. */
  readonly decoupleThreshold: number;
  /** A decoupled symbol recouples (flat) when the drop falls below this, in [0, decoupleThreshold]. Default 0.2. */
  readonly recoupleThreshold: number;
  /** Default `long_only`: a short view is flat. */
  readonly mode: TradeMode;
  /** Position size of each symbol traded. Default 100 units. */
  readonly sizing: PositionSizing;
  /** Allows fractional units. Default false. */
  readonly fractional: boolean;
}

/** Defaults of `correlation_matrix` (each documented on {@link CorrelationMatrixParams}). */
export const CORRELATION_MATRIX_DEFAULTS: CorrelationMatrixParams = Object.freeze({
  longWindow: 60,
  shortWindow: 10,
  decoupleThreshold: 0.5,
  recoupleThreshold: 0.2,
  mode: 'long_only',
  sizing: Object.freeze({ kind: 'units', units: 100 }),
  fractional: false,
});

/** Returns the validated `correlation_matrix` parameters with defaults applied. */
export function correlationMatrixParams(params?: Partial<CorrelationMatrixParams>): CorrelationMatrixParams {
  const p = withDefaults('correlation_matrix', CORRELATION_MATRIX_DEFAULTS, params);
  checkPeriod(p.shortWindow, 'shortWindow');
  if (p.shortWindow < 3) failParam('shortWindow', 'less than 3', p.shortWindow);
  checkPeriod(p.longWindow, 'longWindow');
  if (p.longWindow <= p.shortWindow) failParam('longWindow', `not above shortWindow (${p.shortWindow})`, p.longWindow);
  const d = p.decoupleThreshold as unknown;
  if (typeof d !== 'number' || !(d > 0) || !(d <= 2)) failParam('decoupleThreshold', 'outside (0, 2]', d);
  const r = p.recoupleThreshold as unknown;
  if (typeof r !== 'number' || !(r >= 0) || !(r <= d)) failParam('recoupleThreshold', `outside [0, decoupleThreshold] = [0, ${d}]`, r);
  const fractional = checkBoolean(p.fractional, 'fractional');
  return Object.freeze({ ...p, mode: checkTradeMode(p.mode), sizing: checkSizing(p.sizing, fractional, 'sizing', { strategy: 'correlation_matrix' }), fractional });
}

/**
 * `correlation_matrix`: seed 000's Dynamic Correlation Matrix as a per-symbol decoupling trade.
 * On each complete timestamp (see {@link TimestampSync}) the log return of every symbol since the
 * previous one updates, for every pair of the strategy's symbols (at least 3), a long-window and a
 * short-window {@link RollingCorrelation}. A symbol's usual correlation is the mean of its
 * long-window correlations with the others, its current one the mean of the short-window ones
 * (pairs whose correlation is undefined, a constant window, are left out); drop = usual - current.
 * A symbol whose drop exceeds `decoupleThreshold` has decoupled: it is traded toward the group,
 * long when its summed return over the short window is below the others' average (it lagged),
 * short when above (it led), re-decided on each timestamp while decoupled; when its drop falls
 * below `recoupleThreshold` it has recoupled: flat. Between the two thresholds the side is held.
 * Nothing before longWindow + 1 aligned closes.
 *
 * Signal per symbol: strength min(1, drop / (2 decoupleThreshold)), confidence 1.
 */
export class CorrelationMatrixStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: CorrelationMatrixParams;
  private readonly sync: TimestampSync;
  private readonly n: number;
  /** Pair (i < j) correlations, index i * n + j (null for i >= j). */
  private readonly long: (RollingCorrelation | null)[];
  private readonly short: (RollingCorrelation | null)[];
  private readonly returns: AlignedWindow;
  private readonly closes: Float64Array;
  private readonly prev: Float64Array;
  private readonly row: Float64Array;
  private readonly sums: Float64Array;
  private readonly views: SymbolView[];
  /** Inspection: each symbol's latest drop (NaN while warming up). */
  readonly drop: Float64Array;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<CorrelationMatrixParams>) {
    this.id = strategyId(id);
    if (Array.isArray(symbols) && symbols.length < 3) {
      failParam('symbols', 'correlation_matrix needs at least three symbols (each is compared with the average of the others)', symbols);
    }
    this.symbols = checkSymbols(symbols);
    this.params = correlationMatrixParams(params);
    const n = (this.n = this.symbols.length);
    this.long = [];
    this.short = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        this.long.push(i < j ? new RollingCorrelation(this.params.longWindow) : null);
        this.short.push(i < j ? new RollingCorrelation(this.params.shortWindow) : null);
      }
    }
    this.sync = new TimestampSync(this.symbols);
    this.returns = new AlignedWindow(n, this.params.shortWindow);
    this.closes = new Float64Array(n);
    this.prev = new Float64Array(n).fill(Number.NaN);
    this.row = new Float64Array(n);
    this.sums = new Float64Array(n);
    this.drop = new Float64Array(n).fill(Number.NaN);
    this.views = this.symbols.map((s) => new SymbolView(s));
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    if (!this.sync.arrive(bars.symbol, bars.ts(0))) return;
    const n = this.n;
    const closes = this.closes;
    this.sync.closes(ctx, closes);
    let valid = true;
    for (let i = 0; i < n; i++) {
      const c0 = this.prev[i]!;
      const c1 = closes[i]!;
      this.prev[i] = c1;
      if (c0 > 0 && c1 > 0) this.row[i] = Math.log(c1 / c0);
      else valid = false;
    }
    if (!valid) return;
    this.returns.push(this.row);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        this.long[i * n + j]!.update(this.row[i]!, this.row[j]!);
        this.short[i * n + j]!.update(this.row[i]!, this.row[j]!);
      }
    }
    const p = this.params;
    if (!this.long[1]!.ready) return;
    // Summed returns over the short window, and their total.
    let total = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let ago = 0; ago < p.shortWindow; ago++) s += this.returns.at(i, ago);
      this.sums[i] = s;
      total += s;
    }
    for (let i = 0; i < n; i++) {
      let usual = 0;
      let current = 0;
      let pairs = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const k = i < j ? i * n + j : j * n + i;
        const cl = this.long[k]!.value;
        const cs = this.short[k]!.value;
        if (!Number.isFinite(cl) || !Number.isFinite(cs)) continue;
        usual += cl;
        current += cs;
        pairs++;
      }
      const drop = pairs > 0 ? (usual - current) / pairs : Number.NaN;
      this.drop[i] = drop;
      const v = this.views[i]!;
      let want: -1 | 0 | 1 = v.direction;
      const gap = this.sums[i]! - (total - this.sums[i]!) / (n - 1);
      if (drop > p.decoupleThreshold) want = gap < 0 ? 1 : gap > 0 ? -1 : want;
      else if (!(drop >= p.recoupleThreshold)) want = 0;
      if (want === -1 && p.mode === 'long_only') want = 0;
      if (want === v.direction) continue;
      if (want === 0) {
        v.change(ctx, 0, 0, 0, Number.isFinite(drop) ? `recoupled: correlation drop ${drop.toFixed(2)} < ${p.recoupleThreshold}` : 'correlation undefined', 1);
        continue;
      }
      const symbol = this.symbols[i]!;
      const size = positionSize(p.sizing, p.fractional, ctx.equity(), closes[i]!, ctx.bars(symbol), Number.NaN, ctx.instrument?.(symbol)?.multiplier ?? 1);
      const reason = `decoupled: correlation drop ${drop.toFixed(2)} > ${p.decoupleThreshold}, ${gap < 0 ? 'lagged' : 'led'} the group by ${Math.abs(gap).toFixed(4)}`;
      v.change(ctx, want, want * size, Math.min(1, drop / (2 * p.decoupleThreshold)), reason, 1);
    }
  }
}

/** The built-in `correlation_matrix` (scenario `"type": "correlation_matrix"`, three symbols or more). */
export const correlationMatrix = defineStrategy({
  name: 'correlation_matrix',
  description:
    'Rolling correlation matrix of three or more symbols: a symbol whose average correlation with the others drops (long window minus short) by more than decoupleThreshold is traded back toward the group (long if it lagged their short-window return, short if it led); flat once recoupled.',
  defaults: CORRELATION_MATRIX_DEFAULTS,
  params: correlationMatrixParams,
  warmup: (p) => {
    const sizing = sizingWarmupBars(p.sizing);
    return sizing > p.longWindow + 1 ? { bars: sizing, because: `sizing.kind=${p.sizing.kind}` } : { bars: p.longWindow + 1, because: `longWindow=${p.longWindow}` };
  },
  create: ({ id, symbols, params }) => new CorrelationMatrixStrategy(id, symbols, params),
});

export default correlationMatrix;
