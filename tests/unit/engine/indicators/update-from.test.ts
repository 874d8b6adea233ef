import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { symbolId } from '../../../../engine/core/index.js';
import { Atr, DonchianChannel, Ema, Rsi, Sma } from '../../../../engine/indicators/index.js';
import { BarRing, CoarseBarView } from '../../../../engine/kernel/bar-cache.js';

/**
 * `updateFrom(series)` (the strategies' bar path: the bar read from the series' columns, the value left
 * in `value`) gives the same doubles as `update` bit for bit (Object.is), with `ready` and `count`, over
 * random sequences with resets and refused inputs: through the engine's bar ring (its columns), a coarse
 * view (its columns) and a series with only `close(ago)` (the fallback).
 */

type Step = { kind: 'bar'; high: number; low: number; close: number } | { kind: 'reset' } | { kind: 'bad'; field: 0 | 1 | 2; x: number };

const price = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: 99, max: 101, noNaN: true }), fc.constantFrom(0, -0, 1e-300, -1e300, 0.1, 0.7));
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(price, price, price).map(([high, low, close]) => ({ kind: 'bar' as const, high, low, close })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom<0 | 1 | 2>(0, 1, 2), fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY))
      .map(([field, x]) => ({ kind: 'bad' as const, field, x })),
  },
);

/** The three kinds of series `updateFrom` reads, each fed the same bars. */
function makeSeries(kind: 'ring' | 'coarse' | 'plain', n: number) {
  const cols = { length: n, visibleTs: new Float64Array(n).fill(Number.POSITIVE_INFINITY), ts: new Float64Array(n), barTs: new Float64Array(n), symbol: new Int32Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  const ring = new BarRing(symbolId('AAA'), 8);
  const coarse = new CoarseBarView(symbolId('AAA'), cols, 8);
  let last = { high: Number.NaN, low: Number.NaN, close: Number.NaN };
  const plain = { close: () => last.close, high: () => last.high, low: () => last.low };
  let row = 0;
  return {
    series: kind === 'ring' ? ring : kind === 'coarse' ? coarse : plain,
    push(high: number, low: number, close: number): void {
      cols.high[row] = high;
      cols.low[row] = low;
      cols.close[row] = close;
      cols.visibleTs[row] = row;
      ring.pushRow(cols, row);
      coarse.sync(row);
      last = { high, low, close };
      row++;
    },
  };
}

function same(a: { value: number; ready: boolean; count: number }, b: { value: number; ready: boolean; count: number }): void {
  expect(Object.is(a.value, b.value), `${a.value} against ${b.value}`).toBe(true);
  expect(a.ready).toBe(b.ready);
  expect(a.count).toBe(b.count);
}

describe('updateFrom gives update\'s bits', () => {
  for (const kind of ['ring', 'coarse', 'plain'] as const) {
    it(`Sma, Ema (both ratios), Rsi, Atr and DonchianChannel through a ${kind} series, over random sequences`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 30 }), fc.array(step, { maxLength: 300 }), (period, steps) => {
          const make = () => [new Sma(period), new Ema(period), new Ema(period, { wilder: true }), new Rsi(period)];
          const byUpdate = make();
          const byFrom = make();
          const atrUpdate = new Atr(period);
          const atrFrom = new Atr(period);
          const channelUpdate = new DonchianChannel(period);
          const channelFrom = new DonchianChannel(period);
          const s = makeSeries(kind, steps.length);
          for (const st of steps) {
            if (st.kind === 'reset') {
              for (const a of [...byUpdate, ...byFrom, atrUpdate, atrFrom, channelUpdate, channelFrom]) a.reset();
              continue;
            }
            const bar = st.kind === 'bar' ? st : { high: st.field === 0 ? st.x : 1, low: st.field === 1 ? st.x : 1, close: st.field === 2 ? st.x : 1 };
            s.push(bar.high, bar.low, bar.close);
            for (let i = 0; i < byUpdate.length; i++) {
              let thrown: unknown = null;
              let value = Number.NaN;
              try {
                value = byUpdate[i]!.update(bar.close);
              } catch (e) {
                thrown = e;
              }
              if (thrown !== null) expect(() => byFrom[i]!.updateFrom(s.series)).toThrow((thrown as Error).message);
              else {
                byFrom[i]!.updateFrom(s.series);
                expect(Object.is(byFrom[i]!.value, value)).toBe(true);
              }
              same(byFrom[i]!, byUpdate[i]!);
            }
            let thrown: unknown = null;
            try {
              atrUpdate.update(bar.high, bar.low, bar.close);
            } catch (e) {
              thrown = e;
            }
            if (thrown !== null) expect(() => atrFrom.updateFrom(s.series)).toThrow((thrown as Error).message);
            else atrFrom.updateFrom(s.series);
            same(atrFrom, atrUpdate);
            expect(Object.is(atrFrom.trueRange, atrUpdate.trueRange)).toBe(true);
            thrown = null;
            try {
              channelUpdate.update(bar.high, bar.low);
            } catch (e) {
              thrown = e;
            }
            if (thrown !== null) expect(() => channelFrom.updateFrom(s.series)).toThrow((thrown as Error).message);
            else channelFrom.updateFrom(s.series);
            same(channelFrom, channelUpdate);
            expect(Object.is(channelFrom.upper, channelUpdate.upper)).toBe(true);
            expect(Object.is(channelFrom.lower, channelUpdate.lower)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });
  }

  it('Sma over a 200,000-bar random walk through the bar ring', () => {
    const n = 200_000;
    const s = makeSeries('ring', n);
    const a = new Sma(20);
    const b = new Sma(20);
    let x = 100;
    let state = 7;
    for (let i = 0; i < n; i++) {
      state = (Math.imul(state, 1103515245) + 12345) | 0;
      x *= 1 + (((state >>> 0) % 1_000_000) / 1_000_000 - 0.5) * 0.04;
      s.push(x, x, x);
      const v = a.update(x);
      b.updateFrom(s.series);
      if (!Object.is(v, b.value)) expect(b.value).toBe(v);
    }
    expect(b.count).toBe(n);
  });
});
