import type { OrderId, StrategyId, Symbol_ } from '../../../engine/core/index.js';
import type { OrderSide, OrderType, TimeInForce } from '../../../engine/model/index.js';
import type { QueuePosition } from './queue-model.js';

/**
 * The L2 venue's own record of a working order (it never touches the engine's Order objects). It is
 * also the order's {@link QueuePosition}. Every field is initialised in the constructor so the shape
 * stays monomorphic on the hot path.
 */
export class L2Order implements QueuePosition {
  readonly id: OrderId;
  readonly strategyId: StrategyId | null;
  readonly symbol: Symbol_;
  readonly symbolIndex: number;
  readonly side: OrderSide;
  /** +1 buy (rests on the bid side), -1 sell: also the book side code it rests on. */
  readonly sign: 1 | -1;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  /** Arrival sequence number: the tie-break between own orders at one price. */
  seq: number;
  readonly arrivalTs: number;
  /** DAY orders: the UTC midnight after the day of arrival; Infinity otherwise. */
  readonly expiresAt: number;

  qty: number;
  filled: number;
  /** NaN for market orders. */
  limitPrice: number;
  /** Limit price in integer ticks; +-Infinity for market orders (buy +Infinity, sell -Infinity). */
  limitTick: number;
  /** True while the order rests on the book with a queue position. */
  resting: boolean;
  /** False once filled, cancelled or expired. */
  active: boolean;

  /** Estimated quantity ahead at the order's level (QueuePosition). */
  front: number;
  /** Traded quantity not yet seen as a depth change (QueuePosition). */
  cumTrade: number;
  /** Displayed size of the order's level when the venue last looked (the queue model's `prevSize`). */
  levelSize: number;

  rawFees: number;
  chargedFees: number;
  /** Mid price when the order arrived (NaN without a two-sided book) and what it took as a taker. */
  arrivalMid: number;
  takerQty: number;
  takerNotional: number;

  constructor(
    id: OrderId,
    strategyId: StrategyId | null,
    symbol: Symbol_,
    symbolIndex: number,
    side: OrderSide,
    type: OrderType,
    timeInForce: TimeInForce,
    reduceOnly: boolean,
    postOnly: boolean,
    seq: number,
    arrivalTs: number,
    expiresAt: number,
    qty: number,
    filled: number,
    limitPrice: number,
    limitTick: number,
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
    this.postOnly = postOnly;
    this.seq = seq;
    this.arrivalTs = arrivalTs;
    this.expiresAt = expiresAt;
    this.qty = qty;
    this.filled = filled;
    this.limitPrice = limitPrice;
    this.limitTick = limitTick;
    this.resting = false;
    this.active = true;
    this.front = 0;
    this.cumTrade = 0;
    this.levelSize = 0;
    this.rawFees = 0;
    this.chargedFees = 0;
    this.arrivalMid = Number.NaN;
    this.takerQty = 0;
    this.takerNotional = 0;
  }

  /** Units still to fill. */
  get leaves(): number {
    return this.qty - this.filled;
  }
}
