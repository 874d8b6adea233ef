import { describe, expect, it } from 'vitest';
import { trialMetrics } from '../../../../cli/compose/sweep-trial.js';
import type { BacktestResult } from '../../../../sim/backtest/index.js';

const DAY = 86_400_000_000;
const T0 = Date.UTC(2024, 0, 1) * 1000;

/** The parts of a result trialMetrics reads: a 4-day equity curve, no trades. */
function result(equity: number[], ruin: BacktestResult['ruin']): BacktestResult {
  const n = equity.length;
  const ts = Float64Array.from({ length: n }, (_, i) => T0 + i * DAY);
  return {
    equity: { ts, equity: Float64Array.from(equity), cash: Float64Array.from(equity), grossExposure: new Float64Array(n), marginInUse: new Float64Array(n), buyingPower: Float64Array.from(equity) },
    trades: [],
    fills: [],
    initialCash: 100,
    barIntervalUs: DAY,
    ruin,
  } as unknown as BacktestResult;
}

describe('trialMetrics: ruin', () => {
  it("says when the trial's account was ruined (ISO time), and null when it never was", () => {
    const ruined = trialMetrics(result([100, 40, -5, -5], { ts: T0 + 2 * DAY, equity: -5 })).metrics;
    expect(ruined.ruinedAt).toBe('2024-01-03T00:00:00.000Z');
    expect(ruined.finalEquity).toBe(-5);
    expect(trialMetrics(result([100, 101, 102, 103], null)).metrics.ruinedAt).toBeNull();
  });

  it('keeps the ruin in a measured window (a walk-forward fold) that starts after it: trading had ended', () => {
    const m = trialMetrics(result([100, 40, -5, -5], { ts: T0 + DAY, equity: 40 }), T0 + 2 * DAY).metrics;
    expect(m.ruinedAt).toBe('2024-01-02T00:00:00.000Z');
  });
});
