import { describe, expect, it } from 'vitest';
import { trialMetrics } from '../../../../cli/compose/sweep-trial.js';
import type { BacktestResult } from '../../../../sim/backtest/index.js';

const DAY = 86_400_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;
const N = 40;

const TRADE_FIELDS = ['qty', 'entryTs', 'entryPrice', 'exitTs', 'exitPrice', 'pnl', 'returnPct', 'commission'] as const;
const FILL_FIELDS = ['ts', 'qty', 'price', 'commission'] as const;

/** A curve of N daily samples, round trips and fills spread over it (their exits not in time order). */
function parts(): { ts: Float64Array; equity: Float64Array; exposure: Float64Array; trades: Record<(typeof TRADE_FIELDS)[number], number>[]; fills: Record<(typeof FILL_FIELDS)[number], number>[] } {
  const ts = Float64Array.from({ length: N }, (_, i) => T0 + i * DAY);
  const equity = Float64Array.from({ length: N }, (_, i) => 1000 + 37 * Math.sin(i * 0.7) + i * 1.3);
  const exposure = Float64Array.from({ length: N }, (_, i) => (i % 5 === 0 ? 0 : 250 + i));
  const trades = Array.from({ length: 12 }, (_, k) => {
    const entryTs = T0 + ((k * 3) % 30) * DAY;
    const exitTs = entryTs + (2 + (k % 4)) * DAY;
    return { qty: 1 + k, entryTs, entryPrice: 10 + k * 0.25, exitTs, exitPrice: 10.5 + Math.cos(k), pnl: Math.cos(k) * 7 - 0.5, returnPct: Math.cos(k) / 20, commission: 0.1 + k / 100 };
  });
  const fills = trades.flatMap((t) => [
    { ts: t.entryTs, qty: t.qty, price: t.entryPrice, commission: t.commission / 2 },
    { ts: t.exitTs, qty: t.qty, price: t.exitPrice, commission: t.commission / 2 },
  ]);
  return { ts, equity, exposure, trades, fills };
}

function columns<F extends string>(rows: Record<F, number>[], fields: readonly F[]): { length: number; column(field: F): Float64Array } {
  const out = new Map(fields.map((f) => [f, Float64Array.from(rows, (r) => r[f])] as const));
  return { length: rows.length, column: (field) => out.get(field)! };
}

/** A result given as lists only, or with its records as columns and lists that must not be read. */
function result(withRecords: boolean): BacktestResult {
  const p = parts();
  // The recorder's columns are longer than the curve (room reserved): only the first N samples count.
  const grossExposure = new Float64Array(N + 8).fill(1);
  grossExposure.set(p.exposure);
  const base = {
    equity: { ts: p.ts, equity: p.equity, cash: p.equity, grossExposure: grossExposure.subarray(0, N), marginInUse: new Float64Array(N), buyingPower: p.equity },
    initialCash: 1000,
    barIntervalUs: DAY,
    ruin: null,
  };
  if (!withRecords) return { ...base, trades: p.trades, fills: p.fills } as unknown as BacktestResult;
  const r = {
    ...base,
    get trades(): never {
      throw new Error('trades read as a list');
    },
    get fills(): never {
      throw new Error('fills read as a list');
    },
  };
  Object.defineProperty(r, 'records', { value: { trades: columns(p.trades, TRADE_FIELDS), fills: columns(p.fills, FILL_FIELDS) }, enumerable: false });
  return r as unknown as BacktestResult;
}

describe("trialMetrics: a run's records as columns", () => {
  it('reads the records as columns, not the lists, and gives the same metrics bit for bit', () => {
    const fromLists = trialMetrics(result(false));
    const fromColumns = trialMetrics(result(true));
    expect(fromColumns.metrics.tradeCount).toBe(12);
    expect(fromColumns.metrics).toStrictEqual(fromLists.metrics);
    expect(fromColumns.returns).toStrictEqual(fromLists.returns);
  });

  it('keeps the trades exiting and the fills at or after the measured window (a walk-forward fold), as the lists would', () => {
    for (const day of [0, 7, 13, 20, 31, 39]) {
      const from = T0 + day * DAY;
      const fromLists = trialMetrics(result(false), from);
      const fromColumns = trialMetrics(result(true), from);
      expect(fromColumns.metrics).toStrictEqual(fromLists.metrics);
      expect(fromColumns.returns).toStrictEqual(fromLists.returns);
    }
    // Some window keeps part of the trades (not only all or none).
    const partial = trialMetrics(result(true), T0 + 13 * DAY).metrics.tradeCount;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(12);
  });
});
