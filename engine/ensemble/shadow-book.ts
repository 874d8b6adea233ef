import { checkFinite, checkNonNegative, checkPositive } from '../core/index.js';

/** A closed round trip of a shadow ledger. */
export interface ShadowTrade {
  readonly symbolIndex: number;
  /** +1 a long round trip, -1 a short one. */
  readonly direction: 1 | -1;
  readonly entryTs: number;
  readonly exitTs: number;
  /** Net of the exit cost of the closed quantity (the entry cost was charged to cash when it was paid). */
  readonly pnl: number;
}

const QTY_EPS = 1e-9;

/**
 * The virtual account of one strategy inside an ensemble: it starts with `notionalBase` cash and
 * holds exactly the positions the strategy asked for, so its equity is what the strategy would have
 * made trading alone with that capital. A target set while a bar is processed is executed at the
 * next bar's open of that symbol (the venue's `next_open` rule), at `costBps` of the traded notional;
 * positions are marked at each close. It is a measuring device: it never reaches the venue.
 */
export class ShadowBook {
  // `declare`: first written by the constructor with a number, so a double field (a class field with no number at its
  // definition stays tagged, and each trade's cash would be a new heap number).
  declare cash: number;
  /** Sum over fills of |qty| x price: the traded notional. */
  tradedNotional = 0;
  costs = 0;
  readonly position: Float64Array;
  readonly mark: Float64Array;
  /** Per symbol: the cash its trades paid or received, costs included (cash = notionalBase + sum of these). */
  readonly flow: Float64Array;
  /** Pending targets (NaN: none) executed at the next open of the symbol. */
  private readonly pending: Float64Array;
  private readonly avg: Float64Array;
  private readonly entryTs: Float64Array;
  private readonly costRate: number;
  readonly trades: ShadowTrade[] = [];

  constructor(
    readonly symbolCount: number,
    readonly notionalBase: number,
    costBps = 0,
  ) {
    checkPositive(notionalBase, 'notionalBase');
    this.costRate = checkNonNegative(costBps, 'costBps') / 10_000;
    this.cash = notionalBase;
    this.position = new Float64Array(symbolCount);
    this.mark = new Float64Array(symbolCount).fill(Number.NaN);
    this.flow = new Float64Array(symbolCount);
    this.pending = new Float64Array(symbolCount).fill(Number.NaN);
    this.avg = new Float64Array(symbolCount);
    this.entryTs = new Float64Array(symbolCount);
  }

  /** The position the strategy asked for last (the pending target, else the position). */
  targetOf(symbolIndex: number): number {
    const p = this.pending[symbolIndex]!;
    return p === p ? p : this.position[symbolIndex]!;
  }

  /** Records a target; it is executed at the next open of the symbol. */
  setTarget(symbolIndex: number, units: number): void {
    this.pending[symbolIndex] = checkFinite(units, 'units');
  }

  /** Executes a pending target at `open` (the bar's open), then marks at `close`. */
  onBar(symbolIndex: number, ts: number, open: number, close: number): void {
    const target = this.pending[symbolIndex]!;
    if (target === target) {
      this.pending[symbolIndex] = Number.NaN;
      this.trade(symbolIndex, target - this.position[symbolIndex]!, open, ts);
    }
    this.mark[symbolIndex] = close;
  }

  private trade(i: number, delta: number, price: number, ts: number): void {
    if (Math.abs(delta) <= QTY_EPS) return;
    const notional = Math.abs(delta) * price;
    const cost = notional * this.costRate;
    this.cash -= delta * price + cost;
    this.flow[i] = this.flow[i]! - (delta * price + cost);
    this.costs += cost;
    this.tradedNotional += notional;
    const before = this.position[i]!;
    const after = before + delta;
    if (before !== 0 && Math.sign(delta) !== Math.sign(before)) {
      const closed = Math.min(Math.abs(delta), Math.abs(before));
      const dir: 1 | -1 = before > 0 ? 1 : -1;
      this.trades.push({ symbolIndex: i, direction: dir, entryTs: this.entryTs[i]!, exitTs: ts, pnl: (price - this.avg[i]!) * closed * dir - cost * (closed / Math.abs(delta)) });
    }
    if (Math.abs(after) <= QTY_EPS) {
      this.position[i] = 0;
      this.avg[i] = 0;
    } else if (before === 0 || Math.sign(after) !== Math.sign(before)) {
      this.position[i] = after;
      this.avg[i] = price;
      this.entryTs[i] = ts;
    } else if (Math.abs(after) > Math.abs(before)) {
      this.avg[i] = (this.avg[i]! * Math.abs(before) + price * Math.abs(delta)) / Math.abs(after);
      this.position[i] = after;
    } else {
      this.position[i] = after;
    }
  }

  /**
   * What trading symbol i has made so far: its cash flows plus its position at the last mark (the
   * book's equity is notionalBase plus the sum of these over the symbols, up to rounding).
   */
  symbolPnl(i: number): number {
    const p = this.position[i]!;
    const m = this.mark[i]!;
    return this.flow[i]! + (p !== 0 && m === m ? p * m : 0);
  }

  /** Cash plus positions at their last marks (a symbol never priced counts as 0). */
  equity(): number {
    let v = this.cash;
    for (let i = 0; i < this.symbolCount; i++) {
      const p = this.position[i]!;
      const m = this.mark[i]!;
      if (p !== 0 && m === m) v += p * m;
    }
    return v;
  }
}
