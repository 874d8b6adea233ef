import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optimizeFromReturns } from '../../../../engine/ensemble/index.js';

/**
 * Properties of seed 003's strategies x assets allocation (optimizeFromReturns with the
 * diversification and cost terms, as the strategy_asset weighting calls it) on random sleeve returns
 * of 2-4 strategies x 1-3 assets. The monotonicity is exact for exact optima: with f the rest of the
 * objective, optimality at beta1 and at beta2 > beta1 gives (beta2 - beta1)(G(w2) - G(w1)) <= 0 for
 * G = sum w^2 (and likewise for the cost's ||w - w_prev||^2); the slack covers the solver's rounding.
 */
const problem = fc
  .record({ strategies: fc.integer({ min: 2, max: 4 }), assets: fc.integer({ min: 1, max: 3 }), rows: fc.integer({ min: 8, max: 40 }) })
  .chain(({ strategies, assets, rows }) => {
    const n = strategies * assets;
    return fc.record({
      returns: fc.array(fc.array(fc.double({ min: -0.03, max: 0.03, noNaN: true }), { minLength: n, maxLength: n }), { minLength: rows, maxLength: rows }),
      lambda: fc.double({ min: 0.5, max: 300, noNaN: true }),
      diversification: fc.double({ min: 0, max: 0.05, noNaN: true }),
      cost: fc.double({ min: 0, max: 0.2, noNaN: true }),
      gammaReg: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e-4, noNaN: true })),
      prev: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      capPosition: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      raise: fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
    });
  })
  .map((p) => {
    const n = p.prev.length;
    const total = p.prev.reduce((s, v) => s + v, 0);
    return { ...p, n, wPrev: total > 0 ? p.prev.map((v) => v / total) : p.prev.map(() => 1 / n), wMax: 1 / n + p.capPosition * (1 - 1 / n) };
  });

const solve = (p: { returns: number[][]; lambda: number; cost: number; wMax: number; wPrev: number[]; gammaReg: number }, diversification: number, cost = p.cost) =>
  optimizeFromReturns(p.returns, { mean: { kind: 'sample' }, covariance: { kind: 'ledoit-wolf' }, lambda: p.lambda, eta: cost, wMax: p.wMax, wPrev: p.wPrev, gammaReg: p.gammaReg, diversification });

const sumSquares = (w: readonly number[]) => w.reduce((s, x) => s + x * x, 0);
const drift = (w: readonly number[], p: readonly number[]) => w.reduce((s, x, i) => s + (x - p[i]!) ** 2, 0);

describe('strategies x assets allocation properties', () => {
  it('gives weights in [0, wMax] that sum to 1 within 1e-9', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const r = solve(p, p.diversification);
        expect(['optimal', 'ill_conditioned']).toContain(r.status);
        expect(Math.abs(r.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThanOrEqual(1e-9);
        for (const w of r.weights) {
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(p.wMax + 1e-15);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('raising the diversification term never raises sum w^2', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const lower = solve(p, p.diversification);
        const higher = solve(p, p.diversification + p.raise);
        expect(sumSquares(higher.weights)).toBeLessThanOrEqual(sumSquares(lower.weights) + 1e-10);
      }),
      { numRuns: 300 },
    );
  });

  it('raising the cost term never raises the squared change from the weights held', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const lower = solve(p, p.diversification);
        const higher = solve(p, p.diversification, p.cost + p.raise);
        expect(drift(higher.weights, p.wPrev)).toBeLessThanOrEqual(drift(lower.weights, p.wPrev) + 1e-10);
      }),
      { numRuns: 300 },
    );
  });

  it('a large enough diversification term gives equal weights; a large enough cost keeps the weights held', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const spread = solve(p, 1e6, 0);
        for (const w of spread.weights) expect(w).toBeCloseTo(1 / p.n, 6);
        // w_prev may exceed the cap; within it, a huge cost keeps it.
        if (p.wPrev.every((w) => w <= p.wMax)) {
          const held = solve(p, 0, 1e6);
          held.weights.forEach((w, i) => expect(w).toBeCloseTo(p.wPrev[i]!, 6));
        }
      }),
      { numRuns: 100 },
    );
  });
});
