import { formatIsoUs, IdSequence, InvalidArgumentError, InvariantError, US_PER_DAY, utcDayStart } from '../../engine/core/index.js';
import type { FillId, OrderId, StrategyId, Symbol_ } from '../../engine/core/index.js';
import type { Fill, Liquidity, Order, OrderChanges, OrderEvent, OrderSide, OrderType, TimeInForce } from '../../engine/model/index.js';
import { commissionForFill, createFeeModel } from './fee-model.js';
import type { FeeConfig, FeeModel } from './fee-model.js';

/** Receives the venue's order events (structurally an ExecutionReportSink). */
export interface OrderEventSink {
  onOrderEvent(event: OrderEvent): void;
}

/**
 * A cancel or replace request the venue refused. The OrderEvent union has no "cancel rejected" or
 * "replace rejected" event, and an OrderRejected for an order that is already working or filled would
 * be an illegal transition of the order state machine, so such refusals emit no event and are kept
 * here for the audit trail instead.
 */
export interface VenueRequestRejection {
  readonly ts: number;
  readonly orderId: OrderId;
  readonly request: 'cancel' | 'replace';
  readonly reason: string;
}

/** The quantity (or price) tolerance used for "filled", "flat" and "nothing to reduce" tests. */
export function tolerance(qty: number): number {
  return 1e-9 * Math.max(1, Math.abs(qty));
}

/** True when `value` is a whole multiple of `step` (within a relative 1e-9). */
export function onGrid(value: number, step: number): boolean {
  const r = value / step;
  return Math.abs(r - Math.round(r)) <= 1e-9 * Math.max(1, Math.abs(r));
}

/**
 * The fields every venue keeps for a working order: a copy of what it needs from the engine's Order
 * (a venue never touches the engine's objects) and the bookkeeping shared by both venues. Each venue
 * extends it with what its matching needs; every field is initialised in the constructor so each
 * subclass keeps one shape on the hot path.
 */
export class VenueOrder {
  readonly id: OrderId;
  readonly strategyId: StrategyId | null;
  readonly symbol: Symbol_;
  readonly symbolIndex: number;
  readonly side: OrderSide;
  /** +1 buy, -1 sell. */
  readonly sign: 1 | -1;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly reduceOnly: boolean;
  readonly postOnly: boolean;
  /** Arrival sequence number: the tie-break that keeps processing in arrival order (a replace may renew it). */
  seq: number;
  /** Time the venue received the order. */
  readonly submitTs: number;
  /** DAY orders: the UTC midnight after the day of arrival; Infinity otherwise. */
  readonly expiresAt: number;

  qty: number;
  filled: number;
  /** NaN when the order type has no limit price. */
  limitPrice: number;
  /** NaN when the order type has no stop price. */
  stopPrice: number;
  /** Stop and stop-limit orders: true once the stop price was reached. */
  triggered: boolean;
  /** False once filled, cancelled or expired. */
  active: boolean;
  /** Raw fees of earlier fills (before the per-order minimum) and what was charged for them. */
  rawFees: number;
  chargedFees: number;

  constructor(order: Readonly<Order>, symbolIndex: number, seq: number, submitTs: number) {
    this.id = order.id;
    this.strategyId = order.strategyId;
    this.symbol = order.symbol;
    this.symbolIndex = symbolIndex;
    this.side = order.side;
    this.sign = order.side === 'buy' ? 1 : -1;
    this.type = order.type;
    this.timeInForce = order.timeInForce;
    this.reduceOnly = order.reduceOnly;
    this.postOnly = order.postOnly;
    this.seq = seq;
    this.submitTs = submitTs;
    this.expiresAt = order.timeInForce === 'DAY' ? utcDayStart(submitTs) + US_PER_DAY : Infinity;
    this.qty = order.qty;
    this.filled = order.filledQty;
    this.limitPrice = order.limitPrice ?? Number.NaN;
    this.stopPrice = order.stopPrice ?? Number.NaN;
    this.triggered = false;
    this.active = true;
    this.rawFees = 0;
    this.chargedFees = 0;
  }

  /** Units still to fill. */
  get leaves(): number {
    return this.qty - this.filled;
  }

  /** True for IOC and FOK orders (one chance to match, on arrival). */
  get immediate(): boolean {
    return this.timeInForce === 'IOC' || this.timeInForce === 'FOK';
  }
}

/**
 * The order bookkeeping both simulated venues share: the working-order index, acceptance and
 * rejection, time in force (DAY expiry, IOC/FOK cancellation reasons), reduce-only clipping against
 * the venue's own net position, fill accounting (fees with the per-order minimum, filled quantity,
 * position, fill ids), cancel and the common part of cancel/replace validation, and the audit trail
 * of refused requests. A venue extends it and adds only how it finds fill prices and quantities.
 */
export abstract class OrderCore<O extends VenueOrder> {
  protected readonly sink: OrderEventSink;
  protected readonly symbols: readonly Symbol_[];
  protected readonly symbolIndexOf = new Map<string, number>();
  protected readonly fees: FeeModel;
  protected readonly fillIds = new IdSequence<FillId>('F');
  /** Working orders by id, in arrival order. */
  protected readonly byId = new Map<string, O>();
  protected readonly positions: Float64Array;
  protected readonly rejections: VenueRequestRejection[] = [];
  protected seq = 0;
  protected dayOrders = 0;
  /** Earliest expiry among working DAY orders (Infinity when none): makes expiry checks O(1). */
  protected nextExpiry = Infinity;

  constructor(sink: OrderEventSink, symbols: readonly (Symbol_ | string)[], fees: FeeConfig) {
    this.sink = sink;
    this.symbols = symbols.map((s) => s as Symbol_);
    this.symbols.forEach((s, i) => {
      if (this.symbolIndexOf.has(s)) throw new InvalidArgumentError(`invalid 'symbols': duplicate symbol at index ${i}, was "${s}"`);
      this.symbolIndexOf.set(s, i);
    });
    this.fees = createFeeModel(fees, 'venue.fees');
    this.positions = new Float64Array(this.symbols.length);
  }

  /** Called when `o` stops working (filled, cancelled or expired), after the core forgot it. */
  protected abstract released(o: O): void;

  /** Forgets the core's orders, positions, ids and refusals. */
  protected resetCore(): void {
    this.fillIds.reset();
    this.byId.clear();
    this.positions.fill(0);
    this.rejections.length = 0;
    this.seq = 0;
    this.dayOrders = 0;
    this.nextExpiry = Infinity;
  }

  // ---------------------------------------------------------------- read-only views

  /** Returns the venue's net position in symbol `symbolIndex` (signed units), from its own fills. */
  position(symbolIndex: number): number {
    return this.positions[symbolIndex] ?? 0;
  }

  /** Returns the number of working orders (all symbols). */
  workingOrders(): number {
    return this.byId.size;
  }

  /** Returns the cancel and replace requests the venue refused, in arrival order. */
  requestRejections(): readonly VenueRequestRejection[] {
    return this.rejections;
  }

  // ---------------------------------------------------------------- accept, cancel, replace

  /**
   * The checks every submit starts with: throws InvariantError when the id is already working;
   * rejects an unknown symbol (returns -1); otherwise returns the symbol index.
   */
  protected admit(order: Readonly<Order>, ts: number): number {
    if (this.byId.has(order.id)) throw new InvariantError(`venue: order ${order.id} is already working`);
    const s = this.symbolIndexOf.get(order.symbol);
    if (s === undefined) {
      this.reject(order.id, ts, `unknown symbol "${order.symbol}" (venue symbols: ${this.symbols.join(', ')})`);
      return -1;
    }
    return s;
  }

  /** Registers `o` as working and emits OrderAccepted. */
  protected accept(o: O, ts: number): void {
    this.byId.set(o.id, o);
    if (o.expiresAt !== Infinity) {
      this.dayOrders++;
      if (o.expiresAt < this.nextExpiry) this.nextExpiry = o.expiresAt;
    }
    this.emit({ kind: 'OrderAccepted', ts, orderId: o.id });
  }

  /**
   * Cancels working order `orderId` on request (OrderCancelled) and returns it; a request for an
   * unknown or finished order emits nothing (a fill that happened first stands), is kept in
   * {@link requestRejections} and returns undefined.
   */
  protected cancelOnRequest(orderId: OrderId, ts: number): O | undefined {
    const o = this.byId.get(orderId);
    if (o === undefined) {
      this.refuse(ts, orderId, 'cancel', 'unknown or no longer working order');
      return undefined;
    }
    this.cancelWith(o, ts, 'cancelled on request');
    return o;
  }

  protected refuse(ts: number, orderId: OrderId, request: 'cancel' | 'replace', reason: string): void {
    this.rejections.push({ ts, orderId, request, reason });
  }

  /**
   * The replace checks both venues make, in order: the order is working, the new quantity exceeds
   * what has filled, a changed limit or stop price exists on the order type, is positive and finite,
   * and a stop price does not change after the trigger. Returns true when `o` may be replaced;
   * otherwise records the refusal and returns false. Grid checks (lot, tick) are the venue's.
   */
  protected replaceable(o: O | undefined, orderId: OrderId, changes: OrderChanges, ts: number): o is O {
    let reason: string | null = null;
    if (o === undefined) reason = 'unknown or no longer working order';
    else {
      const qty = changes.qty ?? o.qty;
      if (!Number.isFinite(qty) || qty <= o.filled + tolerance(o.qty)) reason = `invalid 'qty': must exceed the filled quantity ${o.filled}, was ${qty}`;
      else reason = this.checkReplacePrice(o, 'limitPrice', changes.limitPrice) ?? this.checkReplacePrice(o, 'stopPrice', changes.stopPrice);
      if (reason === null && changes.stopPrice !== undefined && o.triggered) reason = `invalid 'stopPrice': the stop already triggered, was ${changes.stopPrice}`;
    }
    if (reason === null) return true;
    this.refuse(ts, orderId, 'replace', reason);
    return false;
  }

  private checkReplacePrice(o: O, field: 'limitPrice' | 'stopPrice', value: number | undefined): string | null {
    if (value === undefined) return null;
    const allowed = field === 'limitPrice' ? o.type === 'limit' || o.type === 'stop_limit' : o.type === 'stop' || o.type === 'stop_limit';
    if (!allowed) return `invalid '${field}': not allowed on a ${o.type} order, was ${value}`;
    if (!Number.isFinite(value) || value <= 0) return `invalid '${field}': not a positive finite number, was ${value}`;
    return null;
  }

  /** Applies checked replace `changes` to `o` and emits OrderReplaced with the full new values. */
  protected applyReplace(o: O, changes: OrderChanges, ts: number): void {
    o.qty = changes.qty ?? o.qty;
    if (changes.limitPrice !== undefined) o.limitPrice = changes.limitPrice;
    if (changes.stopPrice !== undefined) o.stopPrice = changes.stopPrice;
    this.emit({
      kind: 'OrderReplaced',
      ts,
      orderId: o.id,
      qty: o.qty,
      limitPrice: Number.isNaN(o.limitPrice) ? null : o.limitPrice,
      stopPrice: Number.isNaN(o.stopPrice) ? null : o.stopPrice,
    });
  }

  // ---------------------------------------------------------------- fills

  /**
   * Clips `qty` of reduce-only order `o` to what reduces the venue's net position. Cancels `o` and
   * returns -1 when there is nothing to reduce; returns `qty` unchanged for other orders.
   */
  protected clipReduceOnly(o: O, qty: number, ts: number): number {
    if (!o.reduceOnly) return qty;
    const pos = this.positions[o.symbolIndex]!;
    const reducible = o.sign === 1 ? Math.max(0, -pos) : Math.max(0, pos);
    if (reducible <= tolerance(pos)) {
      this.cancelWith(o, ts, `reduce-only: no ${o.sign === 1 ? 'short' : 'long'} position to reduce`);
      return -1;
    }
    return reducible < qty ? reducible : qty;
  }

  /**
   * Books a fill of `qty` (> 0, within leaves) of `o` at `price`: fees with the per-order minimum,
   * filled quantity and position (snapped to whole on float residue), OrderFilled, and when
   * `clipped` by reduce-only, the cancellation of the rest.
   */
  protected bookFill(o: O, qty: number, price: number, liquidity: Liquidity, ts: number, clipped: boolean): void {
    const raw = this.fees.fee(qty, price, liquidity);
    const commission = commissionForFill(raw, o.rawFees, o.chargedFees, this.fees.minimumPerOrder);
    o.rawFees += raw;
    o.chargedFees += commission;
    const filled = o.filled + qty;
    o.filled = Math.abs(o.qty - filled) <= tolerance(o.qty) ? o.qty : filled;
    const s = o.symbolIndex;
    const pos = this.positions[s]! + o.sign * qty;
    this.positions[s] = Math.abs(pos) <= tolerance(qty) ? 0 : pos;
    const fill: Fill = {
      fillId: this.fillIds.take(),
      orderId: o.id,
      strategyId: o.strategyId,
      ts,
      symbol: o.symbol,
      side: o.side,
      qty,
      price,
      commission,
      liquidity,
    };
    if (o.filled === o.qty) this.finish(o);
    this.emit({ kind: 'OrderFilled', ts, orderId: o.id, fill });
    if (clipped && o.active) this.cancelWith(o, ts, 'reduce-only: the position is closed, the rest is cancelled');
  }

  // ---------------------------------------------------------------- lifecycle

  protected cancelWith(o: O, ts: number, reason: string): void {
    this.finish(o);
    this.emit({ kind: 'OrderCancelled', ts, orderId: o.id, reason });
  }

  /** Cancels what is left of an IOC or FOK order after its one chance to match. */
  protected cancelUnfilled(o: O, ts: number): void {
    this.cancelWith(o, ts, o.timeInForce === 'FOK' ? 'FOK: no complete fill on arrival' : `IOC: ${o.leaves} unfilled on arrival cancelled`);
  }

  /** Expires the DAY orders in `list` (arrival order) whose day ended at or before `ts`. O(1) when none is due. */
  protected expireDueIn(list: readonly O[], ts: number): void {
    if (this.dayOrders === 0 || ts < this.nextExpiry) return;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (o.active && o.expiresAt <= ts) this.expire(o);
    }
    this.recomputeNextExpiry();
  }

  /** Expires every working DAY order (arrival order) whose day ended at or before `ts`. O(1) when none is due. */
  protected expireAllDue(ts: number): void {
    if (ts < this.nextExpiry) return;
    if (this.dayOrders > 0) {
      // Deleting the visited entry while iterating a Map is safe and visits the rest.
      for (const o of this.byId.values()) if (o.expiresAt <= ts) this.expire(o);
    }
    this.recomputeNextExpiry();
  }

  private expire(o: O): void {
    this.finish(o);
    this.emit({ kind: 'OrderExpired', ts: o.expiresAt, orderId: o.id, reason: `DAY order expired at the end of the UTC day (${formatIsoUs(o.expiresAt)})` });
  }

  private recomputeNextExpiry(): void {
    let next = Infinity;
    if (this.dayOrders > 0) for (const o of this.byId.values()) if (o.expiresAt < next) next = o.expiresAt;
    this.nextExpiry = next;
  }

  /** Marks `o` as no longer working; the venue's {@link released} takes it off its own lists. */
  protected finish(o: O): void {
    if (!o.active) throw new InvariantError(`venue: order ${o.id} finished twice`);
    o.active = false;
    this.byId.delete(o.id);
    if (o.expiresAt !== Infinity && --this.dayOrders === 0) this.nextExpiry = Infinity;
    this.released(o);
  }

  protected reject(orderId: OrderId, ts: number, reason: string): void {
    this.emit({ kind: 'OrderRejected', ts, orderId, reason });
  }

  protected emit(event: OrderEvent): void {
    this.sink.onOrderEvent(event);
  }
}
