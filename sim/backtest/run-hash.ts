import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { EquityCurveScan } from '../../engine/kernel/run-result.js';
import { linkText } from '../../engine/model/index.js';
import type { Fill, OrderRecord } from '../../engine/model/index.js';

/** The parts of an order that identify a run's behaviour. */
export type OrderRecordForHash = Pick<OrderRecord, 'id' | 'symbol' | 'side' | 'type' | 'qty' | 'limitPrice' | 'stopPrice' | 'timeInForce' | 'status' | 'filledQty' | 'avgFillPrice' | 'tsCreated' | 'link'>;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const RECORDS_PER_UPDATE = 1024;

/** Feeds float64 values to the hash as little-endian IEEE-754 bytes, whatever the platform. */
function updateFloat64(h: Hash, values: ArrayLike<number>, count: number): void {
  const view = values instanceof Float64Array ? values.subarray(0, count) : Float64Array.from({ length: count }, (_, i) => values[i]!);
  if (LITTLE_ENDIAN) {
    h.update(new Uint8Array(view.buffer, view.byteOffset, count * 8));
    return;
  }
  const bytes = new Uint8Array(count * 8);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < count; i++) dv.setFloat64(i * 8, view[i]!, true);
  h.update(bytes);
}

/**
 * The UTF-8 bytes of text fields, written into one reused buffer and fed to the hash as it fills: the
 * same bytes as hashing the joined string, without building it (a run hashes a line per fill and per order).
 */
class TextBytes {
  private readonly buf = new Uint8Array(1 << 16);
  private at = 0;
  private readonly encoder = new TextEncoder();
  constructor(private readonly h: Hash) {}

  /** Appends a string; ASCII is copied code by code, anything else through TextEncoder. */
  text(s: string): void {
    const n = s.length;
    if (this.buf.length - this.at < 3 * n) {
      this.flush();
      if (this.buf.length < 3 * n) {
        this.h.update(s);
        return;
      }
    }
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        at += this.encoder.encodeInto(s.slice(i), buf.subarray(at)).written;
        break;
      }
      buf[at++] = c;
    }
    this.at = at;
  }

  /** Appends one ASCII byte (a separator). */
  byte(c: number): void {
    if (this.at === this.buf.length) this.flush();
    this.buf[this.at++] = c;
  }

  /** Appends a non-negative safe integer in decimal, as String(n) writes it, without building the string. */
  decimal(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      this.text(String(n));
      return;
    }
    if (this.buf.length - this.at < 16) this.flush();
    const buf = this.buf;
    if (n <= 0x7fffffff) {
      // Small integers (every id of a run): integer division, no floor.
      let digits = 1;
      for (let v = n; v >= 10; v = (v / 10) | 0) digits++;
      let at = this.at + digits;
      this.at = at;
      let v = n;
      do {
        const q = (v / 10) | 0;
        buf[--at] = 0x30 + (v - q * 10);
        v = q;
      } while (v > 0);
      return;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    let at = this.at + digits;
    this.at = at;
    let v = n;
    do {
      buf[--at] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  /** Appends bytes already encoded (a line's fields written once, see LineParts). */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.buf.length - this.at < n) {
      this.flush();
      if (this.buf.length < n) {
        this.h.update(b);
        return;
      }
    }
    // One copy call: faster than a byte loop for these 10-40 byte parts (measured).
    this.buf.set(b, this.at);
    this.at += n;
  }

  flush(): void {
    if (this.at > 0) this.h.update(this.buf.subarray(0, this.at));
    this.at = 0;
  }
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/** Where a hashable writes the bytes of a text field itself (see HashableFills.writeOrderIdAt). */
export interface TextSink {
  /** Appends a string's UTF-8 bytes. */
  text(s: string): void;
  /** Appends one ASCII byte. */
  byte(c: number): void;
  /** Appends a non-negative integer in decimal. */
  decimal(n: number): void;
}

/** The fills of a run as the hash reads them, by row (a FillLog, or a list through {@link hashableFills}). */
export interface HashableFills {
  readonly length: number;
  /** ts, qty, price, commission of row i into out[at..at+3]. */
  numbers(i: number, out: Float64Array, at: number): void;
  /** The ts, qty, price or commission of every row, when held as columns (read instead of {@link numbers}). */
  column?(field: 'ts' | 'qty' | 'price' | 'commission'): Float64Array;
  symbolAt(i: number): string;
  sideAt(i: number): string;
  orderIdAt(i: number): string;
  /** Writes the bytes of orderIdAt(i) (optional: a log whose ids follow a rule writes them without building them). */
  writeOrderIdAt?(i: number, out: TextSink): void;
  liquidityAt(i: number): string;
  /**
   * Optional: a non-negative number that two rows of the same symbol share only when their side and liquidity
   * are the same (a log's codes for them; below 64), or -1 for none. The hash then encodes those fields once per
   * symbol and key and copies the bytes for each row (see LineParts).
   */
  lineKey?(i: number): number;
}

/** The orders of a run as the hash reads them, by row (an OrderLog, or a list through {@link hashableOrders}). */
export interface HashableOrders {
  readonly length: number;
  /** qty, limitPrice, stopPrice, filledQty, avgFillPrice, tsCreated of row i (null as NaN) into out[at..at+5]. */
  numbers(i: number, out: Float64Array, at: number): void;
  idAt(i: number): string;
  /** Writes the bytes of idAt(i) (optional, as HashableFills.writeOrderIdAt). */
  writeIdAt?(i: number, out: TextSink): void;
  symbolAt(i: number): string;
  sideAt(i: number): string;
  typeAt(i: number): string;
  timeInForceAt(i: number): string;
  statusAt(i: number): string;
  /** The order's link (bracket, OCO/OUO group) as linkText, null for a plain order (optional: none then). */
  linkAt?(i: number): string | null;
  /**
   * Optional: a non-negative number that two rows of the same symbol share only when their side, type, time in
   * force and status are the same and neither has a link (a log's codes for them; below 512), or -1 (a row with
   * a link, say): as HashableFills.lineKey.
   */
  lineKey?(i: number): number;
}

/** A list of fills (report.json's, say) as the hash reads them. */
export function hashableFills(fills: readonly Pick<Fill, 'ts' | 'qty' | 'price' | 'commission' | 'symbol' | 'side' | 'orderId' | 'liquidity'>[]): HashableFills {
  return {
    length: fills.length,
    numbers(i, out, at) {
      const f = fills[i]!;
      out[at] = f.ts;
      out[at + 1] = f.qty;
      out[at + 2] = f.price;
      out[at + 3] = f.commission;
    },
    symbolAt: (i) => fills[i]!.symbol,
    sideAt: (i) => fills[i]!.side,
    orderIdAt: (i) => fills[i]!.orderId,
    liquidityAt: (i) => fills[i]!.liquidity,
  };
}

/** A list of order records (report.json's, say) as the hash reads them. */
export function hashableOrders(orders: readonly OrderRecordForHash[]): HashableOrders {
  return {
    length: orders.length,
    numbers(i, out, at) {
      const o = orders[i]!;
      out[at] = o.qty;
      out[at + 1] = o.limitPrice ?? Number.NaN;
      out[at + 2] = o.stopPrice ?? Number.NaN;
      out[at + 3] = o.filledQty;
      out[at + 4] = o.avgFillPrice;
      out[at + 5] = o.tsCreated;
    },
    idAt: (i) => orders[i]!.id,
    symbolAt: (i) => orders[i]!.symbol,
    sideAt: (i) => orders[i]!.side,
    typeAt: (i) => orders[i]!.type,
    timeInForceAt: (i) => orders[i]!.timeInForce,
    statusAt: (i) => orders[i]!.status,
    linkAt: (i) => {
      const link = orders[i]!.link;
      return link === undefined || link === null ? null : linkText(link);
    },
  };
}

/**
 * Feeds rows to the hash in two parts per block of rows: their numeric fields as little-endian
 * doubles (null as NaN), then their text fields as comma-separated lines. Numbers are never
 * converted to text, which is both exact and fast.
 */
function updateRows(h: Hash, rows: RowWriter): void {
  const count = rows.length;
  const numeric = rows.numeric;
  const block = new Float64Array(RECORDS_PER_UPDATE * numeric);
  const lines = new TextBytes(h);
  for (let start = 0; start < count; start += RECORDS_PER_UPDATE) {
    const end = Math.min(count, start + RECORDS_PER_UPDATE);
    rows.numbers(start, end, block);
    updateFloat64(h, block, (end - start) * numeric);
    for (let i = start; i < end; i++) rows.line(i, lines);
    lines.flush();
  }
}

/** Rows as {@link updateRows} feeds them: `numeric` doubles per row and a text line per row. */
interface RowWriter {
  readonly length: number;
  readonly numeric: number;
  /** The numeric fields of rows start..end-1, row by row, into out from 0. */
  numbers(start: number, end: number, out: Float64Array): void;
  /** The text fields of row i as one comma-separated line. */
  line(i: number, out: TextBytes): void;
}

/** The fills' rows: their numbers from the columns when held so (interleaved row by row), else row by row. */
class FillRows implements RowWriter {
  readonly numeric = 4;
  private readonly columns: readonly Float64Array[] | null;
  private readonly parts: LineParts | null;
  constructor(private readonly fills: HashableFills) {
    this.parts = fills.lineKey !== undefined ? new LineParts(64) : null;
    this.columns = fills.column !== undefined ? (['ts', 'qty', 'price', 'commission'] as const).map((f) => fills.column!(f)) : null;
  }
  get length(): number {
    return this.fills.length;
  }
  numbers(start: number, end: number, out: Float64Array): void {
    const c = this.columns;
    if (c === null) {
      for (let i = start; i < end; i++) this.fills.numbers(i, out, (i - start) * 4);
      return;
    }
    const [ts, qty, price, commission] = c as [Float64Array, Float64Array, Float64Array, Float64Array];
    for (let i = start, at = 0; i < end; i++, at += 4) {
      out[at] = ts[i]!;
      out[at + 1] = qty[i]!;
      out[at + 2] = price[i]!;
      out[at + 3] = commission[i]!;
    }
  }
  line(i: number, out: TextBytes): void {
    const f = this.fills;
    const key = this.parts !== null ? f.lineKey!(i) : -1;
    if (key >= 0) {
      // symbol,side, then the order id, then ,liquidity and the newline: the fixed parts encoded once per symbol and key.
      const parts = this.parts!.of(f.symbolAt(i), key, this, i);
      out.bytes(parts[0]!);
      if (f.writeOrderIdAt !== undefined) f.writeOrderIdAt(i, out);
      else out.text(f.orderIdAt(i));
      out.bytes(parts[1]!);
      return;
    }
    out.text(f.symbolAt(i));
    out.byte(COMMA);
    out.text(f.sideAt(i));
    out.byte(COMMA);
    if (f.writeOrderIdAt !== undefined) f.writeOrderIdAt(i, out);
    else out.text(f.orderIdAt(i));
    out.byte(COMMA);
    out.text(f.liquidityAt(i));
    out.byte(NEWLINE);
  }
  /** The fixed parts of row i's line: `symbol,side,` and `,liquidity` with the newline. */
  encode(i: number): Uint8Array[] {
    const f = this.fills;
    return [UTF8.encode(`${f.symbolAt(i)},${f.sideAt(i)},`), UTF8.encode(`,${f.liquidityAt(i)}\n`)];
  }
}

/** The orders' rows. */
class OrderRows implements RowWriter {
  readonly numeric = 6;
  private readonly parts: LineParts | null;
  constructor(private readonly orders: HashableOrders) {
    this.parts = orders.lineKey !== undefined ? new LineParts(512) : null;
  }
  get length(): number {
    return this.orders.length;
  }
  numbers(start: number, end: number, out: Float64Array): void {
    for (let i = start; i < end; i++) this.orders.numbers(i, out, (i - start) * 6);
  }
  line(i: number, out: TextBytes): void {
    const o = this.orders;
    const key = this.parts !== null ? o.lineKey!(i) : -1;
    if (key >= 0) {
      // The id, then ,symbol,side,type,timeInForce,status and the newline, encoded once per symbol and key.
      if (o.writeIdAt !== undefined) o.writeIdAt(i, out);
      else out.text(o.idAt(i));
      out.bytes(this.parts!.of(o.symbolAt(i), key, this, i)[0]!);
      return;
    }
    if (o.writeIdAt !== undefined) o.writeIdAt(i, out);
    else out.text(o.idAt(i));
    out.byte(COMMA);
    out.text(o.symbolAt(i));
    out.byte(COMMA);
    out.text(o.sideAt(i));
    out.byte(COMMA);
    out.text(o.typeAt(i));
    out.byte(COMMA);
    out.text(o.timeInForceAt(i));
    out.byte(COMMA);
    out.text(o.statusAt(i));
    // A contingent order's link is one more field of its line, so plain orders hash as they always did.
    const link = o.linkAt?.(i) ?? null;
    if (link !== null) {
      out.byte(COMMA);
      out.text(link);
    }
    out.byte(NEWLINE);
  }
  /** The fixed part of row i's line (a row without a link): `,symbol,side,type,timeInForce,status` and the newline. */
  encode(i: number): Uint8Array[] {
    const o = this.orders;
    return [UTF8.encode(`,${o.symbolAt(i)},${o.sideAt(i)},${o.typeAt(i)},${o.timeInForceAt(i)},${o.statusAt(i)}\n`)];
  }
}

const UTF8 = new TextEncoder();

/**
 * The fixed parts of the rows' lines (every text field but the order id), UTF-8 encoded once per symbol and line key
 * (see HashableFills.lineKey) and copied for each row: a run hashes a line per fill and per order, and most of
 * them repeat a few symbols, sides and statuses. The same bytes as writing each field (TextBytes.text).
 */
class LineParts {
  private readonly bySymbol = new Map<string, (Uint8Array[] | undefined)[]>();
  private lastSymbol: string | null = null;
  private last: (Uint8Array[] | undefined)[] = [];
  constructor(private readonly keys: number) {}

  /** The parts of row i, whose symbol is `symbol` and key `key` (0 <= key < keys), made by `rows.encode(i)` the first time. */
  of(symbol: string, key: number, rows: { encode(i: number): Uint8Array[] }, i: number): Uint8Array[] {
    let byKey = this.last;
    if (symbol !== this.lastSymbol) {
      byKey = this.bySymbol.get(symbol) ?? [];
      if (byKey.length === 0) {
        byKey = new Array<Uint8Array[] | undefined>(this.keys);
        this.bySymbol.set(symbol, byKey);
      }
      this.lastSymbol = symbol;
      this.last = byKey;
    }
    return (byKey[key] ??= rows.encode(i));
  }
}

/**
 * A curve that can also read one of its columns alone (a spilled curve, which then reads one file instead of
 * two): the runHash hashes every timestamp, then every value.
 */
interface ColumnScan {
  scanColumn?(column: 'ts' | 'equity', visit: (values: ArrayLike<number>, n: number) => void): void;
}

/**
 * Returns the run's identity: SHA-256 over the canonical serialisation of its fills, orders and
 * equity curve, in run order: per block of 1024 fills (orders), their numeric fields as
 * little-endian IEEE-754 doubles (fills: ts, qty, price, commission; orders: qty, limitPrice,
 * stopPrice, filledQty, avgFillPrice, tsCreated; null as NaN) followed by their text fields as
 * comma-separated lines (fills: symbol, side, orderId, liquidity; orders: id, symbol, side, type,
 * timeInForce, status, and for a contingent order its link); then the equity timestamps and values as little-endian doubles; then, only
 * when the run has user strategies, their identity lines (`id sourceHash`, see
 * strategySourceLines), so a changed strategy never shares a runHash with the old one even when its
 * fills do not change (and every built-in runHash stays what it was). Equal runs hash equal in any
 * process, on any machine.
 */
export function computeRunHash(fills: HashableFills, orders: HashableOrders, equityTs: Float64Array, equity: Float64Array, equityCount: number, strategySources: readonly string[] = []): string {
  return computeRunHashOfCurve(fills, orders, { length: equityCount, scan: (visit) => visit(equityTs, equity, equityCount) }, strategySources);
}

/** {@link computeRunHash} with the equity curve read in chunks (a streamed run's): the same bytes, the same hash. */
export function computeRunHashOfCurve(fills: HashableFills, orders: HashableOrders, curve: EquityCurveScan, strategySources: readonly string[] = []): string {
  const equityCount = curve.length;
  const h = createHash('sha256');
  h.update(`tapedeck-run-v3\nfills ${fills.length}\n`);
  updateRows(h, new FillRows(fills));
  h.update(`orders ${orders.length}\n`);
  updateRows(h, new OrderRows(orders));
  h.update(`equity ${equityCount}\n`);
  const columns = curve as EquityCurveScan & ColumnScan;
  if (columns.scanColumn !== undefined) {
    columns.scanColumn('ts', (ts, n) => updateFloat64(h, ts, n));
    columns.scanColumn('equity', (equity, n) => updateFloat64(h, equity, n));
  } else {
    curve.scan((ts, _equity, n) => updateFloat64(h, ts, n));
    curve.scan((_ts, equity, n) => updateFloat64(h, equity, n));
  }
  if (strategySources.length > 0) h.update(`strategies ${strategySources.length}\n${strategySources.join('\n')}\n`);
  return h.digest('hex');
}
