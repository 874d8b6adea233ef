import { checkFinite, checkPositive } from '../core/checks.js';
import { InvalidArgumentError, InvariantError, assertNever } from '../core/errors.js';
import type { OrderId, StrategyId, Symbol_ } from '../core/ids.js';

/** Which way an order trades. */
export type OrderSide = 'buy' | 'sell';
/** Market, limit, stop (a market order once triggered) and stop-limit (a limit order once triggered). */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit';
/**
 * GTC: until filled or cancelled. DAY: expires at the end of the UTC day it was accepted on (or of the
 * session, where the venue knows one). IOC: fills what it can at once, the rest is cancelled.
 * FOK: fills completely at once or not at all.
 */
export type TimeInForce = 'GTC' | 'DAY' | 'IOC' | 'FOK';

/**
 * Order states. `denied` is the risk engine's verdict before the order reaches a venue, or the
 * account's at fill time (buying power, short sale, ruin: see ExecutionReportSink.approveFill), which
 * may end a submitted, accepted or partially filled order; `rejected` is the venue's.
 */
export type OrderStatus =
  | 'initialized'
  | 'denied'
  | 'submitted'
  | 'accepted'
  | 'partially_filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired';

export const ORDER_SIDES = ['buy', 'sell'] as const;
export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export const TIMES_IN_FORCE = ['GTC', 'DAY', 'IOC', 'FOK'] as const;
export const ORDER_STATUSES = ['initialized', 'denied', 'submitted', 'accepted', 'partially_filled', 'filled', 'cancelled', 'rejected', 'expired'] as const satisfies readonly OrderStatus[];

/** What a strategy or an execution algorithm asks for. */
export interface OrderRequest {
  readonly symbol: Symbol_ | string;
  readonly side: OrderSide;
  /** Units, positive. */
  readonly qty: number;
  readonly type?: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: TimeInForce;
  /** Only ever reduces an existing position; never opens or flips one. */
  readonly reduceOnly?: boolean;
  /**
   * A limit order that must rest: a venue that models the book rejects it when it would take
   * liquidity on arrival. Only on GTC or DAY limit orders.
   */
  readonly postOnly?: boolean;
  /** Free-form label carried into fills and the audit trail. */
  readonly tag?: string;
  /**
   * Links the order into a contingent group of its strategy: the strategy's working orders with the
   * same label on the same symbol affect each other as {@link contingency} says (an OCO pair of a
   * take-profit and a stop-loss, say). A group ends when its last member stops working; the label
   * may then be used again.
   */
  readonly ocoGroup?: string;
  /**
   * How the members of {@link ocoGroup} affect each other; only with `ocoGroup`. 'OCO' (the
   * default): the first fill of one, even partial, cancels the others. 'OUO': a fill of one reduces
   * the others' quantity by the filled quantity (cancelling those left with nothing).
   */
  readonly contingency?: 'OCO' | 'OUO';
}

/**
 * Contingency types, as in FIX tag 1385 (NautilusTrader, LEAN). OTO (one-triggers-other): a parent
 * whose fills release its children. OCO (one-cancels-other): the first fill of one cancels the
 * others. OUO (one-updates-other): a fill of one reduces the others by the filled quantity.
 */
export type ContingencyType = 'OTO' | 'OCO' | 'OUO';

/**
 * How an order is linked to others. A bracket entry is OTO with its two exits in `linkedIds`; each
 * exit is OUO with the entry as `parentId` and the other exit in `linkedIds`. A member of a plain
 * group (OrderRequest.ocoGroup) is OCO or OUO with its label in `group` (its partners are whatever
 * else works under that label).
 */
export interface OrderLink {
  readonly contingency: ContingencyType;
  /** Bracket exits: the entry whose fills release and size them; null otherwise. */
  readonly parentId: OrderId | null;
  /** The other orders of a bracket (entry: its exits; an exit: the other exit); empty for a plain group. */
  readonly linkedIds: readonly OrderId[];
  /** The strategy's label of a plain group; null for a bracket. */
  readonly group: string | null;
}

/** How a bracket enters (see {@link BracketRequest.entry}). */
export interface BracketEntry {
  /** Market (default), limit, stop or stop-limit. */
  readonly type?: OrderType;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  /** GTC (default), DAY, IOC or FOK. */
  readonly timeInForce?: TimeInForce;
}

/**
 * A bracket: an entry order and two exits that work only once the entry has filled, sized to what
 * it filled: a take-profit limit at `takeProfit` and a stop-loss stop at `stopLoss` on the other
 * side, both reduce-only, GTC, and one-updates-other (a fill of one reduces the other; the one that
 * completes the exit cancels the other).
 */
export interface BracketRequest {
  readonly symbol: Symbol_ | string;
  /** The entry's side; the exits trade the other side. */
  readonly side: OrderSide;
  /** Units of the entry, positive. */
  readonly qty: number;
  readonly entry?: BracketEntry;
  /** Limit price of the take-profit exit: above the entry price for a buy, below it for a sell. */
  readonly takeProfit: number;
  /** Stop price of the stop-loss exit: below the entry price for a buy, above it for a sell. */
  readonly stopLoss: number;
  /** Label of the three orders (the exits get `<tag>:tp` and `<tag>:sl`); default 'bracket'. */
  readonly tag?: string;
}

/** The ids of a bracket's three orders. */
export interface BracketIds {
  readonly entry: OrderId;
  readonly takeProfit: OrderId;
  readonly stopLoss: OrderId;
}

/**
 * Checks a bracket and returns the three order requests (entry, take-profit, stop-loss), or throws
 * one InvalidArgumentError naming the field, the rule and the value. `reference` is the entry's
 * price when it has none of its own (a market entry: the last price; NaN when unknown, which skips
 * the side checks against the entry).
 */
export function bracketRequests(req: BracketRequest, reference: number): [OrderRequest, OrderRequest, OrderRequest] {
  const where = `bracket on ${req.symbol}`;
  if (req.side !== 'buy' && req.side !== 'sell') throw new InvalidArgumentError(`invalid bracket 'side': 'buy' or 'sell', was ${JSON.stringify(req.side)} (${where})`);
  for (const field of ['qty', 'takeProfit', 'stopLoss'] as const) {
    const v = req[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new InvalidArgumentError(`invalid bracket '${field}': not a positive finite number, was ${String(v)} (${where})`);
  }
  const e = req.entry ?? {};
  const type = e.type ?? 'market';
  const entryPrice = type === 'limit' || type === 'stop_limit' ? e.limitPrice : type === 'stop' ? e.stopPrice : reference;
  const buy = req.side === 'buy';
  const { takeProfit: tp, stopLoss: sl } = req;
  if (buy ? !(sl < tp) : !(sl > tp)) {
    throw new InvalidArgumentError(`invalid bracket 'stopLoss': a ${req.side} bracket's stop-loss must be ${buy ? 'below' : 'above'} its take-profit ${tp}, was ${sl} (${where})`);
  }
  if (entryPrice !== undefined && Number.isFinite(entryPrice)) {
    const what = type === 'market' ? `the last price ${entryPrice}` : `its entry price ${entryPrice}`;
    if (buy ? !(sl < entryPrice) : !(sl > entryPrice)) {
      throw new InvalidArgumentError(`invalid bracket 'stopLoss': a ${req.side} bracket's stop-loss must be ${buy ? 'below' : 'above'} ${what}, was ${sl} (${where})`);
    }
    if (buy ? !(tp > entryPrice) : !(tp < entryPrice)) {
      throw new InvalidArgumentError(`invalid bracket 'takeProfit': a ${req.side} bracket's take-profit must be ${buy ? 'above' : 'below'} ${what}, was ${tp} (${where})`);
    }
  }
  const tag = req.tag ?? 'bracket';
  const exit = buy ? 'sell' : 'buy';
  const entry: OrderRequest = {
    symbol: req.symbol,
    side: req.side,
    qty: req.qty,
    type,
    ...(e.limitPrice !== undefined ? { limitPrice: e.limitPrice } : {}),
    ...(e.stopPrice !== undefined ? { stopPrice: e.stopPrice } : {}),
    timeInForce: e.timeInForce ?? 'GTC',
    tag,
  };
  return [
    entry,
    { symbol: req.symbol, side: exit, qty: req.qty, type: 'limit', limitPrice: tp, timeInForce: 'GTC', reduceOnly: true, tag: `${tag}:tp` },
    { symbol: req.symbol, side: exit, qty: req.qty, type: 'stop', stopPrice: sl, timeInForce: 'GTC', reduceOnly: true, tag: `${tag}:sl` },
  ];
}

/** The link text the run hash and messages use: `contingency,parent,linked ids,group` ('' for none). */
export function linkText(link: OrderLink): string {
  return `${link.contingency}|${link.parentId ?? ''}|${link.linkedIds.join(' ')}|${link.group ?? ''}`;
}

/** Legal transitions of the order state machine; anything else is an InvariantError. */
const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  initialized: ['denied', 'submitted'],
  // -> denied after submission: only the account's refusal of a fill (OrderDenied from the venue).
  submitted: ['accepted', 'rejected', 'denied'],
  accepted: ['partially_filled', 'filled', 'cancelled', 'expired', 'accepted', 'denied'],
  partially_filled: ['partially_filled', 'filled', 'cancelled', 'expired', 'denied'],
  denied: [],
  filled: [],
  cancelled: [],
  rejected: [],
  expired: [],
};

/**
 * The place of a status in ORDER_STATUSES. A switch over the constant strings, not a lookup keyed by
 * the string: the statuses of a run are the same few internalized strings, and a keyed load of a
 * varying name went through V8's megamorphic stub cache at every event of every order.
 */
export function statusIndex(s: OrderStatus): number {
  switch (s) {
    case 'initialized':
      return 0;
    case 'denied':
      return 1;
    case 'submitted':
      return 2;
    case 'accepted':
      return 3;
    case 'partially_filled':
      return 4;
    case 'filled':
      return 5;
    case 'cancelled':
      return 6;
    case 'rejected':
      return 7;
    case 'expired':
      return 8;
    default:
      return assertNever(s, 'order status');
  }
}

/**
 * {@link TRANSITIONS} as bit masks (bit i: ORDER_STATUSES[i]) of the statuses each status may move to,
 * by the status's place: the check runs at every event of every order, and a mask test costs two loads
 * where a list search compared strings.
 */
const ALLOWED = Int32Array.from(ORDER_STATUSES, (s) => TRANSITIONS[s].reduce((mask, to) => mask | (1 << statusIndex(to)), 0));

/** True when no further event can change the order. */
export function isTerminal(status: OrderStatus): boolean {
  return ALLOWED[statusIndex(status)] === 0;
}

/** True while the order can still fill (accepted or partially filled). */
export function isWorking(status: OrderStatus): boolean {
  return status === 'accepted' || status === 'partially_filled';
}

/** Returns true when `from -> to` is a legal transition of the order state machine. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return (ALLOWED[statusIndex(from)]! & (1 << statusIndex(to))) !== 0;
}

/**
 * An order and its mutable state. Created by the execution engine; its state changes only through
 * `transition` and `applyFill`, which enforce the state machine.
 */
/** Order.applyFill's figures on their way to applyFillRow. */
const FILL_ROW = new Float64Array(3);

export class Order {
  readonly id: OrderId;
  readonly symbol: Symbol_;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  /** See {@link OrderRequest.postOnly}. */
  readonly postOnly: boolean;
  readonly strategyId: StrategyId | null;
  readonly tag: string | null;
  /** Parent order id when an execution algorithm created this child order. */
  readonly parentId: OrderId | null;
  /** How the order is linked to others (bracket, OCO/OUO group); null for a plain order. */
  readonly link: OrderLink | null;
  readonly tsCreated: number;
  qty: number;
  limitPrice: number | null;
  stopPrice: number | null;
  status: OrderStatus = 'initialized';
  filledQty = 0;
  /** Volume-weighted average fill price; 0 until the first fill. */
  avgFillPrice = 0;
  /** For stop and stop-limit orders: true once the stop price was reached. */
  triggered = false;
  /**
   * Set in the constructor. Declared with a number, not bare: a bare declaration defines the field as
   * undefined first (ES2022 class fields), so V8 keeps it tagged and every double stored is a new heap
   * number (one a fill, one an event); a number field is written in place.
   */
  tsLastEvent = 0;
  /** Why the order was denied, rejected, cancelled or expired. */
  reason: string | null = null;

  constructor(
    id: OrderId,
    req: OrderRequest,
    tsCreated: number,
    strategyId: StrategyId | null = null,
    parentId: OrderId | null = null,
    link: OrderLink | null = null,
  ) {
    this.id = id;
    this.symbol = req.symbol as Symbol_;
    this.side = req.side;
    this.type = req.type ?? 'market';
    this.timeInForce = req.timeInForce ?? (this.type === 'market' ? 'GTC' : 'GTC');
    this.reduceOnly = req.reduceOnly ?? false;
    this.postOnly = req.postOnly ?? false;
    this.strategyId = strategyId;
    this.tag = req.tag ?? null;
    this.parentId = parentId;
    this.link = link ?? groupLink(req);
    this.tsCreated = tsCreated;
    this.tsLastEvent = tsCreated;
    this.qty = req.qty;
    this.limitPrice = req.limitPrice ?? null;
    this.stopPrice = req.stopPrice ?? null;
    validateOrder(this);
    if (this.postOnly && (this.type !== 'limit' || this.timeInForce === 'IOC' || this.timeInForce === 'FOK')) {
      throw new InvalidArgumentError(`invalid 'postOnly': only on GTC or DAY limit orders, was set on a ${this.timeInForce} ${this.type} order`);
    }
  }

  /** Units still to fill. */
  get leavesQty(): number {
    return this.qty - this.filledQty;
  }

  /** +1 for buys, -1 for sells. */
  get sign(): 1 | -1 {
    return this.side === 'buy' ? 1 : -1;
  }

  /** Moves the order to `to`, or throws InvariantError on an illegal transition. */
  transition(to: OrderStatus, ts: number, reason: string | null = null): void {
    if (!canTransition(this.status, to)) {
      throw new InvariantError(`order ${this.id}: illegal transition ${this.status} -> ${to}`);
    }
    this.status = to;
    this.tsLastEvent = ts;
    if (reason !== null) this.reason = reason;
  }

  /** Records a fill of `qty` at `price` and moves to partially_filled or filled. */
  applyFill(qty: number, price: number, ts: number): void {
    const row = FILL_ROW;
    row[0] = qty;
    row[1] = price;
    row[2] = ts;
    this.applyFillRow(row);
  }

  /**
   * {@link applyFill} of the quantity, price and time in `figures[0..2]` (the execution engine's way: a
   * double passed to a call V8 does not inline is a new heap number, three a fill).
   */
  applyFillRow(figures: Float64Array): void {
    const qty = figures[0]!;
    const price = figures[1]!;
    const ts = figures[2]!;
    if (!(qty > 0) || qty > this.leavesQty + 1e-9 * Math.max(1, this.qty)) {
      throw new InvariantError(`order ${this.id}: fill of ${qty} exceeds leaves ${this.leavesQty}`);
    }
    const filled = this.filledQty + qty;
    this.avgFillPrice = (this.avgFillPrice * this.filledQty + price * qty) / filled;
    this.filledQty = Math.abs(this.qty - filled) <= 1e-9 * Math.max(1, this.qty) ? this.qty : filled;
    // transition's, written here: `ts` passed to it when not inlined would be boxed.
    const to = this.filledQty === this.qty ? 'filled' : 'partially_filled';
    if (!canTransition(this.status, to)) throw new InvariantError(`order ${this.id}: illegal transition ${this.status} -> ${to}`);
    this.status = to;
    this.tsLastEvent = ts;
  }
}

/** The link of a plain OCO/OUO group member, from its request; null without `ocoGroup`. */
function groupLink(req: OrderRequest): OrderLink | null {
  const group = req.ocoGroup;
  if (group === undefined) {
    if (req.contingency !== undefined) throw new InvalidArgumentError(`invalid 'contingency': only with 'ocoGroup', was ${JSON.stringify(req.contingency)}`);
    return null;
  }
  if (typeof group !== 'string' || group.length === 0) throw new InvalidArgumentError(`invalid 'ocoGroup': a non-empty label, was ${JSON.stringify(group)}`);
  const contingency = req.contingency ?? 'OCO';
  if (contingency !== 'OCO' && contingency !== 'OUO') throw new InvalidArgumentError(`invalid 'contingency': 'OCO' or 'OUO', was ${JSON.stringify(contingency)}`);
  return { contingency, parentId: null, linkedIds: [], group };
}

/** Checks that prices required by the order type are present and sane. */
export function validateOrder(o: Pick<Order, 'qty' | 'type' | 'limitPrice' | 'stopPrice' | 'symbol'>): void {
  checkPositive(o.qty, 'qty');
  const needsLimit = o.type === 'limit' || o.type === 'stop_limit';
  const needsStop = o.type === 'stop' || o.type === 'stop_limit';
  if (needsLimit) {
    if (o.limitPrice === null) throw new InvalidArgumentError(`invalid 'limitPrice': required for a ${o.type} order on ${o.symbol}`);
    checkPositive(checkFinite(o.limitPrice, 'limitPrice'), 'limitPrice');
  } else if (o.limitPrice !== null) {
    throw new InvalidArgumentError(`invalid 'limitPrice': not allowed on a ${o.type} order, was ${o.limitPrice}`);
  }
  if (needsStop) {
    if (o.stopPrice === null) throw new InvalidArgumentError(`invalid 'stopPrice': required for a ${o.type} order on ${o.symbol}`);
    checkPositive(checkFinite(o.stopPrice, 'stopPrice'), 'stopPrice');
  } else if (o.stopPrice !== null) {
    throw new InvalidArgumentError(`invalid 'stopPrice': not allowed on a ${o.type} order, was ${o.stopPrice}`);
  }
}

/**
 * An order as a run's results list it: its request and its final state, as plain data (what
 * report.json's `orders` holds and what the runHash covers).
 */
export interface OrderRecord {
  readonly id: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly timeInForce: TimeInForce;
  readonly status: OrderStatus;
  readonly filledQty: number;
  readonly avgFillPrice: number;
  readonly tsCreated: number;
  readonly strategyId: string | null;
  readonly reduceOnly: boolean;
  readonly tag: string | null;
  readonly reason: string | null;
  /** How the order is linked to others (bracket, OCO/OUO group); absent for a plain order. */
  readonly link?: OrderLink;
}
