import { InvalidArgumentError, US_PER_YEAR } from '../core/index.js';
import type { AuditEntry } from '../model/events.js';
import type { OptionInstrument } from '../model/instruments.js';
import { blackScholes, impliedVolatility } from '../model/option-pricing.js';
import type { Portfolio } from './portfolio.js';

/** Sensitivities of a position, in account currency per unit move (delta and gamma in underlying units). */
export interface Greeks {
  /** Underlying units-equivalent: d(value)/d(spot). */
  delta: number;
  /** d(delta)/d(spot). */
  gamma: number;
  /** d(value)/d(volatility), per 1.00 (100 vol points). */
  vega: number;
  /** d(value)/d(time), per year. */
  theta: number;
}

/** Pricing inputs shared by every contract of a run. */
export interface OptionPricingParams {
  /** Continuously compounded risk-free rate. */
  readonly rate: number;
  /** Continuous dividend yield of the underlyings. */
  readonly dividendYield: number;
}

/** What an order would do to the Greeks of its underlying. */
export interface GreekImpact {
  readonly underlying: string;
  readonly before: Readonly<Greeks>;
  readonly after: Readonly<Greeks>;
}

const zero = (): Greeks => ({ delta: 0, gamma: 0, vega: 0, theta: 0 });

/**
 * The option side of a portfolio: which symbols are option contracts (and on which underlying), the
 * implied volatility of each, the Greeks of the positions, and cash settlement at expiry.
 *
 * - **Valuation.** The Portfolio values a contract at its mark (the chain's mid) x multiplier x position,
 *   like any symbol; this class adds only what options need beyond that.
 * - **Greeks** of a contract are Black-Scholes-Merton Greeks at the underlying's current mark, the
 *   contract's implied volatility (the chain's `iv` when given, else implied from the mid, else the last
 *   known one; a contract never given a volatility is valued at its intrinsic Greeks), the time to expiry
 *   in years of 365.25 days, the run's rate and dividend yield, times the contract multiplier. The
 *   Greeks of an underlying are its net position of delta (1 per unit). Net Greeks are per underlying:
 *   the sum over its contracts' positions plus the underlying's own position.
 * - **Expiry.** At or after the expiry time a contract still held settles in cash at its intrinsic value
 *   against the underlying's mark (max(S - K, 0) for calls, max(K - S, 0) for puts): every strategy's
 *   ledger is closed at that price without commission, and an `option.settled` audit entry records it.
 *   European exercise, no early assignment.
 */
export class OptionBook {
  /** Per symbol index: its option instrument, or null for an underlying/spot symbol. */
  readonly instruments: readonly (OptionInstrument | null)[];
  /** Per option symbol index: the symbol index of its underlying (-1 for non-options). */
  readonly underlyingIndex: Int32Array;
  /** Implied volatility per symbol index (NaN until known). */
  readonly iv: Float64Array;
  private readonly settled: Uint8Array;
  private readonly expiryOrder: number[];
  private nextExpiry = 0;

  constructor(
    private readonly portfolio: Portfolio,
    readonly symbols: readonly string[],
    instruments: readonly (OptionInstrument | null)[],
    readonly params: OptionPricingParams,
  ) {
    if (instruments.length !== symbols.length) throw new InvalidArgumentError(`invalid 'instruments': ${instruments.length} entries for ${symbols.length} symbols`);
    this.instruments = instruments;
    const index = new Map(symbols.map((s, i) => [s, i]));
    this.underlyingIndex = new Int32Array(symbols.length).fill(-1);
    instruments.forEach((inst, i) => {
      if (inst === null) return;
      const u = index.get(inst.underlying);
      if (u === undefined) throw new InvalidArgumentError(`option '${inst.symbol}': its underlying '${inst.underlying}' is not a symbol of the run (${symbols.join(', ')})`);
      if (portfolio.multiplier[i] !== inst.multiplier) throw new InvalidArgumentError(`option '${inst.symbol}': the portfolio's multiplier ${portfolio.multiplier[i]} differs from the contract's ${inst.multiplier}`);
      this.underlyingIndex[i] = u;
    });
    this.iv = new Float64Array(symbols.length).fill(Number.NaN);
    this.settled = new Uint8Array(symbols.length);
    this.expiryOrder = instruments.flatMap((inst, i) => (inst === null ? [] : [i])).sort((a, b) => instruments[a]!.expiry - instruments[b]!.expiry || a - b);
  }

  /** Returns true when symbol `i` is an option contract. */
  isOption(i: number): boolean {
    return this.instruments[i] !== null;
  }

  /**
   * Takes in a chain row of contract `i` at `ts`: marks the contract at the mid (the ask alone when
   * the bid is 0: (0 + ask) / 2) and records its implied volatility (`iv` when finite and positive,
   * else implied from the mid when the underlying has a mark and the mid is inside the no-arbitrage
   * bounds, else the last one kept).
   */
  onChainQuote(i: number, ts: number, bid: number, ask: number, iv: number): void {
    const inst = this.instruments[i];
    if (inst === null || inst === undefined) throw new InvalidArgumentError(`symbol '${this.symbols[i]}' is not an option contract`);
    const mid = (bid + ask) / 2;
    if (mid > 0) this.portfolio.markPrice(i, mid);
    if (iv > 0 && Number.isFinite(iv)) {
      this.iv[i] = iv;
      return;
    }
    const spot = this.portfolio.mark[this.underlyingIndex[i]!]!;
    const time = (inst.expiry - ts) / US_PER_YEAR;
    if (!(spot > 0) || !(time > 0) || !(mid > 0)) return;
    try {
      this.iv[i] = impliedVolatility({ price: mid, spot, strike: inst.strike, rate: this.params.rate, time, right: inst.right, dividendYield: this.params.dividendYield });
    } catch {
      // Outside the no-arbitrage bounds: keep the last volatility.
    }
  }

  /** Returns the Greeks of one contract (per contract, multiplier included) at `now`; all zero for non-options. */
  contractGreeks(i: number, now: number): Greeks {
    const inst = this.instruments[i];
    if (inst === null || inst === undefined) return zero();
    const spot = this.portfolio.mark[this.underlyingIndex[i]!]!;
    if (!(spot > 0)) return zero();
    const time = Math.max(0, (inst.expiry - now) / US_PER_YEAR);
    const vol = this.iv[i]! > 0 ? this.iv[i]! : 0;
    const v = blackScholes({ spot, strike: inst.strike, rate: this.params.rate, volatility: vol, time, right: inst.right, dividendYield: this.params.dividendYield });
    const m = inst.multiplier;
    return { delta: v.delta * m, gamma: v.gamma * m, vega: v.vega * m, theta: v.theta * m };
  }

  /** Returns the net Greeks of the account's positions on the underlying with symbol index `u`. */
  netGreeks(u: number, now: number): Greeks {
    const g = zero();
    g.delta = this.portfolio.netPosition[u]!;
    for (let i = 0; i < this.symbols.length; i++) {
      if (this.underlyingIndex[i] !== u) continue;
      const p = this.portfolio.netPosition[i]!;
      if (p === 0) continue;
      const c = this.contractGreeks(i, now);
      g.delta += p * c.delta;
      g.gamma += p * c.gamma;
      g.vega += p * c.vega;
      g.theta += p * c.theta;
    }
    return g;
  }

  /** Returns the net Greeks per underlying that has options in the run, in symbol order. */
  greeksByUnderlying(now: number): Record<string, Greeks> {
    const out: Record<string, Greeks> = {};
    const seen = new Set<number>();
    for (let i = 0; i < this.symbols.length; i++) {
      const u = this.underlyingIndex[i]!;
      if (u < 0 || seen.has(u)) continue;
      seen.add(u);
    }
    for (const u of [...seen].sort((a, b) => a - b)) out[this.symbols[u]!] = this.netGreeks(u, now);
    return out;
  }

  /**
   * Returns what `signedQty` more of symbol `i` (positive buys) would do to the net Greeks of its
   * underlying, on top of `pendingSigned` (the signed quantities of working orders per symbol, counted
   * as filled), or null when `i` is neither an option nor the underlying of one.
   */
  impact(i: number, signedQty: number, now: number, pendingSigned?: (symbolIndex: number) => number): GreekImpact | null {
    const opt = this.underlyingIndex[i]!;
    const u = opt >= 0 ? opt : this.isUnderlying(i) ? i : -1;
    if (u < 0) return null;
    const before = this.netGreeks(u, now);
    if (pendingSigned !== undefined) {
      before.delta += pendingSigned(u);
      for (let j = 0; j < this.symbols.length; j++) {
        if (this.underlyingIndex[j] !== u) continue;
        const q = pendingSigned(j);
        if (q !== 0) add(before, this.contractGreeks(j, now), q);
      }
    }
    const after = { ...before };
    if (opt >= 0) add(after, this.contractGreeks(i, now), signedQty);
    else after.delta += signedQty;
    return { underlying: this.symbols[u]!, before, after };
  }

  /** Returns the earliest expiry of a contract not yet settled, or Infinity. */
  get nextExpiryTs(): number {
    while (this.nextExpiry < this.expiryOrder.length && this.settled[this.expiryOrder[this.nextExpiry]!] === 1) this.nextExpiry++;
    const i = this.expiryOrder[this.nextExpiry];
    return i === undefined ? Number.POSITIVE_INFINITY : this.instruments[i]!.expiry;
  }

  /**
   * Settles every contract whose expiry is at or before `now` (see the class comment) and returns the
   * audit entries, one per contract that had a position. Cheap when nothing expires: call it on every
   * time advance.
   */
  settleExpired(now: number, strategyIds: readonly string[]): AuditEntry[] {
    if (now < this.nextExpiryTs) return [];
    const out: AuditEntry[] = [];
    for (let k = this.nextExpiry; k < this.expiryOrder.length; k++) {
      const i = this.expiryOrder[k]!;
      const inst = this.instruments[i]!;
      if (inst.expiry > now) break;
      if (this.settled[i] === 1) continue;
      this.settled[i] = 1;
      if (this.portfolio.netPosition[i] === 0 && !this.anyLedger(i)) continue;
      const spot = this.portfolio.mark[this.underlyingIndex[i]!]!;
      if (!(spot > 0)) throw new InvalidArgumentError(`cannot settle '${inst.symbol}' at expiry: its underlying '${inst.underlying}' has no price`);
      const intrinsic = inst.right === 'call' ? Math.max(spot - inst.strike, 0) : Math.max(inst.strike - spot, 0);
      const net = this.portfolio.netPosition[i]!;
      for (let s = 0; s < this.portfolio.strategyCount; s++) {
        const p = this.portfolio.position(s, i);
        if (p !== 0) this.portfolio.applyFill(s, i, p > 0 ? -1 : 1, Math.abs(p), intrinsic, 0, now);
      }
      this.portfolio.markPrice(i, intrinsic);
      out.push({
        ts: now,
        kind: 'option.settled',
        symbol: inst.symbol,
        message: `${inst.symbol} expired: ${net} contracts settled in cash at intrinsic value ${round(intrinsic)} (underlying ${inst.underlying} at ${round(spot)}, strike ${inst.strike}, multiplier ${inst.multiplier})`,
        details: { position: net, intrinsic, underlyingPrice: spot, cash: net * intrinsic * inst.multiplier, strategies: strategyIds.filter((_, s) => s < this.portfolio.strategyCount) },
      });
    }
    return out;
  }

  private anyLedger(i: number): boolean {
    for (let s = 0; s < this.portfolio.strategyCount; s++) if (this.portfolio.position(s, i) !== 0) return true;
    return false;
  }

  private isUnderlying(i: number): boolean {
    for (let j = 0; j < this.underlyingIndex.length; j++) if (this.underlyingIndex[j] === i) return true;
    return false;
  }
}

function add(g: Greeks, c: Greeks, q: number): void {
  g.delta += q * c.delta;
  g.gamma += q * c.gamma;
  g.vega += q * c.vega;
  g.theta += q * c.theta;
}

function round(x: number): number {
  return Number(x.toPrecision(10));
}
