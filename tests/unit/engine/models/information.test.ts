import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entropy, entropyOfCounts, mutualInformation, quantileBins, rollingCorrelation, RollingCorrelation } from '../../../../engine/models/index.js';
import { expectClose, fixture, input } from './reference.js';

/** Resolves 'qcut:<input>:<k>' (optionally sliced '[1:]' / '[:-1]') to pandas.qcut's bins, else a named input. */
function labels(name: string): readonly number[] {
  const m = /^qcut:(\w+):(\d+)(\[1:\]|\[:-1\])?$/.exec(name);
  if (!m) return input(name);
  const bins = Array.from(quantileBins(input(m[1]!), Number(m[2])));
  return m[3] === '[1:]' ? bins.slice(1) : m[3] === '[:-1]' ? bins.slice(0, -1) : bins;
}

describe('entropy and mutualInformation (scipy.stats.entropy, sklearn mutual_info_score)', () => {
  for (const c of fixture.entropy) {
    it(`entropy(${c.labels})`, () => expectClose(entropy(labels(c.labels)), c.entropy, 1e-12, 'entropy'));
  }
  for (const c of fixture.mutualInformation) {
    it(`mutualInformation(${c.a}, ${c.b})`, () => {
      expect(Math.abs(mutualInformation(labels(c.a), labels(c.b)) - c.mi)).toBeLessThanOrEqual(1e-12);
    });
  }

  it('hand cases', () => {
    expect(entropy([1, 1, 2, 2])).toBeCloseTo(Math.log(2), 15);
    expect(entropy([7, 7, 7])).toBe(0);
    expect(entropyOfCounts([1, 1, 1, 0])).toBeCloseTo(Math.log(3), 15);
    expect(mutualInformation([0, 0, 1, 1], [5, 5, 9, 9])).toBeCloseTo(Math.log(2), 15);
    expect(mutualInformation([0, 1, 0, 1], [0, 0, 1, 1])).toBe(0);
    expect(mutualInformation([3, 3, 3], [1, 2, 3])).toBe(0);
  });

  it('property: entropy is invariant under permutation and relabelling; MI(a, a) = H(a); 0 <= MI <= min(H)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 80 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 80, maxLength: 80 }), (a, bFull) => {
        const b = bFull.slice(0, a.length);
        const h = entropy(a);
        const reversed = [...a].reverse().map((v) => 10 * v - 3);
        expect(Math.abs(entropy(reversed) - h)).toBeLessThan(1e-12);
        expect(Math.abs(mutualInformation(a, a) - h)).toBeLessThan(1e-12);
        const mi = mutualInformation(a, b);
        expect(mi).toBeGreaterThanOrEqual(0);
        expect(mi).toBeLessThanOrEqual(Math.min(h, entropy(b)) + 1e-12);
      }),
    );
  });
});

describe('quantileBins (pandas qcut labels=False, duplicates=drop)', () => {
  for (const c of fixture.quantileBins) {
    it(`${c.input} into ${c.k}`, () => expect(Array.from(quantileBins(input(c.input), c.k))).toEqual(c.bins));
  }

  it('hand case: quartiles of 1..8', () => {
    expect(Array.from(quantileBins([8, 1, 2, 3, 4, 5, 6, 7], 4))).toEqual([3, 0, 0, 1, 1, 2, 2, 3]);
  });
});

describe('rollingCorrelation and RollingCorrelation (numpy corrcoef per window)', () => {
  for (const c of fixture.rollingCorrelation) {
    it(`${c.a} with ${c.b}, window ${c.window}`, () => {
      const out = rollingCorrelation(input(c.a).slice(0, c.length), input(c.b).slice(0, c.length), c.window);
      for (let i = 0; i < c.length; i++) {
        const want = c.correlation[i];
        if (want === null) expect(out[i]).toBeNaN();
        else expect(Math.abs(out[i]! - want!), `at ${i}`).toBeLessThanOrEqual(1e-10);
      }
    });
  }

  it('hand cases: +1 and -1 on linear pairs, NaN on a constant window', () => {
    const rc = new RollingCorrelation(3);
    expect(rc.update(1, 2)).toBeNaN();
    expect(rc.update(2, 4)).toBeNaN();
    expect(rc.update(3, 6)).toBeCloseTo(1, 14);
    // (2,4), (3,6), (4,0): deviations (-1, 0, 1) and (2/3, 8/3, -10/3): r = -4 / sqrt(2 * 168/9).
    expect(rc.update(4, 0)).toBeCloseTo(-4 / Math.sqrt((2 * 168) / 9), 14);
    expect(Array.from(rollingCorrelation([1, 1, 1, 2], [1, 2, 3, 4], 3)).map((v) => (Number.isNaN(v) ? 'NaN' : v.toFixed(6)))).toEqual(['NaN', 'NaN', 'NaN', '0.866025']);
  });

  it('property: in [-1, 1], symmetric, and equal to a fresh two-pass computation of each window', () => {
    const twoPass = (a: readonly number[], b: readonly number[]): number => {
      const ma = a.reduce((s, v) => s + v, 0) / a.length;
      const mb = b.reduce((s, v) => s + v, 0) / b.length;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      for (let i = 0; i < a.length; i++) {
        saa += (a[i]! - ma) ** 2;
        sbb += (b[i]! - mb) ** 2;
        sab += (a[i]! - ma) * (b[i]! - mb);
      }
      return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
    };
    const value = fc.integer({ min: -1000, max: 1000 }).map((v) => v / 10);
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 5, maxLength: 80 }), fc.integer({ min: 2, max: 7 }), (pairs, w) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const ab = rollingCorrelation(a, b, w);
        const ba = rollingCorrelation(b, a, w);
        for (let i = 0; i < a.length; i++) {
          if (i < w - 1) {
            expect(ab[i]).toBeNaN();
            continue;
          }
          const want = twoPass(a.slice(i - w + 1, i + 1), b.slice(i - w + 1, i + 1));
          if (Number.isNaN(want)) {
            expect(ab[i]).toBeNaN();
            continue;
          }
          expect(Math.abs(ab[i]! - want), `window ending at ${i}`).toBeLessThan(1e-9);
          expect(ab[i]!).toBeGreaterThanOrEqual(-1);
          expect(ab[i]!).toBeLessThanOrEqual(1);
          expect(Math.abs(ab[i]! - ba[i]!)).toBeLessThan(1e-12);
        }
      }),
    );
  });
});
