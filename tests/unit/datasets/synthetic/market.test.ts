import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import {
  generateMarket,
  SESSION_CLOSE_US,
  SESSION_OPEN_US,
  simulateMarket,
  qualifySyntheticOptions,
  symbolProfile,
  type SyntheticMarketOptions,
} from '../../../../datasets/synthetic/index.js';
import type { TableInput } from '../../../../datasets/writer.js';
import { columnDifference } from './same-columns.js';

type ColName = 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume';
type Cols = Record<ColName, Float64Array>;
const table = (tables: readonly TableInput[], kind: string, symbol: string): Cols => {
  const t = tables.find((x) => x.kind === kind && x.symbol === symbol);
  if (!t) throw new Error(`no ${kind}/${symbol}`);
  return t.columns as unknown as Cols;
};
const weekday = (ts: number): number => (Math.floor(ts / US_PER_DAY) + 4) % 7;
const small: SyntheticMarketOptions = {
  seed: 11,
  symbols: ['AAA', 'BBB'],
  days: 40,
  intraday: { days: 2, tradesPerDay: 1500, quotesPerDay: 2000, bookEventsPerDay: 2000 },
};

function logReturns(close: Float64Array): number[] {
  const r: number[] = [];
  for (let i = 1; i < close.length; i++) r.push(Math.log(close[i]! / close[i - 1]!));
  return r;
}
function correlation(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('generateMarket determinism', () => {
  it('gives identical tables for the same seed', () => {
    const a = generateMarket(small).tables;
    const b = generateMarket(small).tables;
    expect(a.map((t) => `${t.kind}/${t.symbol}`)).toEqual(b.map((t) => `${t.kind}/${t.symbol}`));
    for (let i = 0; i < a.length; i++) expect(columnDifference(a[i]!.columns, b[i]!.columns)).toBeNull();
  });

  it('gives different prices for another seed', () => {
    const a = table(generateMarket(small).tables, 'bars', 'AAA');
    const b = table(generateMarket({ ...small, seed: 12 }).tables, 'bars', 'AAA');
    expect(columnDifference(a, b)).toBe('column open differs');
  });

  it('does not change the bars, trades or book when the options kind is added or removed', () => {
    const all = generateMarket(small).tables;
    const some = generateMarket({ ...small, kinds: ['bars', 'book'] }).tables;
    expect(columnDifference(table(some, 'bars', 'BBB'), table(all, 'bars', 'BBB'))).toBeNull();
    expect(columnDifference(table(some, 'book', 'AAA'), table(all, 'book', 'AAA'))).toBeNull();
    const onlyOptions = generateMarket({ ...small, kinds: ['options'] }).tables;
    expect(onlyOptions.map((t) => t.kind)).toEqual(['options']);
    expect(columnDifference(table(onlyOptions, 'options', 'AAA'), table(all, 'options', 'AAA'))).toBeNull();
  });

  it("derives a symbol's profile from the seed and the symbol alone", () => {
    expect(symbolProfile(3, 'XYZ')).toEqual(symbolProfile(3, 'XYZ'));
    expect(symbolProfile(3, 'XYZ')).not.toEqual(symbolProfile(3, 'XYY'));
    const p = symbolProfile(3, 'XYZ');
    expect(p.startPrice).toBeGreaterThanOrEqual(20);
    expect(p.startPrice).toBeLessThanOrEqual(400);
    expect(p.volatility).toBeGreaterThan(0.15);
    expect(p.volatility).toBeLessThan(0.6);
  });
});

describe('bars', () => {
  it.each(['1d', '1h', '1m'] as const)('are well-formed OHLCV at %s: no NaN, high >= max(open, close), low <= min(open, close)', (interval) => {
    const { tables } = generateMarket({ ...small, days: interval === '1m' ? 5 : 30, interval, kinds: ['bars'] });
    for (const symbol of ['AAA', 'BBB']) {
      const b = table(tables, 'bars', symbol);
      const perDay = interval === '1d' ? 1 : interval === '1h' ? 7 : 390;
      expect(b.ts.length).toBe((interval === '1m' ? 5 : 30) * perDay);
      for (let i = 0; i < b.ts.length; i++) {
        for (const c of ['open', 'high', 'low', 'close', 'volume'] as const) expect(Number.isFinite(b[c][i]!)).toBe(true);
        expect(b.low[i]!).toBeGreaterThan(0);
        expect(b.high[i]!).toBeGreaterThanOrEqual(Math.max(b.open[i]!, b.close[i]!));
        expect(b.low[i]!).toBeLessThanOrEqual(Math.min(b.open[i]!, b.close[i]!));
        expect(b.volume[i]!).toBeGreaterThan(0);
        expect(Number.isInteger(b.volume[i]!)).toBe(true);
        expect(Math.round(b.close[i]! * 100) / 100).toBe(b.close[i]!);
        if (i > 0) expect(b.ts[i]!).toBeGreaterThan(b.ts[i - 1]!);
        expect([0, 6]).not.toContain(weekday(b.ts[i]!));
        const inDay = b.ts[i]! % US_PER_DAY;
        if (interval === '1d') expect(inDay).toBe(0);
        else {
          expect(inDay).toBeGreaterThanOrEqual(SESSION_OPEN_US);
          expect(inDay).toBeLessThan(SESSION_CLOSE_US);
        }
      }
    }
  });

  it('open each intraday bar where the previous bar of the session closed (one continuous path)', () => {
    const b = table(generateMarket({ ...small, days: 2, interval: '1h', kinds: ['bars'] }).tables, 'bars', 'AAA');
    for (let i = 1; i < 7; i++) expect(b.open[i]).toBe(b.close[i - 1]);
    expect(b.ts[1]! - b.ts[0]!).toBe(3_600_000_000);
  });

  it('have daily highs and lows that are the extremes of the hourly path', () => {
    const opts = { ...small, days: 10, kinds: ['bars'] as const };
    const daily = table(generateMarket({ ...opts, interval: '1d', kinds: ['bars'] }).tables, 'bars', 'AAA');
    const hourly = table(generateMarket({ ...opts, interval: '1h', kinds: ['bars'] }).tables, 'bars', 'AAA');
    for (let d = 0; d < 10; d++) {
      const h = hourly.high.subarray(d * 7, d * 7 + 7);
      const l = hourly.low.subarray(d * 7, d * 7 + 7);
      expect(daily.high[d]).toBe(Math.max(...h));
      expect(daily.low[d]).toBe(Math.min(...l));
      expect(daily.open[d]).toBe(hourly.open[d * 7]);
      expect(daily.close[d]).toBe(hourly.close[d * 7 + 6]);
    }
  });

  it('follow the requested correlation matrix (Cholesky factor)', () => {
    const base = { seed: 5, symbols: ['X', 'Y'], days: 1500, kinds: ['bars'] as const };
    const pos = simulateMarket(qualifySyntheticOptions({ ...base, kinds: ['bars'], correlation: [[1, 0.8], [0.8, 1]] }));
    const neg = simulateMarket(qualifySyntheticOptions({ ...base, kinds: ['bars'], correlation: [[1, -0.5], [-0.5, 1]] }));
    const rPos = correlation(logReturns(pos.symbols[0]!.dailyClose), logReturns(pos.symbols[1]!.dailyClose));
    const rNeg = correlation(logReturns(neg.symbols[0]!.dailyClose), logReturns(neg.symbols[1]!.dailyClose));
    // Jumps are independent across symbols, which pulls the sample correlation a little towards 0.
    expect(rPos).toBeGreaterThan(0.6);
    expect(rPos).toBeLessThan(0.85);
    expect(rNeg).toBeLessThan(-0.3);
    expect(rNeg).toBeGreaterThan(-0.6);
  });

  it('show volatility clustering and fat tails in daily returns', () => {
    const m = simulateMarket(qualifySyntheticOptions({ seed: 9, symbols: ['Z'], days: 3000, kinds: ['bars'] }));
    const r = logReturns(m.symbols[0]!.dailyClose);
    const mean = r.reduce((s, x) => s + x, 0) / r.length;
    const sq = r.map((x) => (x - mean) ** 2);
    const varr = sq.reduce((s, x) => s + x, 0) / r.length;
    const kurtosis = sq.reduce((s, x) => s + x * x, 0) / r.length / (varr * varr);
    expect(kurtosis).toBeGreaterThan(4);
    expect(correlation(sq.slice(1), sq.slice(0, -1))).toBeGreaterThan(0.05);
    // All three regimes occur.
    expect(new Set(m.regimes).size).toBe(3);
  });
});
