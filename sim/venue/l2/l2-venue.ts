import { InvalidArgumentError, InvariantError, TimeTravelError } from '../../../engine/core/index.js';
import type { OrderId, Symbol_ } from '../../../engine/core/index.js';
import type { Liquidity, Order, OrderChanges } from '../../../engine/model/index.js';
import { OrderCore, tolerance } from '../order-core.js';
import type { OrderEventSink } from '../order-core.js';
import { createImpactModel } from './impact-model.js';
import type { ImpactModel } from './impact-model.js';
import { L2Order } from './l2-order.js';
import type { L2VenueConfig } from './l2-venue-config.js';
import { ASK, BID, BookChange, OrderBook } from './order-book.js';
import type { BookRepairCounters } from './order-book.js';
import { createQueueModel } from './queue-model.js';
import type { QueueModel } from './queue-model.js';

/** What one order took from the book as a taker, against the mid price when it arrived. */
export interface TakerExecution {
  readonly orderId: OrderId;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Arrival time at the venue. */
  readonly ts: number;
  readonly arrivalMid: number;
  readonly qty: number;
  readonly avgPrice: number;
  /** Cost against the arrival mid in basis points: positive when the order paid more than the mid (buy) or received less (sell). */
  readonly slippageBps: number;
  /** Book levels the order walked. */
  readonly levels: number;
}

/** Liquidity taken by own orders at one level (for the impact model). */
interface Taken {
  amount: number;
  ts: number;
}

/**
 * A simulated exchange driven by L2 (market-by-price) data. It implements the engine's
 * ExecutionClient port structurally (`submit`, `cancel`, `replace`, `assumptions`) and reports
 * through an OrderEventSink, like {@link SimulatedVenue}; the replay loop feeds it the book rows
 * (`onBookDelta`), trade prints (`onTrade`) and time (`onTimeAdvance`) at exchange time, before any
 * strategy could see them. Latency is not its concern: {@link LatencyLink} delays what goes in and out.
 *
 * **Matching.** A market order walks the opposite side of the replayed book from the touch, one fill
 * per level at the level's price (taker), until filled or the displayed depth runs out; the rest is
 * cancelled. A limit order that crosses on arrival does the same up to its limit price; the rest
 * rests at its limit price (GTC, DAY), or is cancelled (IOC). FOK fills completely on arrival (what
 * reduce-only would clip counts as unfillable) or is cancelled. A post-only order that would cross is
 * rejected. Stop orders are rejected, except a bracket's stop-loss: it waits off the book until the
 * opposite touch or a trade print reaches its stop, then walks the book as a market order. A resting order joins the back of its level's queue; a {@link QueueModel} moves it forward on trades at its
 * price and on size decreases of its level. A trade print fills resting orders the queue model
 * puts at the front (and those priced through the print) as makers at their limit price, never more in
 * total than the print's size. When the replayed book moves through a resting order's price (the
 * opposite touch reaches it), the order fills as a maker at its limit price against the displayed
 * opposite size at or better than its price.
 *
 * **No impact.** Own orders never alter the replayed book. Within one state of a level (until the
 * feed changes it) own orders share its displayed size, so fills never exceed displayed liquidity;
 * an optional {@link ImpactModel} instead lets taken depth recover over a half-life.
 */
export class L2Venue extends OrderCore<L2Order> {
  readonly config: L2VenueConfig;
  private readonly books: OrderBook[];
  private readonly queue: QueueModel;
  private readonly impact: ImpactModel;
  /** Resting orders per symbol. */
  private readonly resting: L2Order[][];
  /** Stops waiting for their trigger per symbol, in arrival order (bracket stop-losses). */
  private readonly stops: L2Order[][];
  /** Bracket exits released by their entry's fill, to arrive once the event that filled it is done. */
  private readonly releasedExits: L2Order[] = [];
  /** Highest resting buy tick and lowest resting sell tick per symbol (-+Infinity when none). */
  private readonly ownBestBuy: Float64Array;
  private readonly ownBestSell: Float64Array;
  private readonly lastTs: Float64Array;
  /** Liquidity taken per symbol and side (index 2s for bids, 2s + 1 for asks), by tick. */
  private readonly taken: Map<number, Taken>[];
  private takenLevels = 0;
  private readonly scratch: L2Order[] = [];
  private readonly executions: TakerExecution[] = [];
  /** Levels walked by the taking order in progress. */
  private levelsWalked = 0;

  constructor(config: L2VenueConfig, sink: OrderEventSink, symbols: readonly (Symbol_ | string)[]) {
    super(sink, symbols, config.fees);
    this.config = config;
    this.queue = createQueueModel(config.queue, 'venue.queue');
    this.impact = createImpactModel(config.impact, 'venue.impact');
    this.books = this.symbols.map(
      (s) => new OrderBook({ tickSize: config.tickSizes[s] ?? config.tickSize, fullDepth: config.fullDepth, repair: config.repair, name: `book:${s}` }),
    );
    const n = this.symbols.length;
    this.resting = this.symbols.map(() => []);
    this.stops = this.symbols.map(() => []);
    this.ownBestBuy = new Float64Array(n).fill(-Infinity);
    this.ownBestSell = new Float64Array(n).fill(Infinity);
    this.lastTs = new Float64Array(n).fill(-Infinity);
    this.taken = Array.from({ length: 2 * n }, () => new Map<number, Taken>());
  }

  /** Forgets every order, book, position and id so the same venue can serve another run. */
  reset(): void {
    this.resetCore();
    for (const b of this.books) b.reset();
    for (const r of this.resting) r.length = 0;
    for (const r of this.stops) r.length = 0;
    this.releasedExits.length = 0;
    this.ownBestBuy.fill(-Infinity);
    this.ownBestSell.fill(Infinity);
    this.lastTs.fill(-Infinity);
    for (const t of this.taken) t.clear();
    this.takenLevels = 0;
    this.executions.length = 0;
  }

  // ---------------------------------------------------------------- read-only views

  /** Returns the replayed (exchange-side) book of symbol `symbolIndex`. */
  book(symbolIndex: number): OrderBook {
    const b = this.books[symbolIndex];
    if (b === undefined) throw new InvalidArgumentError(`invalid 'symbolIndex': no such symbol, was ${symbolIndex}`);
    return b;
  }

  /** Returns the repair counters of every symbol's book, by symbol. */
  repairCounters(): Record<string, BookRepairCounters> {
    const out: Record<string, BookRepairCounters> = {};
    this.symbols.forEach((s, i) => (out[s] = { ...this.books[i]!.counters }));
    return out;
  }

  /** Returns the estimated queue ahead of working order `orderId` (NaN unless it rests). */
  queueAhead(orderId: OrderId): number {
    const o = this.byId.get(orderId);
    return o !== undefined && o.resting ? Math.max(0, o.front) : Number.NaN;
  }

  /** Returns, per order that took liquidity, its average price and slippage against the arrival mid. */
  takerExecutions(): readonly TakerExecution[] {
    return this.executions;
  }

  // ---------------------------------------------------------------- ExecutionClient

  /**
   * Receives `order` at venue time `ts`: rejects it (OrderRejected naming the field and value) or
   * accepts it (OrderAccepted) and matches it at once against the replayed book. Throws
   * InvariantError when the order id is already working.
   */
  submit(order: Readonly<Order>, ts: number): void {
    const s = this.admit(order, ts);
    if (s < 0) return;
    // A bracket's stop-loss is the one stop the L2 venue takes: it waits for the touch or a print.
    const bracketStop = order.type === 'stop' && order.link !== null && order.link.parentId !== null;
    if ((order.type === 'stop' || order.type === 'stop_limit') && !bracketStop) {
      return this.reject(order.id, ts, `invalid 'type': ${order.type} orders are not supported by the L2 venue, was "${order.type}"`);
    }
    const book = this.books[s]!;
    const buy = order.side === 'buy';
    let limitTick = buy ? Infinity : -Infinity;
    let limitPrice = Number.NaN;
    if (order.type === 'limit') {
      limitPrice = order.limitPrice!;
      limitTick = book.toTick(limitPrice);
      if (Math.abs(book.toPrice(limitTick) - limitPrice) > 1e-9 * Math.max(1, limitPrice)) {
        return this.reject(order.id, ts, `invalid 'limitPrice': not a multiple of the tick size ${book.tickSize}, was ${limitPrice}`);
      }
      if (order.postOnly && this.crosses(book, order.side === 'buy' ? 1 : -1, limitTick)) {
        const touch = buy ? `best ask ${book.bestAsk}` : `best bid ${book.bestBid}`;
        return this.reject(order.id, ts, `post-only: limit ${limitPrice} would take liquidity (${touch})`);
      }
    }
    const o = new L2Order(order, s, this.seq++, ts, limitTick);
    this.accept(o, ts);
    if (!o.dormant) this.arrive(o, ts);
    this.arriveReleased(ts);
  }

  /**
   * Cancels a working order (OrderCancelled). A request for an unknown or finished order (a fill
   * that happened before the cancel arrived stands) emits nothing and is kept in
   * {@link requestRejections}.
   */
  cancel(orderId: OrderId, ts: number): void {
    this.cancelOnRequest(orderId, ts);
    this.arriveReleased(ts);
  }

  /**
   * Changes a working limit order's quantity (above what has filled) or limit price and emits
   * OrderReplaced. A quantity decrease keeps the queue position; a price change or a quantity
   * increase loses it (the order joins the back of its new level). A new price that crosses matches
   * at once as a taker (a post-only order's replace is refused instead). Refusals emit nothing and
   * are kept in {@link requestRejections}.
   */
  replace(orderId: OrderId, changes: OrderChanges, ts: number): void {
    const o = this.byId.get(orderId);
    if (!this.replaceable(o, orderId, changes, ts)) return;
    const book = this.books[o.symbolIndex]!;
    const qty = changes.qty ?? o.qty;
    let tick = o.limitTick;
    if (changes.limitPrice !== undefined) {
      const p = changes.limitPrice;
      tick = book.toTick(p);
      if (Math.abs(book.toPrice(tick) - p) > 1e-9 * Math.max(1, p)) return this.refuse(ts, orderId, 'replace', `invalid 'limitPrice': not a multiple of the tick size ${book.tickSize}, was ${p}`);
      if (o.postOnly && this.crosses(book, o.sign, tick)) return this.refuse(ts, orderId, 'replace', `post-only: limit ${p} would take liquidity`);
    }
    const losesPriority = tick !== o.limitTick || qty > o.qty;
    this.applyReplace(o, changes, ts);
    if (o.dormant) {
      o.limitTick = tick;
      return;
    }
    if (o.type === 'stop') {
      if (o.stopWaiting && this.stopReached(o, Number.NaN)) this.triggerStop(o, ts);
    } else if (losesPriority) {
      if (o.resting) this.unrest(o);
      o.limitTick = tick;
      o.seq = this.seq++;
      this.arrive(o, ts);
    }
    this.arriveReleased(ts);
  }

  /** Returns every rule in force, in words, for the report. */
  assumptions(): string[] {
    const out: string[] = [];
    out.push('Fills come from the replayed L2 book (market-by-price levels in integer ticks) and trade prints');
    out.push('Market orders walk the opposite side of the book from the touch, one fill per level at that level\'s price (taker); what the displayed depth cannot fill is cancelled');
    out.push('A limit order that crosses on arrival takes liquidity up to its limit price as a taker; the rest rests at its limit price (GTC, DAY) or is cancelled (IOC)');
    out.push('FOK orders fill completely on arrival against the displayed depth (and within what reduce-only allows) or are cancelled; post-only orders that would cross are rejected; stop orders are rejected');
    out.push('A resting order joins the back of the queue at its level (the displayed size is ahead of it)');
    out.push(this.queue.describe());
    out.push('A trade print fills resting orders at the front of the queue (and orders priced through the print) as makers at their limit price; one print fills own orders for at most its size, in price then arrival priority');
    out.push('Prints without an aggressor side hit the side they touch (at or above the best ask: asks; at or below the best bid: bids); inside the spread they advance no queue');
    out.push('When the replayed book moves through a resting order (the opposite touch reaches its price), the order fills as a maker at its limit price against the displayed opposite size at or better than its price');
    out.push(this.impact.describe());
    out.push('A replace that changes the price or raises the quantity loses queue priority; lowering the quantity keeps it');
    out.push(this.fees.describe());
    out.push('DAY orders expire at the end of the UTC day of arrival at the venue');
    out.push("Reduce-only fills are clipped to the venue's net position; with nothing to reduce the order is cancelled");
    out.push(`Limit prices must be multiples of the tick size (${this.config.tickSize} unless set per symbol${Object.keys(this.config.tickSizes).length > 0 ? `: ${Object.entries(this.config.tickSizes).map(([s, t]) => `${s} ${t}`).join(', ')}` : ''})`);
    out.push(
      {
        error: 'Invalid book rows (crossed or locked book, negative size, invalid price, delete of an absent level under full depth) stop the run with an error naming the row',
        'skip-event': 'Invalid book rows are skipped and counted (a crossing row is not applied)',
        'drop-crossed-levels': 'A book row that crosses the book is applied and the stale opposite levels it crosses are dropped (counted); other invalid rows are skipped and counted',
      }[this.config.repair],
    );
    out.push(this.config.fullDepth ? 'The feed lists every level: a delete of an absent level is invalid' : 'The feed may omit levels: a delete of an absent level is ignored');
    out.push('Cancel or replace requests for unknown or finished orders are refused without an event (a fill that happened before the cancel arrived stands)');
    if (this.sawContingent) {
      out.push("A bracket's stop-loss waits off the book and triggers when the opposite touch or a trade print reaches its stop price (buy: ask or print at or above, sell: bid or print at or below), then walks the book as a market order");
    }
    out.push(...this.contingencyAssumptions());
    out.push(...this.fillDenialAssumptions());
    return out;
  }

  // ---------------------------------------------------------------- market data

  /**
   * Applies one book row of symbol `symbolIndex` at exchange time `ts` (`row` names it in errors),
   * then moves the queue positions of own orders resting at the changed level and fills those the
   * book moved through. Costs one book update and a counter check when no own order rests.
   */
  onBookDelta(symbolIndex: number, ts: number, side: number, price: number, size: number, action: number, flags: number, row = -1): void {
    const last = this.lastTs[symbolIndex];
    if (last === undefined) throw new InvalidArgumentError(`invalid 'symbolIndex': no such symbol, was ${symbolIndex}`);
    if (!(ts >= last)) throw new TimeTravelError(`venue: book row of "${this.symbols[symbolIndex]}" at ${ts} is before the previous event at ${last}`);
    this.lastTs[symbolIndex] = ts;
    const book = this.books[symbolIndex]!;
    book.apply(side, price, size, action, flags, ts, row);
    const change = book.lastChange;
    if (change === BookChange.None) return;
    if (this.takenLevels > 0 && this.impact.resetOnUpdate) this.forgetTaken(symbolIndex, change, book);
    const list = this.resting[symbolIndex]!;
    if (list.length === 0) return this.afterEvent(symbolIndex, ts, Number.NaN);
    const q = this.queue;
    if (change === BookChange.Level) {
      const tick = book.lastTick;
      const bookSide = book.lastSide;
      const newSize = book.lastSize;
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        if (o.limitTick === tick && o.sign === bookSide) {
          q.onDepth(o, o.levelSize, newSize);
          o.levelSize = newSize;
        }
      }
    } else {
      for (let i = 0; i < list.length; i++) {
        const o = list[i]!;
        const newSize = book.sizeAt(o.sign, o.limitTick);
        if (newSize !== o.levelSize) {
          q.onDepth(o, o.levelSize, newSize);
          o.levelSize = newSize;
        }
      }
    }
    if (this.ownBestBuy[symbolIndex]! >= book.bestAskTick || this.ownBestSell[symbolIndex]! <= book.bestBidTick) {
      this.fillCrossedResting(symbolIndex, ts);
    }
    this.afterEvent(symbolIndex, ts, Number.NaN);
  }

  /**
   * Processes a trade print of symbol `symbolIndex` at exchange time `ts` (`side`: aggressor, 1
   * buyer, -1 seller, 0 unknown): advances the queues at the print's price and fills resting orders
   * at the front of the queue or priced through the print.
   */
  onTrade(symbolIndex: number, ts: number, price: number, size: number, side: number): void {
    const last = this.lastTs[symbolIndex];
    if (last === undefined) throw new InvalidArgumentError(`invalid 'symbolIndex': no such symbol, was ${symbolIndex}`);
    if (!(ts >= last)) throw new TimeTravelError(`venue: trade of "${this.symbols[symbolIndex]}" at ${ts} is before the previous event at ${last}`);
    if (!(price > 0 && price < Infinity && size >= 0 && size < Infinity)) {
      throw new InvariantError(`venue: invalid trade of "${this.symbols[symbolIndex]}" at ${ts}: price ${price}, size ${size}, side ${side}`);
    }
    this.lastTs[symbolIndex] = ts;
    const list = this.resting[symbolIndex]!;
    if (list.length === 0) return this.afterEvent(symbolIndex, ts, price);
    const book = this.books[symbolIndex]!;
    const tick = book.toTick(price);
    let aggressor = side > 0 ? 1 : side < 0 ? -1 : 0;
    if (aggressor === 0) aggressor = tick >= book.bestAskTick ? 1 : tick <= book.bestBidTick ? -1 : 0;
    // The print hits resting orders of the other side: a buyer hits sells (asks), a seller hits buys.
    const scratch = this.scratch;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      const hit = aggressor === 1 ? o.sign === -1 && o.limitTick <= tick : aggressor === -1 ? o.sign === 1 && o.limitTick >= tick : o.sign === 1 ? o.limitTick > tick : o.limitTick < tick;
      if (!hit) continue;
      if (o.limitTick === tick) this.queue.onTrade(o, size);
      this.insertByPriority(scratch, o);
    }
    let budget = size;
    for (let i = 0; i < scratch.length; i++) {
      const o = scratch[i]!;
      // A fill of an earlier one may have cancelled it (its OCO partner).
      if (!o.active) continue;
      const through = o.limitTick !== tick;
      const eligible = through ? o.leaves : Math.min(o.leaves, -o.front);
      const qty = Math.min(eligible, budget);
      if (qty > 0) {
        budget -= qty;
        if (!through) o.front += qty;
        this.fill(o, qty, o.limitPrice, 'maker', ts);
      }
      if (o.active && o.front < 0) o.front = 0;
    }
    if (scratch.length !== 0) scratch.length = 0;
    this.afterEvent(symbolIndex, ts, price);
  }

  /** Expires DAY orders whose day ended at or before `ts`. O(1) when none is due. */
  onTimeAdvance(ts: number): void {
    this.expireAllDue(ts);
  }

  // ---------------------------------------------------------------- matching

  /** True when a `sign` order limited at `tick` would take liquidity from `book` now. */
  private crosses(book: OrderBook, sign: number, tick: number): boolean {
    return sign === 1 ? tick >= book.bestAskTick : tick <= book.bestBidTick;
  }

  /**
   * After a book row or print of symbol `s` (`print`: its price, NaN for a book row): triggers the
   * waiting stops it reached, in arrival order, then lets released bracket exits arrive.
   */
  private afterEvent(s: number, ts: number, print: number): void {
    const stops = this.stops[s]!;
    if (stops.length !== 0) {
      for (const o of stops.slice()) if (o.active && o.stopWaiting && this.stopReached(o, print)) this.triggerStop(o, ts);
    }
    this.arriveReleased(ts);
  }

  /** True when the opposite touch, or the print at `print` (NaN for none), reached stop `o`'s price. */
  private stopReached(o: L2Order, print: number): boolean {
    const book = this.books[o.symbolIndex]!;
    const stop = o.stopPrice;
    if (o.sign === 1) return (!book.snapshotPending && book.bestAsk >= stop) || print >= stop;
    return (!book.snapshotPending && book.bestBid <= stop) || print <= stop;
  }

  /** Triggers a waiting stop (OrderTriggered) and lets it walk the book as a market order. */
  private triggerStop(o: L2Order, ts: number): void {
    this.unwait(o);
    o.triggered = true;
    this.emit({ kind: 'OrderTriggered', ts, orderId: o.id });
    this.arrive(o, ts);
  }

  private unwait(o: L2Order): void {
    const list = this.stops[o.symbolIndex]!;
    list.splice(list.indexOf(o), 1);
    o.stopWaiting = false;
  }

  /** A dormant bracket exit was released by its entry's fill: it arrives once the current event is done. */
  protected override activated(o: L2Order): void {
    this.releasedExits.push(o);
  }

  /** Lets the released bracket exits arrive, in release order. */
  private arriveReleased(ts: number): void {
    const list = this.releasedExits;
    while (list.length !== 0) {
      const o = list.shift()!;
      if (o.active) this.arrive(o, ts);
    }
  }

  /** Matches an order on arrival (or after a replace that moved it) and rests, cancels or keeps it. */
  private arrive(o: L2Order, ts: number): void {
    if (o.type === 'stop' && !o.triggered) {
      if (!this.stopReached(o, Number.NaN)) {
        o.stopWaiting = true;
        this.stops[o.symbolIndex]!.push(o);
        return;
      }
      o.triggered = true;
      this.emit({ kind: 'OrderTriggered', ts, orderId: o.id });
    }
    const book = this.books[o.symbolIndex]!;
    o.arrivalMid = book.snapshotPending ? Number.NaN : book.mid;
    o.takerQty = 0;
    o.takerNotional = 0;
    const tif = o.timeInForce;
    if (tif === 'FOK') {
      // All or nothing: what reduce-only would clip counts as unfillable, as on the bar venue.
      const reducible = this.clipReduceOnly(o, o.leaves, ts);
      if (reducible < 0) return;
      const available = this.available(o, ts);
      if (Math.min(available, reducible) < o.leaves - tolerance(o.leaves)) {
        const what = reducible < available ? `reducible (position ${this.positions[o.symbolIndex]})` : 'displayed within the limit';
        return this.cancelWith(o, ts, `FOK: only ${Math.min(available, reducible)} of ${o.leaves} ${what}`);
      }
    }
    if (!book.snapshotPending) this.take(o, ts);
    if (o.takerQty > 0) this.recordExecution(o, ts);
    if (!o.active) return;
    if (o.type === 'market' || o.type === 'stop') {
      return this.cancelWith(o, ts, `${o.type === 'stop' ? 'triggered stop' : 'market order'}: ${o.leaves} unfilled after the displayed depth was exhausted`);
    }
    if (o.immediate) return this.cancelUnfilled(o, ts);
    this.rest(o);
  }

  /** Returns the quantity `o` could take now within its limit (displayed minus what own orders took). */
  private available(o: L2Order, ts: number): number {
    const book = this.books[o.symbolIndex]!;
    if (book.snapshotPending) return 0;
    const side = -o.sign;
    let total = 0;
    for (let t = side === ASK ? book.bestAskTick : book.bestBidTick; t === t && (side === ASK ? t <= o.limitTick : t >= o.limitTick); t = book.nextTick(side, t)) {
      total += Math.max(0, book.sizeAt(side, t) - this.takenAt(o.symbolIndex, side, t, ts));
    }
    return total;
  }

  /** Walks the opposite side within `o`'s limit, filling `o` as a taker level by level. */
  private take(o: L2Order, ts: number): void {
    const book = this.books[o.symbolIndex]!;
    const side = -o.sign;
    this.levelsWalked = 0;
    for (let t = side === ASK ? book.bestAskTick : book.bestBidTick; t === t && o.active && (side === ASK ? t <= o.limitTick : t >= o.limitTick); t = book.nextTick(side, t)) {
      const avail = book.sizeAt(side, t) - this.takenAt(o.symbolIndex, side, t, ts);
      if (!(avail > 0)) continue;
      const qty = Math.min(o.leaves, avail);
      const px = book.toPrice(t);
      const done = this.fill(o, qty, px, 'taker', ts);
      if (done > 0) {
        this.addTaken(o.symbolIndex, side, t, done, ts);
        o.takerQty += done;
        o.takerNotional += done * px;
        this.levelsWalked++;
      }
    }
  }

  /** Fills resting orders that the replayed book moved through, in price then arrival priority. */
  private fillCrossedResting(s: number, ts: number): void {
    const book = this.books[s]!;
    const list = this.resting[s]!;
    const scratch = this.scratch;
    for (let i = 0; i < list.length; i++) {
      const o = list[i]!;
      if (this.crosses(book, o.sign, o.limitTick)) this.insertByPriority(scratch, o);
    }
    for (let i = 0; i < scratch.length; i++) {
      const o = scratch[i]!;
      const side = -o.sign;
      for (let t = side === ASK ? book.bestAskTick : book.bestBidTick; t === t && o.active && (side === ASK ? t <= o.limitTick : t >= o.limitTick); t = book.nextTick(side, t)) {
        const avail = book.sizeAt(side, t) - this.takenAt(s, side, t, ts);
        if (!(avail > 0)) continue;
        const done = this.fill(o, Math.min(o.leaves, avail), o.limitPrice, 'maker', ts);
        if (done > 0) this.addTaken(s, side, t, done, ts);
      }
      // It is now first in line at its price: nothing displayed there is ahead of it any more.
      if (o.active) o.front = 0;
    }
    if (scratch.length !== 0) scratch.length = 0;
  }

  /** Inserts `o` into `list` by price priority (better first), then arrival. Lists are short. */
  private insertByPriority(list: L2Order[], o: L2Order): void {
    let j = list.length;
    list.push(o);
    while (j > 0) {
      const prev = list[j - 1]!;
      const better = o.sign === 1 ? prev.limitTick > o.limitTick : prev.limitTick < o.limitTick;
      if (better || (prev.limitTick === o.limitTick && prev.seq < o.seq)) break;
      list[j] = prev;
      j--;
    }
    list[j] = o;
  }

  private rest(o: L2Order): void {
    const s = o.symbolIndex;
    const book = this.books[s]!;
    o.resting = true;
    o.levelSize = book.sizeAt(o.sign, o.limitTick);
    this.queue.onJoin(o, o.levelSize);
    this.resting[s]!.push(o);
    if (o.sign === 1) {
      if (o.limitTick > this.ownBestBuy[s]!) this.ownBestBuy[s] = o.limitTick;
    } else if (o.limitTick < this.ownBestSell[s]!) {
      this.ownBestSell[s] = o.limitTick;
    }
  }

  private unrest(o: L2Order): void {
    const s = o.symbolIndex;
    const list = this.resting[s]!;
    const at = list.indexOf(o);
    if (at >= 0) list.splice(at, 1);
    o.resting = false;
    let buy = -Infinity;
    let sell = Infinity;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.sign === 1) buy = Math.max(buy, r.limitTick);
      else sell = Math.min(sell, r.limitTick);
    }
    this.ownBestBuy[s] = buy;
    this.ownBestSell[s] = sell;
  }

  // ---------------------------------------------------------------- taken liquidity (impact)

  private takenAt(s: number, side: number, tick: number, ts: number): number {
    if (this.takenLevels === 0) return 0;
    const e = this.taken[2 * s + (side === BID ? 0 : 1)]!.get(tick);
    return e === undefined ? 0 : this.impact.remaining(e.amount, ts - e.ts);
  }

  private addTaken(s: number, side: number, tick: number, qty: number, ts: number): void {
    const map = this.taken[2 * s + (side === BID ? 0 : 1)]!;
    const e = map.get(tick);
    if (e === undefined) {
      map.set(tick, { amount: qty, ts });
      this.takenLevels++;
    } else {
      e.amount = this.impact.remaining(e.amount, ts - e.ts) + qty;
      e.ts = ts;
    }
  }

  /** Under no impact, forgets what own orders took at levels the feed just changed. */
  private forgetTaken(s: number, change: number, book: OrderBook): void {
    if (change === BookChange.Level) {
      const map = this.taken[2 * s + (book.lastSide === BID ? 0 : 1)]!;
      if (map.delete(book.lastTick)) this.takenLevels--;
      return;
    }
    for (const k of [2 * s, 2 * s + 1]) {
      const map = this.taken[k]!;
      this.takenLevels -= map.size;
      map.clear();
    }
  }

  // ---------------------------------------------------------------- fills and lifecycle

  /**
   * Fills up to `qty` of `o` at `price`, clipped by reduce-only (which cancels the order when there
   * is nothing to reduce) and by the account (which denies the rest). Returns the quantity filled.
   */
  private fill(o: L2Order, qty: number, price: number, liquidity: Liquidity, ts: number): number {
    const wanted = Math.min(qty, o.leaves);
    const q = this.clipReduceOnly(o, wanted, ts);
    if (!(q > 0)) return 0;
    return this.bookFill(o, q, price, liquidity, ts, q < wanted);
  }

  private recordExecution(o: L2Order, ts: number): void {
    const avg = o.takerNotional / o.takerQty;
    const mid = o.arrivalMid;
    this.executions.push({
      orderId: o.id,
      symbol: o.symbol,
      side: o.side,
      ts,
      arrivalMid: mid,
      qty: o.takerQty,
      avgPrice: avg,
      slippageBps: mid === mid ? (o.sign * (avg - mid) / mid) * 10_000 : Number.NaN,
      levels: this.levelsWalked,
    });
  }

  /** Takes a finished order off the book. */
  protected released(o: L2Order): void {
    if (o.resting) this.unrest(o);
    else if (o.stopWaiting) this.unwait(o);
  }
}
