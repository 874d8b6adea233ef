import { checkFinite, checkInRange, checkPositive, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import type { QuoteTick } from '../model/market-data.js';
import type { Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { withDefaults } from './strategy-params.js';
import { checkSymbols } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `liquidity_flow`. */
export interface LiquidityFlowParams {
  /** Price levels per side summed for the depth imbalance. Default 5 (seed 000). */
  readonly levels: number;
  /** |imbalance| above this is a signal; imbalance = (bid depth - ask depth) / (bid depth + ask depth). Default 0.6 (seed 000). */
  readonly imbalanceThreshold: number;
  /** Signals count only while the liquidity score is above this. Default 0.7 (seed 000). */
  readonly minLiquidityScore: number;
  /** Book observations in the running mean of total depth the liquidity score compares against. Default 200. */
  readonly depthWindow: number;
  /** Shortest time between two evaluations, microseconds (the book changes far more often). Default 1 s. */
  readonly evaluateEveryUs: number;
  /** Units held while the signal is on. Default 100. */
  readonly size: number;
  /** Default `long_short`. */
  readonly mode: TradeMode;
}

/** Defaults of `liquidity_flow` (each documented on {@link LiquidityFlowParams}). */
export const LIQUIDITY_FLOW_DEFAULTS: LiquidityFlowParams = Object.freeze({
  levels: 5,
  imbalanceThreshold: 0.6,
  minLiquidityScore: 0.7,
  depthWindow: 200,
  evaluateEveryUs: 1_000_000,
  size: 100,
  mode: 'long_short',
});

/** Returns the validated parameters with defaults applied. */
export function liquidityFlowParams(params?: Partial<LiquidityFlowParams>): LiquidityFlowParams {
  const p = withDefaults('liquidity_flow', LIQUIDITY_FLOW_DEFAULTS, params);
  checkPeriod(p.levels, 'levels');
  checkInRange(p.imbalanceThreshold, 0, 1, 'imbalanceThreshold');
  checkInRange(p.minLiquidityScore, 0, 1, 'minLiquidityScore');
  checkPeriod(p.depthWindow, 'depthWindow');
  checkFinite(p.evaluateEveryUs, 'evaluateEveryUs');
  checkPositive(p.size, 'size');
  return Object.freeze({ ...p, mode: checkTradeMode(p.mode) });
}

/** What `liquidity_flow` measured on one book. */
export interface DepthReading {
  readonly bidDepth: number;
  readonly askDepth: number;
  /** (bid - ask) / (bid + ask) over the levels; 0 for an empty book. */
  readonly imbalance: number;
}

/** Returns the depth imbalance over the first `levels` levels of each side. */
export function depthImbalance(bidSizes: ArrayLike<number>, askSizes: ArrayLike<number>, levels: number): DepthReading {
  let bid = 0;
  let ask = 0;
  for (let j = 0; j < Math.min(levels, bidSizes.length); j++) bid += bidSizes[j]!;
  for (let j = 0; j < Math.min(levels, askSizes.length); j++) ask += askSizes[j]!;
  const total = bid + ask;
  return { bidDepth: bid, askDepth: ask, imbalance: total > 0 ? (bid - ask) / total : 0 };
}

/**
 * Liquidity Flow Tracker (seed 000): order-flow imbalance in the visible book plus a liquidity score.
 * On a quote (a change of the top of book), at most every `evaluateEveryUs`, it reads `levels` levels
 * per side through `ctx.book` (top of book only when the run has no depth: one level), computes the
 * depth imbalance and the liquidity score = min(1, total depth / its running mean over the last
 * `depthWindow` readings). Imbalance above the threshold with a score above `minLiquidityScore` is a
 * buy (target +size); below minus the threshold a sell (-size, or flat in `long_only`); otherwise it
 * holds (the seed's HOLD keeps the position).
 */
export class LiquidityFlowStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: LiquidityFlowParams;
  private readonly prices: Float64Array;
  private readonly bidSizes: Float64Array;
  private readonly askSizes: Float64Array;
  private readonly depths: Float64Array;
  private depthCount = 0;
  private depthSum = 0;
  private nextEval = Number.NEGATIVE_INFINITY;
  /** The last reading and score (for tests and inspection). */
  lastReading: DepthReading | null = null;
  lastScore = Number.NaN;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<LiquidityFlowParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols, 'liquidity_flow');
    this.params = liquidityFlowParams(params);
    this.prices = new Float64Array(this.params.levels);
    this.bidSizes = new Float64Array(this.params.levels);
    this.askSizes = new Float64Array(this.params.levels);
    this.depths = new Float64Array(this.params.depthWindow);
  }

  onQuote(ctx: StrategyContext, symbol: Symbol_, quote: QuoteTick): void {
    if (ctx.now < this.nextEval) return;
    this.nextEval = ctx.now + this.params.evaluateEveryUs;
    const n = this.params.levels;
    const book = ctx.book?.(symbol) ?? null;
    let nb = 1;
    let na = 1;
    if (book !== null) {
      nb = book.depth(1, n, this.prices, this.bidSizes);
      na = book.depth(-1, n, this.prices, this.askSizes);
    } else {
      this.bidSizes[0] = quote.bidSize;
      this.askSizes[0] = quote.askSize;
    }
    const r = depthImbalance(this.bidSizes.subarray(0, nb), this.askSizes.subarray(0, na), n);
    const total = r.bidDepth + r.askDepth;
    const w = this.params.depthWindow;
    const slot = this.depthCount % w;
    if (this.depthCount >= w) this.depthSum -= this.depths[slot]!;
    this.depths[slot] = total;
    this.depthSum += total;
    this.depthCount++;
    const mean = this.depthSum / Math.min(this.depthCount, w);
    const score = mean > 0 ? Math.min(1, total / mean) : 0;
    this.lastReading = r;
    this.lastScore = score;
    const p = this.params;
    if (score <= p.minLiquidityScore) return;
    if (r.imbalance > p.imbalanceThreshold) {
      if (ctx.position(symbol) !== p.size) {
        ctx.emitSignal(symbol, 1, Math.min(1, r.imbalance), score, `depth imbalance ${r.imbalance.toFixed(3)}, liquidity ${score.toFixed(2)}`);
        ctx.setTarget(symbol, p.size);
      }
    } else if (r.imbalance < -p.imbalanceThreshold) {
      const target = p.mode === 'long_short' ? -p.size : 0;
      if (ctx.position(symbol) !== target) {
        ctx.emitSignal(symbol, -1, Math.min(1, -r.imbalance), score, `depth imbalance ${r.imbalance.toFixed(3)}, liquidity ${score.toFixed(2)}`);
        ctx.setTarget(symbol, target);
      }
    }
  }
}

/** The built-in `liquidity_flow` (scenario `"type": "liquidity_flow"`). */
export const liquidityFlow = defineStrategy({
  name: 'liquidity_flow',
  description:
    'Liquidity Flow Tracker (seed 000): bid/ask depth imbalance over N book levels with a liquidity score (depth against its running mean); long above the threshold, short (or flat) below minus it. Needs book data for depth (top of book otherwise).',
  defaults: LIQUIDITY_FLOW_DEFAULTS,
  params: liquidityFlowParams,
  needs: ['book'],
  create: ({ id, symbols, params }) => new LiquidityFlowStrategy(id, symbols, params),
});

export default liquidityFlow;
