import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { optimizeWeights, type OptimizeWeightsInput } from '../../../../engine/ensemble/index.js';
import { kktReport, kktWorst } from './kkt-check.js';

interface OptimizerCase {
  name: string;
  mu: number[];
  sigma: number[][];
  lambda: number;
  eta: number;
  wPrev: number[];
  wMax: number;
  weights: number[];
  objective: number;
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/optimizer-reference.json', import.meta.url), 'utf8')) as { optimizer: OptimizerCase[] };

const twoAssets = { mu: [0.1, 0.05], sigma: [[0.04, 0.006], [0.006, 0.01]], lambda: 2, eta: 0, wPrev: [0.5, 0.5], wMax: 1 };

/** The interior optimum of two assets: w1 = (mu1 - mu2 + lambda (s22 - s12) + 2 eta (1 + p1 - p2)) / (lambda (s11 - 2 s12 + s22) + 4 eta). */
function closedForm(input: OptimizeWeightsInput): number {
  const [[s11, s12], [, s22]] = input.sigma as [[number, number], [number, number]];
  const [m1, m2] = input.mu as [number, number];
  const [p1, p2] = input.wPrev as [number, number];
  return (m1 - m2 + input.lambda * (s22 - s12) + 2 * input.eta * (1 + p1 - p2)) / (input.lambda * (s11 - 2 * s12 + s22) + 4 * input.eta);
}

describe('optimizeWeights on hand-computed cases', () => {
  it('matches the two-asset closed form without a turnover penalty', () => {
    const r = optimizeWeights(twoAssets);
    expect(r.status).toBe('optimal');
    expect(r.reason).toBeNull();
    // (0.05 + 2 * 0.004) / (2 * 0.038) = 0.058 / 0.076
    expect(r.weights[0]).toBeCloseTo(0.058 / 0.076, 14);
    expect(r.weights[1]).toBeCloseTo(1 - 0.058 / 0.076, 14);
    expect(r.expectedReturn).toBeCloseTo(0.1 * r.weights[0]! + 0.05 * r.weights[1]!, 15);
    const variance = 0.04 * r.weights[0]! ** 2 + 2 * 0.006 * r.weights[0]! * r.weights[1]! + 0.01 * r.weights[1]! ** 2;
    expect(r.volatility).toBeCloseTo(Math.sqrt(variance), 15);
    expect(r.sharpe).toBeCloseTo(r.expectedReturn / r.volatility, 14);
    expect(r.objective).toBeCloseTo(r.expectedReturn - variance, 15);
    expect(r.turnover).toBeCloseTo(2 * Math.abs(r.weights[0]! - 0.5), 15);
  });

  it('pins the weight at wMax when the cap binds', () => {
    const r = optimizeWeights({ ...twoAssets, wMax: 0.6 });
    expect(r.status).toBe('optimal');
    expect(r.weights).toEqual([0.6, 0.4]);
  });

  it('pulls the weights toward wPrev as eta grows, following the closed form', () => {
    const wPrev = [0, 1];
    let lastDistance = Infinity;
    for (const eta of [0, 0.01, 0.1, 1, 10]) {
      const input = { ...twoAssets, eta, wPrev };
      const r = optimizeWeights(input);
      expect(r.status).toBe('optimal');
      expect(r.weights[0]).toBeCloseTo(closedForm(input), 13);
      expect(r.turnover).toBeLessThan(lastDistance);
      lastDistance = r.turnover;
    }
    expect(lastDistance).toBeLessThan(0.01);
  });

  it('reports infeasibility when wMax * n < 1 and falls back to equal weights clipped at the cap', () => {
    const r = optimizeWeights({ mu: [0.1, 0.1, 0.1, 0.1], sigma: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], lambda: 1, eta: 0, wPrev: [0.25, 0.25, 0.25, 0.25], wMax: 0.2 });
    expect(r.status).toBe('infeasible');
    expect(r.reason).toMatch(/wMax \* n = 0\.8 < 1/);
    expect(r.weights).toEqual([0.2, 0.2, 0.2, 0.2]);
    expect(r.source).toBe('equal-weights');
    expect(r.confidence).toBe(0);
  });

  it('treats wMax = 1/n as feasible: equal weights are the only allocation', () => {
    const r = optimizeWeights({ mu: [0.3, 0.1, 0.2, 0], sigma: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], lambda: 1, eta: 0, wPrev: [1, 0, 0, 0], wMax: 0.25 });
    expect(r.status).toBe('optimal');
    expect(r.weights).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('optimizeWeights on bad input', () => {
  const cases: [string, Partial<OptimizeWeightsInput>, RegExp][] = [
    ['a NaN in mu', { mu: [0.1, Number.NaN] }, /mu\[1\] is not a finite number, was NaN/],
    ['an infinite covariance entry', { sigma: [[0.04, Infinity], [Infinity, 0.01]] }, /sigma\[0\]\[1\]/],
    ['a non-symmetric covariance', { sigma: [[0.04, 0.006], [0.007, 0.01]] }, /not symmetric/],
    ['a covariance that is not positive semi-definite', { sigma: [[1, 2], [2, 1]] }, /not positive semi-definite: smallest eigenvalue -(1|0\.9999)/],
    ['a covariance of the wrong size', { sigma: [[0.04]] }, /sigma must have 2 rows/],
    ['lambda = 0', { lambda: 0 }, /lambda must be a finite number > 0, was 0/],
    ['a negative eta', { eta: -1 }, /eta must be a finite number >= 0, was -1/],
    ['wMax = NaN', { wMax: Number.NaN }, /wMax must be a finite number > 0, was NaN/],
    ['wPrev of the wrong length', { wPrev: [1] }, /wPrev must have 2 entries/],
  ];
  it.each(cases)('returns invalid_input with a reason and wPrev as the fallback for %s', (_, patch, reason) => {
    const r = optimizeWeights({ ...twoAssets, wPrev: [0.3, 0.7], ...patch });
    expect(r.status).toBe('invalid_input');
    expect(r.reason).toMatch(reason);
    expect(r.weights.every(Number.isFinite)).toBe(true);
    expect(r.confidence).toBe(0);
    if (patch.wPrev === undefined) {
      expect(r.weights).toEqual([0.3, 0.7]);
      expect(r.source).toBe('previous-weights');
    }
  });

  it('falls back to equal weights when wPrev itself is not a valid allocation', () => {
    const r = optimizeWeights({ ...twoAssets, mu: [Number.NaN, 0], wPrev: [Number.NaN, 1] });
    expect(r.status).toBe('invalid_input');
    expect(r.weights).toEqual([0.5, 0.5]);
    expect(r.source).toBe('equal-weights');
  });

  it('adds a ridge and says so when Sigma is singular and eta = 0, still solving the program', () => {
    // A rank-one Sigma: w'Sigma w = 0.01 (sum w)^2 is constant on the budget, so the program is linear.
    const sigma = [[0.01, 0.01, 0.01], [0.01, 0.01, 0.01], [0.01, 0.01, 0.01]];
    const input = { mu: [0.1, 0.05, 0.02], sigma, lambda: 1, eta: 0, wPrev: [1 / 3, 1 / 3, 1 / 3], wMax: 0.5 };
    const r = optimizeWeights(input);
    expect(r.status).toBe('ill_conditioned');
    expect(r.ridge).toBeGreaterThan(0);
    expect(r.reason).toMatch(/ridge of/);
    expect(r.conditionNumber).toBe(Infinity);
    expect(r.weights[0]).toBeCloseTo(0.5, 9);
    expect(r.weights[1]).toBeCloseTo(0.5, 9);
    expect(r.weights[2]).toBeCloseTo(0, 9);
    expect(kktWorst(kktReport(input.mu, sigma, 1, 0, input.wPrev, 0.5, r.weights))).toBeLessThanOrEqual(1e-8);
  });
});

describe('optimizeWeights against cvxopt', () => {
  it.each(fixture.optimizer.map((c) => [c.name, c] as const))('agrees with cvxopt.solvers.qp to 1e-7 on %s', (_, c) => {
    const r = optimizeWeights(c);
    expect(r.status).toBe('optimal');
    r.weights.forEach((w, i) => expect(Math.abs(w - c.weights[i]!)).toBeLessThanOrEqual(1e-7));
    expect(r.objective).toBeGreaterThanOrEqual(c.objective - 1e-12);
    expect(kktWorst(kktReport(c.mu, c.sigma, c.lambda, c.eta, c.wPrev, c.wMax, r.weights))).toBeLessThanOrEqual(1e-8);
  });

  it('covers bound-active solutions (weights at 0 and at wMax) in its fixtures', () => {
    const all = fixture.optimizer.flatMap((c) => c.weights.map((w) => [w, c.wMax] as const));
    expect(all.some(([w]) => w < 1e-9)).toBe(true);
    expect(all.some(([w, cap]) => w > cap - 1e-9)).toBe(true);
  });
});

describe('optimizeWeights confidence and condition number', () => {
  it('reports the ratio of the extreme eigenvalues of Sigma', () => {
    const r = optimizeWeights({ ...twoAssets, sigma: [[4, 0], [0, 1]] });
    expect(r.conditionNumber).toBeCloseTo(4, 14);
  });

  it('scores confidence as conditioning times T / (T + n)', () => {
    const r = optimizeWeights({ ...twoAssets, sigma: [[100, 0], [0, 1]], nObservations: 6 });
    // conditioning = 1 - log10(100) / 12 = 5/6; sampling = 6 / 8
    expect(r.confidence).toBeCloseTo((5 / 6) * 0.75, 14);
  });
});
