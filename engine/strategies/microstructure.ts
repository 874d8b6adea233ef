import { checkInRange, checkNonNegative, checkOneOf, checkPositive, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import type { QuoteTick, TradeTick } from '../model/market-data.js';
import type { Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { withDefaults } from './strategy-params.js';
import { checkSymbols } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `microstructure`. */
export interface MicrostructureParams {
  /** Trades in the tick-rule imbalance window. Default 100 (seed 000). */
  readonly tickWindow: number;
  /** |imbalance| above this is a signal. Default 0.6 (seed 000). */
  readonly imbalanceThreshold: number;
  /** The spread is compressed when below this percentile of its recent history. Default 20 (seed 000). */
  readonly spreadPercentile: number;
  /** Quotes of relative-spread history. Default 500. */
  readonly spreadWindow: number;
  /** Quotes per second above which the market is treated as stuffed and the strategy holds. Default 10 (seed 000). */
  readonly maxQuoteRate: number;
  /** Units held while the signal is on. Default 100. */
  readonly size: number;
  /** `market` takes liquidity; `limit` joins the near touch (bid for buys, ask for sells) and waits. Default market. */
  readonly orderType: 'market' | 'limit';
  /** Default `long_short`. */
  readonly mode: TradeMode;
}

/** Defaults of `microstructure` (each documented on {@link MicrostructureParams}). */
export const MICROSTRUCTURE_DEFAULTS: MicrostructureParams = Object.freeze({
  tickWindow: 100,
  imbalanceThreshold: 0.6,
  spreadPercentile: 20,
  spreadWindow: 500,
  maxQuoteRate: 10,
  size: 100,
  orderType: 'market',
  mode: 'long_short',
});

/**
 * Returns the frozen, validated `microstructure` parameters with defaults applied. Throws
 * InvalidArgumentError naming the parameter and its value.
 */
export function microstructureParams(params?: Partial<MicrostructureParams>): MicrostructureParams {
  const p = withDefaults('microstructure', MICROSTRUCTURE_DEFAULTS, params);
  checkPeriod(p.tickWindow, 'tickWindow');
  checkInRange(p.imbalanceThreshold, 0, 1, 'imbalanceThreshold');
  checkInRange(p.spreadPercentile, 0, 100, 'spreadPercentile');
  checkPeriod(p.spreadWindow, 'spreadWindow');
  checkNonNegative(p.maxQuoteRate, 'maxQuoteRate');
  checkPositive(p.size, 'size');
  checkOneOf(p.orderType, ['market', 'limit'] as const, 'orderType');
  return Object.freeze({ ...p, mode: checkTradeMode(p.mode) });
}

/**
 * Returns the tick-rule classification of a trade: +1 when its price is above the previous trade's,
 * -1 below, and the previous classification when equal (0 before any price change).
 */
export function tickRule(price: number, previousPrice: number, previousSign: number): -1 | 0 | 1 {
  if (price > previousPrice) return 1;
  if (price < previousPrice) return -1;
  return previousSign > 0 ? 1 : previousSign < 0 ? -1 : 0;
}

/** Returns the `p`-th percentile (0-100) of `values[0..n)` by linear interpolation between order statistics. */
export function percentile(values: Float64Array, n: number, p: number): number {
  if (n === 0) return Number.NaN;
  const sorted = Float64Array.from(values.subarray(0, n)).sort();
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Returns the `p`-th percentile (0-100) of the ascending `sorted[0..n)`, as {@link percentile} computes it. */
export function percentileOfSorted(sorted: Float64Array, n: number, p: number): number {
  if (n === 0) return Number.NaN;
  const h = ((n - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Returns the index of the first element of the ascending `sorted[0..n)` that is >= x (n when none). */
export function lowerBound(sorted: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The last `capacity` values in arrival order (a ring) and the same values kept sorted, so a
 * percentile of the window is a lookup: a new value costs two binary searches and a shift of the
 * sorted array (no allocation), instead of a copy and a sort of the window per query.
 */
export class SortedWindow {
  private readonly ring: Float64Array;
  readonly sorted: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.ring = new Float64Array(capacity);
    this.sorted = new Float64Array(capacity);
  }

  /** Number of values in the window (at most its capacity). */
  get length(): number {
    return Math.min(this.count, this.ring.length);
  }

  /** Adds `x` (finite), dropping the oldest value once the window is full. */
  push(x: number): void {
    const cap = this.ring.length;
    const slot = this.count % cap;
    let n = this.length;
    if (this.count >= cap) {
      // Remove the value leaving the window (any copy of an equal value is the same value).
      const at = lowerBound(this.sorted, n, this.ring[slot]!);
      this.sorted.copyWithin(at, at + 1, n);
      n--;
    }
    const at = lowerBound(this.sorted, n, x);
    this.sorted.copyWithin(at + 1, at, n);
    this.sorted[at] = x;
    this.ring[slot] = x;
    this.count++;
  }

  /** The `p`-th percentile (0-100) of the window, as {@link percentile} of its values. */
  percentile(p: number): number {
    return percentileOfSorted(this.sorted, this.length, p);
  }
}

/**
 * Market Microstructure Edge (seed 000). Trades are classified by the tick rule; the imbalance is
 * (buys - sells) / (buys + sells) over the last `tickWindow` classified trades. Quotes feed the
 * relative spread (ask - bid) / mid history; the spread is compressed when the current one is
 * strictly below the `spreadPercentile`-th percentile of the last `spreadWindow` spreads (needs at
 * least 20). The quote rate is the number of quotes in the last second. On each trade: with the
 * quote rate above `maxQuoteRate` it holds (quote stuffing); else imbalance above the threshold with a
 * compressed spread is a buy (+size), below minus the threshold a sell (-size or flat); otherwise hold.
 */
export class MicrostructureStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: MicrostructureParams;
  private readonly signs: Int8Array;
  private signCount = 0;
  private signSum = 0;
  private lastPrice = Number.NaN;
  private lastSign = 0;
  /** The last `spreadWindow` relative spreads, kept sorted for the percentile. */
  private readonly spreads: SortedWindow;
  private spread = Number.NaN;
  private readonly quoteTimes: Float64Array;
  private quoteCount = 0;
  private bid = Number.NaN;
  private ask = Number.NaN;
  /** Inspection: last imbalance, compression and quote rate. */
  imbalance = 0;
  compressed = false;
  quoteRate = 0;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<MicrostructureParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols, 'microstructure');
    this.params = microstructureParams(params);
    this.signs = new Int8Array(this.params.tickWindow);
    this.spreads = new SortedWindow(this.params.spreadWindow);
    this.quoteTimes = new Float64Array(Math.max(1, Math.ceil(this.params.maxQuoteRate) + 1));
  }

  onQuote(ctx: StrategyContext, _symbol: Symbol_, q: QuoteTick): void {
    if (!(q.bid > 0 && q.ask > q.bid)) return;
    this.bid = q.bid;
    this.ask = q.ask;
    const mid = (q.bid + q.ask) / 2;
    this.spread = (q.ask - q.bid) / mid;
    this.spreads.push(this.spread);
    this.quoteTimes[this.quoteCount % this.quoteTimes.length] = ctx.now;
    this.quoteCount++;
  }

  onTrade(ctx: StrategyContext, symbol: Symbol_, t: TradeTick): void {
    const sign = this.lastPrice === this.lastPrice ? tickRule(t.price, this.lastPrice, this.lastSign) : 0;
    this.lastPrice = t.price;
    this.lastSign = sign;
    const w = this.signs.length;
    const slot = this.signCount % w;
    if (this.signCount >= w) this.signSum -= this.signs[slot]!;
    this.signs[slot] = sign;
    this.signSum += sign;
    this.signCount++;
    let classified = 0;
    for (let j = 0; j < Math.min(this.signCount, w); j++) if (this.signs[j] !== 0) classified++;
    this.imbalance = classified > 0 ? this.signSum / classified : 0;
    this.compressed = this.spreads.length >= 20 && this.spread < this.spreads.percentile(this.params.spreadPercentile);
    // Quotes in the last second: the ring holds maxQuoteRate + 1 times, so a full ring within 1 s means too many.
    const cap = this.quoteTimes.length;
    this.quoteRate = this.quoteCount >= cap && ctx.now - this.quoteTimes[this.quoteCount % cap]! < 1_000_000 ? cap : 0;
    const p = this.params;
    if (this.quoteRate > p.maxQuoteRate) return;
    if (!this.compressed) return;
    let target: number | null = null;
    if (this.imbalance > p.imbalanceThreshold) target = p.size;
    else if (this.imbalance < -p.imbalanceThreshold) target = p.mode === 'long_short' ? -p.size : 0;
    if (target === null || ctx.position(symbol) === target) return;
    const dir = target > ctx.position(symbol) ? 1 : -1;
    ctx.emitSignal(symbol, dir, Math.min(1, Math.abs(this.imbalance)), 1, `tick imbalance ${this.imbalance.toFixed(3)}, spread compressed`);
    if (p.orderType === 'limit' && this.bid === this.bid) ctx.setTarget(symbol, target, { type: 'limit', limitPrice: dir > 0 ? this.bid : this.ask });
    else ctx.setTarget(symbol, target);
  }
}

/** The built-in `microstructure` (scenario `"type": "microstructure"`). */
export const microstructure = defineStrategy({
  name: 'microstructure',
  description:
    'Market Microstructure Edge (seed 000): tick-rule trade imbalance, traded only while the spread is below its recent percentile and the quote rate is under the stuffing guard; market or passive limit orders. Needs trades and quotes.',
  defaults: MICROSTRUCTURE_DEFAULTS,
  params: microstructureParams,
  needs: ['trades', 'quotes'],
  create: ({ id, symbols, params }) => new MicrostructureStrategy(id, symbols, params),
});

export default microstructure;
