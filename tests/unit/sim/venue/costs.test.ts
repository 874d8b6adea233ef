import { describe, expect, it } from 'vitest';
import { commissionForFill, createFeeModel } from '../../../../sim/venue/index.js';
import { after, harness } from './venue-harness.js';

describe('fixed-bps slippage', () => {
  const bps10 = { slippage: { kind: 'fixed_bps', bps: 10 } } as const;

  it('moves a market buy 10 bps above the open and a market sell 10 bps below', () => {
    const h = harness(bps10);
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1 }, after(0));
    h.submit({ side: 'sell', qty: 1 }, after(0));
    h.bar(1, 200, 201, 199, 200);
    const [buy, sell] = h.fills();
    expect(buy!.price).toBeCloseTo(200.2, 10);
    expect(sell!.price).toBeCloseTo(199.8, 10);
  });

  it('moves a stop fill against the order', () => {
    const h = harness(bps10);
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'stop', stopPrice: 105 }, after(0));
    h.bar(1, 100, 106, 99, 104);
    expect(h.fills()[0]!.price).toBeCloseTo(105.105, 10);
  });

  it('never fills a limit worse than its limit price', () => {
    const h = harness(bps10);
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 98 }, after(0));
    h.submit({ side: 'buy', qty: 1, type: 'limit', limitPrice: 99 }, after(0));
    h.bar(1, 98.95, 99, 97, 98);
    // 99: gapped at the open 98.95, slipped to 99.04 but clamped to the limit 99; 98: touched, stays 98.
    expect(h.fills().map((f) => f.price)).toEqual([99, 98]);
  });

  it('combines with the volume cap in a composite model', () => {
    const h = harness({ slippage: { kind: 'composite', parts: [{ kind: 'fixed_bps', bps: 10 }, { kind: 'volume_share', share: 0.5 }] } });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 10 }, after(0));
    h.bar(1, 100, 101, 99, 100, 10);
    expect(h.fills().map((f) => [f.qty, f.price])).toEqual([[5, 100.1]]);
  });
});

describe('fee models', () => {
  it('charges a fraction of notional: 0.2% of 10 x 101 is 2.02', () => {
    const h = harness({ fees: { kind: 'fraction', rate: 0.002 } });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 10 }, after(0));
    h.bar(1, 101, 102, 100, 101);
    expect(h.fills()[0]!.commission).toBeCloseTo(2.02, 12);
  });

  it('charges basis points of notional: 20 bps of 10 x 101 is 2.02', () => {
    expect(createFeeModel({ kind: 'bps', bps: 20 }).fee(10, 101, 'taker')).toBeCloseTo(2.02, 12);
  });

  it('charges per unit: 0.005 x 300 units is 1.5', () => {
    expect(createFeeModel({ kind: 'per_unit', perUnit: 0.005 }).fee(300, 50, 'taker')).toBeCloseTo(1.5, 12);
  });

  it('charges the maker rate on maker fills when one is configured', () => {
    const h = harness({ fees: { kind: 'fraction', rate: 0.002, makerRate: 0.001 } });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 10, type: 'limit', limitPrice: 98 }, after(0));
    h.bar(1, 100, 101, 97, 99);
    const [f] = h.fills();
    expect(f!.liquidity).toBe('maker');
    expect(f!.commission).toBeCloseTo(0.98, 12);
  });

  it('charges the per-order minimum on a small order', () => {
    const h = harness({ fees: { kind: 'per_unit', perUnit: 0.01, minimum: 5 } });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 100 }, after(0));
    h.bar(1, 101, 102, 100, 101);
    expect(h.fills()[0]!.commission).toBe(5);
  });

  it('applies the minimum per order, not per fill: total = max(sum of fill fees, minimum)', () => {
    // 150 units at 0.04 per unit with a minimum of 5, filled 100 then 50 under a 10% volume cap:
    // raw fees 4 and 2; charged 5 (the minimum) and then 1, so the order pays 6 = max(6, 5).
    const h = harness({ fees: { kind: 'per_unit', perUnit: 0.04, minimum: 5 }, slippage: { kind: 'volume_share', share: 0.1 } });
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 150 }, after(0));
    h.bar(1, 101, 102, 100, 101, 1000);
    h.bar(2, 101, 102, 100, 101, 1000);
    expect(h.fills().map((f) => f.commission)).toEqual([5, 1]);
  });

  it('charges nothing more on later fills while the order total stays under the minimum', () => {
    expect(commissionForFill(1, 0, 0, 5)).toBe(5);
    expect(commissionForFill(1.5, 1, 5, 5)).toBe(0);
    expect(commissionForFill(4, 2.5, 5, 5)).toBeCloseTo(1.5, 12);
  });

  it('charges nothing with no fee model', () => {
    const h = harness();
    h.bar(0, 100, 101, 99, 100);
    h.submit({ side: 'buy', qty: 10 }, after(0));
    h.bar(1, 101, 102, 100, 101);
    expect(h.fills()[0]!.commission).toBe(0);
  });
});
