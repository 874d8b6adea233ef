import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import { EquityPreview, PLOT_FULL_POINTS, PREVIEW_BUCKETS, StrategyPlots } from '../../../../engine/kernel/index.js';
import type { PlotOptions, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { createStrategy } from '../../../../engine/strategies/index.js';
import { IndicatorsSectionSchema, buildRunReport, indicatorsSection } from '../../../../reports/index.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

/**
 * ctx.plot (issue 18, point 2): what a strategy plots reaches the result and report.json exactly,
 * stamped at the bar's open time, and changes neither a decision nor the runHash.
 */

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight
const N = 10;

/** AAA closes 100, 101, ..., 109; BBB closes 50, 51, ... (bars of both at every day). */
const BARS: SimpleBar[] = Array.from({ length: N }, (_, i) => [
  { symbol: 0, ts: T0 + i * DAY, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1000 },
  { symbol: 1, ts: T0 + i * DAY, open: 50 + i, high: 51 + i, low: 49 + i, close: 50 + i, volume: 1000 },
]).flat();

const RED: PlotOptions = { overlay: false, color: '#ff0000' };

/** Trades AAA (long at bar 3, flat at bar 6) and, when `plot`, plots series whose values are known by hand. */
function plotter(plot: boolean, seen: { plotting?: boolean } = {}): Strategy {
  let i = -1;
  return {
    id: strategyId('p'),
    symbols: [symbolId('AAA'), symbolId('BBB')],
    onStart(ctx: StrategyContext) {
      seen.plotting = ctx.plotting;
      ctx.setTimer('t', T0 + 4 * DAY + 3_600_000_000);
    },
    onBar(ctx: StrategyContext, bars) {
      if (bars.symbol !== 'AAA') {
        if (plot) ctx.plot('double', 2 * bars.close(0), { symbol: 'BBB', overlay: false, color: '#ff0000' });
        return;
      }
      i++;
      if (i === 3) ctx.setTarget('AAA', 10);
      if (i === 6) ctx.setTarget('AAA', 0);
      if (!plot) return;
      ctx.plot('double', 2 * bars.close(0), RED);
      // No options: the first symbol (AAA); overlay decided by the values (0..9 beside a price of 100: own pane).
      ctx.plot('gappy', i === 2 ? Number.NaN : i);
      // Two values at one time: the last wins.
      ctx.plot('twice', -1);
      ctx.plot('twice', i * 10);
      // On the price's scale: overlaid.
      ctx.plot('near', bars.close(0) * 1.1);
    },
    onTimer(ctx: StrategyContext) {
      if (plot) ctx.plot('timer', 7, { overlay: false });
    },
  };
}

function config(make: () => Strategy, extra: Partial<ReplayConfig> = {}): ReplayConfig {
  return {
    symbols: ['AAA', 'BBB'],
    initialCash: 100_000,
    barIntervalUs: DAY,
    equityEveryUs: 60_000_000,
    lookback: 16,
    venue: { kind: 'l1', config: venueConfig({ barIntervalUs: DAY }) },
    createStrategies: () => [make()],
    createRisk: null,
    ...extra,
  };
}

const openTimes = Array.from({ length: N }, (_, i) => T0 + i * DAY);

describe('ctx.plot', () => {
  it('gives exactly the plotted series in the result: bar open times, NaN gaps, the last value per time, the options', async () => {
    const seen: { plotting?: boolean } = {};
    const r = await replay(config(() => plotter(true, seen)), { bars: barFeed(BARS, DAY) });
    expect(seen.plotting).toBe(true);
    const series = r.indicators!.map((s) => ({ ...s, ts: [...s.ts], values: [...s.values] }));
    expect(series.map((s) => `${s.name} ${s.symbol}`)).toEqual(['double AAA', 'gappy AAA', 'twice AAA', 'near AAA', 'double BBB', 'timer AAA']);
    const by = (name: string, symbol = 'AAA') => series.find((s) => s.name === name && s.symbol === symbol)!;
    expect(by('double')).toEqual({ strategyId: 'p', name: 'double', symbol: 'AAA', overlay: false, color: '#ff0000', points: N, ts: openTimes, values: openTimes.map((_, i) => 2 * (100 + i)) });
    expect(by('double', 'BBB').values).toEqual(openTimes.map((_, i) => 2 * (50 + i)));
    expect(by('gappy')).toEqual({ strategyId: 'p', name: 'gappy', symbol: 'AAA', overlay: false, points: N, ts: openTimes, values: [0, 1, Number.NaN, 3, 4, 5, 6, 7, 8, 9] });
    expect(by('twice').values).toEqual(openTimes.map((_, i) => i * 10));
    expect(by('near').overlay).toBe(true);
    expect(by('near').values).toEqual(openTimes.map((_, i) => (100 + i) * 1.1));
    // From onTimer: stamped at now (the timer's time), not at a bar's.
    expect(by('timer')).toMatchObject({ overlay: false, ts: [T0 + 4 * DAY + 3_600_000_000], values: [7] });
  });

  it('changes no decision and not the runHash; a run recording metrics keeps no plots and says so (ctx.plotting false)', async () => {
    const plotted = await replay(config(() => plotter(true)), { bars: barFeed(BARS, DAY) });
    const plain = await replay(config(() => plotter(false)), { bars: barFeed(BARS, DAY) });
    const seen: { plotting?: boolean } = {};
    const metrics = await replay(config(() => plotter(true, seen), { recording: 'metrics' }), { bars: barFeed(BARS, DAY) });
    expect(plotted.fills.length).toBe(2);
    expect(plotted.fills).toEqual(plain.fills);
    expect(plotted.runHash).toBe(plain.runHash);
    expect(metrics.runHash).toBe(plain.runHash);
    expect(plain.indicators).toBeUndefined();
    expect(metrics.indicators).toBeUndefined();
    expect(seen.plotting).toBe(false);
  });

  it('sma_cross plots its two averages over the price, rsi_reversion its RSI in its own pane; same runHash as without plots', async () => {
    const closes = Array.from({ length: 40 }, (_, i) => 100 + 10 * Math.sin(i / 3));
    const bars: SimpleBar[] = closes.map((c, i) => ({ symbol: 0, ts: T0 + i * DAY, open: c, high: c + 1, low: c - 1, close: c, volume: 1000 }));
    const make = () => [createStrategy('sma_cross', 'sma', ['AAA'], { fast: 3, slow: 5, sizing: { kind: 'units', units: 10 } }), createStrategy('rsi_reversion', 'rsi', ['AAA'], { period: 4 })];
    const cfg = { ...config(() => plotter(false)), symbols: ['AAA'], createStrategies: make };
    const r = await replay(cfg, { bars: barFeed(bars, DAY) });
    const m = await replay({ ...cfg, recording: 'metrics' }, { bars: barFeed(bars, DAY) });
    expect(r.runHash).toBe(m.runHash);
    expect(r.fills.length).toBeGreaterThan(2);
    const [fast, slow, rsi] = r.indicators!;
    expect([fast!.name, slow!.name, rsi!.name]).toEqual(['SMA(3)', 'SMA(5)', 'RSI(4)']);
    expect([fast!.overlay, slow!.overlay, rsi!.overlay]).toEqual([true, true, false]);
    // SMA(3) is ready on the third bar and stamped at its open time: the mean of the first three closes.
    expect(fast!.ts[0]).toBe(T0 + 2 * DAY);
    expect(fast!.values[0]).toBeCloseTo((closes[0]! + closes[1]! + closes[2]!) / 3, 12);
    expect(fast!.ts.length).toBe(38);
    expect(slow!.values.at(-1)).toBeCloseTo(closes.slice(-5).reduce((a, b) => a + b) / 5, 12);
    expect(rsi!.ts.length).toBe(40 - 4);
    for (const v of rsi!.values) expect(v >= 0 && v <= 100).toBe(true);
  });

  it('donchian_breakout plots the channels each bar was judged against, ibs its IBS in its own pane; same runHash as without plots', async () => {
    const closes = Array.from({ length: 30 }, (_, i) => 100 + 10 * Math.sin(i / 2));
    const bars: SimpleBar[] = closes.map((c, i) => ({ symbol: 0, ts: T0 + i * DAY, open: c, high: c + 1, low: c - 2, close: c, volume: 1000 }));
    const make = () => [createStrategy('donchian_breakout', 'dc', ['AAA'], { entryPeriod: 5, exitPeriod: 3 }), createStrategy('ibs', 'ibs', ['AAA'])];
    const cfg = { ...config(() => plotter(false)), symbols: ['AAA'], createStrategies: make };
    const r = await replay(cfg, { bars: barFeed(bars, DAY) });
    const m = await replay({ ...cfg, recording: 'metrics' }, { bars: barFeed(bars, DAY) });
    expect(r.runHash).toBe(m.runHash);
    expect(r.indicators!.map((s) => [s.strategyId, s.name, s.overlay])).toEqual([
      ['dc', 'High(3)', true],
      ['dc', 'Low(3)', true],
      ['dc', 'High(5)', true],
      ['dc', 'Low(5)', true],
      ['ibs', 'IBS', false],
    ]);
    // On bar 5 (the first with five bars before it) the entry channel is that of bars 0-4.
    const high5 = r.indicators![2]!;
    expect(high5.ts[0]).toBe(T0 + 5 * DAY);
    expect(high5.values[0]).toBe(Math.max(...closes.slice(0, 5)) + 1);
    expect(r.indicators![3]!.values[0]).toBe(Math.min(...closes.slice(0, 5)) - 2);
    // IBS = (close - low) / (high - low) = 2 / 3 on every bar of this tape.
    expect([...r.indicators![4]!.values]).toEqual(closes.map(() => 2 / 3));
  });

  it('one options object changed between calls (its symbol) plots the series of each symbol, and a changed colour is still refused', async () => {
    const shared: { symbol?: string; overlay?: boolean; color?: string } = { overlay: true };
    const make = (): Strategy => ({
      id: strategyId('p'),
      symbols: [symbolId('AAA'), symbolId('BBB')],
      onBar: (ctx, bars) => {
        shared.symbol = bars.symbol;
        ctx.plot('close', bars.close(0), shared);
      },
    });
    const r = await replay(config(make), { bars: barFeed(BARS, DAY) });
    expect(r.indicators!.map((s) => [s.symbol, [...s.values]])).toEqual([
      ['AAA', openTimes.map((_, i) => 100 + i)],
      ['BBB', openTimes.map((_, i) => 50 + i)],
    ]);
    const recolour = (): Strategy => ({
      id: strategyId('p'),
      symbols: [symbolId('AAA')],
      onBar: (ctx, bars) => {
        shared.symbol = undefined;
        shared.color = bars.close(0) > 100 ? 'blue' : 'red';
        ctx.plot('close', bars.close(0), shared);
      },
    });
    await expect(replay(config(recolour), { bars: barFeed(BARS, DAY) })).rejects.toThrow(/a series keeps its options/);
  });

  it('refuses an infinite value, a changed option, a bad colour or name and an unknown symbol, naming the strategy and series', async () => {
    const cases: [(ctx: StrategyContext) => void, RegExp][] = [
      [(ctx) => ctx.plot('x', Number.POSITIVE_INFINITY), /strategy 'p' plots 'x' with Infinity: not a finite number or NaN/],
      [(ctx) => ctx.plot('x', '3' as unknown as number), /strategy 'p' plots 'x' with 3: not a finite number or NaN/],
      [
        (ctx) => {
          ctx.plot('x', 1, { overlay: true });
          ctx.plot('x', 2, { overlay: false });
        },
        /plots 'x' for AAA with \{"overlay":false\}, but its first point fixed \{"overlay":true\}: a series keeps its options/,
      ],
      [
        (ctx) => {
          ctx.plot('x', 1, { color: 'red' });
          ctx.plot('x', 2, { color: 'blue' });
        },
        /a series keeps its options/,
      ],
      [(ctx) => ctx.plot('x', 1, { color: 'red;}</script>' }), /with color "red;}<\/script>": expected #rgb/],
      [(ctx) => ctx.plot('x', 1, { color: '#12345' }), /with color "#12345": expected #rgb/],
      [(ctx) => ctx.plot('', 1), /a series named "": a name is a string of 1 to 80 characters/],
      [(ctx) => ctx.plot('x', 1, { overlay: 'yes' as unknown as boolean }), /with overlay "yes": expected true or false/],
      [(ctx) => ctx.plot('x', 1, { symbol: 'ZZZ' }), /unknown symbol 'ZZZ'/],
    ];
    for (const [body, message] of cases) {
      const make = (): Strategy => ({ id: strategyId('p'), symbols: [symbolId('AAA')], onBar: (ctx) => body(ctx) });
      const err = await replay(config(make), { bars: barFeed(BARS.slice(0, 2), DAY) }).catch((e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(message);
    }
    // Leaving the options out after the first call keeps them.
    const keeps = (): Strategy => ({
      id: strategyId('p'),
      symbols: [symbolId('AAA')],
      onBar: (ctx) => {
        ctx.plot('x', 1, { overlay: false, color: 'red' });
        ctx.plot('x', 2);
        ctx.plot('x', 3, { overlay: false });
      },
    });
    const r = await replay(config(keeps), { bars: barFeed(BARS.slice(0, 2), DAY) });
    expect(r.indicators).toMatchObject([{ name: 'x', overlay: false, color: 'red', values: Float64Array.from([3]) }]);
  });

  it('reaches report.json unchanged below 2000 points: keyed by name (name SYMBOL for a name on two symbols), NaN as null', async () => {
    const r = await replay(config(() => plotter(true)), { bars: barFeed(BARS, DAY) });
    const data = { source: 'test', kinds: ['bars'], symbols: ['AAA', 'BBB'], start: null, end: null, rows: {}, contentHash: null, barInterval: '1d' };
    const report = buildRunReport(r, {}, 1, data);
    const section = report.indicators!;
    expect(IndicatorsSectionSchema.safeParse(section).success).toBe(true);
    expect(Object.keys(section)).toEqual(['p']);
    expect(Object.keys(section.p!)).toEqual(['double AAA', 'gappy', 'twice', 'near', 'double BBB', 'timer']);
    expect(section.p!['double AAA']).toEqual({ name: 'double', symbol: 'AAA', overlay: false, color: '#ff0000', points: N, ts: openTimes, values: openTimes.map((_, i) => 2 * (100 + i)) });
    expect(section.p!.gappy).toEqual({ name: 'gappy', symbol: 'AAA', overlay: false, points: N, ts: openTimes, values: [0, 1, null, 3, 4, 5, 6, 7, 8, 9] });
    // The report's JSON holds it as written (no NaN that JSON would turn into null behind the schema's back).
    expect(JSON.parse(JSON.stringify(section))).toEqual(section);
    expect(indicatorsSection([])).toBeUndefined();
  });

  it('keeps every point up to PLOT_FULL_POINTS, then a bounded min/max preview with the count, the ends, the extremes and the gaps between buckets', () => {
    let now = 0;
    const host = { plotTime: () => now, indexOf: () => 0, symbols: ['AAA'], plotMarks: Float64Array.of(100) };
    const plots = new StrategyPlots(host, 'p', ['AAA']);
    const n = PLOT_FULL_POINTS + 100_000;
    const value = (i: number): number => (i === 123_456 ? 1e6 : i === 300_000 ? -1e6 : i >= 200_000 && i < 210_000 ? Number.NaN : Math.sin(i / 1000));
    for (let i = 0; i < n; i++) {
      now = 1000 * i;
      plots.record('s', value(i), undefined);
      // A second value at the same time replaces the first.
      if (i === 5) plots.record('s', 7, undefined);
    }
    const [s] = plots.results();
    expect(s!.points).toBe(n);
    expect(s!.ts.length).toBeLessThanOrEqual(4 * PREVIEW_BUCKETS);
    expect(s!.ts.length).toBeGreaterThan(PREVIEW_BUCKETS);
    expect([s!.ts[0], s!.ts.at(-1)]).toEqual([0, 1000 * (n - 1)]);
    expect(Math.max(...s!.values.filter((v) => !Number.isNaN(v)))).toBe(1e6);
    expect(Math.min(...s!.values.filter((v) => !Number.isNaN(v)))).toBe(-1e6);
    expect(s!.values.some((v) => Number.isNaN(v))).toBe(true);
    for (let i = 1; i < s!.ts.length; i++) expect(s!.ts[i]!).toBeGreaterThan(s!.ts[i - 1]!);
    for (let i = 0; i < s!.ts.length; i++) {
      const k = s!.ts[i]! / 1000;
      expect(Object.is(s!.values[i], k === 5 ? 7 : value(k))).toBe(true);
    }
    // Below the bound every point is kept.
    const small = new StrategyPlots(host, 'p', ['AAA']);
    for (let i = 0; i < 1000; i++) {
      now = i;
      small.record('s', i, undefined);
    }
    expect(small.results()[0]!.ts.length).toBe(1000);
  });

  it('finds the series of a name and frozen options it saw before by identity, without a lookup; options that can change are looked up on every call', () => {
    let now = 0;
    const host = { plotTime: () => now, indexOf: (s: string) => ['AAA', 'BBB'].indexOf(s), symbols: ['AAA', 'BBB'], plotMarks: Float64Array.of(100, 50) };
    const plots = new StrategyPlots(host, 'p', ['AAA', 'BBB']);
    // Counts the lookups by name (StrategyPlots' private `named`), on this instance only.
    let lookups = 0;
    const proto = Object.getPrototypeOf(plots) as { named: (name: string) => unknown };
    const named = proto.named;
    Object.defineProperty(plots, 'named', { value: (name: string) => (lookups++, named.call(plots, name)) });
    // Four series with frozen options (as donchian_breakout's), as many bars.
    const frozen = [Object.freeze({ symbol: 'AAA', overlay: true }), Object.freeze({ symbol: 'BBB', overlay: true })];
    const names = ['upper', 'lower'];
    for (let i = 0; i < 1000; i++) {
      now = i;
      for (const o of frozen) for (const n of names) plots.record(n, i, o);
    }
    expect(lookups).toBe(4);
    // A frozen object whose symbol is a getter, and a mutable object, may read differently on each call:
    // looked up every time, and their points go where they say at that call.
    let symbol = 'AAA';
    const getter = Object.freeze({
      get symbol() {
        return symbol;
      },
    });
    const shared: PlotOptions = { overlay: false };
    lookups = 0;
    for (let i = 1000; i < 1010; i++) {
      now = i;
      symbol = i % 2 === 0 ? 'AAA' : 'BBB';
      plots.record('g', i, getter);
      (shared as { symbol?: string }).symbol = symbol;
      plots.record('m', -i, shared);
    }
    expect(lookups).toBe(20);
    const byKey = new Map(plots.results().map((r) => [`${r.name} ${r.symbol}`, [...r.values]]));
    expect(byKey.get('upper AAA')!.length).toBe(1000);
    expect(byKey.get('g AAA')).toEqual([1000, 1002, 1004, 1006, 1008]);
    expect(byKey.get('g BBB')).toEqual([1001, 1003, 1005, 1007, 1009]);
    expect(byKey.get('m BBB')).toEqual([-1001, -1003, -1005, -1007, -1009]);
  });

  it('keeps the last value per time and never goes back in time, also where its points are filed in batches', () => {
    let now = 0;
    const host = { plotTime: () => now, indexOf: () => 0, symbols: ['AAA'], plotMarks: Float64Array.of(100) };
    const plots = new StrategyPlots(host, 'p', ['AAA']);
    const expected = new Map<number, number>();
    let last = -1;
    // Points at every time, some twice (the second wins) and some stamped before the last point (they
    // replace its value): around each multiple of 1024, where the points staged so far are filed.
    for (let i = 0; i < 5000; i++) {
      now = 10 * i;
      plots.record('s', i, undefined);
      last = now;
      expected.set(last, i);
      if (i % 1024 >= 1021 || i % 1024 <= 2) {
        plots.record('s', -i, undefined);
        expected.set(last, -i);
        now = 10 * i - 5;
        plots.record('s', i + 0.5, undefined);
        expected.set(last, i + 0.5);
      }
    }
    const [s] = plots.results();
    expect(s!.points).toBe(5000);
    expect(Array.from(s!.ts)).toEqual([...expected.keys()]);
    expect(Array.from(s!.values)).toEqual([...expected.values()]);
  });

  it('past PLOT_FULL_POINTS gives the preview of exactly the points plotted and the overlay of all of them, whatever falls on the columns\' and the blocks\' edges', () => {
    // Points are staged and filed in blocks: into the columns up to PLOT_FULL_POINTS, into the preview
    // after it. Values replaced at the same time and stamped back, NaN gaps and a price that moves so the
    // overlay rule's count depends on every point, most of all around the columns' end and each block's.
    let now = 0;
    const marks = Float64Array.of(100);
    const host = { plotTime: () => now, indexOf: () => 0, symbols: ['AAA'], plotMarks: marks };
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (const n of [PLOT_FULL_POINTS - 1, PLOT_FULL_POINTS, PLOT_FULL_POINTS + 1, PLOT_FULL_POINTS + 5000]) {
      const plots = new StrategyPlots(host, 'p', ['AAA']);
      const ts: number[] = [];
      const values: number[] = [];
      const prices: number[] = [];
      // Around the columns' end and every 1024 points after it (and a few before), each point is set up to three times.
      const edge = (i: number): boolean => Math.abs(i - PLOT_FULL_POINTS) <= 3 || (i > PLOT_FULL_POINTS - 5000 && ((i - PLOT_FULL_POINTS) & 1023) <= 2) || ((i - PLOT_FULL_POINTS) & 1023) >= 1022;
      for (let i = 0; i < n; i++) {
        now = 10 * i;
        // Below ~0.2 of the points near the price at first, then most of them: the rule's answer turns on the late ones.
        const near = random() < (i < PLOT_FULL_POINTS ? 0.5 : 0.9);
        let v = random() < 0.01 ? Number.NaN : near ? 100 * (0.8 + 0.4 * random()) : 1000 * random();
        marks[0] = 100;
        plots.record('s', v, undefined);
        if (edge(i)) {
          v = 100 * (0.9 + 0.1 * random());
          marks[0] = random() < 0.5 ? 100 : -1;
          plots.record('s', v, undefined);
          now = 10 * i - 5;
          v = i % 3 === 0 ? Number.NaN : 1000 * random();
          marks[0] = 100;
          plots.record('s', v, undefined);
        }
        ts.push(10 * i);
        values.push(v);
        prices.push(marks[0]!);
      }
      const [s] = plots.results();
      expect(s!.points).toBe(n);
      let expectedTs: Float64Array;
      let expectedValues: Float64Array;
      if (n <= PLOT_FULL_POINTS) {
        expectedTs = Float64Array.from(ts);
        expectedValues = Float64Array.from(values);
      } else {
        const preview = new EquityPreview(PREVIEW_BUCKETS, 2);
        for (let i = 0; i < n; i++) preview.push(ts[i]!, values[i]!, 0, 0, 0, 0, 0);
        ({ ts: expectedTs, values: expectedValues } = preview.series());
      }
      expect(Buffer.from(s!.ts.buffer, s!.ts.byteOffset, s!.ts.byteLength).equals(Buffer.from(expectedTs.buffer))).toBe(true);
      expect(Buffer.from(s!.values.buffer, s!.values.byteOffset, s!.values.byteLength).equals(Buffer.from(expectedValues.buffer))).toBe(true);
      let priced = 0;
      let nearCount = 0;
      for (let i = 0; i < n; i++) {
        if (values[i] === values[i] && prices[i]! > 0) {
          priced++;
          const r = values[i]! / prices[i]!;
          if (r > 0.6 && r < 1.4) nearCount++;
        }
      }
      expect(s!.overlay).toBe(priced > 0 && nearCount > 0.6 * priced);
      // The rule's counts themselves (private: the answer above is the same for most miscounts).
      const counted = (plots as unknown as { order: { priced: number; near: number }[] }).order[0]!;
      expect([counted.priced, counted.near]).toEqual([priced, nearCount]);
      // A point after the run is refused, also at the last point's time.
      now = 10 * (n - 1);
      expect(() => plots.record('s', 1, undefined)).toThrow(/after the run ended/);
    }
  });
});
