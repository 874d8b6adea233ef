import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, US_PER_DAY, strategyId, symbolId } from '../../../../engine/core/index.js';
import { StrategyPlots } from '../../../../engine/kernel/index.js';
import type { PlotLine, PlotOptions, Strategy, StrategyContext } from '../../../../engine/strategies/index.js';
import { replay } from '../../../../sim/backtest/index.js';
import type { ReplayConfig } from '../../../../sim/backtest/index.js';
import { venueConfig } from '../../../../sim/venue/index.js';
import { barFeed } from '../../../support/bar-feed.js';
import type { SimpleBar } from '../../../support/bar-feed.js';

/**
 * ctx.plotSeries: a plot line asked for once and recorded through with `set(value)` gives exactly the
 * series ctx.plot gives, costs nothing in a run that keeps no plots, and is refused where ctx.plot is
 * (and after its run has ended).
 */

const DAY = US_PER_DAY;
const T0 = 1_700_006_400_000_000; // a UTC midnight
const N = 10;
const BARS: SimpleBar[] = Array.from({ length: N }, (_, i) => [
  { symbol: 0, ts: T0 + i * DAY, open: 100 + i, high: 101 + i, low: 99 + i, close: 100 + i, volume: 1000 },
  { symbol: 1, ts: T0 + i * DAY, open: 50 + i, high: 51 + i, low: 49 + i, close: 50 + i, volume: 1000 },
]).flat();

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

/** The series plotted: a name and the options of every call (one per series; same object each time). */
const SPECS: readonly { name: string; options: PlotOptions | undefined }[] = [
  { name: 'a', options: undefined },
  { name: 'b', options: Object.freeze({ overlay: true }) },
  { name: 'c', options: { symbol: 'BBB', color: 'red' } },
  { name: 'a', options: Object.freeze({ symbol: 'BBB' }) },
  { name: 'd', options: { overlay: false } },
];

/** One call: the series, the value, whether the time moves on (else: the same time, or before the last point). */
interface Call {
  readonly spec: number;
  readonly value: number;
  readonly step: 'next' | 'same' | 'back';
}

/** A script of `n` calls from a seeded generator (values near the prices, far from them, NaN; times on, same, back). */
function script(seed: number, n: number): Call[] {
  let state = seed | 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4_294_967_296;
  };
  return Array.from({ length: n }, () => {
    const r = rand();
    const kind = rand();
    const value = kind < 0.1 ? Number.NaN : kind < 0.6 ? 100 * (0.5 + rand()) : (rand() - 0.5) * 1e6;
    return { spec: Math.floor(r * SPECS.length), value, step: rand() < 0.8 ? 'next' : rand() < 0.7 ? 'same' : 'back' };
  });
}

/** Plays `calls` into fresh plots: through ctx.plot's path (record), or through lines where `useLine(i)` says. */
function play(calls: readonly Call[], useLine: (i: number) => boolean, askFirst: boolean) {
  let now = 0;
  const marks = Float64Array.of(100, 50);
  const host = { plotTime: () => now, indexOf: (s: string) => ['AAA', 'BBB'].indexOf(s), symbols: ['AAA', 'BBB'], plotMarks: marks };
  const plots = new StrategyPlots(host, 'p', ['AAA', 'BBB']);
  const lines: (PlotLine | undefined)[] = askFirst ? SPECS.map((s) => plots.line(s.name, s.options)) : [];
  // A line asked for and never set plots nothing.
  if (askFirst) plots.line('never', undefined);
  let t = 1000;
  calls.forEach((c, i) => {
    if (c.step === 'next') t += 10;
    now = c.step === 'back' ? t - 5 : t;
    marks[0] = 100 + (i % 7);
    marks[1] = 50 - (i % 5);
    const spec = SPECS[c.spec]!;
    if (useLine(i)) {
      const line = (lines[c.spec] ??= plots.line(spec.name, spec.options));
      // Every other call through setFrom (the value read from a source's \`value\`), the same point as set's.
      if (i % 2 === 0) line.set(c.value);
      else line.setFrom({ value: c.value });
    }
    else plots.record(spec.name, c.value, spec.options);
  });
  return plots.results();
}

describe('ctx.plotSeries (plot lines)', () => {
  it('gives the same series as ctx.plot: every point, the order of first points, the options and the overlay rule (random scripts, lines and plot mixed)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 0, max: 3 }), (seed, n, mode) => {
        const calls = script(seed, n);
        const expected = play(calls, () => false, false);
        // Every call through lines, asked first or on first use; or lines and plot alternating.
        const useLine = mode === 3 ? (i: number) => i % 3 !== 0 : () => true;
        const got = play(calls, useLine, mode === 0 || mode === 3);
        expect(got).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('in a run recording metrics: every line is one object that ignores what it is given, as ctx.plot does; nothing kept, the runHash unchanged', async () => {
    const seen: PlotLine[] = [];
    const make = (lines: boolean): Strategy => ({
      id: strategyId('p'),
      symbols: [symbolId('AAA')],
      onBar(ctx, bars) {
        if (bars.symbol !== 'AAA') return;
        if (bars.close(0) === 103) ctx.setTarget('AAA', 10);
        if (!lines) return;
        const a = ctx.plotSeries('a');
        const b = ctx.plotSeries('b', { overlay: true, color: 'not a colour' });
        seen.push(a, b);
        a.set(bars.close(0));
        b.set(Number.POSITIVE_INFINITY);
        b.set('x' as unknown as number);
        b.setFrom({ value: Number.NEGATIVE_INFINITY });
      },
    });
    const metrics = await replay(config(() => make(true), { recording: 'metrics' }), { bars: barFeed(BARS, DAY) });
    const plain = await replay(config(() => make(false)), { bars: barFeed(BARS, DAY) });
    expect(metrics.indicators).toBeUndefined();
    expect(metrics.runHash).toBe(plain.runHash);
    expect(plain.fills.length).toBe(1);
    expect(new Set(seen).size).toBe(1);
    // After the run too.
    expect(() => seen[0]!.set(1)).not.toThrow();
  });

  it('gives one line per series: the same object when asked again, the series of ctx.plot of that name; a line never set plots nothing; NaN is a gap', async () => {
    const same: boolean[] = [];
    const make = (): Strategy => {
      let line: PlotLine | null = null;
      return {
        id: strategyId('p'),
        symbols: [symbolId('AAA'), symbolId('BBB')],
        onStart(ctx) {
          line = ctx.plotSeries('close', { color: 'red' });
          ctx.plotSeries('unused', { overlay: false });
        },
        onBar(ctx, bars) {
          if (bars.symbol !== 'AAA') return;
          same.push(ctx.plotSeries('close') === line && ctx.plotSeries('close', { color: 'red' }) === line);
          const i = bars.close(0) - 100;
          if (i === 4) ctx.plot('close', -1);
          else line!.set(i === 2 ? Number.NaN : bars.close(0));
        },
      };
    };
    const r = await replay(config(make), { bars: barFeed(BARS, DAY) });
    expect(same.every((x) => x)).toBe(true);
    expect(r.indicators).toHaveLength(1);
    expect(r.indicators![0]).toMatchObject({ name: 'close', symbol: 'AAA', color: 'red', overlay: true, points: N });
    expect([...r.indicators![0]!.values]).toEqual([100, 101, Number.NaN, 103, -1, 105, 106, 107, 108, 109]);
  });

  it('refuses what ctx.plot refuses (an infinite value, a non-number, options differing from the first ones, a bad name, colour or symbol), and a line used after its run', async () => {
    const cases: [(ctx: StrategyContext) => void, RegExp][] = [
      [(ctx) => ctx.plotSeries('x').set(Number.NEGATIVE_INFINITY), /strategy 'p' plots 'x' with -Infinity: not a finite number or NaN/],
      [(ctx) => ctx.plotSeries('x').set('3' as unknown as number), /strategy 'p' plots 'x' with 3: not a finite number or NaN/],
      [(ctx) => ctx.plotSeries('x').setFrom({ value: Number.POSITIVE_INFINITY }), /strategy 'p' plots 'x' with Infinity: not a finite number or NaN/],
      [
        (ctx) => {
          ctx.plotSeries('x', { overlay: true });
          ctx.plotSeries('x', { overlay: false });
        },
        /plots 'x' for AAA with \{"overlay":false\}, but its first point fixed \{"overlay":true\}: a series keeps its options/,
      ],
      [
        (ctx) => {
          ctx.plotSeries('x', { color: 'red' }).set(1);
          ctx.plot('x', 2, { color: 'blue' });
        },
        /a series keeps its options/,
      ],
      [
        (ctx) => {
          ctx.plot('x', 1, { overlay: false });
          ctx.plotSeries('x', { overlay: true });
        },
        /a series keeps its options/,
      ],
      [(ctx) => ctx.plotSeries('x', { color: 'red;}</script>' }), /with color "red;}<\/script>": expected #rgb/],
      [(ctx) => ctx.plotSeries(''), /a series named "": a name is a string of 1 to 80 characters/],
      [(ctx) => ctx.plotSeries('x', { overlay: 'yes' as unknown as boolean }), /with overlay "yes": expected true or false/],
      [(ctx) => ctx.plotSeries('x', { symbol: 'ZZZ' }), /unknown symbol 'ZZZ'/],
    ];
    for (const [body, message] of cases) {
      const make = (): Strategy => ({ id: strategyId('p'), symbols: [symbolId('AAA')], onBar: (ctx) => body(ctx) });
      const err = await replay(config(make), { bars: barFeed(BARS.slice(0, 2), DAY) }).catch((e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(InvalidArgumentError);
      expect((err as Error).message).toMatch(message);
    }
    // Kept past its run: a line that had points, one that had none, the context's plot and a new line.
    const kept: { ctx?: StrategyContext; used?: PlotLine; unused?: PlotLine } = {};
    const make = (): Strategy => ({
      id: strategyId('p'),
      symbols: [symbolId('AAA')],
      onStart(ctx) {
        kept.ctx = ctx;
        kept.used = ctx.plotSeries('used');
        kept.unused = ctx.plotSeries('unused');
      },
      onBar: (_ctx, bars) => kept.used!.set(bars.close(0)),
    });
    const r = await replay(config(make), { bars: barFeed(BARS, DAY) });
    const values = [...r.indicators![0]!.values];
    expect(values).toHaveLength(N);
    expect(() => kept.used!.set(1)).toThrow(/strategy 'p' plots 'used' after the run ended/);
    expect(() => kept.unused!.set(1)).toThrow(/plots 'unused' after the run ended/);
    expect(() => kept.used!.setFrom({ value: 1 })).toThrow(/strategy 'p' plots 'used' after the run ended/);
    expect(() => kept.ctx!.plot('used', 1)).toThrow(/after the run ended/);
    expect(() => kept.ctx!.plotSeries('other')).toThrow(/plots 'other' after the run ended/);
    // The result's series did not change.
    expect([...r.indicators![0]!.values]).toEqual(values);
  });
});
