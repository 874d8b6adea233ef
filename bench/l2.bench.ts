/**
 * L2 replay throughput: book rows (snapshots and deltas) of the synthetic generator applied by the L2
 * venue, which maintains the book and the queue positions of own resting orders. Variants: the book
 * alone (OrderBook.apply), the venue with no own order, and the venue with 10 own limit orders resting
 * at various levels around the touch under each queue model; an order that fills or is cancelled is
 * replaced at once near the new touch, so 10 orders are tracked for the whole tape. A last variant
 * merges the generator's trade prints into the tape (queue advancement on prints at own prices).
 * The tape is generated before timing into typed arrays.
 */
import { orderId } from '../engine/core/index.js';
import { Order } from '../engine/model/index.js';
import type { OrderEvent } from '../engine/model/index.js';
import { generateMarket } from '../datasets/synthetic/index.js';
import type { BookColumns, TradeColumns } from '../datasets/synthetic/index.js';
import { L2Venue, l2VenueConfig, OrderBook } from '../sim/venue/l2/index.js';
import type { QueueModelConfig } from '../sim/venue/l2/index.js';
import { measure } from './harness.js';
import type { ThroughputResult } from './harness.js';

const OWN_ORDERS = 10;

function tape(): { book: BookColumns; trades: TradeColumns } {
  const m = generateMarket({
    seed: 42,
    symbols: ['AAA'],
    days: 1,
    kinds: ['book', 'trades'],
    intraday: { days: 1, bookEventsPerDay: 400_000, tradesPerDay: 100_000, bookLevels: 10, snapshotSeconds: 60 },
  });
  const book = m.tables.find((t) => t.kind === 'book')!.columns as unknown as BookColumns;
  const trades = m.tables.find((t) => t.kind === 'trades')!.columns as unknown as TradeColumns;
  return { book, trades };
}

/** A venue that keeps `OWN_ORDERS` limit orders resting around the touch, replacing each one that finishes. */
function makeVenue(queue: QueueModelConfig) {
  let fills = 0;
  const sink = {
    onOrderEvent(e: OrderEvent): void {
      if (e.kind === 'OrderFilled') fills++;
    },
  };
  const venue = new L2Venue(l2VenueConfig({ queue }), sink, ['AAA']);
  const book = venue.book(0);
  let n = 0;
  /** Places orders until OWN_ORDERS rest: buys and sells 0..4 ticks behind the touch. */
  const top = (ts: number): void => {
    let k = 0;
    while (venue.workingOrders() < OWN_ORDERS && k < 2 * OWN_ORDERS) {
      const buy = (n & 1) === 0;
      const depth = (n >> 1) % 5;
      const tick = buy ? book.bestBidTick - depth : book.bestAskTick + depth;
      const o = new Order(orderId(`B-${n++}`), { symbol: 'AAA', side: buy ? 'buy' : 'sell', qty: 50, type: 'limit', limitPrice: book.toPrice(tick) }, ts);
      venue.submit(o, ts);
      k++;
    }
  };
  return {
    venue,
    book,
    top,
    get fills() {
      return fills;
    },
    reset(): void {
      venue.reset();
      fills = 0;
      n = 0;
    },
  };
}

export default async function run(): Promise<ThroughputResult[]> {
  const { book: b, trades: t } = tape();
  const rows = b.ts.length;
  const results: ThroughputResult[] = [];
  const opts = { runs: 5, cpuTime: true };

  const plain = new OrderBook({ tickSize: 0.01, fullDepth: true });
  results.push(
    await measure('L2 OrderBook.apply (book only)', 'deltas/s', rows, () => {
      plain.reset();
      for (let r = 0; r < rows; r++) plain.apply(b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, b.ts[r]!, r);
    }, { ...opts, note: `${(rows / 1e6).toFixed(2)}M rows of the synthetic generator (10 levels, snapshots every 60 s)` }),
  );

  const idle = makeVenue({ kind: 'risk-averse' });
  results.push(
    await measure('L2Venue.onBookDelta, no own order', 'deltas/s', rows, () => {
      idle.reset();
      const v = idle.venue;
      for (let r = 0; r < rows; r++) v.onBookDelta(0, b.ts[r]!, b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, r);
    }, opts),
  );

  const withOrders = (queue: QueueModelConfig, withTrades: boolean) => {
    const h = makeVenue(queue);
    const fn = (): void => {
      h.reset();
      const v = h.venue;
      const tradeCount = withTrades ? t.ts.length : 0;
      let j = 0;
      for (let r = 0; r < rows; r++) {
        const ts = b.ts[r]!;
        while (j < tradeCount && t.ts[j]! < ts) {
          v.onTrade(0, t.ts[j]!, t.price[j]!, t.size[j]!, t.side[j]!);
          j++;
        }
        v.onBookDelta(0, ts, b.side[r]!, b.price[r]!, b.size[r]!, b.action[r]!, b.flags[r]!, r);
        // Keep OWN_ORDERS resting: top up whenever one finished and the book is complete.
        if (v.workingOrders() < OWN_ORDERS && !h.book.snapshotPending && h.book.levelCount(1) > 0 && h.book.levelCount(-1) > 0) h.top(ts);
      }
    };
    return { h, fn };
  };
  for (const [label, queue] of [
    ['risk-averse', { kind: 'risk-averse' }],
    ['prob power n=3', { kind: 'prob', function: 'power', n: 3 }],
  ] as const) {
    const { h, fn } = withOrders(queue, false);
    const r = await measure(`L2Venue.onBookDelta, ${OWN_ORDERS} resting own orders, ${label} queue`, 'deltas/s', rows, fn, opts);
    r.note = `${h.fills} own fills per run, orders replaced as they finish`;
    results.push(r);
  }
  {
    const { h, fn } = withOrders({ kind: 'prob', function: 'power', n: 3 }, true);
    const r = await measure(`L2Venue deltas + trades, ${OWN_ORDERS} resting own orders, prob queue`, 'events/s', rows + t.ts.length, fn, opts);
    r.note = `${(t.ts.length / 1e3).toFixed(0)}k prints merged in; ${h.fills} own fills per run`;
    results.push(r);
  }
  return results;
}
