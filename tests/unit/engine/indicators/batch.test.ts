import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { randomStream } from '../../../../engine/core/index.js';
import * as indicators from '../../../../engine/indicators/index.js';
import {
  Adx,
  Atr,
  BollingerBands,
  DonchianChannel,
  Ema,
  Ibs,
  Macd,
  RollingMax,
  RollingMin,
  RollingStd,
  Rsi,
  Sma,
  ZScore,
} from '../../../../engine/indicators/index.js';

/**
 * The batch functions (indicators.sma, ...) against the streaming classes they wrap, bit for bit
 * (Object.is per value, so NaN warm-ups and -0 count), and a few against R's TTR fixture.
 */

/** 400 bars of a seeded random walk with a flat stretch (constant windows, zero ranges) in the middle. */
function bars(): { high: Float64Array; low: Float64Array; close: Float64Array } {
  const rng = randomStream(20261203, 'batch-indicators', 'walk');
  const n = 400;
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const close = new Float64Array(n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const flat = i >= 180 && i < 215;
    if (!flat) price = Math.max(1, price + rng.normal());
    close[i] = price;
    high[i] = flat ? price : price + rng.uniform(0, 2);
    low[i] = flat ? price : price - rng.uniform(0, 2);
  }
  return { high, low, close };
}

const { high, low, close } = bars();

/** Feeds `step` each bar and returns one Float64Array per output it returns. */
function stream(step: (h: number, l: number, c: number) => Record<string, number>): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  for (let i = 0; i < close.length; i++) {
    for (const [k, v] of Object.entries(step(high[i]!, low[i]!, close[i]!))) (out[k] ??= new Float64Array(close.length))[i] = v;
  }
  return out;
}

function expectSameBits(actual: Float64Array, expected: Float64Array, name: string): void {
  expect(actual, name).toBeInstanceOf(Float64Array);
  expect(actual.length, `${name} length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`${name}[${i}]: batch ${actual[i]}, streaming ${expected[i]}`);
  }
}

describe('batch indicators equal the streaming classes bit for bit', () => {
  const scalarCases: [string, () => Float64Array, () => { update(x: number): number }][] = [
    ['sma(close, 10)', () => indicators.sma(close, 10), () => new Sma(10)],
    ['ema(close, 12)', () => indicators.ema(close, 12), () => new Ema(12)],
    ['ema(close, 14, wilder)', () => indicators.ema(close, 14, { wilder: true }), () => new Ema(14, { wilder: true })],
    ['rsi(close)', () => indicators.rsi(close), () => new Rsi()],
    ['rsi(close, 2)', () => indicators.rsi(close, 2), () => new Rsi(2)],
    ['rollingStd(close, 20)', () => indicators.rollingStd(close, 20), () => new RollingStd(20)],
    ['rollingStd(close, 7, population)', () => indicators.rollingStd(close, 7, { sample: false }), () => new RollingStd(7, { sample: false })],
    ['zScore(close, 20)', () => indicators.zScore(close, 20), () => new ZScore(20)],
    ['rollingMax(close, 15)', () => indicators.rollingMax(close, 15), () => new RollingMax(15)],
    ['rollingMin(close, 15)', () => indicators.rollingMin(close, 15), () => new RollingMin(15)],
  ];
  for (const [name, batch, make] of scalarCases) {
    it(name, () => {
      const ind = make();
      const expected = stream((_h, _l, c) => ({ v: ind.update(c) })).v!;
      const actual = batch();
      expectSameBits(actual, expected, name);
      // Not vacuous: the series has a warm-up and then real values.
      expect(Number.isNaN(actual[0]!) || name.startsWith('rollingM')).toBe(true);
      expect(Number.isFinite(actual[close.length - 1]!)).toBe(true);
    });
  }

  it('macd(close) and macd(close, { fast: 5, slow: 35, signal: 5, percent: true })', () => {
    for (const options of [undefined, { fast: 5, slow: 35, signal: 5, percent: true }]) {
      const m = new Macd(options);
      const expected = stream((_h, _l, c) => ({ macd: m.update(c), signal: m.signal, histogram: m.histogram }));
      const actual = indicators.macd(close, options);
      for (const k of ['macd', 'signal', 'histogram'] as const) expectSameBits(actual[k], expected[k]!, k);
    }
  });

  it('atr(high, low, close, 14)', () => {
    const a = new Atr(14);
    expectSameBits(indicators.atr(high, low, close, 14), stream((h, l, c) => ({ v: a.update(h, l, c) })).v!, 'atr');
  });

  it('adx(high, low, close, 7)', () => {
    const a = new Adx(7);
    const expected = stream((h, l, c) => ({ adx: a.update(h, l, c), plusDI: a.plusDI, minusDI: a.minusDI, dx: a.dx }));
    const actual = indicators.adx(high, low, close, 7);
    for (const k of ['adx', 'plusDI', 'minusDI', 'dx'] as const) expectSameBits(actual[k], expected[k]!, k);
  });

  it('bollinger(close, { period: 10, k: 1.5 })', () => {
    const b = new BollingerBands({ period: 10, k: 1.5 });
    const expected = stream((_h, _l, c) => ({ middle: b.update(c), lower: b.lower, upper: b.upper, percentB: b.percentB }));
    const actual = indicators.bollinger(close, { period: 10, k: 1.5 });
    for (const k of ['lower', 'middle', 'upper', 'percentB'] as const) expectSameBits(actual[k], expected[k]!, k);
  });

  it('donchian(high, low, 20)', () => {
    const d = new DonchianChannel(20);
    const expected = stream((h, l) => ({ middle: d.update(h, l), upper: d.upper, lower: d.lower }));
    const actual = indicators.donchian(high, low, 20);
    for (const k of ['upper', 'middle', 'lower'] as const) expectSameBits(actual[k], expected[k]!, k);
  });

  it('ibs(high, low, close), 0.5 on the flat bars', () => {
    const b = new Ibs();
    const actual = indicators.ibs(high, low, close);
    expectSameBits(actual, stream((h, l, c) => ({ v: b.update(h, l, c) })).v!, 'ibs');
    expect(actual[190]).toBe(0.5);
  });

  it('a number[] gives the same bits as a Float64Array', () => {
    expectSameBits(indicators.sma(Array.from(close), 10), indicators.sma(close, 10), 'sma(number[])');
    expectSameBits(indicators.atr(Array.from(high), Array.from(low), Array.from(close)), indicators.atr(high, low, close), 'atr(number[])');
  });
});

describe('batch indicators refuse bad input, naming the series and index', () => {
  it('a NaN value', () => {
    expect(() => indicators.sma([1, 2, Number.NaN, 4], 2)).toThrow("invalid 'x[2]': not a finite number, was NaN");
    expect(() => indicators.atr([2, 2], [1, 1], [1.5, Number.POSITIVE_INFINITY])).toThrow("invalid 'close[1]': not a finite number, was Infinity");
    expect(() => indicators.rsi(['1', '2'] as unknown as number[], 1)).toThrow(`invalid 'x[0]': not a finite number, was "1"`);
  });
  it('series of different lengths', () => {
    expect(() => indicators.donchian([2, 3, 4], [1, 2], 2)).toThrow("invalid 'low': length 2 differs from 'high' (3)");
  });
  it('a bad period, as the class refuses it', () => {
    expect(() => indicators.sma([1, 2, 3], 0)).toThrow(/period/);
  });
  it('an empty series gives an empty result', () => {
    expect(indicators.ema(new Float64Array(0), 5)).toEqual(new Float64Array(0));
  });
});

interface Fixture {
  readonly inputs: Readonly<Record<'high' | 'low' | 'close', readonly number[]>>;
  readonly cases: readonly { readonly call: string; readonly outputs: Readonly<Record<string, readonly (number | null)[]>> }[];
}
const fixture = JSON.parse(readFileSync(new URL('../../../fixtures/ttr-indicators.json', import.meta.url), 'utf8')) as Fixture;

function expectTtr(actual: Float64Array, call: string, output = 'value'): void {
  const c = fixture.cases.find((x) => x.call === call);
  if (c === undefined) throw new Error(`fixture has no case ${call}`);
  const expected = c.outputs[output]!;
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i]!;
    if (e === null || e === undefined) {
      if (!Number.isNaN(a)) expect.fail(`${call} ${output}[${i}]: expected NA, got ${a}`);
    } else if (!(Math.abs(a - e) <= 1e-9 * Math.abs(e) + 1e-12)) {
      expect.fail(`${call} ${output}[${i}]: expected ${e}, got ${a}`);
    }
  }
}

describe("batch indicators against R's TTR", () => {
  const { high: h, low: l, close: c } = fixture.inputs;
  it('sma, ema (wilder), rsi', () => {
    expectTtr(indicators.sma(c, 20), 'SMA(close, n = 20)');
    expectTtr(indicators.ema(c, 14, { wilder: true }), 'EMA(close, n = 14, wilder = TRUE)');
    expectTtr(indicators.rsi(c, 14), 'RSI(close, n = 14)');
  });
  it('macd (price difference)', () => {
    const m = indicators.macd(c, { fast: 12, slow: 26, signal: 9, percent: false });
    const call = 'MACD(close, nFast = 12, nSlow = 26, nSig = 9, percent = FALSE)';
    for (const k of ['macd', 'signal', 'histogram'] as const) expectTtr(m[k], call, k);
  });
  it('atr, adx, donchian', () => {
    expectTtr(indicators.atr(h, l, c, 14), 'ATR(HLC, n = 14)');
    expectTtr(indicators.adx(h, l, c, 14).adx, 'ADX(HLC, n = 14)', 'adx');
    const d = indicators.donchian(h, l, 20);
    for (const k of ['upper', 'middle', 'lower'] as const) expectTtr(d[k], 'DonchianChannel(HL, n = 20)', k);
  });
  it('bollinger and rollingStd', () => {
    const b = indicators.bollinger(c, { period: 20, k: 2 });
    for (const k of ['lower', 'middle', 'upper', 'percentB'] as const) expectTtr(b[k], 'BBands(close, n = 20, sd = 2)', k);
    expectTtr(indicators.rollingStd(c, 10, { sample: false }), 'runSD(close, n = 10, sample = FALSE)');
  });
});
