import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateMoments, rollingMean, shrunkMean, symmetricEigenvalues, toRowMajor } from '../../../../engine/ensemble/index.js';

describe('rollingMean', () => {
  it('averages the last `window` rows of each column', () => {
    expect(rollingMean([[1, 10], [2, 20], [3, 30], [5, 50]], 2)).toEqual([4, 40]);
  });

  it('refuses a window longer than the data', () => {
    expect(() => rollingMean([[1], [2]], 3)).toThrow(/'window': larger than the 2 rows available, was 3/);
  });
});

describe('shrunkMean (James-Stein toward the grand mean)', () => {
  it('computes a hand-checked case', () => {
    // Columns (m-1, m, m+1) with means 1, 2, 3, 6: grand mean 3, unbiased variance 1 each, so
    // sigma2 = 1 / 3 rows; spread = 4 + 1 + 0 + 9 = 14; s = (p - 3) * sigma2 / spread = (1/3) / 14.
    const x = [[0, 1, 2, 5], [1, 2, 3, 6], [2, 3, 4, 7]];
    const { mean, shrinkage } = shrunkMean(x);
    const s = (1 * (1 / 3)) / 14;
    expect(shrinkage).toBeCloseTo(s, 15);
    [1, 2, 3, 6].forEach((m, i) => expect(mean[i]).toBeCloseTo(3 + (1 - s) * (m - 3), 14));
  });

  it('leaves three or fewer columns unshrunk', () => {
    expect(shrunkMean([[1, 2, 3], [3, 4, 5]])).toEqual({ mean: [2, 3, 4], shrinkage: 0 });
  });

  it('keeps the grand mean and never moves a mean past it', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 }), { minLength: 2, maxLength: 30 }), (x) => {
        const sample = estimateMoments(toRowMajor(x), { kind: 'sample' }, { kind: 'ledoit-wolf' }).mu;
        const { mean, shrinkage } = shrunkMean(x);
        const grand = sample.reduce((a, b) => a + b, 0) / 6;
        expect(mean.reduce((a, b) => a + b, 0) / 6).toBeCloseTo(grand, 12);
        expect(shrinkage).toBeGreaterThanOrEqual(0);
        expect(shrinkage).toBeLessThanOrEqual(1);
        mean.forEach((m, i) => expect(Math.abs(m - grand)).toBeLessThanOrEqual(Math.abs(sample[i]! - grand) + 1e-15));
      }),
    );
  });
});

describe('symmetricEigenvalues', () => {
  it('finds the eigenvalues of a hand-checked matrix in ascending order', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    expect(Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2)).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([1, 3]);
  });

  it('stays finite on a matrix with a zero diagonal entry and subnormal off-diagonal entries', () => {
    // Found by fast-check: JAMA's running-maximum convergence test overflowed on this matrix.
    const eig = symmetricEigenvalues(Float64Array.from([0, -5e-324, -5e-324, -8.881784197001252e-16]), 2);
    expect(Array.from(eig)).toEqual([-8.881784197001252e-16, 0]);
  });

  it('scales back exactly for a tiny matrix and returns NaN for a non-finite one', () => {
    expect(Array.from(symmetricEigenvalues(Float64Array.from([2e-310, 0, 0, 1e-310]), 2))).toEqual([1e-310, 2e-310]);
    expect(Array.from(symmetricEigenvalues(Float64Array.from([Infinity, 0, 0, 1]), 2)).every(Number.isNaN)).toBe(true);
  });

  it('agrees with ml-matrix and preserves the trace on random symmetric matrices', () => {
    fc.assert(
      fc.property(
        // Subnormal entries are flushed to zero here only because ml-matrix's tql2 crashes on them; the
        // case below checks ours on such a matrix.
        fc.integer({ min: 1, max: 12 }).chain((n) =>
          fc.array(fc.double({ min: -10, max: 10, noNaN: true }).map((x) => (Math.abs(x) < 1e-300 ? 0 : x)), { minLength: n * n, maxLength: n * n }).map((v) => ({ n, v })),
        ),
        ({ n, v }) => {
          const a = new Float64Array(n * n);
          for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = v[i * n + j]!;
          const ours = symmetricEigenvalues(a, n);
          const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
          const reference = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues.slice().sort((x, y) => x - y);
          reference.forEach((e, i) => expect(Math.abs(e - ours[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(e))));
          let trace = 0;
          for (let i = 0; i < n; i++) trace += a[i * n + i]!;
          expect(ours.reduce((s, e) => s + e, 0)).toBeCloseTo(trace, 8);
        },
      ),
    );
  });
});
