import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateMarket, replayBook } from '../../../../../datasets/synthetic/index.js';
import type { BookColumns } from '../../../../../datasets/synthetic/index.js';
import { OrderBook } from '../../../../../sim/venue/l2/index.js';
import type { BookRepairPolicy } from '../../../../../sim/venue/l2/index.js';
import { l2Harness, levels, snapshot, T0 } from './l2-harness.js';

/** A raw row: side, tick offset from 10000, size, action (0 update, 1 delete). */
const rowArb = fc.record({
  side: fc.constantFrom(1 as const, -1 as const),
  tick: fc.integer({ min: 9980, max: 10020 }),
  size: fc.integer({ min: 0, max: 50 }),
  action: fc.constantFrom(0, 0, 0, 1),
});

function uncrossed(b: OrderBook): boolean {
  const bb = b.bestBidTick;
  const ba = b.bestAskTick;
  return !(bb === bb && ba === ba) || bb < ba;
}

describe('OrderBook properties', () => {
  it('stays uncrossed under any row sequence when a repair policy is chosen', () => {
    fc.assert(
      fc.property(fc.constantFrom<BookRepairPolicy>('skip-event', 'drop-crossed-levels'), fc.array(rowArb, { maxLength: 200 }), (repair, rows) => {
        const b = new OrderBook({ tickSize: 0.01, repair, initialTicks: 8 });
        rows.forEach((r, i) => {
          b.apply(r.side, r.tick / 100, r.size, r.action, 0, T0 + i, i);
          expect(uncrossed(b)).toBe(true);
        });
        const c = b.counters;
        expect(c.skippedRows).toBe(c.negativeSize + c.invalidPrice + c.unknownLevel + c.malformed + (repair === 'skip-event' ? c.crossedRows : 0));
      }),
    );
  });

  it('applies any sequence of valid deltas without error and agrees with a map of levels', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 300 }), (rows) => {
        const b = new OrderBook({ tickSize: 0.01, fullDepth: true, initialTicks: 4 });
        const ref = { 1: new Map<number, number>(), [-1]: new Map<number, number>() } as Record<number, Map<number, number>>;
        rows.forEach((r, i) => {
          const own = ref[r.side]!;
          const other = ref[-r.side]!;
          // Make the row valid: deletes only of present levels, updates never at or through the other side.
          if (r.action === 1 || r.size === 0) {
            if (!own.has(r.tick)) return;
            own.delete(r.tick);
          } else {
            const otherBest = other.size === 0 ? NaN : r.side === 1 ? Math.min(...other.keys()) : Math.max(...other.keys());
            if (r.side === 1 ? r.tick >= otherBest : r.tick <= otherBest) return;
            own.set(r.tick, r.size);
          }
          b.apply(r.side, r.tick / 100, r.size, r.action, 0, T0 + i, i);
          expect(uncrossed(b)).toBe(true);
        });
        for (const side of [1, -1] as const) {
          const want = [...ref[side]!.entries()].sort((x, y) => (side === 1 ? y[0] - x[0] : x[0] - y[0])).map(([t, s]) => [t / 100, s]);
          expect(levels(b, side, 100)).toEqual(want);
        }
      }),
    );
  });
});

describe('L2Venue no-impact property', () => {
  it('never fills own taker orders beyond the displayed size of a level within one book state', () => {
    const actionArb = fc.oneof(
      fc.record({ kind: fc.constant('order' as const), side: fc.constantFrom('buy' as const, 'sell' as const), qty: fc.integer({ min: 1, max: 40 }), limitOffset: fc.option(fc.integer({ min: -3, max: 6 }), { nil: null }), tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const) }),
      fc.record({ kind: fc.constant('update' as const), side: fc.constantFrom(1 as const, -1 as const), depth: fc.integer({ min: 0, max: 4 }), size: fc.integer({ min: 1, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 60 }), (actions) => {
        const h = l2Harness();
        h.snapshot(T0, [[99.99, 10], [99.98, 20], [99.97, 5]], [[100.01, 10], [100.02, 20], [100.03, 5]]);
        const displayed = new Map<string, number>();
        const used = new Map<string, number>();
        const key = (side: number, price: number) => `${side}:${Math.round(price * 100)}`;
        for (const [side, lv] of [[1, levels(h.book, 1)], [-1, levels(h.book, -1)]] as const) for (const [p, s] of lv) displayed.set(key(side, p), s);
        let t = T0 + 1;
        for (const a of actions) {
          t++;
          if (a.kind === 'update') {
            const price = a.side === 1 ? 99.99 - a.depth / 100 : 100.01 + a.depth / 100;
            h.update(t, a.side, Math.round(price * 100) / 100, a.size);
            displayed.set(key(a.side, price), a.size);
            used.delete(key(a.side, price));
            continue;
          }
          const before = h.events.length;
          const limitPrice = a.limitOffset === null ? undefined : a.side === 'buy' ? (10001 + a.limitOffset) / 100 : (9999 - a.limitOffset) / 100;
          h.submit({ side: a.side, qty: a.qty, ...(limitPrice === undefined ? {} : { type: 'limit', limitPrice, timeInForce: a.tif }), ...(limitPrice === undefined && a.tif === 'FOK' ? { timeInForce: 'FOK' } : {}) }, t);
          for (const e of h.events.slice(before)) {
            if (e.kind !== 'OrderFilled' || e.fill.liquidity !== 'taker') continue;
            const k = key(e.fill.side === 'buy' ? -1 : 1, e.fill.price);
            used.set(k, (used.get(k) ?? 0) + e.fill.qty);
            expect(used.get(k)!).toBeLessThanOrEqual(displayed.get(k)! + 1e-9);
          }
          // Resting own orders are cancelled so that only taker fills are in play.
          for (const id of [...new Set(h.events.slice(before).map((e) => e.orderId))]) if (h.venue.queueAhead(id) === h.venue.queueAhead(id)) h.venue.cancel(id, t);
        }
      }),
    );
  });
});

describe('OrderBook against the synthetic generator', () => {
  /** Replays `cols` and counts the snapshots whose levels equal the book built so far. */
  function replay(cols: BookColumns): { snapshots: number; matching: number } {
    const b = new OrderBook({ tickSize: 0.01, fullDepth: true });
    let snapshots = 0;
    let matching = 0;
    let built = false;
    let before: [number[][], number[][]] = [[], []];
    const snap: [number[][], number[][]] = [[], []];
    for (let r = 0; r < cols.ts.length; r++) {
      const f = cols.flags[r]!;
      if (cols.action[r] === 2 && f & 1) {
        before = [levels(b, 1, 1000), levels(b, -1, 1000)];
        snap[0] = [];
        snap[1] = [];
      }
      if (cols.action[r] === 2 && cols.size[r]! > 0) snap[cols.side[r] === 1 ? 0 : 1].push([cols.price[r]!, cols.size[r]!]);
      b.apply(cols.side[r]!, cols.price[r]!, cols.size[r]!, cols.action[r]!, f, cols.ts[r]!, r);
      expect(uncrossed(b)).toBe(true);
      if (cols.action[r] === 2 && f & 2) {
        snapshots++;
        const sorted = [snap[0].sort((x, y) => y[0]! - x[0]!), snap[1].sort((x, y) => x[0]! - y[0]!)];
        if (built && JSON.stringify(before) === JSON.stringify(sorted)) matching++;
        expect([levels(b, 1, 1000), levels(b, -1, 1000)]).toEqual(sorted);
        built = true;
      }
    }
    return { snapshots, matching };
  }

  it('rebuilds every snapshot of generated books from the deltas, as replayBook does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 3, max: 12 }), (seed, bookLevels) => {
        const market = generateMarket({ seed, symbols: ['AAA'], days: 2, kinds: ['book'], intraday: { days: 1, bookEventsPerDay: 3000, bookLevels, snapshotSeconds: 1800 } });
        const cols = market.tables.find((t) => t.kind === 'book')!.columns as unknown as BookColumns;
        const summary = replayBook(cols);
        const ours = replay(cols);
        expect(ours.snapshots).toBe(summary.snapshots);
        expect(ours.matching).toBe(summary.snapshotsMatchingReplay);
        expect(ours.matching).toBe(ours.snapshots - 1);
      }),
      { numRuns: 6 },
    );
  });
});
