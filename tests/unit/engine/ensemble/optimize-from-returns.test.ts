import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { ledoitWolf, optimizeFromReturns, optimizeWeights } from '../../../../engine/ensemble/index.js';
import { kktReport, kktWorst } from './kkt-check.js';

const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/optimizer-reference.json', import.meta.url), 'utf8')) as { ledoitWolf: { X: number[][] }[] };
const returns = fixture.ledoitWolf[0]!.X; // 60 x 20

describe('optimizeFromReturns', () => {
  it('estimates with the sample mean and Ledoit-Wolf by default and solves the resulting program', () => {
    const r = optimizeFromReturns(returns, { regime: 'mixed' });
    expect(r.status).toBe('optimal');
    expect(r.parameters).toEqual({ lambda: 125, eta: 0.065, wMax: 0.25 });
    expect(r.sigma).toEqual(ledoitWolf(returns).covariance);
    expect(r.covarianceShrinkage).toBe(ledoitWolf(returns).shrinkage);
    const direct = optimizeWeights({ mu: r.mu, sigma: r.sigma, lambda: 125, eta: 0.065, wPrev: new Array(20).fill(0.05), wMax: 0.25, nObservations: 60 });
    expect(r.weights).toEqual(direct.weights);
    expect(r.confidence).toBe(direct.confidence);
  });

  it('lets explicit parameters override the regime', () => {
    const r = optimizeFromReturns(returns, { regime: 'trending', lambda: 10, mean: { kind: 'ewma', alpha: 0.1 }, covariance: { kind: 'ewma', decay: { halflife: 20 } } });
    expect(r.parameters).toEqual({ lambda: 10, eta: 0.1, wMax: 0.3 });
    expect(r.status).toBe('optimal');
  });

  it('returns invalid_input with a reason for NaN returns, missing parameters or a too-long window', () => {
    const bad = returns.map((row) => row.slice());
    bad[3]![4] = Number.NaN;
    const nan = optimizeFromReturns(bad, { regime: 'mixed' });
    expect(nan.status).toBe('invalid_input');
    expect(nan.reason).toMatch(/row 3, column 4/);
    expect(nan.weights).toEqual(new Array(20).fill(0.05));
    expect(optimizeFromReturns(returns).reason).toMatch(/lambda, eta and wMax must be given/);
    expect(optimizeFromReturns(returns, { regime: 'mixed', mean: { kind: 'rolling', window: 61 } }).reason).toMatch(/window/);
  });
});

describe('resampled optimization', () => {
  const options = (seed: number, samples = 40) => ({
    regime: 'ranging' as const,
    resampling: { samples, fraction: 0.8, stream: randomStream(seed, 'test', 'resampling') },
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const a = optimizeFromReturns(returns, options(1));
    const b = optimizeFromReturns(returns, options(1));
    const c = optimizeFromReturns(returns, options(2));
    expect(a.weights).toEqual(b.weights);
    expect(a.weights).not.toEqual(c.weights);
    expect(a.source).toBe('resampled');
    expect(a.resampling).toMatchObject({ samples: 40, sampleRows: 48, succeeded: 40, failed: 0, firstFailure: null });
  });

  it('averages feasible optima into feasible weights that are not the full-sample optimum', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 30 }), fc.constantFrom('trending', 'ranging', 'volatile', 'mixed') as fc.Arbitrary<'trending'>, (seed, samples, regime) => {
        const r = optimizeFromReturns(returns, { regime, resampling: { samples, fraction: 0.7, stream: randomStream(seed, 'prop', 'resampling') } });
        expect(r.status).toBe('optimal');
        expect(Math.abs(r.weights.reduce((s, w) => s + w, 0) - 1)).toBeLessThanOrEqual(1e-9);
        r.weights.forEach((w) => {
          expect(w).toBeGreaterThanOrEqual(0);
          expect(w).toBeLessThanOrEqual(r.parameters.wMax);
        });
        expect(r.resampling!.weightStd).toHaveLength(20);
      }),
      { numRuns: 25 },
    );
    // The full-sample optimum satisfies KKT; the resampled average in general does not.
    const full = optimizeFromReturns(returns, { regime: 'ranging' });
    const resampled = optimizeFromReturns(returns, options(3));
    const kkt = (w: number[]) => kktWorst(kktReport(full.mu, full.sigma, 150, 0.045, new Array(20).fill(0.05), 0.25, w));
    expect(kkt(full.weights)).toBeLessThanOrEqual(1e-8);
    expect(kkt(resampled.weights)).toBeGreaterThan(1e-8);
    expect(resampled.confidence).toBeLessThan(full.confidence);
  });
});
