import { CodedColumn, Float64Column, Int32Column } from '../core/columns.js';
import { InvariantError } from '../core/errors.js';
import type { OrderId, StrategyId } from '../core/ids.js';
import { textOf } from '../model/events.js';
import type { DeferredText } from '../model/events.js';
import { ORDER_SIDES, ORDER_STATUSES, ORDER_TYPES, TIMES_IN_FORCE, isTerminal, linkText, statusIndex } from '../model/orders.js';
import type { Order, OrderLink, OrderRecord, OrderSide, OrderStatus, OrderType, TimeInForce } from '../model/orders.js';

/** An order as `ExecutionEngine.order(id)` returns it: the live order, or the record of a finished one. */
export type OrderView = Omit<OrderRecord, 'link'> & { readonly leavesQty: number; readonly link?: OrderLink | null };

/** Where an id's bytes are written (the run hash's text buffer). */
export interface IdBytes {
  /** Appends one ASCII byte. */
  byte(c: number): void;
  /** Appends a non-negative integer in decimal. */
  decimal(n: number): void;
}

/** The id of the order at a row. */
export function idOfRow(row: number): OrderId {
  return `O-${row + 1}` as OrderId;
}

/**
 * The number n of an id `<letter>-<n>` (n >= 1 in decimal, without leading zeros, as IdSequence and
 * the order log write them), or -1 for any other string.
 */
export function sequenceNumber(id: string, letter: number): number {
  const n = id.length;
  if (n < 3 || n > 17 || id.charCodeAt(0) !== letter || id.charCodeAt(1) !== 45 || id.charCodeAt(2) === 48) return -1;
  let v = 0;
  for (let i = 2; i < n; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** The row an id names ('O-' then row + 1), or a negative number for any other string. */
export function rowInId(id: string): number {
  return sequenceNumber(id, 79) - 1;
}

/**
 * An order's side, type, time in force and reduce-only flag as one number (side | type << 1 |
 * timeInForce << 3 | reduceOnly << 5; each the place of the value in ORDER_SIDES, ORDER_TYPES,
 * TIMES_IN_FORCE). Comparisons with the constant strings, not map lookups: this runs for every order.
 */
function flagsOf(o: Order): number {
  const type = o.type;
  const tif = o.timeInForce;
  const typeCode = type === 'limit' ? 1 : type === 'stop' ? 2 : type === 'stop_limit' ? 3 : 0;
  const tifCode = tif === 'DAY' ? 1 : tif === 'IOC' ? 2 : tif === 'FOK' ? 3 : 0;
  return (o.side === 'sell' ? 1 : 0) | (typeCode << 1) | (tifCode << 3) | ((o.reduceOnly ? 1 : 0) << 5);
}

/**
 * The working (unfinished) orders of a log by row: the rows in ascending order beside their orders, a few at a
 * time in a run. A row is found by a search from the newest (the row an event names is nearly always among the
 * last few), by bisection past 16. Kept apart from the columns rather than as a pointer per row: a run of 100k
 * orders grew an array of 100k slots, each new Order stored into it once promoted (a remembered-set entry for
 * the scavenger) and the slot let go at its finish.
 */
class LiveOrders {
  private readonly rows: number[] = [];
  private readonly orders: Order[] = [];

  /** Adds the order of a row above every row held. */
  add(row: number, order: Order): void {
    this.rows.push(row);
    this.orders.push(order);
  }

  /** The place of a row in `rows`, or -1. */
  private find(row: number): number {
    const rows = this.rows;
    const n = rows.length;
    if (n <= 16) {
      for (let k = n - 1; k >= 0; k--) {
        const r = rows[k]!;
        if (r === row) return k;
        if (r < row) return -1;
      }
      return -1;
    }
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = rows[mid]!;
      if (r === row) return mid;
      if (r < row) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  get(row: number): Order | undefined {
    const k = this.find(row);
    return k < 0 ? undefined : this.orders[k];
  }

  /** Lets the order of a row go (a no-op for a row not held). */
  delete(row: number): void {
    const k = this.find(row);
    if (k < 0) return;
    const rows = this.rows;
    const orders = this.orders;
    // In place: splice allocates the array of what it removed.
    for (let j = k + 1; j < rows.length; j++) {
      rows[j - 1] = rows[j]!;
      orders[j - 1] = orders[j]!;
    }
    rows.pop();
    orders.pop();
  }

  /** Calls `visit` with each row held and its order, in row order. */
  forEach(visit: (row: number, order: Order) => void): void {
    for (let k = 0; k < this.rows.length; k++) visit(this.rows[k]!, this.orders[k]!);
  }

  clear(): void {
    this.rows.length = 0;
    this.orders.length = 0;
  }
}

/**
 * Every order of a run in submission order. A working order is held as its Order object; once it is
 * finished (filled, cancelled, expired, rejected or denied) its final state moves into columns and the
 * object is let go, so a run of thousands of orders keeps a few live objects instead of thousands
 * (see engine/core/columns.ts). Rows are numbered from 0 in submission order. Its columns are the run
 * result's `records.orders`.
 */
export class OrderLog {
  private readonly live = new LiveOrders();
  /** The owning strategy (ledger) index of every row: its length is the log's. */
  private readonly strategy = new Int32Column();
  // Set when the order is added. Coded: these repeat from order to order (see CodedColumn).
  private readonly symbol = new CodedColumn<string>();
  private readonly strategyId = new CodedColumn<StrategyId | null>();
  private readonly tag = new CodedColumn<string | null>();
  private readonly link = new CodedColumn<OrderLink | null>();
  private readonly flags = new Int32Column(); // side | type << 1 | timeInForce << 3 | reduceOnly << 5
  private readonly tsCreated = new Float64Column();
  // Set when the order finishes.
  private readonly status = new Int32Column();
  private readonly qty = new Float64Column();
  private readonly limitPrice = new Float64Column(); // NaN for none
  private readonly stopPrice = new Float64Column(); // NaN for none
  private readonly filledQty = new Float64Column();
  private readonly avgFillPrice = new Float64Column();
  /** A deferred reason (an account denial nobody read during the run) is made into text when read. */
  private readonly reason = new CodedColumn<string | DeferredText | null>();

  /** Number of orders. */
  get length(): number {
    return this.strategy.length;
  }

  /**
   * The id the next order gets: `O-<row + 1>`. Ids are a function of the row, so the log keeps no
   * id strings and finds an order's row by reading its id.
   */
  nextId(): OrderId {
    return idOfRow(this.strategy.length);
  }

  /** The id the order `k` places after the next one gets (`idAfter(0)` is {@link nextId}): a bracket names its exits before they exist. */
  idAfter(k: number): OrderId {
    return idOfRow(this.strategy.length + k);
  }

  /** Appends a new order (its id from {@link nextId}) owned by the strategy (ledger) at `strategyIndex`; returns its row. */
  add(order: Order, strategyIndex: number): number {
    const row = this.strategy.length;
    if (rowInId(order.id) !== row) throw new InvariantError(`order log: order ${order.id} does not have the next id ${idOfRow(row)}`);
    this.live.add(row, order);
    this.strategy.push(strategyIndex);
    this.symbol.push(order.symbol);
    this.strategyId.push(order.strategyId);
    this.tag.push(order.tag);
    this.link.push(order.link);
    this.flags.push(flagsOf(order));
    this.tsCreated.push(order.tsCreated);
    this.status.push(-1);
    this.qty.push(Number.NaN);
    this.limitPrice.push(Number.NaN);
    this.stopPrice.push(Number.NaN);
    this.filledQty.push(Number.NaN);
    this.avgFillPrice.push(Number.NaN);
    this.reason.push(null);
    return row;
  }

  /** The row of an order id, or undefined for an id this log never saw. */
  rowOfId(id: string): number | undefined {
    const row = rowInId(id);
    return row >= 0 && row < this.strategy.length ? row : undefined;
  }

  /** The live (unfinished) order at a row, or undefined once it is finished. */
  liveAt(row: number): Order | undefined {
    return this.live.get(row);
  }

  /** The strategy (ledger) index that owns the order at a row. */
  strategyAt(row: number): number {
    return this.strategy.get(row);
  }

  /** Moves a finished order's final state into the columns and lets the object go; `reason`, when given, is its reason (deferred) in place of the order's. */
  finish(row: number, reason?: DeferredText): void {
    const o = this.live.get(row);
    if (o === undefined) return;
    if (!isTerminal(o.status)) throw new InvariantError(`order ${o.id} is not finished (${o.status})`);
    this.status.set(row, statusIndex(o.status));
    this.qty.set(row, o.qty);
    this.limitPrice.set(row, o.limitPrice ?? Number.NaN);
    this.stopPrice.set(row, o.stopPrice ?? Number.NaN);
    this.filledQty.set(row, o.filledQty);
    this.avgFillPrice.set(row, o.avgFillPrice);
    this.reason.set(row, reason ?? o.reason);
    this.live.delete(row);
  }

  /** The order at a row: the live order, or the record of a finished one. */
  view(row: number): OrderView {
    return this.live.get(row) ?? this.record(row);
  }

  /** The order at a row as plain data (its state now, for a live order). */
  record(row: number): OrderRecord & { readonly leavesQty: number } {
    const r = this.orderRecord(row) as OrderRecord & { leavesQty: number };
    r.leavesQty = r.qty - r.filledQty;
    return r;
  }

  /**
   * The order of row `row` as the result lists it: {@link record} without `leavesQty`, built as one
   * object (its `link` added last, as the key order of report.json has it) rather than copied from a
   * larger one: a run's result holds one per order.
   */
  private orderRecord(row: number): OrderRecord {
    const o = this.live.get(row);
    let r: { -readonly [K in keyof OrderRecord]: OrderRecord[K] };
    let link: OrderLink | null;
    if (o !== undefined) {
      r = {
        id: o.id,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        qty: o.qty,
        limitPrice: o.limitPrice,
        stopPrice: o.stopPrice,
        timeInForce: o.timeInForce,
        status: o.status,
        filledQty: o.filledQty,
        avgFillPrice: o.avgFillPrice,
        tsCreated: o.tsCreated,
        strategyId: o.strategyId,
        reduceOnly: o.reduceOnly,
        tag: o.tag,
        reason: o.reason,
      };
      link = o.link;
    } else {
      const limit = this.limitPrice.get(row);
      const stop = this.stopPrice.get(row);
      r = {
        id: idOfRow(row),
        symbol: this.symbol.get(row),
        side: this.sideAt(row),
        type: this.typeAt(row),
        qty: this.qty.get(row),
        limitPrice: limit === limit ? limit : null,
        stopPrice: stop === stop ? stop : null,
        timeInForce: this.timeInForceAt(row),
        status: this.statusAt(row),
        filledQty: this.filledQty.get(row),
        avgFillPrice: this.avgFillPrice.get(row),
        tsCreated: this.tsCreated.get(row),
        strategyId: this.strategyId.get(row),
        reduceOnly: this.reduceOnlyAt(row),
        tag: this.tag.get(row),
        reason: textOf(this.reason.get(row)),
      };
      link = this.link.get(row);
    }
    if (link !== null) r.link = link;
    return r;
  }

  /**
   * A numeric field of every order, as a new array (a live order's from its object; a limit or stop price
   * of null as NaN): the log's columns hold a live order's numbers only once it finishes.
   */
  column(field: 'qty' | 'limitPrice' | 'stopPrice' | 'filledQty' | 'avgFillPrice' | 'tsCreated'): Float64Array {
    const n = this.length;
    const out = new Float64Array(n);
    out.set(this[field].view());
    if (field === 'tsCreated') return out;
    this.live.forEach((row, o) => {
      out[row] = o[field] ?? Number.NaN;
    });
    return out;
  }

  /** The order's link (bracket, OCO/OUO group), or null for a plain order. */
  linkOf(row: number): OrderLink | null {
    return this.link.get(row);
  }
  reduceOnlyAt(row: number): boolean {
    return ((this.flags.get(row) >> 5) & 1) === 1;
  }
  tagAt(row: number): string | null {
    return this.tag.get(row);
  }
  reasonAt(row: number): string | null {
    const o = this.live.get(row);
    return o !== undefined ? o.reason : textOf(this.reason.get(row));
  }

  records(): OrderRecord[] {
    const out: OrderRecord[] = new Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.orderRecord(i);
    return out;
  }

  /** {@link records}: the name the run result's columns (`records.orders`) give it. */
  list(): OrderRecord[] {
    return this.records();
  }

  numbers(row: number, out: Float64Array, at: number): void {
    const o = this.live.get(row);
    if (o !== undefined) {
      out[at] = o.qty;
      out[at + 1] = o.limitPrice ?? Number.NaN;
      out[at + 2] = o.stopPrice ?? Number.NaN;
      out[at + 3] = o.filledQty;
      out[at + 4] = o.avgFillPrice;
    } else {
      out[at] = this.qty.get(row);
      out[at + 1] = this.limitPrice.get(row);
      out[at + 2] = this.stopPrice.get(row);
      out[at + 3] = this.filledQty.get(row);
      out[at + 4] = this.avgFillPrice.get(row);
    }
    out[at + 5] = this.tsCreated.get(row);
  }

  idAt(row: number): string {
    return idOfRow(row);
  }
  /** Writes the bytes of idAt(row) ('O-' and row + 1 in decimal) without building it (the run hash's lines). */
  writeIdAt(row: number, out: IdBytes): void {
    out.byte(79);
    out.byte(45);
    out.decimal(row + 1);
  }
  /**
   * The run hash's line key of a row (see HashableOrders.lineKey): its side, type and time in force (the low 5 bits
   * of its flags) and its status's place, below 512; -1 for an order with a link (its line has one more field).
   */
  lineKey(row: number): number {
    if (this.link.get(row) !== null) return -1;
    const o = this.live.get(row);
    const status = o !== undefined ? statusIndex(o.status) : this.status.get(row);
    return (this.flags.get(row) & 31) | (status << 5);
  }
  /** The order's link as text for the run hash (see linkText), or null for a plain order. */
  linkAt(row: number): string | null {
    const link = this.link.get(row);
    return link === null ? null : linkText(link);
  }
  strategyIdAt(row: number): string | null {
    return this.strategyId.get(row);
  }
  symbolAt(row: number): string {
    return this.symbol.get(row);
  }
  sideAt(row: number): OrderSide {
    return ORDER_SIDES[this.flags.get(row) & 1]!;
  }
  typeAt(row: number): OrderType {
    return ORDER_TYPES[(this.flags.get(row) >> 1) & 3]!;
  }
  timeInForceAt(row: number): TimeInForce {
    return TIMES_IN_FORCE[(this.flags.get(row) >> 3) & 3]!;
  }
  statusAt(row: number): OrderStatus {
    const o = this.live.get(row);
    return o !== undefined ? o.status : ORDER_STATUSES[this.status.get(row)]!;
  }

  clear(): void {
    this.live.clear();
    for (const c of [this.strategy, this.flags, this.tsCreated, this.status, this.qty, this.limitPrice, this.stopPrice, this.filledQty, this.avgFillPrice]) c.clear();
    for (const a of [this.symbol, this.strategyId, this.tag, this.link, this.reason]) a.clear();
  }
}
