import { Float64Column, Int32Column } from '../core/columns.js';
import type { FillId, OrderId, StrategyId, Symbol_ } from '../core/ids.js';
import type { Fill, Liquidity } from '../model/events.js';
import type { OrderSide } from '../model/orders.js';
import { sequenceNumber } from './order-log.js';
import type { IdBytes, OrderLog } from './order-log.js';

/** 'F', the letter of the venues' fill ids (`F-1`, `F-2`, ...: IdSequence). */
const FILL_LETTER = 70;

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
  private readonly ts = new Float64Column();
  private readonly qty = new Float64Column();
  private readonly price = new Float64Column();
  private readonly commission = new Float64Column();
  private readonly orderRow = new Int32Column();
  private readonly symbolIndex = new Int32Column();
  /** bit 0: sell; bit 1: maker. */
  private readonly flags = new Int32Column();
  /** n of a fill id `F-<n>`; NaN for another id (kept in otherIds). */
  private readonly fillNo = new Float64Column();
  /** The ids not of the form `F-<n>`, by fill index. */
  private readonly otherIds = new Map<number, FillId>();

  constructor(
    private readonly orders: OrderLog,
    private readonly symbols: readonly Symbol_[],
  ) {}

  get length(): number {
    return this.ts.length;
  }

  /** Appends a fill of the order at `orderRow`, in the symbol at `symbolIndex`. */
  add(orderRow: number, symbolIndex: number, f: Fill): void {
    this.ts.push(f.ts);
    this.qty.push(f.qty);
    this.price.push(f.price);
    this.commission.push(f.commission);
    this.orderRow.push(orderRow);
    this.symbolIndex.push(symbolIndex);
    this.flags.push((f.side === 'sell' ? 1 : 0) | (f.liquidity === 'maker' ? 2 : 0));
    const id = f.fillId;
    const n = typeof id === 'string' ? sequenceNumber(id, FILL_LETTER) : -1;
    if (n < 0) this.otherIds.set(this.fillNo.length, id);
    this.fillNo.push(n < 0 ? Number.NaN : n);
  }

  /** ts, qty, price, commission of fill i into out[at..at+3] (the run hash's order). */
  numbers(i: number, out: Float64Array, at: number): void {
    out[at] = this.ts.get(i);
    out[at + 1] = this.qty.get(i);
    out[at + 2] = this.price.get(i);
    out[at + 3] = this.commission.get(i);
  }

  /** A numeric field of every fill, as a view of its column (valid until the next fill). */
  column(field: 'ts' | 'qty' | 'price' | 'commission'): Float64Array {
    return this[field].view();
  }

  fillIdAt(i: number): FillId {
    const n = this.fillNo.get(i);
    return n === n ? (`F-${n}` as FillId) : this.otherIds.get(i)!;
  }
  strategyIdAt(i: number): StrategyId | null {
    return this.orders.strategyIdAt(this.orderRow.get(i)) as StrategyId | null;
  }
  symbolAt(i: number): Symbol_ {
    return this.symbols[this.symbolIndex.get(i)]!;
  }
  sideAt(i: number): OrderSide {
    return (this.flags.get(i) & 1) === 1 ? 'sell' : 'buy';
  }
  liquidityAt(i: number): Liquidity {
    return (this.flags.get(i) & 2) === 2 ? 'maker' : 'taker';
  }
  /** The run hash's line key of fill i (see HashableFills.lineKey): its side and liquidity flags, below 4. */
  lineKey(i: number): number {
    return this.flags.get(i) & 3;
  }
  orderIdAt(i: number): OrderId {
    return this.orders.idAt(this.orderRow.get(i)) as OrderId;
  }
  /** Writes the bytes of orderIdAt(i) without building it (see OrderLog.writeIdAt). */
  writeOrderIdAt(i: number, out: IdBytes): void {
    this.orders.writeIdAt(this.orderRow.get(i), out);
  }

  /** Fill i as an object. */
  fill(i: number): Fill {
    const row = this.orderRow.get(i);
    return new LoggedFill(
      this.fillIdAt(i),
      this.orders.idAt(row) as OrderId,
      this.strategyIdAt(i),
      this.ts.get(i),
      this.symbolAt(i),
      this.sideAt(i),
      this.qty.get(i),
      this.price.get(i),
      this.commission.get(i),
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
    for (const c of [this.ts, this.qty, this.price, this.commission, this.fillNo]) c.clear();
    for (const c of [this.orderRow, this.symbolIndex, this.flags]) c.clear();
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
