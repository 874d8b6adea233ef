import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fill } from '../../../../engine/model/index.js';
import { computeRunHash, hashableFills, hashableOrders } from '../../../../sim/backtest/run-hash.js';
import type { OrderRecordForHash } from '../../../../sim/backtest/run-hash.js';

/** The run-hash v3 format written the plain way: numbers as little-endian doubles, text lines joined as strings (an order's link after its status). */
function referenceHash(fills: readonly Fill[], orders: readonly OrderRecordForHash[], ts: Float64Array, equity: Float64Array): string {
  const h = createHash('sha256');
  const doubles = (xs: readonly number[]): Buffer => {
    const b = Buffer.alloc(xs.length * 8);
    xs.forEach((x, i) => b.writeDoubleLE(x, i * 8));
    return b;
  };
  h.update(`tapedeck-run-v3\nfills ${fills.length}\n`);
  for (let s = 0; s < fills.length; s += 1024) {
    const block = fills.slice(s, s + 1024);
    h.update(doubles(block.flatMap((f) => [f.ts, f.qty, f.price, f.commission])));
    h.update(block.map((f) => `${f.symbol},${f.side},${f.orderId},${f.liquidity}\n`).join(''));
  }
  h.update(`orders ${orders.length}\n`);
  for (let s = 0; s < orders.length; s += 1024) {
    const block = orders.slice(s, s + 1024);
    h.update(doubles(block.flatMap((o) => [o.qty, o.limitPrice ?? Number.NaN, o.stopPrice ?? Number.NaN, o.filledQty, o.avgFillPrice, o.tsCreated])));
    h.update(block.map((o) => `${o.id},${o.symbol},${o.side},${o.type},${o.timeInForce},${o.status}${o.link ? `,${o.link.contingency}|${o.link.parentId ?? ''}|${o.link.linkedIds.join(' ')}|${o.link.group ?? ''}` : ''}\n`).join(''));
  }
  h.update(`equity ${ts.length}\n`);
  h.update(doubles([...ts]));
  h.update(doubles([...equity]));
  return h.digest('hex');
}

const symbolArb = fc.oneof(fc.constantFrom('AAA', 'SPY', 'ÄÖÜ', '株式', 'BTC/USD', '😀X'), fc.string({ minLength: 1, maxLength: 12 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }));
const fillArb = fc.record({
  fillId: fc.constant('F1'),
  orderId: fc.nat(100000).map((n) => `O${n}`),
  strategyId: fc.constant(null),
  ts: fc.integer({ min: 0, max: 2 ** 52 }),
  symbol: symbolArb,
  side: fc.constantFrom('buy' as const, 'sell' as const),
  qty: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  price: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
  commission: fc.double({ min: 0, max: 100, noNaN: true }),
  liquidity: fc.constantFrom('maker' as const, 'taker' as const),
}) as fc.Arbitrary<Fill>;
const orderArb = fc.record({
  id: fc.nat(100000).map((n) => `O${n}`),
  symbol: symbolArb,
  side: fc.constantFrom('buy' as const, 'sell' as const),
  type: fc.constantFrom('market' as const, 'limit' as const, 'stop' as const),
  qty: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
  limitPrice: fc.option(fc.double({ min: 0.01, max: 1e6, noNaN: true })),
  stopPrice: fc.option(fc.double({ min: 0.01, max: 1e6, noNaN: true })),
  timeInForce: fc.constantFrom('GTC' as const, 'DAY' as const, 'IOC' as const),
  status: fc.constantFrom('filled' as const, 'cancelled' as const, 'accepted' as const),
  filledQty: fc.double({ min: 0, max: 1e6, noNaN: true }),
  avgFillPrice: fc.double({ min: 0, max: 1e6, noNaN: true }),
  tsCreated: fc.integer({ min: 0, max: 2 ** 52 }),
}) as fc.Arbitrary<OrderRecordForHash>;

describe('computeRunHash', () => {
  it('hashes exactly the bytes of the v3 format (text encoded as UTF-8, any symbol)', () => {
    fc.assert(
      fc.property(fc.array(fillArb, { maxLength: 40 }), fc.array(orderArb, { maxLength: 40 }), fc.array(fc.double({ noNaN: true }), { maxLength: 20 }), (fills, orders, eq) => {
        const ts = Float64Array.from(eq, (_, i) => i * 60e6);
        const equity = Float64Array.from(eq);
        const want = referenceHash(fills, orders, ts, equity);
        expect(computeRunHash(hashableFills(fills), hashableOrders(orders), ts, equity, ts.length)).toBe(want);

      }),
      { numRuns: 300 },
    );
  });

  it('crosses record blocks and its text buffer the same way (3000 records, a 30000-character symbol)', () => {
    const long = 'Ω'.repeat(30000);
    const fills: Fill[] = Array.from({ length: 3000 }, (_, i) => ({
      fillId: `F${i}` as Fill['fillId'],
      orderId: `O${i}` as Fill['orderId'],
      strategyId: null,
      ts: 1e15 + i,
      symbol: (i === 1500 ? long : i % 2 === 0 ? 'AAA' : 'ÉTÉ') as Fill['symbol'],
      side: i % 3 === 0 ? 'sell' : 'buy',
      qty: 100 + i,
      price: 10 + i / 7,
      commission: 0.01 * i,
      liquidity: 'taker',
    }));
    const orders: OrderRecordForHash[] = fills.map((f, i) => ({ id: f.orderId, symbol: f.symbol, side: f.side, type: 'market', qty: f.qty, limitPrice: null, stopPrice: i % 5 === 0 ? 9.5 : null, timeInForce: 'GTC', status: 'filled', filledQty: f.qty, avgFillPrice: f.price, tsCreated: f.ts }));
    const ts = Float64Array.from({ length: 50 }, (_, i) => i);
    const equity = Float64Array.from({ length: 50 }, (_, i) => 1e5 + i);
    const got = computeRunHash(hashableFills(fills), hashableOrders(orders), ts, equity, 50);
    expect(got).toBe(referenceHash(fills, orders, ts, equity));
    // And it is a function of every field: one fill's side changed, the hash changes.
    const changed = fills.map((f, i) => (i === 2999 ? { ...f, side: f.side === 'buy' ? ('sell' as const) : ('buy' as const) } : f));
    expect(computeRunHash(hashableFills(changed), hashableOrders(orders), ts, equity, 50)).not.toBe(got);
  });
});

describe('computeRunHash with line keys (a log that codes its rows)', () => {
  it('encodes the fixed parts of the lines once per symbol and key, and hashes the same bytes', () => {
    const symbols = ['AAA', 'ÉTÉ', '株式'];
    const fills: Fill[] = Array.from({ length: 5000 }, (_, i) => ({
      fillId: `F-${i + 1}` as Fill['fillId'],
      orderId: `O-${i + 1}` as Fill['orderId'],
      strategyId: null,
      ts: 1e15 + i,
      symbol: symbols[i % 3]! as Fill['symbol'],
      side: i % 5 < 2 ? 'sell' : 'buy',
      qty: 100,
      price: 10 + i / 7,
      commission: 0.01 * i,
      liquidity: i % 7 === 0 ? 'maker' : 'taker',
    }));
    const statuses = ['filled', 'denied', 'cancelled'] as const;
    const orders: OrderRecordForHash[] = fills.map((f, i) => ({
      id: f.orderId, symbol: f.symbol, side: f.side, type: i % 4 === 0 ? 'limit' : 'market', qty: f.qty, limitPrice: i % 4 === 0 ? 9 : null, stopPrice: null,
      timeInForce: i % 6 === 0 ? 'DAY' : 'GTC', status: statuses[i % 3]!, filledQty: f.qty, avgFillPrice: f.price, tsCreated: f.ts,
      ...(i % 11 === 0 ? { link: { contingency: 'OCO' as const, parentId: null, linkedIds: [], group: 'g' } } : {}),
    }));
    const ts = Float64Array.from({ length: 30 }, (_, i) => i);
    const equity = Float64Array.from({ length: 30 }, (_, i) => 1e5 + i);
    const want = computeRunHash(hashableFills(fills), hashableOrders(orders), ts, equity, 30);
    // The v3 bytes written the plain way, links included.
    expect(want).toBe(referenceHash(fills, orders, ts, equity));

    // The same lists with line keys (as the FillLog and OrderLog give them): counted reads of the keyed fields.
    let fieldReads = 0;
    const keyedFills = hashableFills(fills);
    const plainSide = keyedFills.sideAt;
    const plainLiquidity = keyedFills.liquidityAt;
    keyedFills.sideAt = (i) => (fieldReads++, plainSide(i));
    keyedFills.liquidityAt = (i) => (fieldReads++, plainLiquidity(i));
    keyedFills.lineKey = (i) => (fills[i]!.side === 'sell' ? 1 : 0) | (fills[i]!.liquidity === 'maker' ? 2 : 0);
    const keyedOrders = hashableOrders(orders);
    const plainStatus = keyedOrders.statusAt;
    keyedOrders.statusAt = (i) => (fieldReads++, plainStatus(i));
    const codes = { side: ['buy', 'sell'], type: ['market', 'limit'], tif: ['GTC', 'DAY'] };
    keyedOrders.lineKey = (i) => {
      const o = orders[i]!;
      if (o.link !== undefined) return -1;
      return codes.side.indexOf(o.side) | (codes.type.indexOf(o.type) << 1) | (codes.tif.indexOf(o.timeInForce) << 3) | (statuses.indexOf(o.status as (typeof statuses)[number]) << 5);
    };
    expect(computeRunHash(keyedFills, keyedOrders, ts, equity, 30)).toBe(want);
    // Fills: 3 symbols x at most 4 keys, two keyed fields each; orders: 3 x at most 24 keys, plus every order with a link.
    const linked = orders.filter((o) => o.link !== undefined).length;
    expect(fieldReads).toBeLessThanOrEqual(3 * 4 * 2 + 3 * 24 + linked);
  });
});
