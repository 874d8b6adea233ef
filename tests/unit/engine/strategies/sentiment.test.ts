import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, US_PER_DAY } from '../../../../engine/core/index.js';
import { generateMarket, type SentimentColumns } from '../../../../datasets/synthetic/index.js';
import { createStrategy, SentimentStrategy, sentiment, sentimentParams, STRATEGIES, type SentimentParams } from '../../../../engine/strategies/index.js';
import { barsFromCloses, FakeStrategyContext } from '../../../support/fake-strategy-context.js';

const T0 = 1_704_067_200_000_000;

/** One bar (a price to size from), then the scores one a day after it; returns the context. */
function runScores(params: Partial<SentimentParams>, scores: readonly number[], mentions?: readonly number[]): { ctx: FakeStrategyContext; s: SentimentStrategy } {
  const s = new SentimentStrategy('senti', ['AAA'], params);
  const ctx = new FakeStrategyContext(['AAA']);
  ctx.deliver(s, 'AAA', barsFromCloses([100], T0)[0]!);
  scores.forEach((score, i) => ctx.deliverSentiment(s, 'AAA', T0 + (i + 2) * US_PER_DAY, score, mentions?.[i] ?? Number.NaN));
  return { ctx, s };
}

/** The index (0-based) of the score each signal was emitted on, with its direction. */
function signalsAt(ctx: FakeStrategyContext): [number, number][] {
  return ctx.signals.map((c) => [Math.round((c.ts - T0) / US_PER_DAY) - 2, c.direction]);
}

// EMA(2), ratio 2/3, seeded by the mean of the first two scores:
//   #0 0.1 -> not ready; #1 0.5 -> 0.3 (> 0.2: long); #2 0.4 -> 0.3667; #3 0.0 -> 0.1222 (inside: hold);
//   #4 -0.6 -> -0.3593 (< -0.2: short); #5 -0.6 -> -0.5198; #6 0.0 -> -0.1733 (hold); #7 0.3 -> 0.1422 (> -0.05: exit).
const SCORES = [0.1, 0.5, 0.4, 0.0, -0.6, -0.6, 0.0, 0.3];
const HAND = { period: 2, entry: 0.2, exit: 0.05, sizing: { kind: 'units' as const, units: 10 } };

describe('sentiment (hand-computed)', () => {
  it('enters long, reverses short and exits on the exact scores the EMA rule implies (long_short)', () => {
    const { ctx } = runScores({ ...HAND, mode: 'long_short' }, SCORES);
    expect(signalsAt(ctx)).toEqual([
      [1, 1],
      [4, -1],
      [7, 0],
    ]);
    expect(ctx.targets.map((t) => t.units)).toEqual([10, -10, 0]);
    expect(ctx.signals[0]!.strength).toBeCloseTo(0.3, 12);
    const e3 = (0.4 * 2) / 3 + 0.3 / 3 / 1; // #2
    const e4 = -0.6 * (2 / 3) + e3 / 3 / 3; // #4, after #3 took e3 to e3 / 3
    expect(ctx.signals[1]!.strength).toBeCloseTo(-e4, 12);
    expect(ctx.signals[0]!.reason).toBe('sentiment EMA(2) above 0.2');
    expect(ctx.signals[2]!.reason).toBe('sentiment EMA(2) above -0.05');
  });

  it('in long_only exits the long where long_short would go short, and never shorts', () => {
    const { ctx } = runScores({ ...HAND, mode: 'long_only' }, SCORES);
    expect(signalsAt(ctx)).toEqual([
      [1, 1],
      [4, 0],
    ]);
    expect(ctx.targets.map((t) => t.units)).toEqual([10, 0]);
  });

  it('exits a long when the EMA falls below exit without reaching -entry', () => {
    // #0 0.5, #1 0.3 -> 0.4 long; #2 -0.1 -> 0.0667; #3 -0.1 -> -0.0444 (< 0.05: exit).
    const { ctx } = runScores({ ...HAND, mode: 'long_short' }, [0.5, 0.3, -0.1, -0.1]);
    expect(signalsAt(ctx)).toEqual([
      [1, 1],
      [3, 0],
    ]);
  });

  it('skips scores with fewer mentions than minMentions (they are not smoothed in)', () => {
    // #1 (0.5, 5 mentions) is skipped: the EMA is ready at #2 with mean(0.1, 0.4) = 0.25 -> long there.
    const { ctx } = runScores({ ...HAND, minMentions: 10 }, [0.1, 0.5, 0.4], [20, 5, 20]);
    expect(signalsAt(ctx)).toEqual([[2, 1]]);
    const without = runScores({ ...HAND, minMentions: 10 }, [0.1, 0.5, 0.4]);
    expect(without.ctx.calls).toEqual([]);
  });

  it('emits nothing while the EMA warms up, and does not trade a score that comes before any bar', () => {
    const s = new SentimentStrategy('senti', ['AAA'], HAND);
    const ctx = new FakeStrategyContext(['AAA']);
    ctx.deliverSentiment(s, 'AAA', T0, 0.9);
    ctx.deliverSentiment(s, 'AAA', T0 + 1, 0.9);
    expect(ctx.calls).toEqual([]);
    ctx.deliver(s, 'AAA', barsFromCloses([100], T0)[0]!);
    ctx.deliverSentiment(s, 'AAA', T0 + 2 * US_PER_DAY, 0.9);
    expect(ctx.targets.map((t) => t.units)).toEqual([10]);
  });
});

describe('sentiment (params)', () => {
  it.each([
    [{ period: 0 }, /'period'/],
    [{ entry: 1 }, /'entry': outside \(0, 1\), was 1/],
    [{ entry: 0.2, exit: 0.3 }, /'exit': outside \[0, 'entry' = 0.2\], was 0.3/],
    [{ minMentions: -1 }, /'minMentions'/],
    [{ mode: 'sideways' }, /'mode'/],
    [{ sizing: { kind: 'units', units: 0 } }, /'sizing.units'/],
  ])('refuses %j naming the parameter', (params, message) => {
    expect(() => sentimentParams(params as Partial<SentimentParams>)).toThrow(InvalidArgumentError);
    expect(() => sentimentParams(params as Partial<SentimentParams>)).toThrow(message);
  });

  it('is registered as a built-in that needs sentiment data, with documented defaults', () => {
    expect(STRATEGIES.sentiment).toBe(sentiment);
    expect(sentiment.needs).toEqual(['sentiment']);
    expect(sentiment.defaults).toEqual({ period: 5, entry: 0.2, exit: 0.05, minMentions: 0, mode: 'long_short', sizing: { kind: 'units', units: 100 }, fractional: false });
    expect(createStrategy('sentiment', 'x', ['AAA'])).toBeInstanceOf(SentimentStrategy);
  });
});

/**
 * Runs the strategy over generated bars and sentiment (each score at its bar's close, after the bar)
 * and returns the P&L in units of the return's standard deviation: sum over bars of the position
 * held after bar t's score (+1, -1 or 0) times the log return to bar t+1's close, divided by the
 * standard deviation of those returns.
 */
function plantedPnl(seed: number, correlation: number): number {
  const m = generateMarket({ seed, symbols: ['AAA'], days: 750, kinds: ['bars', 'sentiment'], sentiment: { correlation } });
  const b = m.tables.find((t) => t.kind === 'bars')!.columns as unknown as { ts: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array };
  const sc = m.tables.find((t) => t.kind === 'sentiment')!.columns as unknown as SentimentColumns;
  const s = new SentimentStrategy('senti', ['AAA'], { period: 2, entry: 0.05, exit: 0, sizing: { kind: 'units', units: 1 } });
  const ctx = new FakeStrategyContext(['AAA']);
  let pnl = 0;
  let sumSq = 0;
  const n = b.ts.length;
  for (let t = 0; t < n; t++) {
    ctx.deliver(s, 'AAA', { ts: b.ts[t]!, open: b.open[t]!, high: b.high[t]!, low: b.low[t]!, close: b.close[t]!, volume: b.volume[t]! });
    ctx.deliverSentiment(s, 'AAA', sc.ts[t]!, sc.score[t]!, sc.mentions[t]!);
    if (t + 1 < n) {
      const r = Math.log(b.close[t + 1]! / b.close[t]!);
      pnl += ctx.position('AAA') * r;
      sumSq += r * r;
    }
  }
  return pnl / Math.sqrt(sumSq / (n - 1));
}

describe('sentiment (generated data)', () => {
  const SEEDS = [11, 12, 13, 14, 15, 16, 17, 18];

  it('finds a planted signal (correlation 0.3): long before rises, short before falls, a profit on every seed', () => {
    const pnls = SEEDS.map((seed) => plantedPnl(seed, 0.3));
    // About 0.2 standard deviations a bar over 750 bars, against a noise of about sqrt(750) = 27.
    for (const p of pnls) expect(p).toBeGreaterThan(60);
  });

  it('does not profit systematically without a signal (correlation 0): the mean over seeds stays near 0', () => {
    const pnls = SEEDS.map((seed) => plantedPnl(seed, 0));
    const mean = pnls.reduce((a, b) => a + b, 0) / pnls.length;
    // One seed's P&L is noise of about 27; the mean of 8, about 10.
    expect(Math.abs(mean)).toBeLessThan(25);
    expect(pnls.some((p) => p < 0)).toBe(true);
  });
});
