import { describe, expect, it } from 'vitest';
import { strategyId, symbolId } from '../../../../engine/core/index.js';
import type { OrderEvent } from '../../../../engine/model/index.js';
import type { Strategy, StrategyContext } from '../../../../engine/strategies/context.js';
import { generateMarket } from '../../../../datasets/synthetic/index.js';
import type { BookColumns, TradeColumns } from '../../../../datasets/synthetic/index.js';
import { runL2Replay } from '../../../../sim/backtest/l2-replay.js';
import type { BookBatch, L2BookView, L2LatencyConfig } from '../../../../sim/backtest/l2-replay.js';
import type { TradeBatch } from '../../../../sim/backtest/batches.js';
import { l2VenueConfig } from '../../../../sim/venue/l2/index.js';

const T0 = Date.UTC(2024, 0, 2, 14, 30) * 1000;
const AAA = symbolId('AAA');

type Row = [ts: number, side: number, price: number, size: number, action: number, flags: number];

function bookBatch(rows: readonly Row[]): BookBatch {
  const col = (k: number) => Float64Array.from(rows.map((r) => r[k]!));
  return { length: rows.length, ts: col(0), symbol: new Int32Array(rows.length), side: col(1), price: col(2), size: col(3), action: col(4), flags: col(5) };
}

async function* once<T>(...items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

/** Records what it sees with the clock reading at the time. */
function recorder(onFirstQuote: (ctx: StrategyContext) => void) {
  const seen: { now: number; what: string }[] = [];
  let quoted = false;
  const strategy: Strategy = {
    id: strategyId('rec'),
    symbols: [AAA],
    onQuote(ctx, _s, q) {
      seen.push({ now: ctx.now, what: `quote ${q.bid}/${q.ask}` });
      if (!quoted) {
        quoted = true;
        onFirstQuote(ctx);
      }
    },
    onOrderEvent(ctx, e: OrderEvent) {
      seen.push({ now: ctx.now, what: `${e.kind}@${e.ts}` });
    },
  };
  return { seen, strategy };
}

const latency = (feed: number, entry: number, response: number): L2LatencyConfig => ({
  feed: { kind: 'constant', us: feed },
  entry: { kind: 'constant', us: entry },
  response: { kind: 'constant', us: response },
});

const SNAPSHOT: Row[] = [
  [T0, 1, 99.99, 10, 2, 1],
  [T0, 1, 99.98, 20, 2, 0],
  [T0, -1, 100.01, 5, 2, 0],
  [T0, -1, 100.02, 10, 2, 2],
];

describe('runL2Replay', () => {
  it('orders the feed, entry and response latencies on one clock', async () => {
    const r = recorder((ctx) => ctx.submitOrder({ symbol: 'AAA', side: 'buy', qty: 7 }));
    const result = await runL2Replay(
      { symbols: ['AAA'], initialCash: 1e6, equityEveryUs: 1e6, venue: l2VenueConfig(), latency: latency(200, 1000, 500), seed: 1, createStrategies: () => [r.strategy] },
      { book: once(bookBatch([...SNAPSHOT, [T0 + 5000, -1, 100.02, 4, 0, 0]])) },
    );
    // Seen at T0 + 200 (feed); the order reaches the venue at T0 + 1200 and its events come back at T0 + 1700.
    expect(r.seen).toEqual([
      { now: T0 + 200, what: 'quote 99.99/100.01' },
      { now: T0 + 1700, what: `OrderAccepted@${T0 + 1200}` },
      { now: T0 + 1700, what: `OrderFilled@${T0 + 1200}` },
      { now: T0 + 1700, what: `OrderFilled@${T0 + 1200}` },
    ]);
    expect(result.fills.map((f) => [f.qty, f.price, f.ts])).toEqual([[5, 100.01, T0 + 1200], [2, 100.02, T0 + 1200]]);
    expect(result.l2.takerExecutions[0]!.slippageBps).toBeCloseTo(((((5 * 100.01 + 2 * 100.02) / 7 - 100) / 100) * 1e4), 8);
    expect(result.finalPositions.AAA).toBe(7);
    expect(result.assumptions.some((a) => a.startsWith('Feed latency: 200 us'))).toBe(true);
    expect(result.assumptions.some((a) => a.startsWith('Order entry latency: 1000 us'))).toBe(true);
  });

  it("takes the account it is given: a short sale the default cash account denies fills in a margin account", async () => {
    const run = async (account?: { type: 'margin'; insufficientFunds: 'reject'; initialMargin: number; maintenanceMargin: number; borrowRate: number; marginCall: 'none' }) => {
      const r = recorder((ctx) => ctx.submitOrder({ symbol: 'AAA', side: 'sell', qty: 3 }));
      return runL2Replay(
        { symbols: ['AAA'], initialCash: 1e6, equityEveryUs: 1e6, venue: l2VenueConfig(), latency: latency(0, 0, 0), seed: 1, createStrategies: () => [r.strategy], ...(account ? { account } : {}) },
        { book: once(bookBatch([...SNAPSHOT, [T0 + 5000, 1, 99.99, 10, 0, 0]])) },
      );
    };
    const cash = await run();
    expect(cash.fills).toEqual([]);
    expect(cash.finalPositions.AAA ?? 0).toBe(0);
    const margin = await run({ type: 'margin', insufficientFunds: 'reject', initialMargin: 0.5, maintenanceMargin: 0.25, borrowRate: 0, marginCall: 'none' });
    expect(margin.fills.map((f) => [f.qty, f.price])).toEqual([[3, 99.99]]);
    expect(margin.finalPositions.AAA).toBe(-3);
  });

  it('lets a fill stand when the cancel reaches the venue after it', async () => {
    let id = '';
    const r = recorder((ctx) => {
      id = ctx.submitOrder({ symbol: 'AAA', side: 'buy', qty: 1, type: 'limit', limitPrice: 99.99 });
      ctx.setTimer('cancel', ctx.now + 2000);
    });
    r.strategy.onTimer = (ctx) => ctx.cancelOrder(id as never);
    const rows: Row[] = [...SNAPSHOT, [T0 + 2500, 1, 99.99, 0, 1, 0], [T0 + 2500, -1, 99.99, 3, 0, 0]];
    // Order at the venue at T0 + 100 + 300; cancel sent at T0 + 2100 arrives at T0 + 2400... before the fill:
    const early = await runL2Replay(
      { symbols: ['AAA'], initialCash: 1e6, equityEveryUs: 1e6, venue: l2VenueConfig(), latency: latency(100, 300, 300), seed: 1, createStrategies: () => [r.strategy] },
      { book: once(bookBatch(rows)) },
    );
    expect(early.fills).toHaveLength(0);
    expect(early.orders[0]!.status).toBe('cancelled');
    // ... and with 500 us entry latency the cancel arrives at T0 + 2600, after the fill at T0 + 2500.
    const r2 = recorder((ctx) => {
      id = ctx.submitOrder({ symbol: 'AAA', side: 'buy', qty: 1, type: 'limit', limitPrice: 99.99 });
      ctx.setTimer('cancel', ctx.now + 2000);
    });
    r2.strategy.onTimer = (ctx) => ctx.cancelOrder(id as never);
    const late = await runL2Replay(
      { symbols: ['AAA'], initialCash: 1e6, equityEveryUs: 1e6, venue: l2VenueConfig(), latency: latency(100, 500, 300), seed: 1, createStrategies: () => [r2.strategy] },
      { book: once(bookBatch(rows)) },
    );
    expect(late.fills.map((f) => [f.qty, f.price, f.ts])).toEqual([[1, 99.99, T0 + 2500]]);
    expect(late.orders[0]!.status).toBe('filled');
    expect(late.l2.requestRejections).toEqual([expect.objectContaining({ ts: T0 + 2600, request: 'cancel' })]);
  });

  it('replays a generated book and prints with a quoting strategy, reproducibly under random latency', async () => {
    const m = generateMarket({ seed: 5, symbols: ['AAA'], days: 2, kinds: ['book', 'trades'], intraday: { days: 1, bookEventsPerDay: 4000, tradesPerDay: 3000, snapshotSeconds: 600 } });
    const b = m.tables.find((t) => t.kind === 'book')!.columns as unknown as BookColumns;
    const t = m.tables.find((x) => x.kind === 'trades')!.columns as unknown as TradeColumns;
    const feeds = () => {
      const chunks: BookBatch[] = [];
      for (let i = 0; i < b.ts.length; i += 5000) {
        const j = Math.min(b.ts.length, i + 5000);
        chunks.push({ length: j - i, ts: b.ts.subarray(i, j), symbol: new Int32Array(j - i), side: b.side.subarray(i, j), price: b.price.subarray(i, j), size: b.size.subarray(i, j), action: b.action.subarray(i, j), flags: b.flags.subarray(i, j) });
      }
      const trades: TradeBatch = { length: t.ts.length, ts: t.ts, symbol: new Int32Array(t.ts.length), price: t.price, size: t.size, side: t.side };
      return { book: once(...chunks), trades: once(trades) };
    };
    /** Joins the best bid and ask with 1 unit each and re-quotes when both are gone. */
    const quoter = (books: L2BookView): Strategy => ({
      id: strategyId('mm'),
      symbols: [AAA],
      onQuote(ctx) {
        if (ctx.openOrders('AAA').length > 0) return;
        const book = books.book('AAA');
        const d = new Float64Array(3);
        const s = new Float64Array(3);
        expect(book.depth(1, 3, d, s)).toBeGreaterThan(0);
        ctx.submitOrder({ symbol: 'AAA', side: 'buy', qty: 1, type: 'limit', limitPrice: book.bestBid, postOnly: true });
        ctx.submitOrder({ symbol: 'AAA', side: 'sell', qty: 1, type: 'limit', limitPrice: book.bestAsk, postOnly: true });
      },
    });
    const config = (seed: number) => ({
      symbols: ['AAA'],
      initialCash: 1e6,
      equityEveryUs: 60e6,
      venue: l2VenueConfig({ queue: { kind: 'prob', function: 'power', n: 3 }, fullDepth: true }),
      latency: { feed: { kind: 'exponential', baseUs: 50, meanJitterUs: 100 }, entry: { kind: 'lognormal', medianUs: 300, sigma: 0.5 }, response: { kind: 'constant', us: 200 } } as L2LatencyConfig,
      seed,
      createStrategies: (books: L2BookView) => [quoter(books)],
    });
    const a = await runL2Replay(config(11), feeds());
    const again = await runL2Replay(config(11), feeds());
    expect(a.l2.bookRows).toBe(b.ts.length);
    expect(a.tradeCount).toBe(t.ts.length);
    expect(a.fills.length).toBeGreaterThan(0);
    expect(a.fills.every((f) => f.liquidity === 'maker')).toBe(true);
    expect(a.l2.repairs.AAA!.skippedRows).toBe(0);
    expect(again.runHash).toBe(a.runHash);
    const other = await runL2Replay(config(12), feeds());
    expect(other.runHash).not.toBe(a.runHash);
  });
});
