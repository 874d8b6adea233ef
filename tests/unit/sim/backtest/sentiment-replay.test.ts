import { describe, expect, it } from 'vitest';
import { US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import type { SentimentBatch, SentimentEvent } from '../../../../engine/model/index.js';
import type { BarSeries, Strategy, StrategyContext } from '../../../../engine/strategies/context.js';
import { createStrategy } from '../../../../engine/strategies/index.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { l2VenueConfig } from '../../../../sim/venue/l2/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight

const BARS: SimpleBar[] = Array.from({ length: 6 }, (_, i) => ({ symbol: i % 2, ts: T0 + Math.floor(i / 2) * DAY, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1000 }));

function sentimentBatch(rows: readonly [ts: number, symbol: number, score: number, mentions: number][]): SentimentBatch {
  return {
    length: rows.length,
    ts: Float64Array.from(rows.map((r) => r[0])),
    symbol: Int32Array.from(rows.map((r) => r[1])),
    score: Float64Array.from(rows.map((r) => r[2])),
    mentions: Float64Array.from(rows.map((r) => r[3])),
  };
}

async function* once<T>(...items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

/** Records every bar and score it sees, with the context's time and what lastSentiment says. */
class Recorder implements Strategy {
  readonly id = strategyId('rec');
  readonly symbols = [symbolId('AAA'), symbolId('BBB')];
  readonly seen: string[] = [];
  onBar(ctx: StrategyContext, bars: BarSeries): void {
    this.seen.push(`${(ctx.now - T0) / DAY} bar ${bars.symbol} ${bars.close()}`);
  }
  onSentiment(ctx: StrategyContext, e: SentimentEvent): void {
    this.seen.push(`${(ctx.now - T0) / DAY} sentiment ${e.symbol} ${e.score} ${e.mentions} last=${ctx.lastSentiment?.(e.symbol)?.score}`);
    expect(Object.isFrozen(e)).toBe(true);
  }
}

const config = (createStrategies: ReplayConfig['createStrategies']): ReplayConfig => ({
  symbols: ['AAA', 'BBB'],
  initialCash: 100_000,
  barIntervalUs: DAY,
  equityEveryUs: 60_000_000,
  lookback: 16,
  createStrategies,
  createRisk: null,
  venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY }) },
});

describe('replay of sentiment scores', () => {
  it('delivers scores to onSentiment in time order with the bars: at a bar close after the bars of that time, between closes in between', async () => {
    const rec = new Recorder();
    const scores = sentimentBatch([
      [T0 + DAY, 1, -0.5, 3], // BBB at the first close: after both bars of that close
      [T0 + DAY, 0, 0.25, Number.NaN], // AAA at the same time: rows keep their order
      [T0 + DAY + DAY / 2, 0, 0.75, 10], // between two closes
    ]);
    await replay(config(() => [rec]), { bars: barFeed(BARS, DAY, 7), sentiment: once(scores) });
    expect(rec.seen).toEqual([
      '1 bar AAA 100',
      '1 bar BBB 101',
      '1 sentiment BBB -0.5 3 last=-0.5',
      '1 sentiment AAA 0.25 NaN last=0.25',
      '1.5 sentiment AAA 0.75 10 last=0.75',
      '2 bar AAA 102',
      '2 bar BBB 103',
      '3 bar AAA 104',
      '3 bar BBB 105',
    ]);
  });

  it('lets the sentiment strategy trade on them, the same runHash on a rerun, another without the scores', async () => {
    const rows: [number, number, number, number][] = [];
    for (let d = 1; d <= 3; d++) rows.push([T0 + d * DAY, 0, 0.9, 50]);
    const make = () => [createStrategy('sentiment', 's', ['AAA'], { period: 1, sizing: { kind: 'units', units: 10 } })];
    const a = await replay(config(make), { bars: barFeed(BARS, DAY, 7), sentiment: once(sentimentBatch(rows)) });
    const b = await replay(config(make), { bars: barFeed(BARS, DAY, 7), sentiment: once(sentimentBatch(rows)) });
    const none = await replay(config(make), { bars: barFeed(BARS, DAY, 7) });
    expect(a.fills.length).toBe(1);
    expect(a.fills[0]!.qty).toBe(10);
    expect(a.runHash).toBe(b.runHash);
    expect(none.fills.length).toBe(0);
    expect(none.runHash).not.toBe(a.runHash);
  });

  it('is refused on an L2 replay', async () => {
    const err = await replay(
      { ...config(() => []), barIntervalUs: null, venue: { kind: 'l2', config: l2VenueConfig(), seed: 1 } },
      { book: once(), sentiment: once(sentimentBatch([])) },
    ).catch((e: unknown) => e);
    expect(String(err)).toMatch(/sentiment are not supported with book data/);
  });
});
