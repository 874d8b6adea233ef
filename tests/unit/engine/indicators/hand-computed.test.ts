import { describe, expect, it } from 'vitest';
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
  internalBarStrength,
} from '../../../../engine/indicators/index.js';
import { InvalidArgumentError } from '../../../../engine/core/index.js';

const feed = (ind: { update(x: number): number }, xs: readonly number[]): number[] => xs.map((x) => ind.update(x));

type Bar = readonly [high: number, low: number, close: number];
const feedBars = (ind: { update(h: number, l: number, c: number): number }, bars: readonly Bar[]): number[] =>
  bars.map(([h, l, c]) => ind.update(h, l, c));

describe('Sma', () => {
  it('averages the last period values after period - 1 NaNs', () => {
    const sma = new Sma(3);
    expect(feed(sma, [1, 2, 3, 4, 5])).toEqual([NaN, NaN, 2, 3, 4]);
    expect(sma.warmUp).toBe(2);
    expect(sma.ready).toBe(true);
    expect(sma.count).toBe(5);
  });

  it('is the input itself with period 1', () => {
    expect(feed(new Sma(1), [3.5, -2, 7])).toEqual([3.5, -2, 7]);
  });

  it('is not ready and NaN before the window fills', () => {
    const sma = new Sma(4);
    sma.update(1);
    sma.update(2);
    expect(sma.ready).toBe(false);
    expect(sma.value).toBeNaN();
  });

  it('rejects a non-integer or non-positive period, naming it', () => {
    expect(() => new Sma(0)).toThrow(/'period'/);
    expect(() => new Sma(2.5)).toThrow(InvalidArgumentError);
  });

  it('rejects a NaN or infinite input, naming it and the value', () => {
    const sma = new Sma(2);
    expect(() => sma.update(Number.NaN)).toThrow("invalid 'x': not a finite number, was NaN");
    expect(() => sma.update(Number.POSITIVE_INFINITY)).toThrow(/was Infinity/);
  });
});

describe('Ema', () => {
  it('is seeded by the mean of the first period values, then smooths with 2/(n+1)', () => {
    // ratio 2/(3+1) = 0.5: seed (1+2+3)/3 = 2, then 4*0.5+2*0.5 = 3, then 5*0.5+3*0.5 = 4.
    expect(feed(new Ema(3), [1, 2, 3, 4, 5])).toEqual([NaN, NaN, 2, 3, 4]);
  });

  it('uses ratio 1/n with wilder', () => {
    // ratio 1/2: seed (2+4)/2 = 3, then 8/2+3/2 = 5.5, then 0/2 + 5.5/2 = 2.75.
    const ema = new Ema(2, { wilder: true });
    expect(ema.ratio).toBe(0.5);
    expect(feed(ema, [2, 4, 8, 0])).toEqual([NaN, 3, 5.5, 2.75]);
  });

  it('has ratio 2/(n+1) by default', () => {
    expect(new Ema(9).ratio).toBe(0.2);
  });
});

describe('RollingStd', () => {
  const data = [2, 4, 4, 4, 5, 5, 7, 9];

  it('gives the population deviation 2 of the textbook series', () => {
    const sd = new RollingStd(8, { sample: false });
    const out = feed(sd, data);
    expect(out.slice(0, 7).every(Number.isNaN)).toBe(true);
    expect(out[7]).toBeCloseTo(2, 14);
    expect(sd.mean).toBe(5);
    expect(sd.variance).toBeCloseTo(4, 13);
  });

  it('divides by n - 1 by default (sample)', () => {
    const sd = new RollingStd(8);
    expect(sd.sample).toBe(true);
    expect(feed(sd, data)[7]).toBeCloseTo(Math.sqrt(32 / 7), 14);
  });

  it('is 0 on a constant window', () => {
    expect(feed(new RollingStd(3), [5, 5, 5, 5, 5])).toEqual([NaN, NaN, 0, 0, 0]);
  });

  it('rejects a period below 2', () => {
    expect(() => new RollingStd(1)).toThrow(/'period': less than 2, was 1/);
  });
});

describe('ZScore', () => {
  it('measures the current value against the window mean and sample deviation', () => {
    // window [1, 2, 3]: mean 2, sample sd 1, z of 3 = 1; window [2, 3, 7]: mean 4, sd sqrt(7).
    const out = feed(new ZScore(3), [1, 2, 3, 7]);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out[2]).toBeCloseTo(1, 14);
    expect(out[3]).toBeCloseTo(3 / Math.sqrt(7), 14);
  });

  it('uses the population deviation on request', () => {
    // window [1, 2, 3]: population sd sqrt(2/3).
    expect(feed(new ZScore(3, { sample: false }), [1, 2, 3])[2]).toBeCloseTo(1 / Math.sqrt(2 / 3), 14);
  });

  it('is 0 on a constant window', () => {
    expect(feed(new ZScore(2), [4, 4, 4])).toEqual([NaN, 0, 0]);
  });
});

describe('BollingerBands', () => {
  it('puts the bands k population deviations around the SMA', () => {
    const bb = new BollingerBands({ period: 5, k: 2 });
    feed(bb, [1, 2, 3, 4, 5]);
    // mean 3, population variance 2.
    expect(bb.middle).toBe(3);
    expect(bb.value).toBe(3);
    expect(bb.upper).toBeCloseTo(3 + 2 * Math.SQRT2, 14);
    expect(bb.lower).toBeCloseTo(3 - 2 * Math.SQRT2, 14);
    expect(bb.percentB).toBeCloseTo((5 - (3 - 2 * Math.SQRT2)) / (4 * Math.SQRT2), 14);
  });

  it('defaults to 20 periods and 2 deviations, as TTR::BBands', () => {
    const bb = new BollingerBands();
    expect([bb.period, bb.k, bb.warmUp]).toEqual([20, 2, 19]);
  });

  it('gives percentB 0.5 on a constant window', () => {
    const bb = new BollingerBands({ period: 3 });
    feed(bb, [7, 7, 7]);
    expect([bb.lower, bb.middle, bb.upper, bb.percentB]).toEqual([7, 7, 7, 0.5]);
  });

  it('is NaN in every band while warming up', () => {
    const bb = new BollingerBands({ period: 3 });
    feed(bb, [1, 2]);
    expect([bb.lower, bb.middle, bb.upper, bb.percentB].every(Number.isNaN)).toBe(true);
  });
});

describe('Rsi', () => {
  it('smooths gains and losses with Wilder EMAs seeded by their mean', () => {
    // moves +1 +2 -1 0 +3; period 2 (ratio 1/2): gains seed 1.5, losses seed 0 -> 100;
    // then gains 0.75, losses 0.5 -> 60; gains 0.375, losses 0.25 -> 60;
    // gains 1.6875, losses 0.125 -> 100 * 1.6875 / 1.8125.
    const rsi = new Rsi(2);
    const out = feed(rsi, [1, 2, 4, 3, 3, 6]);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(out.slice(2)).toEqual([100, 60, 60, (100 * 1.6875) / 1.8125]);
    expect(rsi.averageGain).toBe(1.6875);
    expect(rsi.averageLoss).toBe(0.125);
    expect(rsi.warmUp).toBe(2);
  });

  it('is 50 when nothing has moved', () => {
    expect(feed(new Rsi(2), [5, 5, 5, 5])).toEqual([NaN, NaN, 50, 50]);
  });

  it('defaults to 14 periods', () => {
    expect(new Rsi().period).toBe(14);
  });
});

describe('Macd', () => {
  it('subtracts the slow EMA from the fast one and smooths the result into the signal line', () => {
    // On a straight line each EMA lags by a constant: fast(2) by 0.5, slow(3) by 1, so MACD = 0.5.
    const macd = new Macd({ fast: 2, slow: 3, signal: 2 });
    const out = feed(macd, [1, 2, 3, 4, 5, 6]);
    expect(out.slice(0, 2).every(Number.isNaN)).toBe(true);
    for (const v of out.slice(2)) expect(v).toBeCloseTo(0.5, 14);
    expect(macd.signal).toBeCloseTo(0.5, 14);
    expect(macd.histogram).toBeCloseTo(0, 14);
    expect([macd.warmUp, macd.signalWarmUp]).toEqual([2, 3]);
  });

  it('leaves the signal and histogram NaN for slow + signal - 2 updates', () => {
    const macd = new Macd({ fast: 2, slow: 3, signal: 2 });
    feed(macd, [1, 2, 3]);
    expect(macd.ready).toBe(true);
    expect(macd.signalReady).toBe(false);
    expect(macd.signal).toBeNaN();
    expect(macd.histogram).toBeNaN();
    macd.update(4);
    expect(macd.signalReady).toBe(true);
  });

  it('expresses the line in percent of the slow EMA on request', () => {
    const macd = new Macd({ fast: 2, slow: 3, signal: 2, percent: true });
    feed(macd, [1, 2, 3, 4]);
    // fast 3.5, slow 3.
    expect(macd.macd).toBeCloseTo(100 * (3.5 / 3 - 1), 12);
  });

  it('defaults to 12/26/9 in price units', () => {
    const macd = new Macd();
    expect([macd.fast, macd.slow, macd.signalPeriod, macd.percent]).toEqual([12, 26, 9, false]);
    expect([macd.warmUp, macd.signalWarmUp]).toEqual([25, 33]);
  });

  it('rejects a fast period not below the slow one', () => {
    expect(() => new Macd({ fast: 26, slow: 12 })).toThrow(/'fast': not less than 'slow'/);
  });
});

describe('Atr', () => {
  const bars: Bar[] = [
    [10, 8, 9],
    [11, 9, 10],
    [12, 10, 11],
    [10, 7, 8],
    [15, 13, 14],
  ];

  it('averages true ranges from the second bar on with a Wilder EMA', () => {
    // TR: -, 2, 2, max(10,11)-min(7,11) = 4, gap up: 15 - min(13, 8) = 7.
    // ATR(2): seed (2+2)/2 = 2, then 4/2 + 2/2 = 3, then 7/2 + 3/2 = 5.
    const atr = new Atr(2);
    expect(feedBars(atr, bars)).toEqual([NaN, NaN, 2, 3, 5]);
    expect(atr.trueRange).toBe(7);
    expect(atr.warmUp).toBe(2);
  });

  it('has no true range on the first bar', () => {
    const atr = new Atr(2);
    atr.update(10, 8, 9);
    expect(atr.trueRange).toBeNaN();
  });

  it('rejects a NaN high, naming it', () => {
    expect(() => new Atr().update(Number.NaN, 1, 1)).toThrow(/'high'/);
  });
});

describe('Adx', () => {
  const bars: Bar[] = [
    [10, 8, 9],
    [11, 9, 10],
    [12, 9.5, 11],
    [11.5, 8, 9],
    [10, 7, 8],
  ];

  it('follows the wilderSum recursion for +DI, -DI and DX and a Wilder EMA for ADX', () => {
    // +DM: 1, 1, 0, 0; -DM: 0, 0, 1.5, 1; TR: 2, 2.5, 3.5, 3.
    // Wilder sums (n=2, s = x + s/2): +: 1, 1.5, 0.75, 0.375; -: 0, 0, 1.5, 1.75; TR: 2, 3.5, 5.25, 5.625.
    const adx = new Adx(2);
    const out = feedBars(adx, bars.slice(0, 3));
    expect(out.every(Number.isNaN)).toBe(true);
    expect(adx.plusDI).toBeCloseTo(150 / 3.5, 12);
    expect(adx.minusDI).toBe(0);
    expect(adx.dx).toBe(100);
    const [h3, l3, c3] = bars[3]!;
    expect(adx.update(h3, l3, c3)).toBeCloseTo(200 / 3, 12); // mean of DX 100 and 33.33
    expect(adx.plusDI).toBeCloseTo(75 / 5.25, 12);
    expect(adx.minusDI).toBeCloseTo(150 / 5.25, 12);
    expect(adx.dx).toBeCloseTo(100 / 3, 12);
    const [h4, l4, c4] = bars[4]!;
    expect(adx.update(h4, l4, c4)).toBeCloseTo(6700 / 102, 12);
    expect(adx.dx).toBeCloseTo((100 * 137.5) / 212.5, 12);
  });

  it('reports its warm-ups: period for the DIs, 2 * period - 1 for the ADX', () => {
    const adx = new Adx();
    expect([adx.diWarmUp, adx.warmUp]).toEqual([14, 27]);
  });

  it('gives 0 for the DIs and DX when nothing moves', () => {
    const adx = new Adx(2);
    feedBars(adx, [
      [5, 5, 5],
      [5, 5, 5],
      [5, 5, 5],
      [5, 5, 5],
    ]);
    expect([adx.plusDI, adx.minusDI, adx.dx, adx.adx]).toEqual([0, 0, 0, 0]);
  });
});

describe('RollingMax, RollingMin and DonchianChannel', () => {
  it('track the extremes of the last period values', () => {
    const xs = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
    expect(feed(new RollingMax(3), xs)).toEqual([NaN, NaN, 4, 4, 5, 9, 9, 9, 6, 6]);
    expect(feed(new RollingMin(3), xs)).toEqual([NaN, NaN, 1, 1, 1, 1, 2, 2, 2, 3]);
  });

  it('keep a strictly decreasing run that expires one value at a time', () => {
    expect(feed(new RollingMax(3), [9, 8, 7, 6, 5])).toEqual([NaN, NaN, 9, 8, 7]);
  });

  it('give the Donchian bands and their midpoint', () => {
    const dc = new DonchianChannel(2);
    dc.update(10, 8);
    expect(dc.value).toBeNaN();
    dc.update(12, 9);
    expect([dc.upper, dc.middle, dc.lower]).toEqual([12, 10, 8]);
    dc.update(11, 10);
    expect([dc.upper, dc.middle, dc.lower]).toEqual([12, 10.5, 9]);
  });
});

describe('internal bar strength', () => {
  it('locates the close within the bar range', () => {
    expect(internalBarStrength(10, 8, 9.5)).toBe(0.75);
    expect(internalBarStrength(10, 8, 8)).toBe(0);
    expect(internalBarStrength(10, 8, 10)).toBe(1);
  });

  it('is 0.5 on a bar with no range', () => {
    expect(internalBarStrength(7, 7, 7)).toBe(0.5);
  });

  it('has no warm-up as an indicator', () => {
    const ibs = new Ibs();
    expect(ibs.value).toBeNaN();
    expect(ibs.update(4, 2, 2.5)).toBe(0.25);
    expect(ibs.ready).toBe(true);
    expect(ibs.warmUp).toBe(0);
  });
});
