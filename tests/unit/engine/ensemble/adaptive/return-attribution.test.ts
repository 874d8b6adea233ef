import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attributeReturns } from '../../../../../engine/ensemble/adaptive/return-attribution.js';
import type { ReturnAttribution } from '../../../../../engine/ensemble/adaptive/return-attribution.js';

interface Fixture {
  readonly periodsPerYear: number;
  readonly benchmark: number[];
  readonly cases: { dax: { equity: number[]; expected: ReturnAttribution }; timer: { expected: ReturnAttribution } };
}
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../../../../fixtures/return-attribution-reference.json', import.meta.url)), 'utf8')) as Fixture;

function expectClose(actual: ReturnAttribution | null, expected: ReturnAttribution, rel = 1e-9): void {
  expect(actual).not.toBeNull();
  for (const [k, v] of Object.entries(expected)) {
    const a = (actual as unknown as Record<string, number>)[k]!;
    expect(Math.abs(a - (v as number)), `${k}: ${a} vs ${v}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(v as number)));
  }
}

/** The fixture script's market timer, rebuilt: r_t = 0.0002 + 0.6 b + 4 b^2 + 0.002 sin(1.7 t), compounded from 100. */
function timer(bench: readonly number[]): number[] {
  const eq = [100];
  for (let t = 1; t < bench.length; t++) {
    const b = bench[t]! / bench[t - 1]! - 1;
    eq.push(eq[t - 1]! * (1 + 0.0002 + 0.6 * b + 4 * b * b + 0.002 * Math.sin(1.7 * t)));
  }
  return eq;
}

describe('attributeReturns', () => {
  it('matches statsmodels OLS (CAPM and Treynor-Mazuy) for the DAX against equal-weight SMI/CAC/FTSE', () => {
    expectClose(attributeReturns(fixture.cases.dax.equity, fixture.benchmark, fixture.periodsPerYear), fixture.cases.dax.expected);
  });

  it('matches statsmodels for a synthetic market timer, and finds its timing', () => {
    const a = attributeReturns(timer(fixture.benchmark), fixture.benchmark, fixture.periodsPerYear);
    expectClose(a, fixture.cases.timer.expected, 1e-8);
    expect(a!.timing!).toBeGreaterThan(0);
    expect(a!.timingT!).toBeGreaterThan(10);
  });

  it('a strategy holding exactly twice the market has beta 2, no alpha, no selection and no timing', () => {
    const bench = [1, 1.01, 0.99, 1.02, 1.0, 1.05, 1.03];
    const eq = [100];
    for (let t = 1; t < bench.length; t++) eq.push(eq[t - 1]! * (1 + 2 * (bench[t]! / bench[t - 1]! - 1)));
    const a = attributeReturns(eq, bench, 252)!;
    expect(a.beta).toBeCloseTo(2, 12);
    expect(a.alpha).toBeCloseTo(0, 12);
    expect(a.selection!).toBeCloseTo(0, 12);
    expect(a.timing!).toBeCloseTo(0, 12);
    expect(a.market!).toBeCloseTo(a.meanReturn, 12);
    expect(a.rSquared).toBeCloseTo(1, 12);
    expect(a.periods).toBe(6);
  });

  it('hand-computed: r = 0.01 + b^2 exactly gives selection 0.01 P, market 0, timing mean(b^2) P', () => {
    const rb = [0.02, -0.01, 0.03, -0.02, 0.01, 0];
    const bench = [1];
    const eq = [50];
    for (const b of rb) {
      bench.push(bench[bench.length - 1]! * (1 + b));
      eq.push(eq[eq.length - 1]! * (1 + 0.01 + b * b));
    }
    const a = attributeReturns(eq, bench, 10)!;
    const meanB2 = rb.reduce((s, b) => s + b * b, 0) / rb.length;
    expect(a.selection!).toBeCloseTo(0.1, 12);
    expect(a.market!).toBeCloseTo(0, 12);
    expect(a.timingCoefficient!).toBeCloseTo(1, 10);
    expect(a.timing!).toBeCloseTo(meanB2 * 10, 12);
    expect(a.meanReturn).toBeCloseTo(0.1 + meanB2 * 10, 12);
  });

  it('is null with under four periods or a flat benchmark; Treynor-Mazuy is null when the benchmark takes two values', () => {
    expect(attributeReturns([1, 1.1, 1.2, 1.1], [1, 1.01, 1.02, 1.0], 252)).toBeNull();
    expect(attributeReturns([1, 1.1, 1.2, 1.1, 1.3, 1.2], [1, 1, 1, 1, 1, 1], 252)).toBeNull();
    const two = [1];
    for (let i = 0; i < 8; i++) two.push(two[i]! * (i % 2 === 0 ? 1.02 : 0.99));
    const a = attributeReturns([1, 1.1, 1.05, 1.2, 1.1, 1.3, 1.2, 1.25, 1.3], two, 252)!;
    expect(a.beta).not.toBeNull();
    expect(a.selection).toBeNull();
    expect(a.timing).toBeNull();
  });

  it('stops at the first non-positive equity (a ruined book has no percentage returns after it)', () => {
    const bench = [1, 1.01, 0.99, 1.02, 1.0, 1.05, 1.03, 1.04];
    const eq = [100, 101, 99, 102, 100, 0, 5, 6];
    expect(attributeReturns(eq, bench, 252)!.periods).toBe(4);
  });

  it('property: selection + market + timing = the annualized mean return', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -0.05, max: 0.05, noNaN: true }), fc.double({ min: -0.05, max: 0.05, noNaN: true })), { minLength: 6, maxLength: 60 }),
        (rows) => {
          const bench = [1];
          const eq = [1];
          for (const [b, r] of rows) {
            bench.push(bench[bench.length - 1]! * (1 + b));
            eq.push(eq[eq.length - 1]! * (1 + r));
          }
          const a = attributeReturns(eq, bench, 252);
          if (a === null || a.selection === null) return;
          expect(a.selection + a.market! + a.timing!).toBeCloseTo(a.meanReturn, 8);
        },
      ),
    );
  });
});
