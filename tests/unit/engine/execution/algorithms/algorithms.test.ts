import { describe, expect, it } from 'vitest';
import { ConfigError, US_PER_DAY, US_PER_MINUTE } from '../../../../../engine/core/index.js';
import {
  IntradayVolumeProfile,
  dcaSchedule,
  implementationShortfallBps,
  qualifyAlgorithmConfig,
  smartSchedule,
  splitQuantity,
  twapSchedule,
  vwapSchedule,
} from '../../../../../engine/execution/algorithms/index.js';
import { algoHarness } from './harness.js';

const MIN = US_PER_MINUTE;

describe('execution algorithm schedules', () => {
  it('splits 10 units into 3 whole parts as 4, 3, 3 (largest remainder, ties to the earlier part)', () => {
    expect(splitQuantity(10, [1, 1, 1], true)).toEqual([4, 3, 3]);
  });

  it('splits fractional quantities exactly, the last part taking the residue', () => {
    const parts = splitQuantity(1, [1, 1, 1], false);
    expect(parts[0]).toBeCloseTo(1 / 3, 15);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('schedules a TWAP of 60 units over 30 minutes in 6 parts every 5 minutes from the start', () => {
    expect(twapSchedule(1000, 60, 30 * MIN, 6, true)).toEqual([0, 5, 10, 15, 20, 25].map((m) => ({ ts: 1000 + m * MIN, qty: 10 })));
  });

  it('drops TWAP slices that round to zero units', () => {
    expect(twapSchedule(0, 2, 40 * MIN, 4, true)).toEqual([
      { ts: 0, qty: 1 },
      { ts: 10 * MIN, qty: 1 },
    ]);
  });

  it('sizes VWAP slices by the volume weights: 100 units over weights 1, 3, 0, 4 give 12.5, 37.5, 0, 50 rounded to 13, 37, 50', () => {
    // shares 12.5, 37.5, 0, 50 -> floors 12, 37, 0, 50 -> one unit left -> to the 0.5 remainder first in order (slice 0)
    expect(vwapSchedule(0, 100, 40 * MIN, [1, 3, 0, 4], true)).toEqual([
      { ts: 0, qty: 13 },
      { ts: 10 * MIN, qty: 37 },
      { ts: 30 * MIN, qty: 50 },
    ]);
  });

  it('falls back to equal VWAP slices when there is no volume history', () => {
    expect(vwapSchedule(0, 9, 30 * MIN, [0, 0, 0], true).map((s) => s.qty)).toEqual([3, 3, 3]);
  });

  it('does not split a smart order at or below the notional threshold', () => {
    expect(smartSchedule(0, 50, 5000, 5000, 5, 2_000_000, true)).toEqual([{ ts: 0, qty: 50 }]);
  });

  it('splits a smart order of notional 12000 over a 5000 threshold into 3 parts 2 seconds apart', () => {
    expect(smartSchedule(0, 120, 12_000, 5000, 5, 2_000_000, true)).toEqual([
      { ts: 0, qty: 40 },
      { ts: 2_000_000, qty: 40 },
      { ts: 4_000_000, qty: 40 },
    ]);
  });

  it('caps a smart split at maxParts', () => {
    expect(smartSchedule(0, 100, 1_000_000, 5000, 5, 1, true)).toHaveLength(5);
  });

  it('schedules a DCA session of 5 parts every hour', () => {
    expect(dcaSchedule(0, 5, 60 * MIN, 5, true)).toEqual([0, 1, 2, 3, 4].map((h) => ({ ts: h * 60 * MIN, qty: 1 })));
  });

  it('computes implementation shortfall in basis points, positive for a cost on either side', () => {
    expect(implementationShortfallBps(1, 100, 100.5)).toBeCloseTo(50, 10);
    expect(implementationShortfallBps(-1, 100, 99.8)).toBeCloseTo(20, 10);
    expect(implementationShortfallBps(-1, 100, 100.1)).toBeCloseTo(-10, 10);
    expect(implementationShortfallBps(1, 100, Number.NaN)).toBeNaN();
  });
});

describe('intraday volume profile', () => {
  it('sums the volume of each time-of-day slice over the past sessions only', () => {
    const p = new IntradayVolumeProfile(1, 5);
    const d0 = 10 * US_PER_DAY;
    const tod = 14 * 60 * MIN; // 14:00
    // Two past sessions: 14:00-14:10 and 14:10-14:20 slices.
    p.add(0, d0 + tod + 1 * MIN, 100);
    p.add(0, d0 + tod + 12 * MIN, 300);
    p.add(0, d0 + US_PER_DAY + tod + 5 * MIN, 50);
    p.add(0, d0 + US_PER_DAY + tod + 19 * MIN, 150);
    // Today's volume is not history.
    p.add(0, d0 + 2 * US_PER_DAY + tod - 60 * MIN, 1e6);
    expect(p.weights(0, d0 + 2 * US_PER_DAY + tod, 10 * MIN, 2, 5)).toEqual([150, 450]);
    expect(p.weights(0, d0 + 2 * US_PER_DAY + tod, 10 * MIN, 2, 1)).toEqual([50, 150]);
  });
});

describe('algorithm configuration', () => {
  it('qualifies a TWAP written with durations', () => {
    expect(qualifyAlgorithmConfig({ algo: 'twap', duration: '30m', parts: 6, fallbackAfter: '45m' })).toEqual({ kind: 'twap', durationUs: 30 * MIN, parts: 6, fallbackAfterUs: 45 * MIN });
  });

  it('names an unknown key with its path', () => {
    expect(() => qualifyAlgorithmConfig({ algo: 'twap', duration: '30m', parts: 6, slices: 3 }, 'strategies[1].execution')).toThrow(
      new ConfigError('strategies[1].execution.slices', 'unknown key for algo \'twap\' (allowed: algo, fallbackAfter, fallbackAfterUs, duration, durationUs, parts)'),
    );
  });

  it('rejects an unknown algorithm and a missing parts', () => {
    expect(() => qualifyAlgorithmConfig({ algo: 'iceberg' })).toThrow(/execution\.algo/);
    expect(() => qualifyAlgorithmConfig({ algo: 'dca', interval: '1h' })).toThrow(/execution\.parts: is required/);
  });

  it('applies the smart split defaults (5 parts, 2 s)', () => {
    expect(qualifyAlgorithmConfig({ algo: 'smart', thresholdNotional: 5000 })).toEqual({ kind: 'smart', thresholdNotional: 5000, maxParts: 5, delayUs: 2_000_000, fallbackAfterUs: null });
  });
});

describe('AlgorithmRouter', () => {
  it('sends a TWAP target as child orders at the slice times, tagged with their parent', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'twap', duration: '30m', parts: 3 })]);
    h.router.setTarget(0, 0, 9, 0, undefined);
    expect(h.client.submitted.map((s) => [s.ts, s.qty])).toEqual([[0, 3]]);
    h.advance(60 * MIN);
    expect(h.client.submitted.map((s) => [s.ts, s.qty, s.parentId])).toEqual([
      [0, 3, 'P1'],
      [10 * MIN, 3, 'P1'],
      [20 * MIN, 3, 'P1'],
    ]);
    expect(h.portfolio.position(0, 0)).toBe(9);
    const s = h.router.summary();
    expect(s.parents[0]).toMatchObject({ id: 'P1', algo: 'twap', qty: 9, parts: 3, filledQty: 9, status: 'completed', fallbackUsed: false });
  });

  it('reports shortfall against the arrival mid of the last quote', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'direct' })]);
    h.engine.onQuote(0, 0, 99.9, 10, 100.1, 10);
    h.client.price = 100.1;
    h.router.setTarget(0, 0, 5, 0, undefined);
    const p = h.router.summary().parents[0]!;
    expect(p.arrivalPrice).toBe(100);
    expect(p.arrivalSource).toBe('mid');
    expect(p.averageFill).toBe(100.1);
    expect(p.shortfallBps).toBeCloseTo(10, 9);
  });

  it('falls back to one market order for what is left after the timeout', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'twap', duration: '60m', parts: 4, fallbackAfter: '20m' })]);
    h.router.setTarget(0, 0, 8, 0, undefined);
    h.advance(20 * MIN);
    // Slices at 0, 15 min went out (2 each); at 20 min the 4 units left go as one order.
    expect(h.client.submitted.map((s) => [s.ts, s.qty, s.tag])).toEqual([
      [0, 2, 'twap P1 1/4'],
      [15 * MIN, 2, 'twap P1 2/4'],
      [20 * MIN, 4, 'twap P1 fallback'],
    ]);
    h.advance(120 * MIN);
    expect(h.client.submitted).toHaveLength(3);
    expect(h.router.summary().parents[0]).toMatchObject({ filledQty: 8, fallbackUsed: true, childOrders: 3, status: 'completed' });
  });

  it('does not use the fallback when everything filled before the timeout', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'twap', duration: '10m', parts: 2, fallbackAfter: '20m' })]);
    h.router.setTarget(0, 0, 4, 0, undefined);
    h.advance(30 * MIN);
    expect(h.router.summary().parents[0]).toMatchObject({ filledQty: 4, fallbackUsed: false, childOrders: 2 });
  });

  it('runs a DCA session, reports its status and stops it on cancel', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'dca', interval: '1h', parts: 4 })]);
    h.router.setTarget(0, 0, -4, 0, undefined);
    h.advance(60 * MIN);
    expect(h.router.sessionStatus('P1')).toEqual({ sent: 2, parts: 4, filledQty: 2, status: 'working' });
    h.router.cancelParent('P1', 60 * MIN);
    h.advance(10 * 60 * MIN);
    expect(h.router.sessionStatus('P1')).toEqual({ sent: 2, parts: 4, filledQty: 2, status: 'cancelled' });
    expect(h.portfolio.position(0, 0)).toBe(-2);
  });

  it('replaces a working parent when the target changes, sending only the new difference', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'twap', duration: '30m', parts: 3 })]);
    h.router.setTarget(0, 0, 9, 0, undefined);
    h.advance(10 * MIN); // 6 filled
    h.router.setTarget(0, 0, 0, 10 * MIN, undefined);
    expect(h.router.parents().map((p) => [p.id, p.status, p.side, p.qty])).toEqual([
      ['P1', 'cancelled', 'buy', 9],
      ['P2', 'working', 'sell', 6],
    ]);
    h.advance(60 * MIN);
    expect(h.portfolio.position(0, 0)).toBe(0);
  });

  it('splits a smart order by notional with the contract multiplier', () => {
    const h = algoHarness([qualifyAlgorithmConfig({ algo: 'smart', thresholdNotional: 10_000, maxParts: 5, delay: '1s' })], { multipliers: [100] });
    h.engine.onQuote(0, 0, 2.9, 10, 3.1, 10);
    h.router.setTarget(0, 0, 100, 0, undefined); // 100 x 3 x 100 = 30000 -> 3 parts
    h.advance(10_000_000);
    expect(h.client.submitted.map((s) => [s.ts, s.qty])).toEqual([
      [0, 34],
      [1_000_000, 33],
      [2_000_000, 33],
    ]);
  });

  it('passes targets of strategies without an algorithm and limit targets straight through', () => {
    const h = algoHarness([null, qualifyAlgorithmConfig({ algo: 'twap', duration: '30m', parts: 3 })]);
    h.router.setTarget(0, 0, 9, 0, undefined);
    h.router.setTarget(1, 0, 3, 0, { type: 'limit', limitPrice: 99 });
    expect(h.client.submitted.map((s) => [s.qty, s.parentId, s.tag])).toEqual([
      [9, null, 'target'],
      [3, null, 'target'],
    ]);
    expect(h.router.parents()).toHaveLength(0);
  });
});
