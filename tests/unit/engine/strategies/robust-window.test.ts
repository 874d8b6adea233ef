import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RobustWindow } from '../../../../engine/strategies/index.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

describe('RobustWindow (median and MAD of the last values)', () => {
  it('hand case: 1, 2, 3, 4, 100 has median 3 and MAD 1; after 5 more values the window slides', () => {
    const w = new RobustWindow(5);
    for (const x of [1, 2, 3, 4, 100]) w.push(x);
    expect(w.median()).toBe(3);
    expect(w.mad()).toBe(1); // deviations 2, 1, 0, 1, 97
    expect(w.robustZ(6)).toBeCloseTo(3 / 1.4826, 12);
    w.push(7); // 1 leaves: 2, 3, 4, 7, 100
    expect(w.median()).toBe(4);
    expect(w.mad()).toBe(2); // deviations 2, 1, 0, 3, 96
  });

  it('has no robust z when the MAD is 0', () => {
    const w = new RobustWindow(4);
    for (const x of [5, 5, 5, 9]) w.push(x);
    expect(w.mad()).toBe(0);
    expect(w.robustZ(10)).toBeNaN();
  });

  it('property: its median and MAD equal the sort-based ones of the last `capacity` values', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(fc.integer({ min: -20, max: 20 }).map((k) => k / 8), { minLength: 1, maxLength: 120 }), (capacity, values) => {
        const w = new RobustWindow(capacity);
        values.forEach((x, i) => {
          w.push(x);
          const last = values.slice(Math.max(0, i + 1 - capacity), i + 1);
          const m = median(last);
          expect(w.median()).toBe(m);
          expect(w.mad()).toBe(median(last.map((v) => Math.abs(v - m))));
        });
      }),
      { numRuns: 300 },
    );
  });
});
