import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hurstExponent, RollingHurst } from '../../../../engine/models/index.js';
import { expectClose, fixture, input } from './reference.js';

/** hurstExponent against R pracma::hurstexp's empirical exponent He (tests/fixtures/scripts/models-hurst-reference.R). */
describe('hurstExponent (R pracma hurstexp He)', () => {
  for (const c of fixture.hurst.cases) {
    it(`${c.input}[0..${c.length}) minWindow=${c.minWindow}: ${c.He.toFixed(4)}`, () => {
      const x = input(c.input).slice(0, c.length);
      expectClose(hurstExponent(x, { minWindow: c.minWindow }), c.He, 1e-10, 'He');
      expectClose(hurstExponent(x, { minWindow: c.minWindow, correction: 'anis-lloyd' }), c.Hal, 1e-10, 'Hal');
    });
  }

  it('hand case: two block lengths of a 8-value series', () => {
    // Blocks of 2: R/S of (a, b) = |a - b| / 2 / (|a - b| / sqrt 2) = 1/sqrt2 each.
    // Blocks of 4 of [1, 2, 3, 4, 4, 3, 2, 1]: deviations -1.5 -0.5 0.5 1.5, cumsum -1.5 -2 -1.5 0: range 2; sd sqrt(5/3).
    const x = [1, 2, 3, 4, 4, 3, 2, 1];
    const rs2 = Math.SQRT1_2;
    const rs4 = 2 / Math.sqrt(5 / 3);
    const expected = (Math.log(rs4) - Math.log(rs2)) / (Math.log(4) - Math.log(2));
    expect(hurstExponent(x, { minWindow: 2 })).toBeCloseTo(expected, 12);
  });

  it('refuses a length with fewer than two block lengths', () => {
    expect(() => hurstExponent(new Array(17).fill(0).map((_, i) => Math.sin(i)), { minWindow: 8 })).toThrow(/at least 2/);
  });

  it('RollingHurst equals hurstExponent on each trailing window, allocation-free form', () => {
    const x = input('goog_logret');
    const rolling = new RollingHurst(96, { minWindow: 8 });
    for (let i = 0; i < 400; i++) {
      const h = rolling.update(x[i]!);
      if (i < 95) expect(h).toBeNaN();
      else if (i % 37 === 0) expect(h).toBe(hurstExponent(x.slice(i - 95, i + 1), { minWindow: 8 }));
    }
  });

  it('property: invariant under positive affine maps of the increments', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }).map((v) => v / 1000), { minLength: 64, maxLength: 64 }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -5, max: 5, noNaN: true }), (xs, a, b) => {
        const h = hurstExponent(xs, { minWindow: 4 });
        const g = hurstExponent(xs.map((v) => a * v + b), { minWindow: 4 });
        if (Number.isNaN(h)) return Number.isNaN(g);
        return Math.abs(h - g) < 1e-6;
      }),
    );
  });
});
