import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Fill, OrderRecord } from '../../engine/model/index.js';

/** The parts of an order that identify a run's behaviour. */
export type OrderRecordForHash = Pick<OrderRecord, 'id' | 'symbol' | 'side' | 'type' | 'qty' | 'limitPrice' | 'stopPrice' | 'timeInForce' | 'status' | 'filledQty' | 'avgFillPrice' | 'tsCreated'>;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const RECORDS_PER_UPDATE = 1024;

/** Feeds float64 values to the hash as little-endian IEEE-754 bytes, whatever the platform. */
function updateFloat64(h: Hash, values: Float64Array, count: number): void {
  const view = values.subarray(0, count);
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

  flush(): void {
    if (this.at > 0) this.h.update(this.buf.subarray(0, this.at));
    this.at = 0;
  }
}

const COMMA = 0x2c;
const NEWLINE = 0x0a;

/**
 * Feeds records to the hash in two parts per block of records: their numeric fields as
 * little-endian doubles (null as NaN), then their text fields as comma-separated lines. Numbers are
 * never converted to text, which is both exact and fast.
 */
function updateRecords<T>(h: Hash, records: readonly T[], numeric: number, fill: (r: T, out: Float64Array, at: number) => void, text: (r: T, out: TextBytes) => void): void {
  const block = new Float64Array(RECORDS_PER_UPDATE * numeric);
  const lines = new TextBytes(h);
  for (let start = 0; start < records.length; start += RECORDS_PER_UPDATE) {
    const end = Math.min(records.length, start + RECORDS_PER_UPDATE);
    for (let i = start; i < end; i++) fill(records[i]!, block, (i - start) * numeric);
    updateFloat64(h, block, (end - start) * numeric);
    for (let i = start; i < end; i++) text(records[i]!, lines);
    lines.flush();
  }
}

/** Writes text fields as one comma-separated line. */
function line(out: TextBytes, a: string, b: string, c: string, d: string, e?: string, f?: string): void {
  out.text(a);
  out.byte(COMMA);
  out.text(b);
  out.byte(COMMA);
  out.text(c);
  out.byte(COMMA);
  out.text(d);
  if (e !== undefined) {
    out.byte(COMMA);
    out.text(e);
    out.byte(COMMA);
    out.text(f!);
  }
  out.byte(NEWLINE);
}

/**
 * Returns the run's identity: SHA-256 over the canonical serialisation of its fills, orders and
 * equity curve, in run order: per block of 1024 fills (orders), their numeric fields as
 * little-endian IEEE-754 doubles (fills: ts, qty, price, commission; orders: qty, limitPrice,
 * stopPrice, filledQty, avgFillPrice, tsCreated; null as NaN) followed by their text fields as
 * comma-separated lines (fills: symbol, side, orderId, liquidity; orders: id, symbol, side, type,
 * timeInForce, status); then the equity timestamps and values as little-endian doubles. Equal
 * runs hash equal in any process, on any machine.
 */
export function computeRunHash(
  fills: readonly Fill[],
  orders: readonly OrderRecordForHash[],
  equityTs: Float64Array,
  equity: Float64Array,
  equityCount: number,
): string {
  const h = createHash('sha256');
  h.update(`tapedeck-run-v3\nfills ${fills.length}\n`);
  updateRecords(
    h,
    fills,
    4,
    (f, out, at) => {
      out[at] = f.ts;
      out[at + 1] = f.qty;
      out[at + 2] = f.price;
      out[at + 3] = f.commission;
    },
    (f, out) => line(out, f.symbol, f.side, f.orderId, f.liquidity),
  );
  h.update(`orders ${orders.length}\n`);
  updateRecords(
    h,
    orders,
    6,
    (o, out, at) => {
      out[at] = o.qty;
      out[at + 1] = o.limitPrice ?? Number.NaN;
      out[at + 2] = o.stopPrice ?? Number.NaN;
      out[at + 3] = o.filledQty;
      out[at + 4] = o.avgFillPrice;
      out[at + 5] = o.tsCreated;
    },
    (o, out) => line(out, o.id, o.symbol, o.side, o.type, o.timeInForce, o.status),
  );
  h.update(`equity ${equityCount}\n`);
  updateFloat64(h, equityTs, equityCount);
  updateFloat64(h, equity, equityCount);
  return h.digest('hex');
}
