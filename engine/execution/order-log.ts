import { InvariantError } from '../core/errors.js';
import { ORDER_ID_PREFIX } from '../core/ids.js';
import type { OrderId, StrategyId } from '../core/ids.js';
import { textOf } from '../model/events.js';
import type { DeferredText } from '../model/events.js';
import { ValueCodes } from '../core/columns.js';
import { LOG_INITIAL_ROWS, grownF64, grownI32 } from './log-rows.js';
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


/** 'O' and '-', the bytes of ORDER_ID_PREFIX (an id is `<letter>-<n>`: see sequenceNumber). */
const ORDER_LETTER = ORDER_ID_PREFIX.charCodeAt(0);
const ORDER_DASH = ORDER_ID_PREFIX.charCodeAt(1);

/** The id of the order at a row. */
export function idOfRow(row: number): OrderId {
  return `${ORDER_ID_PREFIX}${row + 1}` as OrderId;
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
  return sequenceNumber(id, ORDER_LETTER) - 1;
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

/** OrderLog's numbers of a row, in this order (places in its `num`). */
const NUM_TS_CREATED = 0;
const NUM_QTY = 1;
const NUM_LIMIT = 2; // NaN for none
const NUM_STOP = 3; // NaN for none
const NUM_FILLED = 4;
const NUM_AVG = 5;
const NUM_WIDTH = 6;
/** The place of each field OrderLog.column reads. */
const NUM_PLACE = { tsCreated: NUM_TS_CREATED, qty: NUM_QTY, limitPrice: NUM_LIMIT, stopPrice: NUM_STOP, filledQty: NUM_FILLED, avgFillPrice: NUM_AVG } as const;
/** OrderLog's integers of a row, in this order (places in its `int`). */
const INT_STRATEGY = 0;
const INT_FLAGS = 1;
const INT_STATUS = 2;
const INT_SYMBOL = 3;
const INT_STRATEGY_ID = 4;
const INT_TAG = 5;
const INT_LINK = 6;
const INT_REASON = 7;
const INT_WIDTH = 8;

/**
 * Every order of a run in submission order. A working order is held as its Order object; once it is
 * finished (filled, cancelled, expired, rejected or denied) its final state moves into columns and the
 * object is let go, so a run of thousands of orders keeps a few live objects instead of thousands
 * (see engine/core/columns.ts). Rows are numbered from 0 in submission order. Its columns are the run
 * result's `records.orders`.
 */
export class OrderLog {
  private readonly live = new LiveOrders();
  /** Rows (orders) in the log. */
  private n = 0;
  /** Rows the arrays below have room for. */
  private capacity = LOG_INITIAL_ROWS;
  /**
   * A row's numbers, NUM_WIDTH a row (NUM_* places): tsCreated, set when the order is added; the others when it
   * finishes (a live order's are read from its object).
   */
  private num: Float64Array = new Float64Array(LOG_INITIAL_ROWS * NUM_WIDTH);
  /**
   * A row's integers, INT_WIDTH a row (INT_* places): the owning strategy (ledger) index, the flags (side | type
   * << 1 | timeInForce << 3 | reduceOnly << 5) and the codes of the symbol, strategy id, tag and link, set when
   * the order is added; the status's place and the reason's code, set when it finishes.
   */
  private int: Int32Array = new Int32Array(LOG_INITIAL_ROWS * INT_WIDTH);
  // Coded: these repeat from order to order (see ValueCodes).
  private readonly symbol = new ValueCodes<string>();
  private readonly strategyId = new ValueCodes<StrategyId | null>();
  private readonly tag = new ValueCodes<string | null>();
  private readonly link = new ValueCodes<OrderLink | null>();
  /** A deferred reason (an account denial nobody read during the run) is made into text when read. */
  private readonly reason = new ValueCodes<string | DeferredText | null>();

  /** Number of orders. */
  get length(): number {
    return this.n;
  }

  /**
   * The id the next order gets: `O-<row + 1>`. Ids are a function of the row, so the log keeps no
   * id strings and finds an order's row by reading its id.
   */
  nextId(): OrderId {
    return idOfRow(this.n);
  }

  /** The id the order `k` places after the next one gets (`idAfter(0)` is {@link nextId}): a bracket names its exits before they exist. */
  idAfter(k: number): OrderId {
    return idOfRow(this.n + k);
  }

  /** Appends a new order (its id from {@link nextId}) owned by the strategy (ledger) at `strategyIndex`; returns its row. */
  add(order: Order, strategyIndex: number): number {
    const row = this.n;
    if (rowInId(order.id) !== row) throw new InvariantError(`order log: order ${order.id} does not have the next id ${idOfRow(row)}`);
    if (row === this.capacity) this.grow();
    this.n = row + 1;
    this.live.add(row, order);
    const int = this.int;
    const i = row * INT_WIDTH;
    int[i + INT_STRATEGY] = strategyIndex;
    int[i + INT_FLAGS] = flagsOf(order);
    int[i + INT_SYMBOL] = this.symbol.code(order.symbol);
    int[i + INT_STRATEGY_ID] = this.strategyId.code(order.strategyId);
    int[i + INT_TAG] = this.tag.code(order.tag);
    int[i + INT_LINK] = this.link.code(order.link);
    this.num[row * NUM_WIDTH + NUM_TS_CREATED] = order.tsCreated;
    return row;
  }

  /** Doubles the rows the arrays have room for. */
  private grow(): void {
    const capacity = this.capacity * 2;
    this.num = grownF64(this.num, this.n * NUM_WIDTH, capacity * NUM_WIDTH);
    this.int = grownI32(this.int, this.n * INT_WIDTH, capacity * INT_WIDTH);
    this.capacity = capacity;
  }

  /** The row of an order id, or undefined for an id this log never saw. */
  rowOfId(id: string): number | undefined {
    const row = rowInId(id);
    return row >= 0 && row < this.n ? row : undefined;
  }

  /** The live (unfinished) order at a row, or undefined once it is finished. */
  liveAt(row: number): Order | undefined {
    return this.live.get(row);
  }

  /** The strategy (ledger) index that owns the order at a row. */
  strategyAt(row: number): number {
    return this.int[row * INT_WIDTH + INT_STRATEGY]!;
  }

  /** Moves a finished order's final state into the columns and lets the object go; `reason`, when given, is its reason (deferred) in place of the order's. */
  finish(row: number, reason?: DeferredText): void {
    const o = this.live.get(row);
    if (o === undefined) return;
    if (!isTerminal(o.status)) throw new InvariantError(`order ${o.id} is not finished (${o.status})`);
    const i = row * INT_WIDTH;
    this.int[i + INT_STATUS] = statusIndex(o.status);
    this.int[i + INT_REASON] = this.reason.code(reason ?? o.reason);
    const num = this.num;
    const k = row * NUM_WIDTH;
    num[k + NUM_QTY] = o.qty;
    num[k + NUM_LIMIT] = o.limitPrice ?? Number.NaN;
    num[k + NUM_STOP] = o.stopPrice ?? Number.NaN;
    num[k + NUM_FILLED] = o.filledQty;
    num[k + NUM_AVG] = o.avgFillPrice;
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
      const limit = this.num[row * NUM_WIDTH + NUM_LIMIT]!;
      const stop = this.num[row * NUM_WIDTH + NUM_STOP]!;
      r = {
        id: idOfRow(row),
        symbol: this.symbol.value(this.int[row * INT_WIDTH + INT_SYMBOL]!),
        side: this.sideAt(row),
        type: this.typeAt(row),
        qty: this.num[row * NUM_WIDTH + NUM_QTY]!,
        limitPrice: limit === limit ? limit : null,
        stopPrice: stop === stop ? stop : null,
        timeInForce: this.timeInForceAt(row),
        status: this.statusAt(row),
        filledQty: this.num[row * NUM_WIDTH + NUM_FILLED]!,
        avgFillPrice: this.num[row * NUM_WIDTH + NUM_AVG]!,
        tsCreated: this.num[row * NUM_WIDTH + NUM_TS_CREATED]!,
        strategyId: this.strategyId.value(this.int[row * INT_WIDTH + INT_STRATEGY_ID]!),
        reduceOnly: this.reduceOnlyAt(row),
        tag: this.tag.value(this.int[row * INT_WIDTH + INT_TAG]!),
        reason: textOf(this.reason.value(this.int[row * INT_WIDTH + INT_REASON]!)),
      };
      link = this.link.value(this.int[row * INT_WIDTH + INT_LINK]!);
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
    const num = this.num;
    const at = NUM_PLACE[field];
    for (let row = 0; row < n; row++) out[row] = num[row * NUM_WIDTH + at]!;
    if (field === 'tsCreated') return out;
    this.live.forEach((row, o) => {
      out[row] = o[field] ?? Number.NaN;
    });
    return out;
  }

  /** The order's link (bracket, OCO/OUO group), or null for a plain order. */
  linkOf(row: number): OrderLink | null {
    return this.link.value(this.int[row * INT_WIDTH + INT_LINK]!);
  }
  reduceOnlyAt(row: number): boolean {
    return ((this.int[row * INT_WIDTH + INT_FLAGS]! >> 5) & 1) === 1;
  }
  tagAt(row: number): string | null {
    return this.tag.value(this.int[row * INT_WIDTH + INT_TAG]!);
  }
  reasonAt(row: number): string | null {
    const o = this.live.get(row);
    return o !== undefined ? o.reason : textOf(this.reason.value(this.int[row * INT_WIDTH + INT_REASON]!));
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
      out[at] = this.num[row * NUM_WIDTH + NUM_QTY]!;
      out[at + 1] = this.num[row * NUM_WIDTH + NUM_LIMIT]!;
      out[at + 2] = this.num[row * NUM_WIDTH + NUM_STOP]!;
      out[at + 3] = this.num[row * NUM_WIDTH + NUM_FILLED]!;
      out[at + 4] = this.num[row * NUM_WIDTH + NUM_AVG]!;
    }
    out[at + 5] = this.num[row * NUM_WIDTH + NUM_TS_CREATED]!;
  }

  idAt(row: number): string {
    return idOfRow(row);
  }
  /** The number n of idAt(row), `O-<n>` (row + 1), without building it. */
  idNumberAt(row: number): number {
    return row + 1;
  }
  /** Writes the bytes of idAt(row) ('O-' and row + 1 in decimal) without building it (the run hash's lines). */
  writeIdAt(row: number, out: IdBytes): void {
    out.byte(ORDER_LETTER);
    out.byte(ORDER_DASH);
    out.decimal(row + 1);
  }
  /**
   * The run hash's line key of a row (see HashableOrders.lineKey): its side, type and time in force (the low 5 bits
   * of its flags) and its status's place, below 512; -1 for an order with a link (its line has one more field).
   */
  lineKey(row: number): number {
    if (this.link.value(this.int[row * INT_WIDTH + INT_LINK]!) !== null) return -1;
    const o = this.live.get(row);
    const status = o !== undefined ? statusIndex(o.status) : this.int[row * INT_WIDTH + INT_STATUS]!;
    return (this.int[row * INT_WIDTH + INT_FLAGS]! & 31) | (status << 5);
  }
  /** The order's link as text for the run hash (see linkText), or null for a plain order. */
  linkAt(row: number): string | null {
    const link = this.link.value(this.int[row * INT_WIDTH + INT_LINK]!);
    return link === null ? null : linkText(link);
  }
  strategyIdAt(row: number): string | null {
    return this.strategyId.value(this.int[row * INT_WIDTH + INT_STRATEGY_ID]!);
  }
  symbolAt(row: number): string {
    return this.symbol.value(this.int[row * INT_WIDTH + INT_SYMBOL]!);
  }
  sideAt(row: number): OrderSide {
    return ORDER_SIDES[this.int[row * INT_WIDTH + INT_FLAGS]! & 1]!;
  }
  typeAt(row: number): OrderType {
    return ORDER_TYPES[(this.int[row * INT_WIDTH + INT_FLAGS]! >> 1) & 3]!;
  }
  timeInForceAt(row: number): TimeInForce {
    return TIMES_IN_FORCE[(this.int[row * INT_WIDTH + INT_FLAGS]! >> 3) & 3]!;
  }
  statusAt(row: number): OrderStatus {
    const o = this.live.get(row);
    return o !== undefined ? o.status : ORDER_STATUSES[this.int[row * INT_WIDTH + INT_STATUS]!]!;
  }

  clear(): void {
    this.live.clear();
    this.n = 0;
    for (const c of [this.symbol, this.strategyId, this.tag, this.link, this.reason]) c.clear();
  }
}
