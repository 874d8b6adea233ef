import { FILL_ID_LETTER, formatIsoUs, IdSequence, InvalidArgumentError, InvariantError, US_PER_DAY, utcDayStart } from '../../engine/core/index.js';
import type { FillId, OrderId, StrategyId, Symbol_ } from '../../engine/core/index.js';
import type { Fill, Liquidity, Order, OrderChanges, OrderEvent, OrderLink, OrderSide, OrderType, TimeInForce } from '../../engine/model/index.js';
import { commissionForFill, createFeeModel } from './fee-model.js';
import type { FeeConfig, FeeModel } from './fee-model.js';

/** Receives the venue's order events (structurally an ExecutionReportSink). */
export interface OrderEventSink {
  onOrderEvent(event: OrderEvent): void;
  /**
   * Asked before every fill is booked (the account's buying power check, see
   * ExecutionReportSink.approveFill): returns the quantity that may fill (`qty` for all of it). Less
   * than `qty`: the venue books what was approved (floored to `lot` when > 0) and denies the rest of
   * the order with OrderDenied and `fillDenial` as the reason. Absent: every fill is booked.
   */
  approveFill?(orderId: OrderId, symbolIndex: number, sign: 1 | -1, qty: number, price: number, fees: { feeFor(qty: number): number }, lot: number): number;
  /**
   * {@link approveFill} of the quantity and price in `figures[0]` and `figures[1]`, writing the quantity
   * that may fill into `figures[0]` (the rest of `figures` may be overwritten). Asked instead of approveFill
   * when present: a double passed to or returned from a call V8 does not inline is a new heap number.
   */
  approveFillRow?(orderId: OrderId, symbolIndex: number, sign: 1 | -1, figures: Float64Array, fees: { feeFor(qty: number): number }, lot: number): void;
  /** Why the last approveFill refused (part of) a fill. */
  readonly fillDenial?: string;
  /**
   * True while the sink keeps no event object (nor the fill in an OrderFilled) past its onOrderEvent
   * call, nor hands one to code that may: the venue then passes the same few objects again, written
   * anew for each event, instead of allocating them (OrderAccepted, OrderFilled and its fill, and the
   * account's OrderDenied). Absent or false: every event is a new object. Read at each event.
   */
  readonly transientEvents?: boolean;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
type EventOf<K extends OrderEvent['kind']> = Writable<Extract<OrderEvent, { kind: K }>>;

/** A fill record to be written (its keys in the order every Fill has them). */
function blankFill(): Writable<Fill> {
  return { fillId: '' as FillId, orderId: '' as OrderId, strategyId: null, ts: 0, symbol: '' as Symbol_, side: 'buy', qty: 0, price: 0, commission: 0, liquidity: 'taker' };
}

/** The commission of a fill of a given quantity of the order being filled (what approveFill is told). */
class OrderFeeQuote {
  o: VenueOrder | null = null;
  price = 0;
  liquidity: Liquidity = 'taker';
  constructor(private readonly fees: FeeModel) {}
  feeFor(qty: number): number {
    const o = this.o!;
    return commissionForFill(this.fees.fee(qty, this.price, this.liquidity), o.rawFees, o.chargedFees, this.fees.minimumPerOrder);
  }
}

/** Above this many working orders, {@link OrderIndex} also keeps a Map from id to order. */
const FEW_ORDERS = 16;

/**
 * Working orders by id, in arrival order: an array of the orders in arrival order, finished ones left as
 * holes (null) until enough gather, searched from the end while few orders work, and with a Map from id
 * to order beside it while many do. With one order working at a time (a strategy trading at the next
 * open, the usual case) a Map's set, has and delete of each order's new id string (its hash, and a new
 * table each time deleted entries filled the small one) were the venue's costliest lines per order.
 *
 * Iteration ({@link values}) is a Map's: an order deleted before it is visited is not visited, one added
 * while iterating is; holes are closed up only while no iteration is under way.
 */
class OrderIndex<O extends { readonly id: string }> {
  private readonly list: (O | null)[] = [];
  /** Number of working orders (non-null entries of list). */
  private count = 0;
  /** id -> order while more than FEW_ORDERS work (then dropped again when few are left); null otherwise. */
  private byId: Map<string, O> | null = null;
  /** Iterations under way (no closing up of holes meanwhile). */
  private iterating = 0;

  /** Number of working orders. */
  get size(): number {
    return this.count;
  }

  get(id: string): O | undefined {
    if (this.byId !== null) return this.byId.get(id);
    const list = this.list;
    for (let i = list.length - 1; i >= 0; i--) {
      const o = list[i]!;
      if (o !== null && o.id === id) return o;
    }
    return undefined;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, o: O): void {
    const list = this.list;
    const map = this.byId;
    const old = map !== null ? map.get(id) : this.get(id);
    if (old !== undefined) {
      list[list.indexOf(old)] = o;
      if (map !== null) map.set(id, o);
      return;
    }
    if (this.iterating === 0 && list.length - this.count > this.count) this.closeUp();
    list.push(o);
    this.count++;
    if (map !== null) map.set(id, o);
    else if (this.count > FEW_ORDERS) {
      const m = new Map<string, O>();
      for (const x of list) if (x !== null) m.set(x.id, x);
      this.byId = m;
    }
  }

  delete(id: string): void {
    const o = this.get(id);
    if (o === undefined) return;
    const list = this.list;
    let i = list.length - 1;
    while (list[i] !== o) i--;
    list[i] = null;
    this.count--;
    if (this.byId !== null) {
      this.byId.delete(id);
      if (this.count <= FEW_ORDERS / 4) this.byId = null;
    }
    if (this.iterating === 0 && (this.count === 0 || list.length - this.count > this.count)) this.closeUp();
  }

  clear(): void {
    const list = this.list;
    while (list.length !== 0) list.pop();
    this.count = 0;
    this.byId = null;
    this.iterating = 0;
  }

  /** The working orders in arrival order; deleting orders (the visited one or others) and adding orders while iterating is safe, as with a Map. */
  *values(): IterableIterator<O> {
    this.iterating++;
    try {
      const list = this.list;
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (o !== null) yield o;
      }
    } finally {
      this.iterating--;
    }
  }

  /** Removes the holes, keeping arrival order (pop, not a length write: see SimulatedVenue.compact). */
  private closeUp(): void {
    const list = this.list;
    let w = 0;
    for (let r = 0; r < list.length; r++) {
      const o = list[r]!;
      if (o !== null) list[w++] = o;
    }
    while (list.length > w) list.pop();
  }
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

/** The key of a strategy's plain OCO/OUO group: one per strategy, symbol and label. */
function groupKey(strategy: StrategyId | null, symbol: string, label: string): string {
  return `${strategy ?? ''}\u0000${symbol}\u0000${label}`;
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
  declare readonly id: OrderId;
  declare readonly strategyId: StrategyId | null;
  declare readonly symbol: Symbol_;
  declare readonly symbolIndex: number;
  declare readonly side: OrderSide;
  /** +1 buy, -1 sell. */
  declare readonly sign: 1 | -1;
  declare readonly type: OrderType;
  declare readonly timeInForce: TimeInForce;
  declare readonly reduceOnly: boolean;
  declare readonly postOnly: boolean;
  /** Arrival sequence number: the tie-break that keeps processing in arrival order (a replace may renew it). */
  declare seq: number;
  /** Time the venue received the order. */
  declare readonly submitTs: number;
  /**
   * DAY orders: the UTC midnight after the day of arrival, or with a trading calendar the session
   * close (set on acceptance, OrderCore.dayEnd); Infinity otherwise.
   */
  declare expiresAt: number;

  declare qty: number;
  declare filled: number;
  /** NaN when the order type has no limit price. */
  declare limitPrice: number;
  /** NaN when the order type has no stop price. */
  declare stopPrice: number;
  /** Stop and stop-limit orders: true once the stop price was reached. */
  declare triggered: boolean;
  /** False once filled, cancelled or expired. */
  declare active: boolean;
  /** Raw fees of earlier fills (before the per-order minimum) and what was charged for them. */
  declare rawFees: number;
  declare chargedFees: number;
  /** The engine's link of the order (bracket, OCO/OUO group); null for a plain order. */
  declare readonly link: OrderLink | null;
  /** Bracket exits: the entry's id; null otherwise. */
  declare readonly exitOf: OrderId | null;
  /** The order's contingent group while it works; null for a plain order. */
  declare group: ContingentGroup | null;
  /** A bracket exit waiting for its entry's first fill: accepted and working, but not matched yet. */
  declare dormant: boolean;

  constructor(order: Readonly<Order>, symbolIndex: number, seq: number, submitTs: number) {
    this.renewOrder(order, symbolIndex, seq, submitTs);
  }

  /**
   * Sets every field as for a new record of `order`: the constructor's work, and how a venue makes a
   * finished record that nothing refers to any more the record of its next order (see SimulatedVenue's
   * spare records): the object and the boxes of its number fields are written again, not allocated.
   */
  protected renewOrder(order: Readonly<Order>, symbolIndex: number, seq: number, submitTs: number): void {
    const w = this as { -readonly [K in keyof VenueOrder]: VenueOrder[K] };
    w.id = order.id;
    w.strategyId = order.strategyId;
    w.symbol = order.symbol;
    w.symbolIndex = symbolIndex;
    w.side = order.side;
    w.sign = order.side === 'buy' ? 1 : -1;
    w.type = order.type;
    w.timeInForce = order.timeInForce;
    w.reduceOnly = order.reduceOnly;
    w.postOnly = order.postOnly;
    w.seq = seq;
    w.submitTs = submitTs;
    w.expiresAt = order.timeInForce === 'DAY' ? utcDayStart(submitTs) + US_PER_DAY : Infinity;
    w.qty = order.qty;
    w.filled = order.filledQty;
    w.limitPrice = order.limitPrice ?? Number.NaN;
    w.stopPrice = order.stopPrice ?? Number.NaN;
    w.triggered = false;
    w.active = true;
    w.rawFees = 0;
    w.chargedFees = 0;
    w.link = order.link;
    w.exitOf = order.link === null ? null : order.link.parentId;
    w.group = null;
    w.dormant = false;
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
 * The venue's record of a contingent group: a bracket (its entry and exits, keyed by the entry's id)
 * or a strategy's OCO/OUO group (keyed by strategy, symbol and label). It lives while the entry
 * works, exits are still to arrive, or a member works.
 */
export class ContingentGroup {
  /** Bracket: the entry; null for a plain group. */
  readonly entry: VenueOrder | null;
  /** How a fill of one member changes the others. */
  readonly mode: 'OCO' | 'OUO';
  /** Working exits (bracket) or members (plain group), in arrival order. */
  readonly members: VenueOrder[] = [];
  /** Bracket: units the entry filled and units the exits filled (their difference is what the exits still cover). */
  entryFilled = 0;
  exited = 0;
  /** Bracket: exits not yet arrived at the venue (with latency they arrive after the entry). */
  expected: number;
  /** True once the entry stopped working (always for a plain group). */
  entryDone: boolean;

  constructor(
    readonly key: string,
    entry: VenueOrder | null,
    mode: 'OCO' | 'OUO',
    expected: number,
  ) {
    this.entry = entry;
    this.mode = mode;
    this.expected = expected;
    this.entryDone = entry === null;
  }

  /** Units of the entry's fills the exits still have to close. */
  get open(): number {
    return this.entryFilled - this.exited;
  }
}

/**
 * The order bookkeeping both simulated venues share: the working-order index, acceptance and
 * rejection, time in force (DAY expiry, IOC/FOK cancellation reasons), reduce-only clipping against
 * the venue's own net position, fill accounting (fees with the per-order minimum, filled quantity,
 * position, fill ids), cancel and the common part of cancel/replace validation, and the audit trail
 * of refused requests, and contingent orders. A venue extends it and adds only how it finds fill
 * prices and quantities.
 *
 * **Contingent orders** (NautilusTrader's and LEAN's OTO/OCO/OUO) live here, so both venues behave
 * alike. A bracket is an entry (OTO) and two exits (OUO with each other, reduce-only). The exits are
 * accepted when they arrive but stay dormant (not matched) until the entry's first fill; then each
 * is sized to what the entry filled and grows with its later fills (OrderReplaced), like
 * NautilusTrader's release-and-resize (LEAN waits for the complete fill). A fill of an exit cancels
 * the rest of a still working entry (the trade is being closed) and shrinks the other exit to what
 * is left of the bracket, cancelling it when nothing is: a partial take-profit leaves a smaller
 * stop-loss (OUO), the exit that closes the bracket cancels the other (OCO). An entry that ends
 * unfilled (cancelled, expired, IOC) cancels its exits; one that filled some leaves them working,
 * sized to its fills, so a position is never left without its exits. An exit's quantity is the
 * bracket's: a replace may move its price but not its quantity; an exit cancelled on request ends
 * alone. A plain group (OrderRequest.ocoGroup, per strategy and symbol) is OCO (the first fill of a
 * member, even partial, cancels the others) or OUO (a fill reduces the others by its quantity); a
 * member cancelled on request cancels its group. Consequences are emitted right after the event
 * that caused them, in member arrival order.
 */
export abstract class OrderCore<O extends VenueOrder> {
  protected readonly sink: OrderEventSink;
  protected readonly symbols: readonly Symbol_[];
  protected readonly symbolIndexOf = new Map<string, number>();
  protected readonly fees: FeeModel;
  protected readonly fillIds = new IdSequence<FillId>(FILL_ID_LETTER);
  /** Working orders by id, in arrival order. */
  protected readonly byId = new OrderIndex<O>();
  protected readonly positions: Float64Array;
  protected readonly rejections: VenueRequestRejection[] = [];
  protected seq = 0;
  protected dayOrders = 0;
  /** Earliest expiry among working DAY orders (Infinity when none): makes expiry checks O(1). */
  protected nextExpiry = Infinity;
  /** When DAY orders of a symbol expire given their arrival time; null: the UTC midnight after it (see VenueOrder.expiresAt). */
  protected dayEnd: ((submitTs: number, symbolIndex: number) => number) | null = null;
  /** How an expiry is worded: `the UTC day` or `the session` (with dayEnd). */
  protected dayWords = 'the UTC day';
  /** Contingent groups by key (see {@link ContingentGroup}). */
  private readonly groups = new Map<string, ContingentGroup>();
  /** True once a contingent order arrived: the report then lists the contingency rules. */
  protected sawContingent = false;
  /** Reused for approveFill (no allocation per fill). */
  private readonly feeQuote: OrderFeeQuote;
  /** The quantity, price and time of the fill being booked (see {@link bookFillOf}). */
  protected readonly fillFigures = new Float64Array(3);
  /** True once a fill was refused by the sink's approveFill: the report then lists the rule. */
  protected sawFillDenial = false;
  /** Per symbol, the multiplier of notional fees (an instrument's point value); null: 1 for every symbol. */
  protected feeNotionalScale: Float64Array | null = null;
  /**
   * How many of the venue's events are being handled by the sink (nested when a handler sends, cancels
   * or replaces an order). While it is 0 no loop of the venue is under way, so no finished record is
   * still referred to by one (see SimulatedVenue's spare records). A handler that throws leaves it
   * above 0 until the next reset, which only stops the reuse of records.
   */
  protected emitting = 0;
  /** What a sink with transientEvents is passed (see OrderEventSink.transientEvents). */
  private readonly acceptedEvent: EventOf<'OrderAccepted'> = { kind: 'OrderAccepted', ts: 0, orderId: '' as OrderId };
  private readonly deniedEvent: EventOf<'OrderDenied'> = { kind: 'OrderDenied', ts: 0, orderId: '' as OrderId, reason: '' };
  private readonly filledFill: Writable<Fill> = blankFill();
  private readonly filledEvent: EventOf<'OrderFilled'> = { kind: 'OrderFilled', ts: 0, orderId: '' as OrderId, fill: this.filledFill };

  constructor(sink: OrderEventSink, symbols: readonly (Symbol_ | string)[], fees: FeeConfig) {
    this.sink = sink;
    this.symbols = symbols.map((s) => s as Symbol_);
    this.symbols.forEach((s, i) => {
      if (this.symbolIndexOf.has(s)) throw new InvalidArgumentError(`invalid 'symbols': duplicate symbol at index ${i}, was "${s}"`);
      this.symbolIndexOf.set(s, i);
    });
    this.fees = createFeeModel(fees, 'venue.fees');
    this.feeQuote = new OrderFeeQuote(this.fees);
    this.positions = new Float64Array(this.symbols.length);
  }

  /** Called when `o` stops working (filled, cancelled or expired), after the core forgot it. */
  protected abstract released(o: O): void;

  /**
   * Called when a dormant bracket exit starts working (its entry's first fill). The bar venue
   * matches it from the next market event without being told; the L2 venue lets it arrive.
   */
  protected activated(_o: O, _ts: number): void {}

  /** Forgets the core's orders, positions, ids and refusals. */
  protected resetCore(): void {
    this.fillIds.reset();
    this.byId.clear();
    this.positions.fill(0);
    this.rejections.length = 0;
    this.seq = 0;
    this.dayOrders = 0;
    this.nextExpiry = Infinity;
    this.groups.clear();
    this.sawContingent = false;
    this.sawFillDenial = false;
    this.emitting = 0;
  }

  /** Lot size of a symbol for flooring approved quantities (0: fractional). */
  protected fillLot(_symbolIndex: number): number {
    return 0;
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
    const link = order.link;
    if (link !== null) {
      const refusal = this.admitLinked(order, link);
      if (refusal !== null) {
        this.reject(order.id, ts, refusal);
        return -1;
      }
    }
    return s;
  }

  /** Checks a contingent order's group on arrival; returns why it is rejected, or null. */
  private admitLinked(order: Readonly<Order>, link: OrderLink): string | null {
    this.sawContingent = true;
    if (link.parentId !== null) {
      const g = this.groups.get(link.parentId);
      if (g === undefined) return `bracket exit: its entry ${link.parentId} never worked at the venue`;
      g.expected--;
      if (g.entryDone && g.open <= tolerance(g.entryFilled)) {
        this.dropIfDone(g);
        return `bracket exit: its entry ${link.parentId} no longer works and left nothing to exit`;
      }
      return null;
    }
    if (link.group !== null) {
      const g = this.groups.get(groupKey(order.strategyId, order.symbol, link.group));
      if (g !== undefined && g.mode !== link.contingency) {
        return `invalid 'contingency': group '${link.group}' on ${order.symbol} is ${g.mode}, was ${link.contingency}`;
      }
    }
    return null;
  }

  /** Registers `o` as working and emits OrderAccepted. */
  protected accept(o: O, ts: number): void {
    this.byId.set(o.id, o);
    if (o.expiresAt !== Infinity) {
      if (this.dayEnd !== null) o.expiresAt = this.dayEnd(o.submitTs, o.symbolIndex);
      this.dayOrders++;
      if (o.expiresAt < this.nextExpiry) this.nextExpiry = o.expiresAt;
    }
    if (this.sink.transientEvents === true) {
      const e = this.acceptedEvent;
      e.ts = ts;
      e.orderId = o.id;
      this.emit(e);
    } else {
      this.emit({ kind: 'OrderAccepted', ts, orderId: o.id });
    }
    if (o.link !== null) this.join(o, o.link, ts);
  }

  /**
   * Puts a newly accepted contingent order into its group: a bracket entry opens one; an exit joins
   * its entry's, dormant until the entry has filled something (sized at once to what it filled
   * otherwise); a plain member joins (or opens) its strategy's group of that label and symbol.
   */
  private join(o: O, link: OrderLink, ts: number): void {
    let g: ContingentGroup;
    if (link.contingency === 'OTO') {
      g = new ContingentGroup(o.id, o, 'OUO', link.linkedIds.length);
      this.groups.set(g.key, g);
      o.group = g;
      return;
    }
    if (link.parentId !== null) {
      g = this.groups.get(link.parentId)!;
      g.members.push(o);
      o.group = g;
      const open = g.open;
      if (open > tolerance(g.entryFilled)) this.resize(o, o.filled + open, ts);
      else o.dormant = true;
      return;
    }
    const key = groupKey(o.strategyId, o.symbol, link.group!);
    g = this.groups.get(key) ?? new ContingentGroup(key, null, link.contingency === 'OUO' ? 'OUO' : 'OCO', 0);
    this.groups.set(key, g);
    g.members.push(o);
    o.group = g;
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
    this.cancelWith(o, ts, 'cancelled on request', true);
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
      if (o.exitOf !== null && changes.qty !== undefined) reason = `invalid 'qty': a bracket exit is sized by its entry's fills (entry ${o.exitOf}), was ${changes.qty}`;
      else if (!Number.isFinite(qty) || qty <= o.filled + tolerance(o.qty)) reason = `invalid 'qty': must exceed the filled quantity ${o.filled}, was ${qty}`;
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
   * Books a fill of `qty` (> 0, within leaves) of `o` at `price`, as far as the sink's approveFill
   * (the account) allows: fees with the per-order minimum, filled quantity and position (snapped to
   * whole on float residue), OrderFilled, and when `clipped` by reduce-only, the cancellation of the
   * rest. When the account approves less than `qty`, what it approved is booked and the rest of the
   * order is denied (OrderDenied with the account's reason). Returns the quantity booked.
   */
  protected bookFill(o: O, qty: number, price: number, liquidity: Liquidity, ts: number, clipped: boolean): number {
    const f = this.fillFigures;
    f[0] = qty;
    f[1] = price;
    f[2] = ts;
    return this.bookFillOf(o, liquidity, clipped);
  }

  /**
   * {@link bookFill} of the quantity, price and time in `fillFigures[0..2]`: a venue whose fill path V8
   * does not inline into one unit writes them there rather than passing them, a double passed to a call
   * not inlined being a new heap number (three a fill).
   */
  protected bookFillOf(o: O, liquidity: Liquidity, clipped: boolean): number {
    const f = this.fillFigures;
    const qty = f[0]!;
    const price = f[1]!;
    const ts = f[2]!;
    const sink = this.sink;
    let q = qty;
    if (sink.approveFill !== undefined || sink.approveFillRow !== undefined) {
      const quote = this.feeQuote;
      quote.o = o;
      // Notional fees (fraction, bps) are of qty x price x the instrument's multiplier (a future's point value).
      quote.price = this.feeNotionalScale === null ? price : price * this.feeNotionalScale[o.symbolIndex]!;
      quote.liquidity = liquidity;
      if (sink.approveFillRow !== undefined) {
        // The figures in fillFigures (qty, price) and the approved quantity back in fillFigures[0].
        sink.approveFillRow(o.id, o.symbolIndex, o.sign, f, quote, this.fillLot(o.symbolIndex));
        q = f[0]!;
      } else {
        q = sink.approveFill!(o.id, o.symbolIndex, o.sign, qty, price, quote, this.fillLot(o.symbolIndex));
      }
      quote.o = null;
      if (q < qty - tolerance(qty)) {
        const reason = sink.fillDenial ?? 'fill refused by the account';
        this.sawFillDenial = true;
        if (q > tolerance(qty)) {
          f[0] = q;
          f[1] = price;
          f[2] = ts;
          this.bookApproved(o, liquidity, false);
        }
        if (o.active) {
          f[2] = ts;
          this.denyRest(o, reason);
        }
        return q > tolerance(qty) ? q : 0;
      }
      q = qty;
    }
    // Written again: approveFill is code outside the venue.
    f[0] = q;
    f[1] = price;
    f[2] = ts;
    this.bookApproved(o, liquidity, clipped);
    return q;
  }

  /** Books the approved fill of quantity `fillFigures[0]` at price `fillFigures[1]` and time `fillFigures[2]` (see {@link bookFillOf}). */
  private bookApproved(o: O, liquidity: Liquidity, clipped: boolean): void {
    const figures = this.fillFigures;
    const qty = figures[0]!;
    const price = figures[1]!;
    const ts = figures[2]!;
    // Notional fees (fraction, bps) are of qty x price x the instrument's multiplier (a future's point value).
    const scale = this.feeNotionalScale;
    const raw = this.fees.fee(qty, scale === null ? price : price * scale[o.symbolIndex]!, liquidity);
    const commission = commissionForFill(raw, o.rawFees, o.chargedFees, this.fees.minimumPerOrder);
    o.rawFees += raw;
    o.chargedFees += commission;
    const filled = o.filled + qty;
    o.filled = Math.abs(o.qty - filled) <= tolerance(o.qty) ? o.qty : filled;
    const s = o.symbolIndex;
    const pos = this.positions[s]! + o.sign * qty;
    this.positions[s] = Math.abs(pos) <= tolerance(qty) ? 0 : pos;
    if (o.filled === o.qty) this.finish(o);
    // A sink that keeps no event is passed the same fill and event again (see OrderEventSink.transientEvents).
    const transient = this.sink.transientEvents === true;
    const f = transient ? this.filledFill : blankFill();
    f.fillId = this.fillIds.take();
    f.orderId = o.id;
    f.strategyId = o.strategyId;
    f.ts = ts;
    f.symbol = o.symbol;
    f.side = o.side;
    f.qty = qty;
    f.price = price;
    f.commission = commission;
    f.liquidity = liquidity;
    const e: EventOf<'OrderFilled'> = transient ? this.filledEvent : { kind: 'OrderFilled', ts, orderId: o.id, fill: f };
    e.ts = ts;
    e.orderId = o.id;
    this.emit(e);
    if (o.group !== null) this.groupFilled(o, o.group, qty, ts);
    if (clipped && o.active) this.cancelWith(o, ts, 'reduce-only: the position is closed, the rest is cancelled');
  }

  /** Ends `o` with OrderDenied (the account refused its fill) at time `fillFigures[2]`, then what its contingency ends with it. */
  private denyRest(o: O, reason: string): void {
    const ts = this.fillFigures[2]!;
    const g = o.group;
    this.finish(o);
    if (this.sink.transientEvents === true) {
      const e = this.deniedEvent;
      e.ts = ts;
      e.orderId = o.id;
      e.reason = reason;
      this.emit(e);
    } else {
      this.emit({ kind: 'OrderDenied', ts, orderId: o.id, reason });
    }
    if (g !== null) this.groupEnded(o, g, ts, false);
  }

  // ---------------------------------------------------------------- lifecycle

  /** Cancels `o` (OrderCancelled), then what its contingency cancels with it. */
  protected cancelWith(o: O, ts: number, reason: string, onRequest = false): void {
    const g = o.group;
    this.finish(o);
    this.emit({ kind: 'OrderCancelled', ts, orderId: o.id, reason });
    if (g !== null) this.groupEnded(o, g, ts, onRequest);
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
    const g = o.group;
    this.finish(o);
    this.emit({ kind: 'OrderExpired', ts: o.expiresAt, orderId: o.id, reason: `DAY order expired at the end of ${this.dayWordsOf(o.symbolIndex)} (${formatIsoUs(o.expiresAt)})` });
    if (g !== null) this.groupEnded(o, g, o.expiresAt, false);
  }

  /** How the end of a DAY order's day is worded for symbol `symbolIndex` (default {@link dayWords}). */
  protected dayWordsOf(_symbolIndex: number): string {
    return this.dayWords;
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
    const g = o.group;
    if (g !== null) {
      if (g.entry === o) g.entryDone = true;
      else g.members.splice(g.members.indexOf(o), 1);
      this.dropIfDone(g);
    }
    this.released(o);
  }

  // ---------------------------------------------------------------- contingencies (OTO, OCO, OUO)

  /**
   * What a fill of `qty` of `o` does to its group. An entry's fill releases its dormant exits and
   * sizes every working exit to the units the bracket still holds (OTO, in proportion to the fill).
   * An exit's fill cancels the rest of a still working entry, then shrinks the other exit to what
   * is left, or cancels it when nothing is (OUO). A plain OCO member's fill cancels the other members;
   * a plain OUO member's fill reduces them by `qty`.
   */
  private groupFilled(o: O, g: ContingentGroup, qty: number, ts: number): void {
    if (g.entry === o) {
      g.entryFilled += qty;
      const open = g.open;
      for (const m of g.members.slice() as O[]) {
        if (!m.active) continue;
        this.resize(m, m.filled + open, ts);
        if (m.dormant) {
          m.dormant = false;
          this.activated(m, ts);
        }
      }
      return;
    }
    if (o.exitOf !== null) {
      g.exited += qty;
      const entry = g.entry as O | null;
      if (entry !== null && entry.active) this.cancelWith(entry, ts, `bracket: exit ${o.id} filled, the rest of the entry is cancelled`);
      const open = g.open;
      for (const m of g.members.slice() as O[]) {
        if (m === o || !m.active) continue;
        if (open <= tolerance(g.entryFilled)) this.cancelWith(m, ts, `OCO: ${o.id} filled, the bracket is closed`);
        else this.resize(m, m.filled + open, ts);
      }
      return;
    }
    for (const m of g.members.slice() as O[]) {
      if (m === o || !m.active) continue;
      if (g.mode === 'OCO') this.cancelWith(m, ts, `OCO: ${o.id} filled`);
      else if (m.leaves - qty <= tolerance(m.qty)) this.cancelWith(m, ts, `OUO: ${o.id} filled ${qty}, nothing is left`);
      else this.resize(m, m.qty - qty, ts);
    }
  }

  /**
   * What the end of `o` without a complete fill does to its group: an entry that filled nothing
   * cancels its exits (one that filled some leaves them sized to its fills); a plain member cancelled
   * on request cancels the rest of its group. A bracket exit ends alone: the other keeps protecting.
   */
  private groupEnded(o: O, g: ContingentGroup, ts: number, onRequest: boolean): void {
    if (g.entry === o) {
      if (g.entryFilled > 0) return;
      for (const m of g.members.slice() as O[]) if (m.active) this.cancelWith(m, ts, `bracket entry ${o.id} ended unfilled`);
      return;
    }
    if (onRequest && o.exitOf === null) {
      for (const m of g.members.slice() as O[]) if (m.active) this.cancelWith(m, ts, `${g.mode}: ${o.id} was cancelled`);
    }
  }

  /** Sets a working order's quantity to `qty` (above what it filled) and emits OrderReplaced when it changed. */
  private resize(o: O, qty: number, ts: number): void {
    if (Math.abs(o.qty - qty) <= tolerance(qty)) return;
    this.applyReplace(o, { qty }, ts);
  }

  /** Forgets a group once its entry is done, no exit is still to arrive and no member works. */
  private dropIfDone(g: ContingentGroup): void {
    if (g.entryDone && g.expected <= 0 && g.members.length === 0) this.groups.delete(g.key);
  }

  /** The fill-time account rule, in words, for the report (only when the account refused a fill). */
  protected fillDenialAssumptions(): string[] {
    if (!this.sawFillDenial) return [];
    return ['A fill the account refuses at fill time (buying power, short sale, ruin) books only the approved quantity (none, the closing part, or a resized part); the rest of the order ends with OrderDenied naming the reason'];
  }

  /** The contingency rules, in words, for the report (only when a run used them). */
  protected contingencyAssumptions(): string[] {
    if (!this.sawContingent) return [];
    return [
      "Bracket exits are held (accepted, not matched) until the entry fills, then sized to the entry's filled quantity, growing with each further entry fill; they work from the next market event",
      'A bracket exit fill cancels the rest of a still working entry and reduces the other exit to what is left, cancelling it when nothing is (OUO); an entry that ends unfilled cancels its exits, one that filled some leaves them working',
      'OCO groups: the first fill of a member, even partial, cancels the others; OUO groups: a fill reduces the others by its quantity; a member cancelled on request cancels its group',
    ];
  }

  protected reject(orderId: OrderId, ts: number, reason: string): void {
    this.emit({ kind: 'OrderRejected', ts, orderId, reason });
  }

  protected emit(event: OrderEvent): void {
    this.emitting++;
    this.sink.onOrderEvent(event);
    this.emitting--;
  }
}
