import { describe, expect, it } from 'vitest';
import { US_PER_DAY } from '../../../../engine/core/index.js';
import { generateMarket, qualifySyntheticOptions, type SentimentColumns } from '../../../../datasets/synthetic/index.js';

function market(seed: number, correlation: number, days = 2000, horizon = 1) {
  const m = generateMarket({ seed, symbols: ['AAA', 'BBB'], days, kinds: ['bars', 'sentiment'], sentiment: { correlation, horizon } });
  const bars = m.tables.find((t) => t.kind === 'bars' && t.symbol === 'AAA')!.columns as unknown as { ts: Float64Array; close: Float64Array };
  const s = m.tables.find((t) => t.kind === 'sentiment' && t.symbol === 'AAA')!.columns as unknown as SentimentColumns;
  return { m, bars, s };
}

/** Pearson correlation of score t with the log return from close t to close t + h. */
function leadCorrelation(close: Float64Array, score: Float64Array, h: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = 0; t + h < close.length; t++) {
    xs.push(score[t]!);
    ys.push(Math.log(close[t + h]! / close[t]!));
  }
  const mean = (a: number[]): number => a.reduce((p, q) => p + q, 0) / a.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

describe('the synthetic sentiment generator', () => {
  it('writes one score in [-1, 1] and a mentions count per bar and symbol, stamped at the bar close', () => {
    const { m, bars, s } = market(1, 0.3, 300);
    expect(m.tables.filter((t) => t.kind === 'sentiment').map((t) => t.symbol)).toEqual(['AAA', 'BBB']);
    expect(s.ts.length).toBe(300);
    for (let i = 0; i < 300; i++) {
      expect(s.ts[i]).toBe(bars.ts[i]! + US_PER_DAY);
      expect(Math.abs(s.score[i]!)).toBeLessThan(1);
      expect(Number.isInteger(s.mentions[i]!) && s.mentions[i]! >= 0).toBe(true);
    }
  });

  it.each([0.3, 0.6, -0.4])('correlates the score with the next return by about the chosen amount (%s)', (c) => {
    const { bars, s } = market(2, c);
    expect(leadCorrelation(bars.close, s.score, 1)).toBeCloseTo(c * 0.98, 1);
  });

  it('carries no information at correlation 0, and none about the past return (the score leads, it does not lag)', () => {
    const { bars, s } = market(3, 0);
    expect(Math.abs(leadCorrelation(bars.close, s.score, 1))).toBeLessThan(0.06);
    const planted = market(3, 0.5);
    // Score t against the return into bar t (close t-1 to close t): nothing.
    const lagged = leadCorrelation(planted.bars.close.subarray(0, -1), planted.s.score.subarray(1), 1);
    expect(Math.abs(lagged)).toBeLessThan(0.06);
  });

  it('honours the horizon: at horizon 5 the score informs about the 5-bar return', () => {
    const { bars, s } = market(4, 0.5, 2000, 5);
    expect(leadCorrelation(bars.close, s.score, 5)).toBeGreaterThan(0.4);
  });

  it('is seeded: the same seed gives the same series, the bars do not depend on the sentiment settings', () => {
    const a = market(5, 0.3, 200);
    const b = market(5, 0.3, 200);
    const c = market(5, 0.0, 200);
    expect(Array.from(a.s.score)).toEqual(Array.from(b.s.score));
    expect(Array.from(a.bars.close)).toEqual(Array.from(c.bars.close));
    expect(Array.from(a.s.score)).not.toEqual(Array.from(c.s.score));
  });

  it('is not in the default kinds, and refuses bad settings naming the field', () => {
    expect(qualifySyntheticOptions({ seed: 1 }).kinds).not.toContain('sentiment');
    expect(() => qualifySyntheticOptions({ seed: 1, sentiment: { correlation: 1.2 } })).toThrow(/sentiment\.correlation/);
    expect(() => qualifySyntheticOptions({ seed: 1, sentiment: { horizon: 0 } })).toThrow(/sentiment\.horizon/);
  });
});
