import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsamplePairs, everyKth, lttbIndices } from '../../../../reports/html/downsample.js';

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
