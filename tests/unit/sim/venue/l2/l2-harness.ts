import { orderId, strategyId } from '../../../../../engine/core/index.js';
import type { OrderId } from '../../../../../engine/core/index.js';
import { Order } from '../../../../../engine/model/index.js';
import type { Fill, OrderEvent, OrderRequest } from '../../../../../engine/model/index.js';
import { L2Venue, l2VenueConfig } from '../../../../../sim/venue/l2/index.js';
import type { L2VenueConfigInput, OrderBook } from '../../../../../sim/venue/l2/index.js';

/** 2024-01-02T00:00:00Z in microseconds. */
export const T0 = Date.UTC(2024, 0, 2) * 1000;

export type Level = readonly [price: number, size: number];

/** Applies a snapshot (both sides cleared, then the levels) at `ts`. */
export function snapshot(book: OrderBook, ts: number, bids: readonly Level[], asks: readonly Level[]): void {
  const rows: [number, number, number][] = [...bids.map(([p, s]) => [1, p, s] as [number, number, number]), ...asks.map(([p, s]) => [-1, p, s] as [number, number, number])];
  if (rows.length === 0) rows.push([1, 1, 0]);
  rows.forEach(([side, p, s], i) => {
    const flags = (i === 0 ? 1 : 0) | (i === rows.length - 1 ? 2 : 0);
    book.apply(side, p, s, 2, flags, ts, i);
  });
}

export type Req = Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty'>;

/** An L2 venue on symbol AAA with a recording sink. */
export function l2Harness(config: L2VenueConfigInput = {}) {
  const events: OrderEvent[] = [];
  const venue = new L2Venue(l2VenueConfig(config), { onOrderEvent: (e) => events.push(e) }, ['AAA']);
  let n = 0;
  let row = 0;
  return {
    venue,
    events,
    book: venue.book(0),
    submit(req: Req, ts = T0): OrderId {
      const o = new Order(orderId(`O-${++n}`), { symbol: 'AAA', ...req }, ts, strategyId('S'));
      venue.submit(o, ts);
      return o.id;
    },
    /** Feeds a snapshot through the venue. */
    snapshot(ts: number, bids: readonly Level[], asks: readonly Level[]): void {
      const rows: [number, number, number][] = [...bids.map(([p, s]) => [1, p, s] as [number, number, number]), ...asks.map(([p, s]) => [-1, p, s] as [number, number, number])];
      rows.forEach(([side, p, s], i) => venue.onBookDelta(0, ts, side, p, s, 2, (i === 0 ? 1 : 0) | (i === rows.length - 1 ? 2 : 0), row++));
    },
    update(ts: number, side: 1 | -1, price: number, size: number): void {
      venue.onBookDelta(0, ts, side, price, size, 0, 0, row++);
    },
    remove(ts: number, side: 1 | -1, price: number): void {
      venue.onBookDelta(0, ts, side, price, 0, 1, 0, row++);
    },
    trade(ts: number, price: number, size: number, side: -1 | 0 | 1): void {
      venue.onTrade(0, ts, price, size, side);
    },
    fills(id?: OrderId): Fill[] {
      return events.flatMap((e) => (e.kind === 'OrderFilled' && (id === undefined || e.orderId === id) ? [e.fill] : []));
    },
    kinds(id?: OrderId): string[] {
      return events.filter((e) => id === undefined || e.orderId === id).map((e) => e.kind);
    },
    take(): OrderEvent[] {
      return events.splice(0, events.length);
    },
  };
}

/** Writes the first `n` levels of a side as [price, size] pairs. */
export function levels(book: OrderBook, side: 1 | -1, n = 10): [number, number][] {
  const p = new Float64Array(n);
  const s = new Float64Array(n);
  const k = book.depth(side, n, p, s);
  return Array.from({ length: k }, (_, i) => [p[i]!, s[i]!]);
}
