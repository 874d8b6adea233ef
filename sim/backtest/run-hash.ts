import { createHash } from 'node:crypto';
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

/**
 * Returns the run's identity: SHA-256 over the canonical serialisation of its fills, orders and
 * equity curve. Numbers are written in JavaScript's shortest round-trip form (exact for every
 * double), fields in a fixed order, records in run order, so equal runs hash equal in any process.
 */
export function computeRunHash(
  fills: readonly Fill[],
  orders: readonly OrderRecordForHash[],
  equityTs: ArrayLike<number>,
  equity: ArrayLike<number>,
  equityCount: number,
): string {
  const h = createHash('sha256');
  h.update('tapedeck-run-v1\nfills\n');
  for (const f of fills) {
    h.update(`${f.ts},${f.symbol},${f.side},${f.qty},${f.price},${f.commission},${f.orderId},${f.liquidity}\n`);
  }
  h.update('orders\n');
  for (const o of orders) {
    h.update(
      `${o.id},${o.symbol},${o.side},${o.type},${o.qty},${o.limitPrice},${o.stopPrice},${o.timeInForce},${o.status},${o.filledQty},${o.avgFillPrice},${o.tsCreated}\n`,
    );
  }
  h.update('equity\n');
  for (let i = 0; i < equityCount; i++) h.update(`${equityTs[i]},${equity[i]}\n`);
  return h.digest('hex');
}
