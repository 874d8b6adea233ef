import type { OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { Order, OrderLink, OrderSide, OrderStatus, OrderType, TimeInForce } from './orders.js';

/**
 * A working order as `ctx.openOrders()` hands it to a strategy: a frozen copy of the engine's
 * {@link Order} at the moment of the call. It does not follow the order afterwards (a cancel or a
 * fill after the call leaves it as it was), and writing to it throws in strict mode (every ES
 * module is strict) instead of changing the engine's order. Read the order's state again with a
 * new `openOrders()` call, or follow it through `onOrderEvent`.
 */
export interface OrderSnapshot {
  readonly id: OrderId;
  readonly symbol: Symbol_;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  readonly strategyId: StrategyId | null;
  readonly tag: string | null;
  readonly parentId: OrderId | null;
  readonly link: OrderLink | null;
  readonly tsCreated: number;
  readonly tsLastEvent: number;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: OrderStatus;
  readonly filledQty: number;
  /** Units still to fill when the snapshot was taken (qty - filledQty). */
  readonly leavesQty: number;
  /** +1 for buys, -1 for sells. */
  readonly sign: 1 | -1;
  readonly avgFillPrice: number;
  readonly triggered: boolean;
  readonly reason: string | null;
}

/** A frozen copy of an order link (its `linkedIds` frozen too), so a snapshot shares nothing writable with the engine. */
function frozenLink(link: OrderLink | null): OrderLink | null {
  if (link === null) return null;
  return Object.freeze({ contingency: link.contingency, parentId: link.parentId, linkedIds: Object.freeze(link.linkedIds.slice()), group: link.group });
}

/** Returns a frozen copy of `o`'s state now (see {@link OrderSnapshot}). */
export function snapshotOrder(o: Order): OrderSnapshot {
  return Object.freeze({
    id: o.id,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    reduceOnly: o.reduceOnly,
    postOnly: o.postOnly,
    strategyId: o.strategyId,
    tag: o.tag,
    parentId: o.parentId,
    link: frozenLink(o.link),
    tsCreated: o.tsCreated,
    tsLastEvent: o.tsLastEvent,
    qty: o.qty,
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    status: o.status,
    filledQty: o.filledQty,
    leavesQty: o.leavesQty,
    sign: o.sign,
    avgFillPrice: o.avgFillPrice,
    triggered: o.triggered,
    reason: o.reason,
  });
}

/** The snapshot of no orders (shared: it is frozen). */
export const NO_ORDERS: readonly OrderSnapshot[] = Object.freeze([]);
