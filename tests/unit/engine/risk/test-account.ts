import type { OrderSide } from '../../../../engine/model/index.js';
import { worstCaseUnits, type RiskAccount } from '../../../../engine/risk/index.js';

/** A plain RiskAccount over maps, for tests: positions, working-order leaves and marks per symbol. */
export class TestAccount implements RiskAccount {
  readonly positions = new Map<string, number>();
  readonly pendingBuy = new Map<string, number>();
  readonly pendingSell = new Map<string, number>();
  readonly marks = new Map<string, number>();
  equity: number;

  constructor(equity = 100_000) {
    this.equity = equity;
  }

  set(symbol: string, position: number, mark: number, pending: { buy?: number; sell?: number } = {}): this {
    this.positions.set(symbol, position);
    this.marks.set(symbol, mark);
    this.pendingBuy.set(symbol, pending.buy ?? 0);
    this.pendingSell.set(symbol, pending.sell ?? 0);
    return this;
  }

  position(symbol: string): number {
    return this.positions.get(symbol) ?? 0;
  }

  pendingQty(symbol: string, side: OrderSide): number {
    return (side === 'buy' ? this.pendingBuy : this.pendingSell).get(symbol) ?? 0;
  }

  get openPositionCount(): number {
    let n = 0;
    for (const s of this.symbols()) {
      if (this.position(s) !== 0 || this.pendingQty(s, 'buy') > 0 || this.pendingQty(s, 'sell') > 0) n++;
    }
    return n;
  }

  get grossExposure(): number {
    let g = 0;
    for (const s of this.symbols()) {
      g += worstCaseUnits(this.position(s), this.pendingQty(s, 'buy'), this.pendingQty(s, 'sell')) * (this.marks.get(s) ?? 0);
    }
    return g;
  }

  private symbols(): string[] {
    return [...new Set([...this.positions.keys(), ...this.pendingBuy.keys(), ...this.pendingSell.keys()])].sort();
  }
}
