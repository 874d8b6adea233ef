import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../engine/core/index.js';
import { ewmaCovariance, ewmaDecayFactor, ewmaMean, ledoitWolf, sampleCovariance } from '../../../../engine/ensemble/index.js';

interface Fixture {
  ledoitWolf: { name: string; X: number[][]; covariance: number[][]; shrinkage: number }[];
  sampleCovariance: { X: number[][]; unbiased: number[][]; mle: number[][] };
  ewma: { X: number[][]; cases: { alpha: number; mean: number[]; covariance: number[][] }[] };
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/optimizer-reference.json', import.meta.url), 'utf8')) as Fixture;

function maxAbsDiff(a: number[][], b: number[][]): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  a.forEach((row, i) => {
    expect(row.length).toBe(b[i]!.length);
    row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i]![j]!))));
  });
  return worst;
}

describe('ledoitWolf', () => {
  it.each(fixture.ledoitWolf.map((c) => [c.name, c] as const))('matches sklearn.covariance.ledoit_wolf to 1e-12 on %s', (_, c) => {
    const result = ledoitWolf(c.X);
    expect(Math.abs(result.shrinkage - c.shrinkage)).toBeLessThanOrEqual(1e-12);
    expect(maxAbsDiff(result.covariance, c.covariance)).toBeLessThanOrEqual(1e-12);
  });

  it('covers the shrinkage clamp at 1 and the single-column case in its fixtures', () => {
    const shrinkages = fixture.ledoitWolf.map((c) => c.shrinkage);
    expect(shrinkages).toContain(1);
    expect(shrinkages).toContain(0);
  });

  it('returns a symmetric matrix whose trace equals that of the MLE covariance', () => {
    const X = fixture.ledoitWolf[0]!.X;
    const { covariance } = ledoitWolf(X);
    const mle = sampleCovariance(X, 'mle');
    const trace = (m: number[][]): number => m.reduce((s, row, i) => s + row[i]!, 0);
    expect(trace(covariance)).toBeCloseTo(trace(mle), 14);
    covariance.forEach((row, i) => row.forEach((v, j) => expect(v).toBe(covariance[j]![i]!)));
  });

  it('rejects a ragged or non-finite matrix naming the row and column', () => {
    expect(() => ledoitWolf([[1, 2], [3]])).toThrow(/row 1 has 1 columns/);
    expect(() => ledoitWolf([[1, 2], [3, Number.NaN]])).toThrow(InvalidArgumentError);
    expect(() => ledoitWolf([[1, 2], [3, Number.NaN]])).toThrow(/row 1, column 1/);
    expect(() => ledoitWolf([])).toThrow(/no rows/);
  });
});

describe('sampleCovariance', () => {
  it('matches numpy.cov with ddof=1 (unbiased) and ddof=0 (mle) to 1e-15', () => {
    const { X, unbiased, mle } = fixture.sampleCovariance;
    expect(maxAbsDiff(sampleCovariance(X), unbiased)).toBeLessThanOrEqual(1e-15);
    expect(maxAbsDiff(sampleCovariance(X, 'mle'), mle)).toBeLessThanOrEqual(1e-15);
  });

  it('computes a hand-checked 2 x 2 case', () => {
    // x = [1, 2, 3], y = [2, 4, 9]: means 2 and 5; deviations (-1, 0, 1) and (-3, -1, 4).
    const c = sampleCovariance([[1, 2], [2, 4], [3, 9]]);
    expect(c).toEqual([[1, 3.5], [3.5, 13]]);
  });

  it('refuses the unbiased estimate of a single row', () => {
    expect(() => sampleCovariance([[1, 2]])).toThrow(/at least 2 rows/);
  });
});

describe('EWMA estimators', () => {
  it.each(fixture.ewma.cases.map((c) => [c.alpha, c] as const))(
    'match pandas ewm(alpha=%s, adjust=True) mean and cov(bias=True) to 1e-15',
    (alpha, c) => {
      expect(Math.max(...ewmaMean(fixture.ewma.X, alpha).map((v, i) => Math.abs(v - c.mean[i]!)))).toBeLessThanOrEqual(1e-15);
      expect(maxAbsDiff(ewmaCovariance(fixture.ewma.X, { lambda: 1 - alpha }), c.covariance)).toBeLessThanOrEqual(1e-15);
    },
  );

  it('converts a halflife into the decay factor that halves the weight after that many rows', () => {
    expect(ewmaDecayFactor({ halflife: 10 }) ** 10).toBeCloseTo(0.5, 15);
    expect(ewmaCovariance(fixture.ewma.X, { halflife: 10 })).toEqual(ewmaCovariance(fixture.ewma.X, { lambda: 0.5 ** (1 / 10) }));
  });

  it('rejects a decay factor outside (0, 1)', () => {
    expect(() => ewmaDecayFactor({ lambda: 1 })).toThrow(/lambda/);
    expect(() => ewmaDecayFactor({ lambda: -0.1 })).toThrow(/lambda/);
    expect(() => ewmaDecayFactor({ halflife: 0 })).toThrow(/halflife/);
  });
});
