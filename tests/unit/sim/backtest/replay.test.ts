import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvariantError, US_PER_DAY } from '../../../../engine/core/index.js';
import type { TradingEngine } from '../../../../engine/kernel/trading-engine.js';
import type { BookBatch } from '../../../../engine/model/index.js';
import { createStrategy } from '../../../../engine/strategies/index.js';
import { EquitySampler, ReplayTally, replay, runBacktest } from '../../../../sim/backtest/index.js';
import type { ReplayConfig, ReplayFeeds } from '../../../../sim/backtest/index.js';
import { runL2Replay } from '../../../../sim/backtest/l2-replay.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { l2VenueConfig } from '../../../../sim/venue/l2/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight

/** Equity samples the sampler takes, in order (a stand-in for the engine's sampleEquity). */
function sampler(byBars: boolean, barIntervalUs: number | null, every: number): { s: EquitySampler; taken: number[] } {
  const taken: number[] = [];
  const sample = new Float64Array(8);
  // Bar samples come through the engine's sample array (takeSample), tick samples through sampleEquity.
  const engine = { sample, takeSample: () => taken.push(sample[0]!), sampleEquity: (ts: number) => taken.push(ts) } as unknown as TradingEngine;
  return { s: new EquitySampler(engine, byBars, barIntervalUs, every), taken };
}

/** 30 daily bars zigzagging (period 7) so that a fast/slow SMA cross trades. */
const BARS: SimpleBar[] = Array.from({ length: 30 }, (_, i) => {
  const open = 100 + (i % 7);
  const close = 100 + ((i * 3) % 7);
  return { symbol: 0, ts: T0 + i * DAY, open, high: Math.max(open, close) + 1, low: Math.min(open, close) - 1, close, volume: 1000 };
});

function bookBatch(): BookBatch {
  const rows = [
    [T0, 1, 99.99, 10, 2, 1],
    [T0, -1, 100.01, 5, 2, 2],
  ];
  const col = (k: number) => Float64Array.from(rows.map((r) => r[k]!));
  return { length: rows.length, ts: col(0), symbol: new Int32Array(rows.length), side: col(1), price: col(2), size: col(3), action: col(4), flags: col(5) };
}

async function* once<T>(...items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

const base = {
  symbols: ['AAA'],
  initialCash: 100_000,
  barIntervalUs: DAY,
  equityEveryUs: 60_000_000,
  lookback: 64,
  createStrategies: () => [createStrategy('sma_cross', 'sma', ['AAA'], { fast: 3, slow: 5, sizing: { kind: 'units', units: 10 } })],
  createRisk: null,
} satisfies Omit<ReplayConfig, 'venue'>;

const l1 = { kind: 'l1', config: venueConfig({ barIntervalUs: DAY }) } as const;
const l2 = { kind: 'l2', config: l2VenueConfig(), seed: 1 } as const;

async function refusal(config: ReplayConfig, feeds: ReplayFeeds): Promise<unknown> {
  return replay(config, feeds).then(
    () => null,
    (e: unknown) => e,
  );
}

describe('replay: the one replay loop', () => {
  it('is the only loop over the sequencer in sim/backtest', () => {
    const dir = resolve(import.meta.dirname, '../../../../sim/backtest');
    const loops = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => {
        const text = readFileSync(join(dir, f), 'utf8');
        return [...text.matchAll(/for \(;;\)|sequencer\.next\(\)|new EventSequencer\(/g)].map((m) => `${f}: ${m[0]}`);
      });
    expect(loops.sort()).toEqual(['replay.ts: for (;;)', 'replay.ts: new EventSequencer(', 'replay.ts: sequencer.next()']);
  });

  it('runBacktest is the loop with the L1 venue: same result, same runHash', async () => {
    const direct = await replay({ ...base, venue: l1 }, { bars: barFeed(BARS, DAY, 7) });
    const wrapped = await runBacktest({ ...base, venue: l1.config }, { bars: barFeed(BARS, DAY, 7) });
    expect(direct.fills.length).toBeGreaterThan(0);
    expect(direct.runHash).toBe(wrapped.runHash);
    expect(direct.barCount).toBe(30);
    expect(direct.l2).toBeUndefined();
  });

  it('runL2Replay is the loop with the L2 venue side: the l2 figures come from that side', async () => {
    const r = await runL2Replay({ symbols: ['AAA'], initialCash: 1e6, equityEveryUs: 1e6, venue: l2VenueConfig(), seed: 1, createStrategies: () => [] }, { book: once(bookBatch()) });
    expect(r.l2.bookRows).toBe(2);
    expect(r.l2.quotes).toBe(1);
    expect(r.quoteCount).toBe(1);
    expect(r.firstPrice.AAA).toBeCloseTo(100, 10);
    const direct = await replay({ ...base, initialCash: 1e6, barIntervalUs: null, equityEveryUs: 1e6, lookback: 1024, createStrategies: () => [], venue: l2 }, { book: once(bookBatch()) });
    expect(direct.runHash).toBe(r.runHash);
  });

  it('refuses data the chosen venue side does not replay, naming what', async () => {
    const bars = () => barFeed(BARS, DAY);
    const cases: [ReplayConfig, ReplayFeeds, RegExp][] = [
      [{ ...base, venue: l1 }, { book: once(bookBatch()) }, /book data \(feeds\.book\) needs the L2 venue/],
      [{ ...base, venue: l2 }, { bars: bars() }, /an L2 replay needs book data/],
      [{ ...base, venue: l2 }, { book: once(bookBatch()), bars: bars() }, /bars are not supported with book data/],
      [{ ...base, venue: l2 }, { book: once(bookBatch()), quotes: once() }, /quotes are not supported with book data/],
      [{ ...base, venue: l2, routing: { accountIds: ['acct'], create: () => { throw new Error('not reached'); } } }, { book: once(bookBatch()) }, /ensemble routing is not supported on an L2 replay/],
      [{ ...base, venue: l2, multipliers: [100] }, { book: once(bookBatch()) }, /options and multipliers are not supported on an L2 replay/],
      [{ ...base, venue: { kind: 'l3' } as never }, { bars: bars() }, /invalid 'venue\.kind': expected 'l1' or 'l2', was "l3"/],
    ];
    for (const [config, feeds, message] of cases) {
      const e = await refusal(config, feeds);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('EquitySampler', () => {
  it('samples every equityEveryUs of data time on runs without bars, stamped at the start of the ended interval', () => {
    const { s, taken } = sampler(false, null, 10);
    for (const ts of [3, 7, 12, 25, 26, 47]) s.onTick(ts);
    // 3 arms the first boundary (10); 12 passes it: sample 0; 25 passes 20: sample 10; 47 passes 30: sample 20.
    expect(taken).toEqual([0, 10, 20]);
    const tally = new ReplayTally(1);
    s.finish(47, tally);
    expect(taken).toEqual([0, 10, 20]); // nothing counted: no last sample
    tally.tradeCount = 1;
    s.finish(47, tally);
    expect(taken).toEqual([0, 10, 20, 47]);
  });

  it('samples once per bar close time, stamped one interval before it, and ignores ticks', () => {
    const { s, taken } = sampler(true, 100, 10);
    expect(s.onBar(200, 100)).toBe(true);
    expect(s.barStamp).toBe(100);
    expect(s.onBar(200, 100)).toBe(false); // a second symbol's bar of the same close
    s.onTick(1000);
    expect(taken).toEqual([]);
    expect(s.onBar(300, 200)).toBe(true);
    expect(taken).toEqual([100]);
    s.finish(999, new ReplayTally(1));
    expect(taken).toEqual([100, 200]);
    expect(() => s.onBar(250, 150)).toThrow(InvariantError);
  });

  it('stamps with the bar open time when the run has no single interval', () => {
    const { s, taken } = sampler(true, null, 10);
    s.onBar(500, 123);
    s.onBar(600, 456);
    expect(taken).toEqual([123]);
  });
});
