import { checkNonNegative, checkPositive, checkPositiveInteger, strategyId, type StrategyId, type Symbol_ } from '../core/index.js';
import { blackScholes, type OptionQuote } from '../model/index.js';
import type { BarSeries, Strategy, StrategyContext } from './context.js';
import { defineStrategy } from './define-strategy.js';
import { failParam, withDefaults } from './strategy-params.js';
import { checkSymbols } from './symbol-view.js';

/** Parameters of `delta_hedge`. */
export interface DeltaHedgeParams {
  /** Contracts held (positive long, negative short). Default 10. */
  readonly contracts: number;
  /** 'call' or 'put'. Default call. */
  readonly right: 'call' | 'put';
  /** Which listed expiry to hold: 0 the nearest with at least `minDays` left, 1 the next... Default 0. */
  readonly expiryIndex: number;
  /** Calendar days to expiry below which the position rolls to the next expiry. Default 5. */
  readonly minDays: number;
  /** Units per contract. Default 100. */
  readonly multiplier: number;
  /** Rehedge when |hedge target - hedge position| exceeds this many units. Default 10. */
  readonly band: number;
  /** Rate for deltas the chain does not carry. Default 0.04. */
  readonly rate: number;
}

/** Defaults of `delta_hedge`: 10 calls of the nearest expiry with 5+ days left, x100, rehedge band 10 units, rate 4%. */
export const DELTA_HEDGE_DEFAULTS: DeltaHedgeParams = Object.freeze({ contracts: 10, right: 'call', expiryIndex: 0, minDays: 5, multiplier: 100, band: 10, rate: 0.04 });

/**
 * Returns the frozen, validated `delta_hedge` parameters with defaults applied. Throws
 * InvalidArgumentError naming the parameter and its value (`invalid 'contracts': ...`).
 */
export function deltaHedgeParams(params?: Partial<DeltaHedgeParams>): DeltaHedgeParams {
  const p = withDefaults('delta_hedge', DELTA_HEDGE_DEFAULTS, params);
  if (!Number.isInteger(p.contracts) || p.contracts === 0) failParam('contracts', 'not a non-zero integer', p.contracts);
  if (p.right !== 'call' && p.right !== 'put') failParam('right', "not 'call' or 'put'", p.right);
  checkNonNegative(p.expiryIndex, 'expiryIndex');
  checkNonNegative(p.minDays, 'minDays');
  checkPositive(p.multiplier, 'multiplier');
  checkNonNegative(p.band, 'band');
  checkPositiveInteger(Math.max(1, p.expiryIndex + 1), 'expiryIndex');
  return Object.freeze({ ...p });
}

/**
 * A delta-hedged option position. Its symbols are the underlying (first) and the option contracts it
 * may trade. On each bar of the underlying with a chain (`ctx.chain`): it holds `contracts` of the
 * at-the-money contract (strike nearest the spot) of the chosen expiry, rolling (closing the old
 * contract, opening a new one) when fewer than `minDays` remain; then it sets the underlying to
 * -(contracts x delta x multiplier), rounded to whole units, when that differs from the position by
 * more than `band` units. The delta is the chain's, or Black-Scholes-Merton at the chain's iv.
 */
export class DeltaHedgeStrategy implements Strategy {
  readonly id: StrategyId;
  readonly symbols: readonly Symbol_[];
  readonly params: DeltaHedgeParams;
  private held: OptionQuote | null = null;
  /** Tradable contracts (symbols of this strategy). */
  private readonly tradable: ReadonlySet<string>;

  constructor(id: StrategyId | string, symbols: readonly string[], params?: Partial<DeltaHedgeParams>) {
    this.id = strategyId(id);
    this.symbols = checkSymbols(symbols, 'delta_hedge');
    this.params = deltaHedgeParams(params);
    this.tradable = new Set(this.symbols.slice(1));
  }

  onBar(ctx: StrategyContext, bars: BarSeries): void {
    const underlying = this.symbols[0]!;
    if (bars.symbol !== underlying) return;
    const chain = ctx.chain?.(underlying) ?? null;
    if (chain === null) return;
    const spot = bars.close();
    const p = this.params;
    const minExpiry = ctx.now + p.minDays * 86_400_000_000;
    const expiries = [...new Set(chain.contracts.filter((c) => c.expiry >= minExpiry).map((c) => c.expiry))].sort((a, b) => a - b);
    const expiry = expiries[Math.min(p.expiryIndex, expiries.length - 1)];
    if (expiry === undefined) return;
    if (this.held === null || this.held.expiry < minExpiry || !chain.contracts.some((c) => c.symbol === this.held!.symbol)) {
      let best: OptionQuote | null = null;
      for (const c of chain.contracts) {
        if (c.expiry !== expiry || c.right !== p.right || !this.tradable.has(c.symbol) || !(c.ask > 0)) continue;
        if (best === null || Math.abs(c.strike - spot) < Math.abs(best.strike - spot)) best = c;
      }
      if (best === null) return;
      if (this.held !== null && this.held.symbol !== best.symbol && ctx.position(this.held.symbol) !== 0) {
        if (this.held.expiry > ctx.now) ctx.setTarget(this.held.symbol, 0);
      }
      if (this.held?.symbol !== best.symbol) ctx.emitSignal(best.symbol, p.contracts > 0 ? 1 : -1, 1, 1, `hold ${p.contracts} ${best.symbol}`);
      this.held = best;
    } else {
      this.held = chain.contracts.find((c) => c.symbol === this.held!.symbol) ?? this.held;
    }
    const h = this.held;
    if (ctx.position(h.symbol) !== p.contracts && ctx.openOrders(h.symbol).length === 0) ctx.setTarget(h.symbol, p.contracts);
    const time = (h.expiry - ctx.now) / (365.25 * 86_400_000_000);
    const delta =
      h.delta === h.delta ? h.delta : h.iv > 0 && time > 0 ? blackScholes({ spot, strike: h.strike, rate: p.rate, volatility: h.iv, time, right: h.right }).delta : h.right === 'call' ? Number(spot > h.strike) : -Number(spot < h.strike);
    // Hedge what is held (and working toward the target) in the option.
    const optionUnits = ctx.position(h.symbol) === 0 && ctx.openOrders(h.symbol).length > 0 ? p.contracts : ctx.position(h.symbol);
    const hedge = Math.round(-optionUnits * delta * p.multiplier);
    if (Math.abs(hedge - ctx.position(underlying)) > p.band) ctx.setTarget(underlying, hedge);
  }
}

/** The built-in `delta_hedge` (scenario `"type": "delta_hedge"`). */
export const deltaHedge = defineStrategy({
  name: 'delta_hedge',
  description:
    'A delta-hedged option position: holds N at-the-money contracts of a chosen expiry (rolling before expiry) and keeps the underlying at minus their delta. Symbols: the underlying first, then the tradable contracts. Needs option chains.',
  defaults: DELTA_HEDGE_DEFAULTS,
  params: deltaHedgeParams,
  needs: ['chains'],
  create: ({ id, symbols, params }) => new DeltaHedgeStrategy(id, symbols, params),
});

export default deltaHedge;
