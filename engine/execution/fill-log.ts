import { FILL_ID_PREFIX } from '../core/ids.js';
import type { FillId, OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { Fill, Liquidity } from '../model/events.js';
import type { OrderSide } from '../model/orders.js';
import { sequenceNumber } from './order-log.js';
import type { IdBytes, OrderLog } from './order-log.js';
import { LOG_INITIAL_ROWS, grownF64, grownI32 } from './log-rows.js';

/** 'F', the letter of the venues' fill ids (`F-1`, `F-2`, ...: FILL_ID_PREFIX). */
const FILL_LETTER = FILL_ID_PREFIX.charCodeAt(0);

/**
 * Every fill of a run in the order they happened, as columns: numbers in typed arrays, the order by
 * its row in the OrderLog (which holds its id and strategy) and the symbol by index. A run of
 * thousands of fills keeps no object per fill until the list is asked for (see
 * engine/core/columns.ts); its columns are the run result's `records.fills`.
 *
 * A fill id of the venues' form `F-<n>` is kept as its number and written again when read: kept as
 * strings, a run's fill ids were ~2.4 MiB per 100k fills of small objects that every young-generation
 * collection copied until they were promoted. Any other id is kept as it is.
 */
export class FillLog {
  // A column per field, grown together (see log-rows.ts): `n` rows used of `capacity`.
  private n = 0;
  private capacity = LOG_INITIAL_ROWS;
  private ts: Float64Array = new Float64Array(LOG_INITIAL_ROWS);
  private qty: Float64Array = new Float64Array(LOG_INITIAL_ROWS);
  private price: Float64Array = new Float64Array(LOG_INITIAL_ROWS);
  private commission: Float64Array = new Float64Array(LOG_INITIAL_ROWS);
  private orderRow: Int32Array = new Int32Array(LOG_INITIAL_ROWS);
  private symbolIndex: Int32Array = new Int32Array(LOG_INITIAL_ROWS);
  /** bit 0: sell; bit 1: maker. */
  private flags: Int32Array = new Int32Array(LOG_INITIAL_ROWS);
  /** n of a fill id `F-<n>`; NaN for another id (kept in otherIds). */
  private fillNo: Float64Array = new Float64Array(LOG_INITIAL_ROWS);
  /** The ids not of the form `F-<n>`, by fill index. */
  private readonly otherIds = new Map<number, FillId>();

  constructor(
    private readonly orders: OrderLog,
    private readonly symbols: readonly Symbol_[],
  ) {}

  get length(): number {
    return this.n;
  }

  /** Appends a fill of the order at `orderRow`, in the symbol at `symbolIndex`. */
  add(orderRow: number, symbolIndex: number, f: Fill): void {
    const i = this.n;
    if (i === this.capacity) this.grow();
    this.n = i + 1;
    this.ts[i] = f.ts;
    this.qty[i] = f.qty;
    this.price[i] = f.price;
    this.commission[i] = f.commission;
    this.orderRow[i] = orderRow;
    this.symbolIndex[i] = symbolIndex;
    this.flags[i] = (f.side === 'sell' ? 1 : 0) | (f.liquidity === 'maker' ? 2 : 0);
    const id = f.fillId;
    const k = typeof id === 'string' ? sequenceNumber(id, FILL_LETTER) : -1;
    if (k < 0) this.otherIds.set(i, id);
    this.fillNo[i] = k < 0 ? Number.NaN : k;
  }

  /** Doubles the rows the columns have room for. */
  private grow(): void {
    const n = this.n;
    const capacity = this.capacity * 2;
    this.ts = grownF64(this.ts, n, capacity);
    this.qty = grownF64(this.qty, n, capacity);
    this.price = grownF64(this.price, n, capacity);
    this.commission = grownF64(this.commission, n, capacity);
    this.fillNo = grownF64(this.fillNo, n, capacity);
    this.orderRow = grownI32(this.orderRow, n, capacity);
    this.symbolIndex = grownI32(this.symbolIndex, n, capacity);
    this.flags = grownI32(this.flags, n, capacity);
    this.capacity = capacity;
  }

  /** ts, qty, price, commission of fill i into out[at..at+3] (the run hash's order). */
  numbers(i: number, out: Float64Array, at: number): void {
    out[at] = this.ts[i]!;
    out[at + 1] = this.qty[i]!;
    out[at + 2] = this.price[i]!;
    out[at + 3] = this.commission[i]!;
  }

  /** A numeric field of every fill, as a view of its column (valid until the next fill). */
  column(field: 'ts' | 'qty' | 'price' | 'commission'): Float64Array {
    return this[field].subarray(0, this.n);
  }

  fillIdAt(i: number): FillId {
    const n = this.fillNo[i]!;
    return n === n ? (`${FILL_ID_PREFIX}${n}` as FillId) : this.otherIds.get(i)!;
  }
  strategyIdAt(i: number): StrategyId | null {
    return this.orders.strategyIdAt(this.orderRow[i]!) as StrategyId | null;
  }
  symbolAt(i: number): Symbol_ {
    return this.symbols[this.symbolIndex[i]!]!;
  }
  sideAt(i: number): OrderSide {
    return (this.flags[i]! & 1) === 1 ? 'sell' : 'buy';
  }
  liquidityAt(i: number): Liquidity {
    return (this.flags[i]! & 2) === 2 ? 'maker' : 'taker';
  }
  /** The run hash's line key of fill i (see HashableFills.lineKey): its side and liquidity flags, below 4. */
  lineKey(i: number): number {
    return this.flags[i]! & 3;
  }
  orderIdAt(i: number): OrderId {
    return this.orders.idAt(this.orderRow[i]!) as OrderId;
  }
  /** The number n of orderIdAt(i), `O-<n>`, without building it (see OrderLog.idNumberAt). */
  orderNumberAt(i: number): number {
    return this.orderRow[i]! + 1;
  }
  /** Writes the bytes of orderIdAt(i) without building it (see OrderLog.writeIdAt). */
  writeOrderIdAt(i: number, out: IdBytes): void {
    this.orders.writeIdAt(this.orderRow[i]!, out);
  }

  /** Fill i as an object. */
  fill(i: number): Fill {
    const row = this.orderRow[i]!;
    return new LoggedFill(
      this.fillIdAt(i),
      this.orders.idAt(row) as OrderId,
      this.strategyIdAt(i),
      this.ts[i]!,
      this.symbolAt(i),
      this.sideAt(i),
      this.qty[i]!,
      this.price[i]!,
      this.commission[i]!,
      this.liquidityAt(i),
    );
  }

  /** Every fill as an object, in run order. */
  list(): Fill[] {
    const out: Fill[] = new Array(this.length);
    for (let i = 0; i < out.length; i++) out[i] = this.fill(i);
    return out;
  }

  clear(): void {
    this.n = 0;
    this.otherIds.clear();
  }
}

/**
 * A fill read back from the log. Its own class, so that its fields (doubles read from typed arrays)
 * do not share a hidden class with the fills venues create (whose quantities are often small
 * integers): sharing one made V8 re-specialize the venues' code on every run.
 */
class LoggedFill implements Fill {
  constructor(
    readonly fillId: FillId,
    readonly orderId: OrderId,
    readonly strategyId: StrategyId | null,
    readonly ts: number,
    readonly symbol: Symbol_,
    readonly side: OrderSide,
    readonly qty: number,
    readonly price: number,
    readonly commission: number,
    readonly liquidity: Liquidity,
  ) {}
}
