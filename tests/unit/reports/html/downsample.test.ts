import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsamplePairs, everyKth, lttbIndices, lttbMeansX } from '../../../../reports/html/downsample.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('lttbIndices', () => {
  it('returns every index of a series no longer than the threshold', () => {
    expect(lttbIndices([0, 1, 2], [5, 6, 7], 3)).toEqual([0, 1, 2]);
  });

  it('keeps the one spike of an otherwise flat series', () => {
    const x = range(1000);
    const y = x.map((i) => (i === 637 ? 100 : 0));
    const idx = lttbIndices(x, y, 50);
    expect(idx).toHaveLength(50);
    expect(idx).toContain(637);
  });

  it('picks, in a hand-checked case, the point forming the largest triangle with the previous pick and the next bucket mean', () => {
    // n = 7, threshold 4: every = 2.5, buckets {1, 2} and {3, 4, 5}, then the last point.
    // Bucket 1 from (0, 0) towards the mean (4, 2/3) of bucket 2: doubled areas 3.33 for (1, 1), 17.33 for (2, -4).
    // Bucket 2 from (2, -4) towards the last point (6, 0): 12 for (3, 0), 16 for (4, 2), 4 for (5, 0).
    expect(lttbIndices([0, 1, 2, 3, 4, 5, 6], [0, 1, -4, 0, 2, 0, 0], 4)).toEqual([0, 2, 4, 6]);
  });

  it('rejects a threshold below 3 and mismatched lengths, naming the parameter', () => {
    expect(() => lttbIndices([0, 1, 2, 3], [0, 1, 2, 3], 2)).toThrow(/'threshold'/);
    expect(() => lttbIndices([0, 1], [0, 1, 2], 3)).toThrow(/'x'/);
  });

  it('always keeps the first and last points and returns at most threshold strictly increasing indices', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 3, max: 120 }), (y, threshold) => {
        const x = range(y.length);
        const idx = lttbIndices(x, y, threshold);
        expect(idx.length).toBe(Math.min(y.length, threshold));
        expect(idx[0]).toBe(0);
        expect(idx.at(-1)).toBe(y.length - 1);
        for (let i = 1; i < idx.length; i++) expect(idx[i]!).toBeGreaterThan(idx[i - 1]!);
      }),
    );
  });
});

/** lttbIndices as first written (Math.abs of the whole area per point, the factors inline): the choice must not move. */
function lttbReference(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = y.length;
  if (n <= threshold) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    if (nextStart >= n - 1 || nextEnd <= nextStart) {
      avgX = x[n - 1]!;
      avgY = y[n - 1]!;
    } else {
      for (let j = nextStart; j < nextEnd; j++) {
        avgX += x[j]!;
        avgY += y[j]!;
      }
      avgX /= nextEnd - nextStart;
      avgY /= nextEnd - nextStart;
    }
    const start = Math.floor(b * every) + 1;
    const end = Math.min(Math.floor((b + 1) * every) + 1, n - 1);
    const ax = x[a]!;
    const ay = y[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (y[j]! - ay) - (ax - x[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

describe('lttbIndices: the same choice as first written, with or without shared bucket means', () => {
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -1e300) },
  );

  it('picks the indices of the first algorithm on any values (NaN, -0, infinities included)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 300 }), fc.integer({ min: 3, max: 60 }), (pts, threshold) => {
        const x = pts.map((p) => p[0]);
        const y = pts.map((p) => p[1]);
        expect(lttbIndices(x, y, threshold)).toEqual(lttbReference(x, y, threshold));
      }),
    );
  });

  it('gives the same indices with the x bucket means of lttbMeansX, for every series over the same x', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value, value), { minLength: 1, maxLength: 300 }), fc.integer({ min: 3, max: 60 }), (pts, threshold) => {
        const x = pts.map((p) => p[0]);
        const means = lttbMeansX(x, threshold);
        expect(means.length).toBe(x.length <= threshold ? 0 : threshold - 2);
        for (const k of [1, 2]) {
          const y = pts.map((p) => p[k]!);
          expect(lttbIndices(x, y, threshold, means)).toEqual(lttbIndices(x, y, threshold));
          expect(downsamplePairs(x, y, threshold, means)).toEqual(downsamplePairs(x, y, threshold));
        }
      }),
    );
  });

  it('rejects bucket means of another threshold', () => {
    const x = range(100);
    expect(() => lttbIndices(x, x, 10, lttbMeansX(x, 12))).toThrow(/'meansX'/);
  });
});

describe('downsamplePairs', () => {
  it('returns [x, y] pairs of the chosen points', () => {
    expect(downsamplePairs([10, 20, 30], [1, 2, 3])).toEqual([
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
  });
});

describe('everyKth', () => {
  it('keeps everything when short enough', () => {
    expect(everyKth([1, 2, 3], 3)).toEqual([1, 2, 3]);
  });

  it('thins to at most max items and keeps the last', () => {
    const out = everyKth(range(10), 4);
    expect(out).toEqual([0, 3, 6, 9]);
    const odd = everyKth(range(11), 4);
    expect(odd.length).toBeLessThanOrEqual(4);
    expect(odd.at(-1)).toBe(10);
  });
});
