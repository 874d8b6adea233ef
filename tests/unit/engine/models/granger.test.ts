import { describe, expect, it } from 'vitest';
import { fDistributionSf, grangerTest, logGamma, regularizedIncompleteBeta } from '../../../../engine/models/index.js';
import { expectClose, fixture, input } from './reference.js';

/** grangerTest against statsmodels grangercausalitytests' ssr_ftest; the F tail against scipy. */
describe('grangerTest (statsmodels grangercausalitytests ssr_ftest)', () => {
  for (const c of fixture.granger) {
    it(`${c.cause} -> ${c.effect}, lags 1..${c.maxLag}`, () => {
      const r = grangerTest(input(c.effect).slice(0, c.length), input(c.cause).slice(0, c.length), c.maxLag);
      expect(r.map((l) => l.lag)).toEqual(c.lags.map((l) => l.lag));
      for (let i = 0; i < r.length; i++) {
        const got = r[i]!;
        const want = c.lags[i]!;
        expect(got.dfNum).toBe(want.dfNum);
        expect(got.dfDen).toBe(want.dfDen);
        expectClose(got.F, want.F, 1e-8, `F at lag ${want.lag}`);
        expect(Math.abs(got.p - want.p), `p at lag ${want.lag}: ${got.p} vs ${want.p}`).toBeLessThanOrEqual(Math.max(1e-6 * want.p, 1e-14));
      }
    });
  }

  it('detects the planted lead and not its absence', () => {
    expect(grangerTest(input('effect'), input('cause'), 2)[1]!.p).toBeLessThan(1e-10);
    expect(grangerTest(input('indep_effect'), input('cause'), 2)[1]!.p).toBeGreaterThan(0.01);
  });

  it('hand case: dfDen = n - 3L - 1 and F = 0 when the cause adds nothing', () => {
    // The cause's lags are a copy of the effect's: the full fit equals the restricted one... except the
    // design is then singular, which is refused.
    const e = [0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.7, 0.2, 0.9, -1.1, 0.05, 0.6];
    expect(() => grangerTest(e, e, 1)).toThrow(/linearly dependent/);
    const r = grangerTest(e, [1, -1, 2, 0.5, -0.3, 0.7, 1.1, -2, 0.4, 0.2, -0.9, 1.3], 2);
    expect(r[0]!.dfDen).toBe(12 - 3 - 1);
    expect(r[1]!.dfDen).toBe(12 - 6 - 1);
  });

  it('refuses too few observations, naming maxLag', () => {
    expect(() => grangerTest([1, 2, 3, 4, 5, 6, 7], [1, 3, 2, 4, 6, 5, 7], 2)).toThrow(/maxLag 2/);
  });
});

describe('F distribution and incomplete beta (scipy)', () => {
  it('f.sf over a grid including tiny p-values (1e-10 relative)', () => {
    for (const [f, d1, d2, p] of fixture.fSf) expectClose(fDistributionSf(f, d1, d2), p, 1e-10, `F(${f}; ${d1}, ${d2})`);
  });

  it('betainc over a grid (1e-10 relative)', () => {
    for (const [x, a, b, v] of fixture.betainc) expectClose(regularizedIncompleteBeta(x, a, b), v, 1e-10, `I_${x}(${a}, ${b})`);
  });

  it('hand values: I_x(1, 1) = x, I_x(a, 1) = x^a, logGamma of integers and 1/2', () => {
    expect(regularizedIncompleteBeta(0.37, 1, 1)).toBeCloseTo(0.37, 14);
    expect(regularizedIncompleteBeta(0.6, 3, 1)).toBeCloseTo(0.216, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(fDistributionSf(0, 3, 10)).toBe(1);
  });
});
