import { describe, expect, it } from 'vitest';
import { adfTest, cointegrationTest, mackinnonCrit, mackinnonP } from '../../../../engine/models/index.js';
import { expectClose, fixture, input } from './reference.js';

/**
 * adfTest and cointegrationTest against statsmodels 0.13.5 (adfuller, coint) on GOOG, USDCHF and seeded
 * series: t within 1e-8 relative, p within 1e-6 absolute (relative for tiny p), critical values 1e-12.
 */
describe('adfTest (statsmodels adfuller)', () => {
  for (const c of fixture.adf) {
    it(`${c.input} regression=${c.regression} autolag=${c.autolag} maxLag=${c.maxLag}`, () => {
      const r = adfTest(input(c.input), {
        regression: c.regression,
        autolag: c.autolag,
        ...(c.maxLag === null ? {} : { maxLag: c.maxLag }),
      });
      expect(r.lags).toBe(c.lags);
      expect(r.nobs).toBe(c.nobs);
      expectClose(r.t, c.t, 1e-8, 't');
      expect(Math.abs(r.p - c.p), `p ${r.p} vs ${c.p}`).toBeLessThanOrEqual(Math.max(1e-6 * c.p, 1e-12));
      for (const k of ['1%', '5%', '10%'] as const) expectClose(r.criticalValues[k], c.criticalValues[k], 1e-12, k);
      if (c.icBest === null) expect(r.icBest).toBeNull();
      else expectClose(r.icBest!, c.icBest, 1e-9, 'icBest');
    });
  }

  it('refuses a constant series, a too-long maxLag and a non-finite value', () => {
    expect(() => adfTest([1, 1, 1, 1, 1, 1, 1, 1])).toThrow(/constant/);
    expect(() => adfTest(input('rw').slice(0, 20), { maxLag: 9 })).toThrow(/maxLag/);
    expect(() => adfTest([1, 2, Number.NaN, 3, 4, 5, 2, 1])).toThrow(/x\[2\]/);
  });

  it('is 1 above the largest tabulated tau and 0 below the smallest (MacKinnon 1994 limits)', () => {
    expect(mackinnonP(3, 'c')).toBe(1);
    expect(mackinnonP(-19, 'c')).toBe(0);
    expect(mackinnonP(-2.86154, 'c')).toBeGreaterThan(0.04);
    expect(mackinnonP(-2.86154, 'c')).toBeLessThan(0.06);
    expect(mackinnonCrit('c', 1)['5%']).toBe(-2.86154);
  });
});

describe('cointegrationTest (statsmodels coint, Engle-Granger)', () => {
  for (const c of fixture.coint) {
    it(`${c.y} on ${c.x} trend=${c.trend} autolag=${c.autolag} maxLag=${c.maxLag}`, () => {
      const r = cointegrationTest(input(c.y), input(c.x), {
        trend: c.trend,
        autolag: c.autolag,
        ...(c.maxLag === null ? {} : { maxLag: c.maxLag }),
      });
      expect(r.lags).toBe(c.lags);
      expectClose(r.t, c.t, 1e-8, 't');
      expect(Math.abs(r.p - c.p), `p ${r.p} vs ${c.p}`).toBeLessThanOrEqual(Math.max(1e-6 * c.p, 1e-12));
      expectClose(r.hedgeRatio, c.hedgeRatio, 1e-9, 'hedgeRatio');
      expectClose(r.intercept, c.intercept, 1e-8, 'intercept', 1e-6);
      for (const k of ['1%', '5%', '10%'] as const) expectClose(r.criticalValues[k], c.criticalValues[k], 1e-12, k);
    });
  }

  it('finds the planted hedge ratio and rejects no cointegration where there is none', () => {
    const planted = cointegrationTest(input('coint_y'), input('coint_x'));
    expect(planted.hedgeRatio).toBeGreaterThan(1.9);
    expect(planted.hedgeRatio).toBeLessThan(2.1);
    expect(planted.p).toBeLessThan(0.01);
    expect(cointegrationTest(input('indep_y'), input('coint_x')).p).toBeGreaterThan(0.1);
  });

  it('refuses series of different lengths', () => {
    expect(() => cointegrationTest([1, 2, 3], [1, 2])).toThrow(/differ in length/);
  });
});
