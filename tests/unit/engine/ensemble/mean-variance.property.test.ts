import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optimizeWeights } from '../../../../engine/ensemble/index.js';
import { solveWithQuadprog } from '../../../../engine/ensemble/quadprog-fallback.js';
import { kktReport } from './kkt-check.js';

/** A valid problem: Sigma = A'A + ridge (PSD, possibly near-singular when A has fewer rows than columns). */
const problem = fc
  .integer({ min: 1, max: 20 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      a: fc.array(fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: n, maxLength: n }), { minLength: 1, maxLength: n + 5 }),
      ridge: fc.double({ min: 1e-8, max: 1e-4, noNaN: true }),
      mu: fc.array(fc.double({ min: -0.02, max: 0.02, noNaN: true }), { minLength: n, maxLength: n }),
      lambda: fc.double({ min: 0.1, max: 500, noNaN: true }),
      eta: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.5, noNaN: true })),
      prev: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      capPosition: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
    }),
  )
  .map(({ n, a, ridge, mu, lambda, eta, prev, capPosition }) => {
    const sigma = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => a.reduce((s, row) => s + row[i]! * row[j]!, 0) + (i === j ? ridge : 0)),
    );
    // Mirror so the matrix is exactly symmetric, as an estimator would deliver it.
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) sigma[j]![i] = sigma[i]![j]!;
    const total = prev.reduce((s, v) => s + v, 0);
    const wPrev = total > 0 ? prev.map((v) => v / total) : prev.map(() => 1 / n);
    const wMax = 1 / n + capPosition * (1 - 1 / n);
    return { mu, sigma, lambda, eta, wPrev, wMax };
  });

describe('optimizeWeights properties', () => {
  it('returns weights that sum to 1 within 1e-9, lie in [0, wMax] and satisfy the KKT conditions to 1e-8', () => {
    fc.assert(
      fc.property(problem, (input) => {
        const r = optimizeWeights(input);
        expect(['optimal', 'ill_conditioned']).toContain(r.status);
        expect(Math.abs(r.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThanOrEqual(1e-9);
        for (const w of r.weights) {
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(input.wMax);
        }
        const kkt = kktReport(input.mu, input.sigma, input.lambda, input.eta, input.wPrev, input.wMax, r.weights);
        expect(kkt.primal).toBeLessThanOrEqual(1e-9);
        expect(kkt.stationarity).toBeLessThanOrEqual(1e-8);
        expect(kkt.dualSign).toBeLessThanOrEqual(1e-8);
        expect(kkt.complementarity).toBeLessThanOrEqual(1e-8);
      }),
      { numRuns: 400 },
    );
  });

  it('never reaches a worse objective than quadprog on the same program', () => {
    fc.assert(
      fc.property(problem, (input) => {
        const n = input.mu.length;
        const q = new Float64Array(n * n);
        const c = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < n; j++) q[i * n + j] = input.lambda * input.sigma[i]![j]! + (i === j ? 2 * input.eta : 0);
          c[i] = input.mu[i]! + 2 * input.eta * input.wPrev[i]!;
        }
        const reference = solveWithQuadprog(n, q, c, Math.min(1, input.wMax), 0);
        if (!('weights' in reference)) return; // quadprog refuses matrices it deems not positive definite
        // quadprog's answer may overshoot a bound or the budget within its own tolerance, which can buy
        // it a sliver of objective; compare only against feasible reference answers.
        const cap = Math.min(1, input.wMax);
        const sum = reference.weights.reduce((s, w) => s + w, 0);
        if (Math.abs(sum - 1) > 1e-12 || reference.weights.some((w) => w < -1e-12 || w > cap + 1e-12)) return;
        const ours = optimizeWeights(input);
        const objective = (w: number[]): number => {
          let v = 0;
          for (let i = 0; i < n; i++) {
            v += c[i]! * w[i]!;
            for (let j = 0; j < n; j++) v -= 0.5 * q[i * n + j]! * w[i]! * w[j]!;
          }
          return v;
        };
        expect(objective(ours.weights)).toBeGreaterThanOrEqual(objective(reference.weights) - 1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it('never returns NaN weights, whatever numbers it is given', () => {
    const anyNumber = fc.oneof(fc.double(), fc.constant(Number.NaN), fc.constant(Infinity));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) =>
          fc.record({
            mu: fc.array(anyNumber, { minLength: n, maxLength: n }),
            sigma: fc.array(fc.array(anyNumber, { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
            lambda: anyNumber,
            eta: anyNumber,
            wPrev: fc.array(anyNumber, { minLength: n, maxLength: n }),
            wMax: anyNumber,
          }),
        ),
        (input) => {
          const r = optimizeWeights(input);
          expect(r.weights).toHaveLength(input.mu.length);
          expect(r.weights.every(Number.isFinite)).toBe(true);
          if (r.status !== 'optimal') expect(r.reason).toEqual(expect.any(String));
        },
      ),
      { numRuns: 300 },
    );
  });
});
