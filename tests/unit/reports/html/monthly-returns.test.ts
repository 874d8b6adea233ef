import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthlyReturns, yearlyReturns } from '../../../../reports/html/monthly-returns.js';

const us = (iso: string) => Date.parse(iso) * 1000;

describe('monthlyReturns', () => {
  it('measures each month from the previous month-end, the first from the start', () => {
    const ts = ['2023-01-02', '2023-01-31', '2023-02-15', '2023-02-28', '2023-04-03'].map((d) => us(`${d}T00:00:00Z`));
    const equity = [100, 110, 99, 121, 133.1];
    const m = monthlyReturns(ts, equity);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2023, 1],
      [2023, 2],
      [2023, 4],
    ]);
    expect(m[0]!.value).toBeCloseTo(0.1, 12);
    expect(m[1]!.value).toBeCloseTo(0.1, 12);
    expect(m[2]!.value).toBeCloseTo(0.1, 12);
  });

  it('gives each sample the calendar month of its own date, in any order and any year (months are kept with their bounds)', () => {
    const monthOf = (t: number) => {
      const d = new Date(Math.floor(t / 1000));
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    };
    const edges = [us('2023-01-31T23:59:59.999Z'), us('2023-02-01T00:00:00Z'), us('0050-03-01T00:00:00Z') - 1, us('0050-03-01T00:00:00Z'), us('1969-12-31T23:59:59Z') + 999_999, 0, -1];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: -5e16, max: 8e15 }), fc.constantFrom(...edges)), { minLength: 1, maxLength: 60 }), (ts) => {
        const equity = ts.map((_, i) => 100 + i);
        const expected: [number, number][] = [];
        for (let i = 0; i < ts.length; i++) if (i === 0 || monthOf(ts[i]!) !== monthOf(ts[i - 1]!)) expected.push([Math.floor(monthOf(ts[i]!) / 12), (monthOf(ts[i]!) % 12) + 1]);
        expect(monthlyReturns(ts, equity).map((m) => [m.year, m.month])).toEqual(expected);
      }),
    );
  });

  it('splits months in UTC', () => {
    const m = monthlyReturns([us('2023-01-31T23:59:59Z'), us('2023-02-01T00:00:00Z')], [100, 50]);
    expect(m.map((x) => x.month)).toEqual([1, 2]);
    expect(m[1]!.value).toBeCloseTo(-0.5, 12);
  });

  it('is null for a month whose base equity is not positive', () => {
    const m = monthlyReturns([us('2023-01-01T00:00:00Z'), us('2023-02-01T00:00:00Z'), us('2023-03-01T00:00:00Z')], [100, 0, 10]);
    expect(m[2]!.value).toBeNull();
  });

  it('compounds, months and years alike, to the whole-run return', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1, max: 1000, noNaN: true }), { minLength: 1, maxLength: 80 }), (equity) => {
        const ts = equity.map((_, i) => us('2022-11-20T00:00:00Z') + i * 9 * 86_400_000_000);
        const months = monthlyReturns(ts, equity);
        const total = equity.at(-1)! / equity[0]! - 1;
        expect(months.reduce((g, m) => g * (1 + m.value!), 1) - 1).toBeCloseTo(total, 9);
        expect(yearlyReturns(months).reduce((g, y) => g * (1 + y.value!), 1) - 1).toBeCloseTo(total, 9);
      }),
    );
  });
});
