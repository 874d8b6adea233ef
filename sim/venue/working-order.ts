import type { OrderId, StrategyId, Symbol_ } from '../../engine/core/index.js';
import type { Liquidity, OrderSide, OrderType, TimeInForce } from '../../engine/model/index.js';

/**
 * The venue's own record of a working order. Like a real exchange the venue never touches the
 * engine's Order objects: it copies what it needs on submit and reports back through events.
 * Every field is initialised in the constructor so the shape stays monomorphic on the hot path.
 */
export class WorkingOrder {
  readonly id: OrderId;
  readonly strategyId: StrategyId | null;
  readonly symbol: Symbol_;
  readonly symbolIndex: number;
  readonly side: OrderSide;
  readonly sign: 1 | -1;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  /** Submission sequence number: the tie-break that keeps processing in submission order. */
  readonly seq: number;
  readonly submitTs: number;
  /** Open time of the last bar the venue had seen for the symbol when the order arrived (-Infinity if none). */
  readonly lastBarTsAtSubmit: number;
  /** DAY orders: the UTC midnight after the day of submission; Infinity otherwise. */
  readonly expiresAt: number;

  qty: number;
  filled: number;
  /** NaN when the order type has no limit price. */
  limitPrice: number;
  /** NaN when the order type has no stop price. */
  stopPrice: number;
  triggered: boolean;
  /** False until the order has had its first chance to match (its arrival). */
  arrived: boolean;
  /** False once filled, cancelled or expired; the per-symbol list is compacted after each pass. */
  active: boolean;
  /** Raw fees of earlier fills (before the per-order minimum) and what was charged for them. */
  rawFees: number;
  chargedFees: number;

  // Plan of the current bar, filled by the matcher and consumed in path order (no allocation per bar).
  planPos: number;
  planTriggers: boolean;
  planQty: number;
  planPrice: number;
  planLiquidity: Liquidity;
  /** True when the planned price is a limit price or better, so slippage must not push it past the limit. */
  planIsLimit: boolean;
  planTs: number;

  constructor(
    id: OrderId,
    strategyId: StrategyId | null,
    symbol: Symbol_,
    symbolIndex: number,
    side: OrderSide,
    type: OrderType,
    timeInForce: TimeInForce,
    reduceOnly: boolean,
    seq: number,
    submitTs: number,
    lastBarTsAtSubmit: number,
    expiresAt: number,
    qty: number,
    filled: number,
    limitPrice: number,
    stopPrice: number,
  ) {
    this.id = id;
    this.strategyId = strategyId;
    this.symbol = symbol;
    this.symbolIndex = symbolIndex;
    this.side = side;
    this.sign = side === 'buy' ? 1 : -1;
    this.type = type;
    this.timeInForce = timeInForce;
    this.reduceOnly = reduceOnly;
    this.seq = seq;
    this.submitTs = submitTs;
    this.lastBarTsAtSubmit = lastBarTsAtSubmit;
    this.expiresAt = expiresAt;
    this.qty = qty;
    this.filled = filled;
    this.limitPrice = limitPrice;
    this.stopPrice = stopPrice;
    this.triggered = false;
    this.arrived = false;
    this.active = true;
    this.rawFees = 0;
    this.chargedFees = 0;
    this.planPos = -1;
    this.planTriggers = false;
    this.planQty = 0;
    this.planPrice = 0;
    this.planLiquidity = 'taker';
    this.planIsLimit = false;
    this.planTs = 0;
  }

  /** Units still to fill. */
  get leaves(): number {
    return this.qty - this.filled;
  }

  /** True for limit orders and for stop-limit orders that have triggered. */
  get actsAsLimit(): boolean {
    return this.type === 'limit' || (this.type === 'stop_limit' && this.triggered);
  }

  /** True for market orders and for stop orders that have triggered. */
  get actsAsMarket(): boolean {
    return this.type === 'market' || (this.type === 'stop' && this.triggered);
  }
}
