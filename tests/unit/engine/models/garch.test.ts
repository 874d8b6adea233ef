import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import { fitGarch11, garch11Forecast, garch11LogLikelihood, garch11Variance, nelderMead, type Garch11Params } from '../../../../engine/models/index.js';
import { expectClose } from './reference.js';

/** R fGarch's garchFit(~garch(1, 1), cond.dist = "norm") fits (tests/fixtures/scripts/garch-reference.R). */
interface GarchFixture {
  fGarch: string;
  closes: { dax: number[]; ftse: number[] };
  cases: {
    series: 'dax' | 'ftse' | 'msft';
    mean: boolean;
    n: number;
    mu: number;
    omega: number;
    alpha: number;
    beta: number;
    logLikelihood: number;
    hAt: number[];
    h: number[];
    forecast: number[];
  }[];
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/garch-reference.json', import.meta.url), 'utf8')) as GarchFixture;

function msftCloses(): number[] {
  const text = readFileSync(new URL('../../../fixtures/csv/msft.csv', import.meta.url), 'utf8');
  return text.trim().split('\n').slice(1).map((l) => Number(l.split(',')[4]));
}
function logReturns(series: 'dax' | 'ftse' | 'msft'): number[] {
  const c = series === 'msft' ? msftCloses() : fixture.closes[series];
  return c.slice(1).map((v, i) => Math.log(v) - Math.log(c[i]!));
}

describe(`fitGarch11 against R fGarch ${fixture.fGarch}`, () => {
  for (const c of fixture.cases) {
    const r = logReturns(c.series);
    const ref: Garch11Params = { mu: c.mu, omega: c.omega, alpha: c.alpha, beta: c.beta };

    it(`${c.series} include.mean=${c.mean}: the recursion, likelihood and forecast at fGarch's estimate are fGarch's`, () => {
      expect(r.length).toBe(c.n);
      // Same variance initialization (mean squared residual), same likelihood: equal to rounding.
      expectClose(garch11LogLikelihood(r, ref), c.logLikelihood, 1e-11, 'logLikelihood');
      const h = garch11Variance(r, ref);
      c.hAt.forEach((t, k) => expectClose(h[t]!, c.h[k]!, 1e-11, `h[${t}]`));
      const e = r[c.n - 1]! - c.mu;
      const next = c.omega + c.alpha * e * e + c.beta * h[c.n - 1]!;
      garch11Forecast(ref, next, 10).forEach((v, k) => expectClose(v, c.forecast[k]!, 1e-11, `forecast[${k}]`));
    });

    if (c.alpha + c.beta < 1) {
      it(`${c.series} include.mean=${c.mean}: parameters within 2% and log-likelihood no worse by 0.01`, () => {
        const fit = fitGarch11(r, { mean: c.mean });
        expect(fit.converged).toBe(true);
        expect(fit.logLikelihood).toBeGreaterThanOrEqual(c.logLikelihood - 0.01);
        if (c.mean) expectClose(fit.mu, c.mu, 0.02, 'mu');
        else expect(fit.mu).toBe(0);
        expectClose(fit.omega, c.omega, 0.02, 'omega');
        expectClose(fit.alpha, c.alpha, 0.02, 'alpha');
        expectClose(fit.beta, c.beta, 0.02, 'beta');
        // Measured: every parameter within 1e-5 relative, the likelihood within 1e-6.
        expect(Math.abs(fit.logLikelihood - c.logLikelihood)).toBeLessThan(1e-4);
        expectClose(fit.forecast(10)[9]!, c.forecast[9]!, 1e-3, 'forecast[9]');
      });
    } else {
      it(`${c.series} include.mean=${c.mean}: fGarch's estimate is not stationary (alpha + beta = ${(c.alpha + c.beta).toFixed(4)}); the stationary fit loses under 0.01`, () => {
        const fit = fitGarch11(r, { mean: c.mean });
        expect(fit.persistence).toBeLessThan(1);
        expect(fit.logLikelihood).toBeGreaterThanOrEqual(c.logLikelihood - 0.01);
        expect(fit.logLikelihood).toBeLessThanOrEqual(c.logLikelihood);
      });
    }
  }
});

describe('fitGarch11 by hand', () => {
  it('the variance recursion starts from the mean squared residual of the whole sample', () => {
    const r = [0.01, -0.02, 0.015, 0];
    const p = { mu: 0.001, omega: 1e-5, alpha: 0.1, beta: 0.8 };
    // e = 0.009, -0.021, 0.014, -0.001; mean e^2 = (81 + 441 + 196 + 1)e-6 / 4 = 179.75e-6
    // h1 = 1e-5 + 0.9 * 179.75e-6 = 171.775e-6
    // h2 = 1e-5 + 0.1 * 81e-6 + 0.8 * 171.775e-6 = 155.52e-6
    // h3 = 1e-5 + 0.1 * 441e-6 + 0.8 * 155.52e-6 = 178.516e-6
    // h4 = 1e-5 + 0.1 * 196e-6 + 0.8 * 178.516e-6 = 172.4128e-6
    const expected = [171.775e-6, 155.52e-6, 178.516e-6, 172.4128e-6];
    const h = garch11Variance(r, p);
    expected.forEach((v, t) => expect(h[t]).toBeCloseTo(v, 15));
    const e = [0.009, -0.021, 0.014, -0.001];
    const ll = -e.reduce((s, et, t) => s + 0.5 * (Math.log(2 * Math.PI) + Math.log(expected[t]!) + (et * et) / expected[t]!), 0);
    expect(garch11LogLikelihood(r, p)).toBeCloseTo(ll, 10);
  });

  it('forecast(h) follows h_{n+k} = s2 + (alpha + beta)^(k-1) (h_{n+1} - s2) and converges to omega / (1 - alpha - beta)', () => {
    const p = { mu: 0, omega: 2e-6, alpha: 0.08, beta: 0.9 };
    const s2 = 2e-6 / 0.02;
    const f = garch11Forecast(p, 4e-4, 400);
    expect(f[0]).toBe(4e-4);
    expect(f[1]).toBeCloseTo(2e-6 + 0.98 * 4e-4, 18);
    for (const k of [1, 2, 10, 100]) expect(f[k - 1]).toBeCloseTo(s2 + 0.98 ** (k - 1) * (4e-4 - s2), 15);
    expect(Math.abs(f[399]! - s2) / s2).toBeLessThan(1e-3);
    const fit = fitGarch11(logReturns('dax'));
    const long = fit.forecast(5000);
    expectClose(long[4999]!, fit.unconditionalVariance, 1e-9, 'long-run variance');
    expect(fit.forecast(1)[0]).toBeCloseTo(fit.omega + fit.alpha * (logReturns('dax').at(-1)! - fit.mu) ** 2 + fit.beta * fit.conditionalVariance.at(-1)!, 18);
  });

  it('recovers the parameters of a simulated GARCH(1,1) and fits the same bits twice', () => {
    const rng = randomStream(16, 'garch', 'simulated');
    const truth = { mu: 0.0003, omega: 4e-6, alpha: 0.09, beta: 0.88 };
    const n = 6000;
    const r = new Float64Array(n);
    let h = truth.omega / (1 - truth.alpha - truth.beta);
    for (let t = 0; t < n; t++) {
      const e = Math.sqrt(h) * rng.normal();
      r[t] = truth.mu + e;
      h = truth.omega + truth.alpha * e * e + truth.beta * h;
    }
    const fit = fitGarch11(r);
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.02);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.03);
    expect(Math.abs(fit.persistence - 0.97)).toBeLessThan(0.015);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(garch11LogLikelihood(r, truth));
    const again = fitGarch11(r);
    expect([again.mu, again.omega, again.alpha, again.beta, again.logLikelihood]).toEqual([fit.mu, fit.omega, fit.alpha, fit.beta, fit.logLikelihood]);
  });

  it('refuses too few, non-finite and constant series', () => {
    expect(() => fitGarch11(new Array(29).fill(0.01).map((v, i) => v * Math.sin(i)))).toThrow(/29 observations are too few/);
    expect(() => fitGarch11([...new Array(40).fill(0.01).map((v, i) => v * Math.sin(i)), Number.NaN])).toThrow(/r\[40\] is not finite/);
    expect(() => fitGarch11(new Array(40).fill(0.01))).toThrow(/constant/);
  });
});

describe('nelderMead', () => {
  it('minimizes the Rosenbrock function to its minimum (1, 1)', () => {
    const res = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], { fTol: 1e-16, xTol: 1e-10 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 6);
    expect(res.x[1]).toBeCloseTo(1, 6);
  });

  it('treats a non-finite value as +Infinity, so an objective can refuse points', () => {
    const res = nelderMead((x) => (x[0]! < 0.5 ? Number.NaN : (x[0]! - 2) ** 2), [1]);
    expect(res.x[0]).toBeCloseTo(2, 5);
  });

  it('stops on its evaluation budget and says so', () => {
    const res = nelderMead((x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2, [-1.2, 1], { maxEvaluations: 20 });
    expect(res.converged).toBe(false);
    expect(res.evaluations).toBeLessThanOrEqual(22);
  });
});
