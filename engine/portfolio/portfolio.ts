import { checkFinite, checkNonNegative } from '../core/checks.js';
import { InvariantError } from '../core/errors.js';

/** A closed round trip (or the closed part of one), as the report lists it. */
export interface ClosedTrade {
  readonly strategyIndex: number;
  readonly symbolIndex: number;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTs: number;
  readonly entryPrice: number;
  readonly exitTs: number;
  readonly exitPrice: number;
  /** Net of the entry and exit commissions attributed to this quantity. */
  readonly pnl: number;
  /** pnl / (entryPrice x qty x multiplier). */
  readonly returnPct: number;
  readonly commission: number;
}

/** Quantities this close to zero are zero (guards fractional-unit arithmetic). */
const QTY_EPS = 1e-9;

/**
 * Cash, positions and PnL of one account, with one ledger per (strategy, symbol) so that several
 * strategies may trade the same symbol and each sees its own position and round trips.
 *
 * Accounting: a buy of q at p costs q x p x multiplier plus commission; a sell credits it less
 * commission. Average price is the volume-weighted entry price of the open position; reducing a
 * position realizes (exit - avg) x closed qty x multiplier x direction. A fill that crosses zero
 * closes the old position and opens the remainder at the fill price. Equity is cash plus every
 * position marked at its symbol's last price (no forced liquidation).
 */
export class Portfolio {
  readonly symbolCount: number;
  readonly strategyCount: number;
  readonly initialCash: number;
  cash: number;
  /** Sum of commissions paid. */
  commissions = 0;
  /** Sum of realized PnL, gross of commissions. */
  realizedGross = 0;
  /** Traded notional (sum of q x p x multiplier over fills). */
  tradedNotional = 0;
  /** Net position per symbol (sum over strategies). */
  readonly netPosition: Float64Array;
  /** Last mark per symbol; NaN until the first price. */
  readonly mark: Float64Array;
  readonly multiplier: Float64Array;
  // Per (strategy, symbol) ledgers, index s * symbolCount + i.
  private readonly pos: Float64Array;
  private readonly avg: Float64Array;
  private readonly entryTs: Float64Array;
  /** Entry commission still attached to the open quantity. */
  private readonly entryFee: Float64Array;
  private readonly trades: ClosedTrade[] = [];

  constructor(symbolCount: number, strategyCount: number, initialCash: number, multipliers?: ArrayLike<number>) {
    this.symbolCount = symbolCount;
    this.strategyCount = Math.max(1, strategyCount);
    this.initialCash = checkFinite(initialCash, 'initialCash');
    this.cash = initialCash;
    this.netPosition = new Float64Array(symbolCount);
    this.mark = new Float64Array(symbolCount).fill(Number.NaN);
    this.multiplier = new Float64Array(symbolCount).fill(1);
    if (multipliers) for (let i = 0; i < symbolCount; i++) this.multiplier[i] = checkFinite(multipliers[i] ?? 1, 'multiplier');
    const n = this.strategyCount * symbolCount;
    this.pos = new Float64Array(n);
    this.avg = new Float64Array(n);
    this.entryTs = new Float64Array(n);
    this.entryFee = new Float64Array(n);
  }

  /** Restores the initial state (cash, no positions, no marks, no trades). */
  reset(): void {
    this.cash = this.initialCash;
    this.commissions = 0;
    this.realizedGross = 0;
    this.tradedNotional = 0;
    this.netPosition.fill(0);
    this.mark.fill(Number.NaN);
    this.pos.fill(0);
    this.avg.fill(0);
    this.entryTs.fill(0);
    this.entryFee.fill(0);
    this.trades.length = 0;
  }

  /** Records the last price of a symbol. */
  markPrice(symbolIndex: number, price: number): void {
    this.mark[symbolIndex] = price;
  }

  /** The strategy's signed position in a symbol. */
  position(strategyIndex: number, symbolIndex: number): number {
    return this.pos[strategyIndex * this.symbolCount + symbolIndex]!;
  }

  /** The strategy's average entry price in a symbol (0 when flat). */
  averagePrice(strategyIndex: number, symbolIndex: number): number {
    return this.avg[strategyIndex * this.symbolCount + symbolIndex]!;
  }

  /**
   * Applies a fill to cash and to the strategy's ledger; returns the number of round trips it
   * closed (they are appended to `closedTrades`).
   */
  applyFill(strategyIndex: number, symbolIndex: number, sign: 1 | -1, qty: number, price: number, commission: number, ts: number): number {
    checkFinite(price, 'price');
    checkNonNegative(commission, 'commission');
    if (!(qty > 0)) throw new InvariantError(`fill quantity must be positive, was ${qty}`);
    const k = strategyIndex * this.symbolCount + symbolIndex;
    const mult = this.multiplier[symbolIndex]!;
    this.cash -= sign * qty * price * mult + commission;
    this.commissions += commission;
    this.tradedNotional += qty * price * mult;
    this.netPosition[symbolIndex] = this.netPosition[symbolIndex]! + sign * qty;
    if (Math.abs(this.netPosition[symbolIndex]!) < QTY_EPS) this.netPosition[symbolIndex] = 0;

    const before = this.pos[k]!;
    let remaining = qty;
    let feeLeft = commission;
    let closed = 0;
    if (before !== 0 && Math.sign(before) !== sign) {
      // Reduce (and maybe flip) the open position.
      const closeQty = Math.min(remaining, Math.abs(before));
      const exitFee = commission * (closeQty / qty);
      const entryFee = this.entryFee[k]! * (closeQty / Math.abs(before));
      const dir = before > 0 ? 1 : -1;
      const avg = this.avg[k]!;
      const gross = (price - avg) * closeQty * mult * dir;
      this.realizedGross += gross;
      const tradeFee = entryFee + exitFee;
      const pnl = gross - tradeFee;
      this.trades.push({
        strategyIndex,
        symbolIndex,
        side: dir > 0 ? 'long' : 'short',
        qty: closeQty,
        entryTs: this.entryTs[k]!,
        entryPrice: avg,
        exitTs: ts,
        exitPrice: price,
        pnl,
        returnPct: avg > 0 ? pnl / (avg * closeQty * mult) : 0,
        commission: tradeFee,
      });
      closed++;
      this.entryFee[k] = this.entryFee[k]! - entryFee;
      const after = before + sign * closeQty;
      this.pos[k] = Math.abs(after) < QTY_EPS ? 0 : after;
      if (this.pos[k] === 0) {
        this.avg[k] = 0;
        this.entryFee[k] = 0;
      }
      remaining -= closeQty;
      feeLeft -= exitFee;
    }
    if (remaining > QTY_EPS) {
      // Open or add to a position in the fill's direction.
      const cur = this.pos[k]!;
      const curAbs = Math.abs(cur);
      const newAbs = curAbs + remaining;
      this.avg[k] = (this.avg[k]! * curAbs + price * remaining) / newAbs;
      if (cur === 0) this.entryTs[k] = ts;
      this.pos[k] = cur + sign * remaining;
      this.entryFee[k] = this.entryFee[k]! + feeLeft;
    }
    return closed;
  }

  /** Round trips closed so far, in the order they closed. */
  get closedTrades(): readonly ClosedTrade[] {
    return this.trades;
  }

  /** Value of all positions at their marks (a symbol never priced counts as 0). */
  positionValue(): number {
    let v = 0;
    for (let i = 0; i < this.symbolCount; i++) {
      const p = this.netPosition[i]!;
      if (p !== 0) {
        const m = this.mark[i]!;
        if (m === m) v += p * m * this.multiplier[i]!;
      }
    }
    return v;
  }

  /** Cash plus positions marked to their last prices. */
  equity(): number {
    return this.cash + this.positionValue();
  }

  /** Sum of |position x mark x multiplier|. */
  grossExposure(): number {
    let v = 0;
    for (let i = 0; i < this.symbolCount; i++) {
      const p = this.netPosition[i]!;
      if (p !== 0) {
        const m = this.mark[i]!;
        if (m === m) v += Math.abs(p * m * this.multiplier[i]!);
      }
    }
    return v;
  }

  /** Number of symbols with a non-zero net position. */
  openPositionCount(): number {
    let n = 0;
    for (let i = 0; i < this.symbolCount; i++) if (this.netPosition[i] !== 0) n++;
    return n;
  }

  /** Unrealized PnL of every open ledger at the current marks. */
  unrealizedPnl(): number {
    let u = 0;
    for (let s = 0; s < this.strategyCount; s++) {
      for (let i = 0; i < this.symbolCount; i++) {
        const k = s * this.symbolCount + i;
        const p = this.pos[k]!;
        const m = this.mark[i]!;
        if (p !== 0 && m === m) u += (m - this.avg[k]!) * p * this.multiplier[i]!;
      }
    }
    return u;
  }
}
