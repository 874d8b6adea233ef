import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurveSpill } from '../../cli/compose/curve-spill.js';
import { US_PER_DAY, US_PER_HOUR } from '../../engine/core/index.js';
import type { EquityCurveScan } from '../../engine/kernel/run-result.js';
import { computeMetrics, medianSpacingUs, type MetricsInput, type TradeRecord } from '../../reports/index.js';
import { computeRunHash, computeRunHashOfCurve, hashableFills, hashableOrders } from '../../sim/backtest/run-hash.js';

/**
 * A streamed run's metrics and runHash read its curve back in chunks (CurveSpill) rather than whole:
 * every metric must come out bit for bit as from the whole arrays, whatever the chunk boundaries.
 */

/** The curve cut into chunks of the given sizes (cycled), each handed as a fresh Float64Array. */
function chunked(ts: Float64Array, equity: Float64Array, sizes: readonly number[]): EquityCurveScan {
  return {
    length: ts.length,
    scan(visit) {
      let k = 0;
      for (let at = 0; at < ts.length; k++) {
        const m = Math.min(sizes[k % sizes.length]!, ts.length - at);
        visit(ts.slice(at, at + m), equity.slice(at, at + m), m);
        at += m;
      }
    },
  };
}

const curveArb = fc
  .record({
    n: fc.integer({ min: 1, max: 400 }),
    seedSteps: fc.array(fc.double({ min: -0.2, max: 0.2, noNaN: true }), { minLength: 1, maxLength: 50 }),
    gaps: fc.array(fc.constantFrom(US_PER_HOUR, US_PER_DAY, 3 * US_PER_DAY, 17 * 60_000_000), { minLength: 1, maxLength: 5 }),
    sizes: fc.array(fc.integer({ min: 1, max: 37 }), { minLength: 1, maxLength: 6 }),
    interval: fc.option(fc.constantFrom(US_PER_HOUR, US_PER_DAY), { nil: undefined }),
    rf: fc.constantFrom(0, 0.03),
    trades: fc.array(fc.tuple(fc.nat(400), fc.integer({ min: -5, max: 40 }), fc.double({ min: -50, max: 50, noNaN: true })), { maxLength: 8 }),
  })
  .map(({ n, seedSteps, gaps, sizes, interval, rf, trades }) => {
    const ts = new Float64Array(n);
    const equity = new Float64Array(n);
    let t = 1_704_067_200_000_000;
    let e = 10_000;
    for (let i = 0; i < n; i++) {
      ts[i] = t;
      equity[i] = e;
      t += gaps[i % gaps.length]!;
      e = Math.max(1, e * (1 + seedSteps[i % seedSteps.length]!));
    }
    const tradeRecords: TradeRecord[] = trades.map(([at, len, pnl]) => ({
      symbol: 'AAA',
      side: 'long',
      qty: 1,
      entryTs: ts[Math.min(at, n - 1)]! + 1,
      entryPrice: 100,
      exitTs: ts[Math.min(at, n - 1)]! + len * US_PER_HOUR,
      exitPrice: 101,
      pnl,
      returnPct: pnl / 100,
      commission: 0,
    }));
    return { ts, equity, sizes, interval, rf, trades: tradeRecords };
  });

describe('metrics of a curve read in chunks', () => {
  it('equal the metrics of the whole arrays, bit for bit (every metric, any chunk sizes)', () => {
    fc.assert(
      fc.property(curveArb, ({ ts, equity, sizes, interval, rf, trades }) => {
        const base: Omit<MetricsInput, 'equity'> = { trades, fills: [], initialCash: 10_000, riskFreeRate: rf, ...(interval !== undefined ? { barIntervalUs: interval } : {}) };
        const whole = computeMetrics({ ...base, equity: { ts, equity } });
        const parts = computeMetrics({ ...base, equity: chunked(ts, equity, sizes) });
        expect(parts).toStrictEqual(whole);
        expect(medianSpacingUs(chunked(ts, equity, sizes))).toBe(medianSpacingUs(ts));
      }),
      { numRuns: 300 },
    );
  });

  it('name a bad sample by its index in the whole curve, whichever chunk holds it', () => {
    const ts = Float64Array.from({ length: 50 }, (_, i) => 1_000_000 * (i + 1));
    const equity = new Float64Array(50).fill(100);
    equity[33] = Number.NaN;
    expect(() => computeMetrics({ equity: chunked(ts, equity, [7]), trades: [], fills: [], initialCash: 100 })).toThrow(/'equity.equity\[33\]': not a finite number, was NaN/);
    ts[41] = ts[40]!;
    equity[33] = 100;
    expect(() => computeMetrics({ equity: chunked(ts, equity, [7]), trades: [], fills: [], initialCash: 100 })).toThrow(/'equity.ts\[41\]': not after equity.ts\[40\]/);
  });
});

describe('CurveSpill', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tapedeck-spill-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back every appended sample in order, in chunks, as often as asked; the runHash equals the whole curve', () => {
    const sub = join(dir, 'a');
    mkdirSync(sub);
    const spill = new CurveSpill(sub, 'out/equity.parquet');
    const n = 300_001; // more than two read chunks
    const ts = Float64Array.from({ length: n }, (_, i) => 1_700_000_000_000_000 + i * 60_000_000);
    const equity = Float64Array.from({ length: n }, (_, i) => 100_000 + Math.sin(i / 1000) * 5_000 + i / 7);
    for (let at = 0; at < n; at += 4096) spill.append(ts.subarray(at), equity.subarray(at), Math.min(4096, n - at));
    expect(spill.length).toBe(n);
    for (let pass = 0; pass < 2; pass++) {
      const gotTs: number[] = [];
      let chunks = 0;
      let sum = 0;
      spill.scan((t, e, m) => {
        chunks++;
        for (let i = 0; i < m; i++) {
          gotTs.push(t[i]!);
          sum += e[i]!;
        }
      });
      expect(chunks).toBeGreaterThan(2);
      expect(gotTs.length).toBe(n);
      expect(gotTs[0]).toBe(ts[0]);
      expect(gotTs[n - 1]).toBe(ts[n - 1]);
      expect(sum).toBe(equity.reduce((a, b) => a + b, 0));
    }
    const fills = hashableFills([]);
    const orders = hashableOrders([]);
    expect(computeRunHashOfCurve(fills, orders, spill)).toBe(computeRunHash(fills, orders, ts, equity, n));
    expect(computeMetrics({ equity: spill, trades: [], fills: [], initialCash: 100_000, barIntervalUs: 60_000_000 })).toStrictEqual(
      computeMetrics({ equity: { ts, equity }, trades: [], fills: [], initialCash: 100_000, barIntervalUs: 60_000_000 }),
    );
    spill.close();
    expect(() => spill.scan(() => undefined)).toThrow(/closed/);
  });

  it('refuses to overwrite a spill already in its directory, naming the output', () => {
    const sub = join(dir, 'b');
    mkdirSync(sub);
    new CurveSpill(sub, 'out/equity.parquet').close();
    expect(() => new CurveSpill(sub, 'out/equity.parquet')).toThrow(/cannot write out\/equity.parquet/);
  });
});
