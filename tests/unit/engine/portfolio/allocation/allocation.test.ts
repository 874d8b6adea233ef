import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  equalRiskContribution,
  equalWeights,
  evaluateHedge,
  inverseVolatilityWeights,
  minimumVarianceWeights,
  momentumScore,
  momentumWeights,
  planRebalance,
  riskContributions,
  selectTopN,
} from '../../../../../engine/portfolio/allocation/index.js';

const SIGMA3 = [
  [0.04, 0.006, 0.012],
  [0.006, 0.09, -0.009],
  [0.012, -0.009, 0.0225],
];

describe('allocation methods', () => {
  it('gives equal weights 1/n', () => {
    expect(equalWeights(4)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('gives inverse-volatility weights: sigma 0.2 and 0.4 -> 2/3 and 1/3', () => {
    const w = inverseVolatilityWeights([
      [0.04, 0.01],
      [0.01, 0.16],
    ]);
    expect(w[0]).toBeCloseTo(2 / 3, 15);
    expect(w[1]).toBeCloseTo(1 / 3, 15);
  });

  it('solves ERC for uncorrelated assets as inverse volatility', () => {
    const w = equalRiskContribution([
      [0.04, 0],
      [0, 0.16],
    ]).weights;
    expect(w[0]).toBeCloseTo(2 / 3, 14);
    expect(w[1]).toBeCloseTo(1 / 3, 14);
  });

  it('equalizes risk contributions exactly (1e-8 relative) on a correlated 3-asset covariance', () => {
    const r = equalRiskContribution(SIGMA3);
    const rc = riskContributions(r.weights, SIGMA3);
    const mean = rc.reduce((a, b) => a + b, 0) / 3;
    for (const x of rc) expect(Math.abs(x - mean) / mean).toBeLessThan(1e-8);
    expect(r.relativeSpread).toBeLessThan(1e-8);
    expect(r.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    // Not inverse volatility: the correlations matter.
    const iv = inverseVolatilityWeights(SIGMA3);
    expect(Math.abs(r.weights[0]! - iv[0]!)).toBeGreaterThan(1e-3);
  });

  it('equalizes risk contributions to 1e-8 for any random positive-definite covariance', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 64, maxLength: 64 }), (n, raw) => {
        // Sigma = A A' + 0.01 I
        const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => raw[i * 8 + j]!));
        const s = a.map((ri, i) => a.map((rj, j) => ri.reduce((acc, x, k) => acc + x * rj[k]!, 0) + (i === j ? 0.01 : 0)));
        const r = equalRiskContribution(s);
        expect(r.relativeSpread).toBeLessThan(1e-8);
        for (const w of r.weights) expect(w).toBeGreaterThan(0);
        expect(Math.abs(r.weights.reduce((x, y) => x + y, 0) - 1)).toBeLessThan(1e-12);
      }),
    );
  });

  it('finds the two-asset minimum-variance weights of the closed form', () => {
    const s = [
      [0.04, 0.006],
      [0.006, 0.09],
    ];
    const w1 = (0.09 - 0.006) / (0.04 + 0.09 - 0.012);
    const w = minimumVarianceWeights(s);
    expect(w[0]).toBeCloseTo(w1, 8);
    expect(w[1]).toBeCloseTo(1 - w1, 8);
  });

  it('weights momentum by its positive part, equal when none is positive', () => {
    const w = momentumWeights([0.3, -0.1, 0.1]);
    expect(w[0]).toBeCloseTo(0.75, 15);
    expect(w[1]).toBe(0);
    expect(w[2]).toBeCloseTo(0.25, 15);
    expect(momentumWeights([-0.3, -0.1])).toEqual([0.5, 0.5]);
  });

  it('names the missing input of a method', () => {
    expect(() => allocate('equal_risk_contribution', { n: 2 })).toThrow(/needs a covariance/);
    expect(() => allocate('momentum', { n: 2 })).toThrow(/momentum scores/);
  });
});

describe('rotation', () => {
  it('selects the top N scores, best first, lower index on ties, never NaN', () => {
    expect(selectTopN([0.1, 0.5, Number.NaN, 0.5, -1], 3)).toEqual([1, 3, 0]);
  });

  it('measures momentum as the return over the lookback', () => {
    expect(momentumScore([100, 90, 110, 120], 3)).toBeCloseTo(0.2, 15);
    expect(momentumScore([100, 120], 3)).toBeNaN();
  });
});

describe('cost-aware rebalancing', () => {
  it('trades a drift whose variance benefit exceeds its cost and skips one that does not', () => {
    // Equity 1e6, cost 10 bps, risk aversion 2, horizon 20, sigma 0.02.
    const lines = planRebalance([0.2, 0.2, 0.2], [0.3, 0.21, 0.2], [0.02, 0.02, 0.02], 1e6, { threshold: 0.005, costRate: 0.001, riskAversion: 2, horizon: 20 });
    // drift 0.1: cost 100, benefit 0.5 * 2 * 0.01 * 0.0004 * 1e6 * 20 = 80 -> skipped
    expect(lines[0]!.cost).toBeCloseTo(100, 9);
    expect(lines[0]!.benefit).toBeCloseTo(80, 9);
    expect(lines[0]!.skipped).toBe('cost_exceeds_benefit');
    expect(lines[1]!.skipped).toBe('cost_exceeds_benefit');
    expect(lines[2]!.skipped).toBe('below_threshold');
    const riskier = planRebalance([0.2], [0.3], [0.03], 1e6, { threshold: 0.005, costRate: 0.001, riskAversion: 2, horizon: 20 });
    expect(riskier[0]!.benefit).toBeCloseTo(180, 9);
    expect(riskier[0]!.trade).toBe(true);
  });

  it('trades every drift past the threshold when trading is free', () => {
    const lines = planRebalance([0, 0.5], [0.1, 0.52], [0, 0], 1000, { threshold: 0.05, costRate: 0, riskAversion: 1, horizon: 1 });
    expect(lines.map((l) => l.trade)).toEqual([true, false]);
  });
});

describe('hedging triggers', () => {
  it('moves the cash fraction to cash when any trigger fires, and names the triggers', () => {
    const t = { adxBelow: 15, volatilityAbove: 0.05, drawdownAbove: 0.1, cashFraction: 0.3 };
    expect(evaluateHedge(t, { adx: 12, volatility: 0.01, drawdown: 0.2 })).toEqual({ fired: ['adx', 'drawdown'], cashFraction: 0.3 });
    expect(evaluateHedge(t, { adx: 30, volatility: 0.01, drawdown: 0 })).toEqual({ fired: [], cashFraction: 0 });
    expect(evaluateHedge(t, { adx: Number.NaN, volatility: Number.NaN, drawdown: 0 }).fired).toEqual([]);
  });
});
