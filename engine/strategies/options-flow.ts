import { checkNonNegative, checkPositive, checkPeriod, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import type { OptionChainView } from '../model/option-chain.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { withDefaults } from './strategy-params.js';
import { checkSymbols } from './symbol-view.js';
import { checkTradeMode, type TradeMode } from './trade-mode.js';

/** Parameters of `options_flow`. */
export interface OptionsFlowParams {
  /** Chains summed for the put/call volume ratio. Default 5 (seed 000). */
  readonly window: number;
  /** A put/call ratio below this (with a negative skew) is bullish. Default 0.7. */
  readonly bullishRatio: number;
  /** A put/call ratio above this (with a skew above `bearishSkew`) is bearish. Default 1.3. */
  readonly bearishRatio: number;
  /** Default 0.05 (5 volatility points). */
  readonly bearishSkew: number;
  /** Out of the money: strike / spot below 1 - band (puts) or above 1 + band (calls). Default 0.05. */
  readonly moneynessBand: number;
  /** |dealer gamma exposure| above this holds the position (pin risk). Default 1e6. */
  readonly gammaLimit: number;
  /** Units per contract in the gamma exposure. Default 100. */
  readonly multiplier: number;
  /** Units of the underlying held on a signal. Default 100. */
  readonly size: number;
  /** Default `long_short`. */
  readonly mode: TradeMode;
}

/** Defaults of `options_flow` (each documented on {@link OptionsFlowParams}). */
export const OPTIONS_FLOW_DEFAULTS: OptionsFlowParams = Object.freeze({
  window: 5,
  bullishRatio: 0.7,
  bearishRatio: 1.3,
  bearishSkew: 0.05,
  moneynessBand: 0.05,
  gammaLimit: 1e6,
  multiplier: 100,
  size: 100,
  mode: 'long_short',
});

/**
 * Returns the frozen, validated `options_flow` parameters with defaults applied. Throws
 * InvalidArgumentError naming the parameter and its value.
 */
export function optionsFlowParams(params?: Partial<OptionsFlowParams>): OptionsFlowParams {
  const p = withDefaults('options_flow', OPTIONS_FLOW_DEFAULTS, params);
  checkPeriod(p.window, 'window');
  checkNonNegative(p.bullishRatio, 'bullishRatio');
  checkPositive(p.bearishRatio, 'bearishRatio');
  checkNonNegative(p.moneynessBand, 'moneynessBand');
  checkPositive(p.gammaLimit, 'gammaLimit');
  checkPositive(p.multiplier, 'multiplier');
  checkPositive(p.size, 'size');
  return Object.freeze({ ...p, mode: checkTradeMode(p.mode) });
}

/** What `options_flow` reads from one chain. */
export interface ChainReading {
  readonly putVolume: number;
  readonly callVolume: number;
  /** Mean iv of out-of-the-money puts minus that of out-of-the-money calls; NaN when either side has none. */
  readonly skew: number;
  /** -sum(gamma x open interest x multiplier): dealers short what customers hold. */
  readonly dealerGamma: number;
}

/** Returns the chain's volumes, OTM skew and dealer gamma exposure at underlying price `spot`. */
export function readChain(chain: OptionChainView, spot: number, band: number, multiplier: number): ChainReading {
  let put = 0;
  let call = 0;
  let putIv = 0;
  let putN = 0;
  let callIv = 0;
  let callN = 0;
  let gamma = 0;
  for (const c of chain.contracts) {
    if (c.right === 'put') put += c.volume;
    else call += c.volume;
    const m = c.strike / spot;
    if (c.iv === c.iv) {
      if (c.right === 'put' && m < 1 - band) {
        putIv += c.iv;
        putN++;
      } else if (c.right === 'call' && m > 1 + band) {
        callIv += c.iv;
        callN++;
      }
    }
    if (c.gamma === c.gamma) gamma -= c.gamma * c.openInterest * multiplier;
  }
  return { putVolume: put, callVolume: call, skew: putN > 0 && callN > 0 ? putIv / putN - callIv / callN : Number.NaN, dealerGamma: gamma };
}

/**
 * Options Flow Sentiment (seed 000), trading the underlying. On each bar of the underlying, when a
 * new chain has arrived (`ctx.chain`), it reads the chain: the put/call volume ratio over the last
 * `window` chains (1 when there is no call volume), the OTM iv skew and the dealer gamma exposure.
 * Ratio below `bullishRatio` with a negative skew: long; ratio above `bearishRatio` with a skew above
 * `bearishSkew`: short (flat in `long_only`); else |dealer gamma| above `gammaLimit`: hold (pin risk);
 * else neutral: flat.
 */
export class OptionsFlowStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: OptionsFlowParams;
  private lastChainTs = Number.NEGATIVE_INFINITY;
  private readonly puts: number[] = [];
  private readonly calls: number[] = [];
  lastReading: ChainReading | null = null;
  lastRatio = Number.NaN;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<OptionsFlowParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols, 'options_flow');
    this.params = optionsFlowParams(params);
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    this.evaluate(ctx, bars.symbol, bars.close());
  }

  /** Reads the latest chain of `symbol` if new and trades on it; `spot` is the underlying's price. */
  evaluate(ctx: StrategyContext, symbol: Symbol_, spot: number): void {
    const chain = ctx.chain?.(symbol) ?? null;
    if (chain === null || chain.ts <= this.lastChainTs || !(spot > 0)) return;
    this.lastChainTs = chain.ts;
    const p = this.params;
    const r = readChain(chain, spot, p.moneynessBand, p.multiplier);
    this.puts.push(r.putVolume);
    this.calls.push(r.callVolume);
    if (this.puts.length > p.window) {
      this.puts.shift();
      this.calls.shift();
    }
    const put = this.puts.reduce((a, b) => a + b, 0);
    const call = this.calls.reduce((a, b) => a + b, 0);
    const ratio = call > 0 ? put / call : 1;
    this.lastReading = r;
    this.lastRatio = ratio;
    let target: number | null;
    let why: string;
    if (ratio < p.bullishRatio && r.skew < 0) {
      target = p.size;
      why = 'low put/call ratio and call skew';
    } else if (ratio > p.bearishRatio && r.skew > p.bearishSkew) {
      target = p.mode === 'long_short' ? -p.size : 0;
      why = 'high put/call ratio and put skew';
    } else if (Math.abs(r.dealerGamma) > p.gammaLimit) {
      target = null;
      why = 'dealer gamma: pin risk';
    } else {
      target = 0;
      why = 'neutral';
    }
    if (target === null || ctx.position(symbol) === target) return;
    const dir = target > ctx.position(symbol) ? 1 : -1;
    ctx.emitSignal(symbol, dir, 1, 1, `${why} (put/call ${ratio.toFixed(2)}, skew ${r.skew.toFixed(4)})`);
    ctx.setTarget(symbol, target);
  }
}

/** The built-in `options_flow` (scenario `"type": "options_flow"`). */
export const optionsFlow = defineStrategy({
  name: 'options_flow',
  description:
    'Options Flow Sentiment (seed 000): put/call volume ratio, out-of-the-money iv skew and dealer gamma exposure of the option chain drive a position in the underlying. Needs option chains.',
  defaults: OPTIONS_FLOW_DEFAULTS,
  params: optionsFlowParams,
  needs: ['chains'],
  create: ({ id, symbols, params }) => new OptionsFlowStrategy(id, symbols, params),
});

export default optionsFlow;
