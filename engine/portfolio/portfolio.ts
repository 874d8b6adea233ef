import { checkFinite, checkNonNegative } from '../core/checks.js';
import { InvariantError } from '../core/errors.js';
import { Float64Column, Int32Column } from '../core/columns.js';

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
 *
 * Futures (symbols flagged in `futures`) settle by variation margin: a fill moves cash only by its
 * commission and the P&L it realizes, never by notional, and a future's position value is its
 * unrealized P&L, q x (mark - avg) x multiplier (the multiplier is the point value). Equity means
 * the same for both (cash plus position value); gross exposure still counts a future's notional.
 */
export class Portfolio {
  readonly symbolCount: number;
  readonly strategyCount: number;
  readonly initialCash: number;
  declare cash: number;
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
  /** 1 for a future (variation margin: no notional in cash, position value = unrealized P&L), else 0. */
  readonly isFuture: Uint8Array;
  /** True when some symbol is a future. */
  private readonly anyFuture: boolean;
  // Per (strategy, symbol) ledgers, index s * symbolCount + i.
  private readonly pos: Float64Array;
  private readonly avg: Float64Array;
  private readonly entryTs: Float64Array;
  /** Entry commission still attached to the open quantity. */
  private readonly entryFee: Float64Array;
  private readonly trades = new TradeLog();
  /** A closed trade's numbers on their way to the trade log (see TradeLog.addRow). */
  private readonly tradeRow = new Float64Array(8);
  /** The quantity, price, commission and time of the fill being applied (see {@link applyFillRow}). */
  readonly fillRow = new Float64Array(4);

  constructor(symbolCount: number, strategyCount: number, initialCash: number, multipliers?: ArrayLike<number>, futures?: ArrayLike<boolean>) {
    this.symbolCount = symbolCount;
    this.strategyCount = Math.max(1, strategyCount);
    this.initialCash = checkFinite(initialCash, 'initialCash');
    this.cash = initialCash;
    this.netPosition = new Float64Array(symbolCount);
    this.mark = new Float64Array(symbolCount).fill(Number.NaN);
    this.multiplier = new Float64Array(symbolCount).fill(1);
    if (multipliers) for (let i = 0; i < symbolCount; i++) this.multiplier[i] = checkFinite(multipliers[i] ?? 1, 'multiplier');
    this.isFuture = new Uint8Array(symbolCount);
    if (futures) for (let i = 0; i < symbolCount; i++) this.isFuture[i] = futures[i] === true ? 1 : 0;
    this.anyFuture = this.isFuture.includes(1);
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
    this.trades.clear();
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
    const row = this.fillRow;
    row[0] = qty;
    row[1] = price;
    row[2] = commission;
    row[3] = ts;
    return this.applyFillRow(strategyIndex, symbolIndex, sign);
  }

  /**
   * {@link applyFill} of the quantity, price, commission and time in `fillRow[0..3]`: the execution engine
   * writes a fill's figures there rather than passing them, a double passed to a call V8 does not inline
   * being a new heap number (four a fill).
   */
  applyFillRow(strategyIndex: number, symbolIndex: number, sign: 1 | -1): number {
    const figures = this.fillRow;
    const qty = figures[0]!;
    const price = figures[1]!;
    const commission = figures[2]!;
    const ts = figures[3]!;
    checkFinite(price, 'price');
    checkNonNegative(commission, 'commission');
    if (!(qty > 0)) throw new InvariantError(`fill quantity must be positive, was ${qty}`);
    const k = strategyIndex * this.symbolCount + symbolIndex;
    const mult = this.multiplier[symbolIndex]!;
    const future = this.isFuture[symbolIndex] === 1;
    // A future's cash moves by the commission here and by the realized P&L below, never by notional.
    // `+commission`, not `commission`: the parameter is a tagged value and the other arm a double, and
    // V8 joins the two by boxing the double, a heap number a fill; the unary plus makes both arms doubles.
    this.cash -= future ? +commission : sign * qty * price * mult + commission;
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
      if (future) this.cash += gross;
      const tradeFee = entryFee + exitFee;
      const pnl = gross - tradeFee;
      // The trade's numbers go through a row of doubles, not as arguments: a double passed to a call V8
      // does not inline is boxed, eight boxes a closed trade.
      const row = this.tradeRow;
      row[0] = closeQty;
      row[1] = this.entryTs[k]!;
      row[2] = avg;
      row[3] = ts;
      row[4] = price;
      row[5] = pnl;
      row[6] = avg > 0 ? pnl / (avg * closeQty * mult) : 0;
      row[7] = tradeFee;
      this.trades.addRow(strategyIndex, symbolIndex, dir, row);
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

  /** Round trips closed so far, in the order they closed (built from the trade log when asked for). */
  get closedTrades(): readonly ClosedTrade[] {
    return this.trades.list();
  }

  /** Number of round trips closed so far. */
  get closedTradeCount(): number {
    return this.trades.length;
  }

  /**
   * Value of all positions at their marks (a symbol never priced counts as 0): q x mark x multiplier,
   * for a future its unrealized P&L q x (mark - avg) x multiplier over every ledger.
   */
  positionValue(): number {
    let v = 0;
    for (let i = 0; i < this.symbolCount; i++) {
      const p = this.netPosition[i]!;
      if (p !== 0) {
        const m = this.mark[i]!;
        if (m === m) v += this.anyFuture && this.isFuture[i] === 1 ? this.futureValue(i, m) : p * m * this.multiplier[i]!;
      }
    }
    return v;
  }

  /** A future's unrealized P&L at mark `m`, summed over the strategies' ledgers. */
  private futureValue(i: number, m: number): number {
    let u = 0;
    for (let s = 0; s < this.strategyCount; s++) {
      const k = s * this.symbolCount + i;
      const q = this.pos[k]!;
      if (q !== 0) u += (m - this.avg[k]!) * q;
    }
    return u * this.multiplier[i]!;
  }

  /** Cash plus positions marked to their last prices. */
  equity(): number {
    return this.cash + this.positionValue();
  }

  /**
   * Writes equity (cash plus {@link positionValue}), cash and {@link grossExposure} into `out` at the
   * EquitySample indexes (1, 2, 3): the same sums in the same order, one pass, no number returned
   * (a boxed allocation per call V8 does not inline; this runs on every bar).
   */
  sampleInto(out: Float64Array): void {
    // Kept small (no futures here) so that V8 inlines it into the per-bar sample path.
    if (this.anyFuture) {
      this.sampleFuturesInto(out);
      return;
    }
    const net = this.netPosition;
    const mark = this.mark;
    const multiplier = this.multiplier;
    let v = 0;
    let g = 0;
    for (let i = 0; i < net.length; i++) {
      const p = net[i]!;
      if (p !== 0) {
        const m = mark[i]!;
        if (m === m) {
          const x = p * m * multiplier[i]!;
          v += x;
          g += Math.abs(x);
        }
      }
    }
    const cash = this.cash;
    out[1] = cash + v;
    out[2] = cash;
    out[3] = g;
  }

  /** {@link sampleInto} of a portfolio holding futures (valued by {@link futureValue}). */
  private sampleFuturesInto(out: Float64Array): void {
    let v = 0;
    let g = 0;
    for (let i = 0; i < this.symbolCount; i++) {
      const p = this.netPosition[i]!;
      if (p !== 0) {
        const m = this.mark[i]!;
        if (m === m) {
          v += this.isFuture[i] === 1 ? this.futureValue(i, m) : p * m * this.multiplier[i]!;
          g += Math.abs(p * m * this.multiplier[i]!);
        }
      }
    }
    out[1] = this.cash + v;
    out[2] = this.cash;
    out[3] = g;
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

  /**
   * The round trips closed so far as {@link closedTrades} lists them, each also named by `symbols[symbolIndex]`
   * and `ledgerIds[strategyIndex]`: one object per trade built straight from the trade log, without the
   * list of `closedTrades` (a run's result holds these, not both).
   */
  namedClosedTrades(symbols: readonly string[], ledgerIds: readonly string[]): NamedTrade[] {
    return this.trades.named(symbols, ledgerIds);
  }

  /**
   * The round trips closed so far as columns, each row named as {@link namedClosedTrades} names it: the
   * trade log read in place (rows closed later show up in it; a reset empties it).
   */
  closedTradeColumns(symbols: readonly string[], ledgerIds: readonly string[]): NamedTradeColumns {
    return new NamedTradeColumns(this.trades, symbols, ledgerIds);
  }
}

/** A closed trade named by its symbol and ledger. */
export type NamedTrade = ClosedTrade & { readonly symbol: string; readonly strategyId: string };

/** The numeric fields of a round trip, each a column of the trade log. */
export type ClosedTradeField = 'qty' | 'entryTs' | 'entryPrice' | 'exitTs' | 'exitPrice' | 'pnl' | 'returnPct' | 'commission';

/** The trade log's rows, named (see Portfolio.closedTradeColumns). */
export class NamedTradeColumns {
  constructor(
    private readonly log: TradeLog,
    private readonly symbols: readonly string[],
    private readonly ledgerIds: readonly string[],
  ) {}

  get length(): number {
    return this.log.length;
  }

  /** A numeric field of every round trip, as a view of its column (valid until the next trade closes). */
  column(field: ClosedTradeField): Float64Array {
    return this.log.column(field);
  }
  symbolAt(i: number): string {
    return this.symbols[this.log.symbolIndexAt(i)]!;
  }
  strategyIdAt(i: number): string {
    return this.ledgerIds[this.log.strategyIndexAt(i)]!;
  }
  sideAt(i: number): 'long' | 'short' {
    return this.log.sideAt(i);
  }
  /** Every round trip as a new object, named (Portfolio.namedClosedTrades). */
  list(): NamedTrade[] {
    return this.log.named(this.symbols, this.ledgerIds);
  }
}

/**
 * The round trips of a run as columns: a run of thousands of trades keeps no object per trade until
 * the list is asked for (see engine/core/columns.ts).
 */
class TradeLog {
  private readonly strategyIndex = new Int32Column();
  private readonly symbolIndex = new Int32Column();
  /** +1 long, -1 short. */
  private readonly direction = new Int32Column();
  private readonly qty = new Float64Column();
  private readonly entryTs = new Float64Column();
  private readonly entryPrice = new Float64Column();
  private readonly exitTs = new Float64Column();
  private readonly exitPrice = new Float64Column();
  private readonly pnl = new Float64Column();
  private readonly returnPct = new Float64Column();
  private readonly commission = new Float64Column();
  private cached: ClosedTrade[] = [];

  get length(): number {
    return this.qty.length;
  }

  /** Appends a trade: `row` holds qty, entryTs, entryPrice, exitTs, exitPrice, pnl, returnPct and commission, in that order. */
  addRow(strategyIndex: number, symbolIndex: number, direction: 1 | -1, row: Float64Array): void {
    this.strategyIndex.push(strategyIndex);
    this.symbolIndex.push(symbolIndex);
    this.direction.push(direction);
    // Copied by `append` from the row, not `push`ed: V8 does not inline every one of eight pushes into
    // Portfolio.applyFill, and a double passed to a push it leaves out is a new heap number (about three
    // a closed trade).
    this.qty.append(row, 0, 1);
    this.entryTs.append(row, 1, 2);
    this.entryPrice.append(row, 2, 3);
    this.exitTs.append(row, 3, 4);
    this.exitPrice.append(row, 4, 5);
    this.pnl.append(row, 5, 6);
    this.returnPct.append(row, 6, 7);
    this.commission.append(row, 7, 8);
  }

  /** The trades as objects; the same array until another trade closes. */
  list(): readonly ClosedTrade[] {
    const n = this.length;
    if (this.cached.length === n) return this.cached;
    const out = this.cached.length < n ? this.cached.slice() : [];
    for (let i = out.length; i < n; i++) out.push(this.tradeAt(i));
    this.cached = out;
    return out;
  }

  /** Trade `i` as a new object. */
  private tradeAt(i: number): ClosedTrade {
    return {
      strategyIndex: this.strategyIndex.get(i),
      symbolIndex: this.symbolIndex.get(i),
      side: this.sideAt(i),
      qty: this.qty.get(i),
      entryTs: this.entryTs.get(i),
      entryPrice: this.entryPrice.get(i),
      exitTs: this.exitTs.get(i),
      exitPrice: this.exitPrice.get(i),
      pnl: this.pnl.get(i),
      returnPct: this.returnPct.get(i),
      commission: this.commission.get(i),
    };
  }

  clear(): void {
    for (const c of [this.strategyIndex, this.symbolIndex, this.direction, this.qty, this.entryTs, this.entryPrice, this.exitTs, this.exitPrice, this.pnl, this.returnPct, this.commission]) c.clear();
    this.cached = [];
  }

  /** Every trade as an object named by its symbol and ledger (see Portfolio.namedClosedTrades). */
  named(symbols: readonly string[], ledgerIds: readonly string[]): NamedTrade[] {
    const n = this.length;
    const out: NamedTrade[] = new Array(n);
    for (let i = 0; i < n; i++) {
      // The names are added to the new object (same key order for every trade: one shape).
      const t = this.tradeAt(i) as ClosedTrade & { symbol: string; strategyId: string };
      t.symbol = symbols[t.symbolIndex]!;
      t.strategyId = ledgerIds[t.strategyIndex]!;
      out[i] = t;
    }
    return out;
  }

  column(field: ClosedTradeField): Float64Array {
    return this[field].view();
  }
  symbolIndexAt(i: number): number {
    return this.symbolIndex.get(i);
  }
  strategyIndexAt(i: number): number {
    return this.strategyIndex.get(i);
  }
  sideAt(i: number): 'long' | 'short' {
    return this.direction.get(i) > 0 ? 'long' : 'short';
  }
}
