import { orderId, strategyId, US_PER_DAY } from '../../../../engine/core/index.js';
import type { OrderId } from '../../../../engine/core/index.js';
import { Order } from '../../../../engine/model/index.js';
import type { Fill, OrderEvent, OrderRequest } from '../../../../engine/model/index.js';
import { SimulatedVenue, venueConfig } from '../../../../sim/venue/index.js';
import type { VenueConfigInput } from '../../../../sim/venue/index.js';

/** 2024-01-01T00:00:00Z in microseconds: bar i of a daily tape opens at T0 + i * DAY. */
export const T0 = Date.UTC(2024, 0, 1) * 1000;
export const DAY = US_PER_DAY;

/** Opening time of daily bar `i`. */
export const barTs = (i: number): number => T0 + i * DAY;
/** Time a strategy decides after seeing daily bar `i` (its close). */
export const after = (i: number): number => T0 + (i + 1) * DAY;

export type Req = Partial<OrderRequest> & Pick<OrderRequest, 'side' | 'qty'>;

/** A venue over daily bars with a recording sink and order helpers. */
export function harness(config: VenueConfigInput = {}, symbols: string[] = ['AAA']) {
  const events: OrderEvent[] = [];
  const venue = new SimulatedVenue(venueConfig({ barIntervalUs: DAY, ...config }), { onOrderEvent: (e) => events.push(e) }, symbols);
  let n = 0;
  const orders = new Map<string, Order>();
  return {
    venue,
    events,
    orders,
    /** Builds an Order (strategy 'S') and submits it at `ts`; returns its id. */
    submit(req: Req, ts: number): OrderId {
      const o = new Order(orderId(`O-${++n}`), { symbol: symbols[0]!, ...req }, ts, strategyId('S'));
      orders.set(o.id, o);
      venue.submit(o, ts);
      return o.id;
    },
    /** Feeds daily bar `i` of symbol `s`. */
    bar(i: number, open: number, high: number, low: number, close: number, volume = 1_000_000, s = 0): void {
      venue.onBar(s, barTs(i), open, high, low, close, volume);
    },
    fills(): Fill[] {
      return events.flatMap((e) => (e.kind === 'OrderFilled' ? [e.fill] : []));
    },
    kinds(id?: OrderId): string[] {
      return events.filter((e) => id === undefined || e.orderId === id).map((e) => e.kind);
    },
    /** Returns the events after clearing the record. */
    take(): OrderEvent[] {
      return events.splice(0, events.length);
    },
  };
}

/** Opens a long (positive qty) or short position of `qty` with a market order filled on bar `i + 1` at `price`. */
export function openPosition(h: ReturnType<typeof harness>, qty: number, i: number, price: number): void {
  h.bar(i, price, price, price, price);
  h.submit({ side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty) }, after(i));
  h.bar(i + 1, price, price, price, price);
  h.take();
}
