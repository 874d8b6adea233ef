import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, normalCdf, normalPdf } from '../../../reports/index.js';

const reference = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../fixtures/normal-reference.json'), 'utf8'),
) as { cdf: [number, number][]; quantile: [number, number][] };

function relativeError(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describe('normalCdf', () => {
  it('matches 60-digit mpmath values to 1e-15 relative, deep into the lower tail (tests/fixtures/scripts/normal-reference.py)', () => {
    expect(reference.cdf.length).toBeGreaterThan(20);
    for (const [x, want] of reference.cdf) expect(relativeError(normalCdf(x), want), `x = ${x}`).toBeLessThan(1e-15);
  });

  it('is exactly 0.5 at 0, 0 far below and 1 far above', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('is symmetric: Phi(x) + Phi(-x) = 1 (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(2e-16);
      }),
    );
  });

  it('has the density 1/sqrt(2 pi) at 0', () => {
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
});

describe('inverseNormalCdf', () => {
  it('matches 60-digit mpmath quantiles to 5e-16 relative', () => {
    expect(reference.quantile.length).toBeGreaterThan(20);
    for (const [p, want] of reference.quantile) expect(relativeError(inverseNormalCdf(p), want), `p = ${p}`).toBeLessThan(5e-16);
  });

  it('gives the infinite limits at 0 and 1 and NaN outside [0, 1]', () => {
    expect(inverseNormalCdf(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(inverseNormalCdf(1)).toBe(Number.POSITIVE_INFINITY);
    expect(inverseNormalCdf(-0.1)).toBeNaN();
    expect(inverseNormalCdf(1.5)).toBeNaN();
    expect(inverseNormalCdf(0.5)).toBe(0);
  });

  it('inverts normalCdf: Phi(Phi^-1(p)) = p (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 1 - 1e-12, noNaN: true }), (p) => {
        expect(relativeError(normalCdf(inverseNormalCdf(p)), p)).toBeLessThan(1e-12);
      }),
    );
  });
});
