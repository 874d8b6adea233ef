import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { Fill } from '../../engine/model/index.js';

/** The parts of an order that identify a run's behaviour. */
export interface OrderRecordForHash {
  readonly id: string;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly timeInForce: string;
  readonly status: string;
  readonly filledQty: number;
  readonly avgFillPrice: number;
  readonly tsCreated: number;
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const LINES_PER_UPDATE = 1024;

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

/** Feeds records to the hash as lines, many lines per update call. */
function updateLines<T>(h: Hash, records: readonly T[], line: (r: T) => string): void {
  let chunk = '';
  for (let i = 0; i < records.length; i++) {
    chunk += line(records[i]!);
    if ((i + 1) % LINES_PER_UPDATE === 0) {
      h.update(chunk);
      chunk = '';
    }
  }
  if (chunk !== '') h.update(chunk);
}

/**
 * Returns the run's identity: SHA-256 over the canonical serialisation of its fills, orders and
 * equity curve. Fills and orders are lines of fields in a fixed order with numbers in JavaScript's
 * shortest round-trip form (exact for every double); the equity curve is its timestamps and values
 * as little-endian IEEE-754 doubles. Equal runs hash equal in any process, on any machine.
 */
export function computeRunHash(
  fills: readonly Fill[],
  orders: readonly OrderRecordForHash[],
  equityTs: Float64Array,
  equity: Float64Array,
  equityCount: number,
): string {
  const h = createHash('sha256');
  h.update(`tapedeck-run-v2\nfills ${fills.length}\n`);
  updateLines(h, fills, (f) => `${f.ts},${f.symbol},${f.side},${f.qty},${f.price},${f.commission},${f.orderId},${f.liquidity}\n`);
  h.update(`orders ${orders.length}\n`);
  updateLines(
    h,
    orders,
    (o) => `${o.id},${o.symbol},${o.side},${o.type},${o.qty},${o.limitPrice},${o.stopPrice},${o.timeInForce},${o.status},${o.filledQty},${o.avgFillPrice},${o.tsCreated}\n`,
  );
  h.update(`equity ${equityCount}\n`);
  updateFloat64(h, equityTs, equityCount);
  updateFloat64(h, equity, equityCount);
  return h.digest('hex');
}
