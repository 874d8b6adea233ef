import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedWindow, percentile } from '../../../../engine/strategies/microstructure.js';

describe('SortedWindow (the microstructure strategy\'s spread percentile)', () => {
  it('hand case: window of 4 over 5, 1, 4, 1, 3 keeps the last four sorted; the 50th percentile interpolates', () => {
    const w = new SortedWindow(4);
    for (const x of [5, 1, 4, 1]) w.push(x);
    expect(Array.from(w.sorted)).toEqual([1, 1, 4, 5]);
    expect(w.percentile(50)).toBe(2.5);
    w.push(3); // 5 leaves
    expect(Array.from(w.sorted.subarray(0, w.length))).toEqual([1, 1, 3, 4]);
    expect(w.percentile(50)).toBe(2);
    expect(w.percentile(0)).toBe(1);
    expect(w.percentile(100)).toBe(4);
  });

  it('property: after every push its percentile equals the sort-and-interpolate percentile of the last `capacity` values, bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        // Few distinct values make ties, which the removal must handle.
        fc.array(fc.oneof(fc.integer({ min: 1, max: 6 }).map((k) => k / 1000), fc.double({ min: 1e-6, max: 1, noNaN: true })), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 100 }),
        (capacity, values, p) => {
          const w = new SortedWindow(capacity);
          const ring = new Float64Array(capacity);
          values.forEach((x, i) => {
            w.push(x);
            ring[i % capacity] = x;
            const n = Math.min(i + 1, capacity);
            expect(w.length).toBe(n);
            expect(Object.is(w.percentile(p), percentile(ring, n, p))).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
